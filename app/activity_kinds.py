"""Activity kinds and their categories: a manager's setting.

Every logged hour counts as prospecting, selling or other through its kind, so the kinds are
what the time figures are built on. ``Activity.kind`` holds the kind's *name*; therefore:

- renaming a kind rewrites the name on every activity that uses it, in the same transaction;
- a kind that has been used is never deleted (its hours would fall out of their category):
  "removing" it deactivates it — it disappears from the choices but keeps its history;
- changing a kind's category re-files all its past hours (that is the point of the setting).

The Settings tab edits the kinds as drafts (:class:`KindDraft`, from :func:`load_kinds`)
and saves them at once with :func:`save_kinds`, like the stage editor: one transaction, or
nothing changes.

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


@dataclass
class KindDraft:
    """One kind as edited in Settings; ``id`` None is a kind added in the editor. Its place
    in the list handed to :func:`save_kinds` is its position."""

    name: str
    category: str
    active: bool = True
    id: int | None = None
    uses: int = 0  # activities logged with it when loaded (shown, never saved)


@dataclass(frozen=True)
class KindsSaved:
    """What :func:`save_kinds` did."""

    created: int
    changed: int
    deleted: int  # unused kinds removed
    switched_off: int  # used kinds removed from the list: kept, inactive


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


def load_kinds() -> list[KindDraft]:
    """Every kind (inactive ones too), in order, with its use count, as drafts to edit."""
    return [KindDraft(k.name, k.category, k.active, k.id, k.uses)
            for k in list_kinds(include_inactive=True, with_uses=True)]


def save_kinds(drafts: list[KindDraft], actor: RepInfo | None) -> KindsSaved:
    """Make the kinds equal to ``drafts`` (in that order), atomically.

    A stored kind missing from ``drafts`` is removed as :func:`remove_kind` removes it
    (deleted when unused, else switched off); a renamed kind renames its activities
    (:func:`rename_kind`); names may be swapped between kinds in one save. Manager only.
    Raises ValidationError (naming the kind) or NotFound and changes nothing when anything
    is wrong.
    """
    require_manager(actor, "change activity kinds")
    seen: dict[str, str] = {}
    for draft in drafts:
        _clean_category(draft.category)
        name = " ".join((draft.name or "").split())
        if name.casefold() in seen:
            raise ValidationError(f"Two kinds are called “{name}”; rename one.", field="name")
        seen[name.casefold()] = name
    created = changed = deleted = switched_off = 0
    with writing():
        stored = {k.id: k for k in ActivityKind.select()}
        kept = {d.id for d in drafts if d.id is not None}
        if kept - set(stored):
            raise NotFound("A kind in the editor was removed by someone else; revert and "
                           "edit again.")
        for kind_id in set(stored) - kept:
            switched_off += remove_kind(kind_id, actor) is not None
            deleted += not ActivityKind.select().where(ActivityKind.id == kind_id).exists()
        renamed = {d.id: d.name for d in drafts if d.id is not None
                   and " ".join(d.name.split()) != stored[d.id].name}
        for kind_id in renamed:  # park first, so two kinds can swap names
            rename_kind(kind_id, f"~{kind_id}", actor)
        for kind_id, name in renamed.items():
            rename_kind(kind_id, name, actor)
        for position, draft in enumerate(drafts):
            if draft.id is None:
                draft_id = create_kind(draft.name, draft.category, actor).id
                created += 1
            else:
                draft_id = draft.id
                old = stored[draft.id]
                if old.category != draft.category:
                    set_category(draft_id, draft.category, actor)
                changed += (draft_id in renamed or old.category != draft.category
                            or bool(old.active) != draft.active or old.position != position)
            if draft.active != (bool(stored[draft.id].active) if draft.id else True):
                set_active(draft_id, draft.active, actor)
            ActivityKind.update(position=position).where(ActivityKind.id == draft_id).execute()
    return KindsSaved(created, changed, deleted, switched_off)
