"""Activity kinds and their categories: a manager's setting.

Every logged hour counts as prospecting, selling or other through its kind, so the kinds are
what the time figures are built on. ``Activity.kind`` holds the kind's *name*; therefore:

- renaming a kind rewrites the name on every activity that uses it, in the same transaction;
- a kind that has been used is never deleted (its hours would fall out of their category):
  "removing" it deactivates it — it disappears from the choices but keeps its history;
- changing a kind's category re-files all its past hours (that is the point of the setting).

Reading the kinds is open to everyone; every change needs a manager.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from app.errors import NotFound, ValidationError
from app.users import RepInfo, require_manager
from db.connection import writing
from db.models import CATEGORIES, Activity, ActivityKind

NAME_MAX = 60


@dataclass(frozen=True)
class KindInfo:
    id: int
    name: str
    category: str  # one of CATEGORIES
    position: int
    active: bool
    uses: int  # activities logged with this kind


def list_kinds(include_inactive: bool = False, *, with_uses: bool = False) -> list[KindInfo]:
    """Kinds by category (prospecting, selling, other) then position. ``with_uses`` counts
    each kind's activities (a scan of the whole log: for the settings tab, not for every
    timesheet); otherwise ``uses`` is 0."""
    uses = dict(
        Activity.select(Activity.kind, fn.COUNT(Activity.id)).group_by(Activity.kind).tuples()
    ) if with_uses else {}
    query = ActivityKind.select()
    if not include_inactive:
        query = query.where(ActivityKind.active == True)
    kinds = [
        KindInfo(k.id, k.name, k.category, k.position, bool(k.active), uses.get(k.name, 0))
        for k in query
    ]
    return sorted(kinds, key=lambda k: (_category_rank(k.category), k.position, k.id))


def category_of_kinds() -> dict[str, str]:
    """Kind name -> category, for every kind ever defined (inactive ones too)."""
    return dict(ActivityKind.select(ActivityKind.name, ActivityKind.category).tuples())


def _category_rank(category: str) -> int:
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def _clean_name(name: str, *, except_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("A kind needs a name.", field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(f"Keep a kind's name under {NAME_MAX} characters.", field="name")
    for kind_id, existing in ActivityKind.select(ActivityKind.id, ActivityKind.name).tuples():
        if kind_id != except_id and existing.casefold() == name.casefold():
            raise ValidationError(f"There is already a kind called “{existing}”.", field="name")
    return name


def _clean_category(category: str) -> str:
    if category not in CATEGORIES:
        raise ValidationError(
            f"The category must be one of {', '.join(CATEGORIES)}.", field="category"
        )
    return category


def _get(kind_id: int) -> ActivityKind:
    kind = ActivityKind.get_or_none(ActivityKind.id == kind_id)
    if kind is None:
        raise NotFound(f"Activity kind #{kind_id} no longer exists.")
    return kind


def _info(kind: ActivityKind) -> KindInfo:
    uses = Activity.select().where(Activity.kind == kind.name).count()
    return KindInfo(kind.id, kind.name, kind.category, kind.position, bool(kind.active), uses)


def create_kind(name: str, category: str, actor: RepInfo | None) -> KindInfo:
    """Add a kind at the end of its category."""
    require_manager(actor, "change activity kinds")
    category = _clean_category(category)
    with writing():
        name = _clean_name(name)
        last = ActivityKind.select(fn.MAX(ActivityKind.position)).scalar()
        kind = ActivityKind.create(name=name, category=category, position=(last or 0) + 1)
    return _info(kind)


def rename_kind(kind_id: int, new_name: str, actor: RepInfo | None) -> KindInfo:
    """Rename a kind and every activity logged with it, atomically."""
    require_manager(actor, "change activity kinds")
    with writing():
        kind = _get(kind_id)
        name = _clean_name(new_name, except_id=kind_id)
        if name != kind.name:
            Activity.update(kind=name).where(Activity.kind == kind.name).execute()
            ActivityKind.update(name=name).where(ActivityKind.id == kind_id).execute()
        return _info(_get(kind_id))


def set_category(kind_id: int, category: str, actor: RepInfo | None) -> KindInfo:
    """File a kind (and so all its hours, past and future) under another category."""
    require_manager(actor, "change activity kinds")
    category = _clean_category(category)
    with writing():
        _get(kind_id)
        ActivityKind.update(category=category).where(ActivityKind.id == kind_id).execute()
        return _info(_get(kind_id))


def set_active(kind_id: int, active: bool, actor: RepInfo | None) -> KindInfo:
    """Offer (active) or stop offering a kind when logging; its history stays."""
    require_manager(actor, "change activity kinds")
    with writing():
        _get(kind_id)
        ActivityKind.update(active=active).where(ActivityKind.id == kind_id).execute()
        return _info(_get(kind_id))


def remove_kind(kind_id: int, actor: RepInfo | None) -> KindInfo | None:
    """Delete a kind nobody has used (returns None), or deactivate a used one (returns it,
    inactive) so its logged hours keep their category."""
    require_manager(actor, "change activity kinds")
    with writing():
        kind = _get(kind_id)
        if Activity.select().where(Activity.kind == kind.name).exists():
            ActivityKind.update(active=False).where(ActivityKind.id == kind_id).execute()
            return _info(_get(kind_id))
        kind.delete_instance()
        return None


def restore_kind(info: KindInfo, actor: RepInfo | None) -> KindInfo:
    """Put back a kind that :func:`remove_kind` deleted or deactivated (the undo)."""
    require_manager(actor, "change activity kinds")
    with writing():
        kind = ActivityKind.get_or_none(ActivityKind.id == info.id)
        if kind is not None:
            ActivityKind.update(active=info.active).where(ActivityKind.id == info.id).execute()
            return _info(_get(info.id))
        name = _clean_name(info.name)
        kind = ActivityKind.create(
            id=info.id, name=name, category=_clean_category(info.category),
            position=info.position, active=info.active,
        )
    return _info(kind)


def move_kind(kind_id: int, step: int, actor: RepInfo | None) -> KindInfo:
    """Move a kind up (``step`` -1) or down (+1) within its category's order."""
    require_manager(actor, "change activity kinds")
    with writing():
        kind = _get(kind_id)
        siblings = list(
            ActivityKind.select()
            .where(ActivityKind.category == kind.category)
            .order_by(ActivityKind.position, ActivityKind.id)
        )
        index = next(i for i, k in enumerate(siblings) if k.id == kind_id)
        target = index + step
        if 0 <= target < len(siblings):
            siblings.insert(target, siblings.pop(index))
            positions = sorted(k.position for k in siblings)
            if len(set(positions)) < len(positions):  # ties: renumber this category
                base = positions[0]
                positions = list(range(base, base + len(siblings)))
            for sibling, position in zip(siblings, positions, strict=True):
                if sibling.position != position:
                    ActivityKind.update(position=position).where(
                        ActivityKind.id == sibling.id
                    ).execute()
        return _info(_get(kind_id))
