"""The manager's reps editor: add, edit, deactivate or delete team members.

Why deactivate rather than delete: a rep's deals, hours and quotas are the history the
forecasts and reports are computed from. A rep with any of them is deactivated (kept, hidden
from pickers); only a rep who never owned a deal, logged an hour or had a quota is deleted.
The team always keeps one active manager, so nobody locks themselves out of the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from app import settings
from app.errors import NotFound, ValidationError
from app.users import (
    RepInfo,
    create_rep,
    get_rep,
    list_reps,
    require_manager,
    validate_rep_fields,
)
from db.connection import writing
from db.models import Activity, Deal, Quota, Rep, Stage

EDITABLE = ("name", "email", "role", "weekly_capacity_hours", "active")


@dataclass(frozen=True)
class RepRow:
    """A rep with what they hold, for the editor's table."""

    rep: RepInfo
    deals: int
    open_deals: int
    activities: int


@dataclass(frozen=True)
class Removal:
    """What :func:`remove_rep` did: ``action`` is "deleted" or "deactivated"."""

    action: str
    rep: RepInfo

    @property
    def message(self) -> str:
        if self.action == "deleted":
            return f"{self.rep.name} was deleted."
        return (
            f"{self.rep.name} owns deals or logged hours, so they were deactivated (kept for "
            "the history) rather than deleted."
        )


def list_rep_rows() -> list[RepRow]:
    """Every rep, active or not, with their deal and activity counts (three queries)."""
    deals = dict(Deal.select(Deal.owner, fn.COUNT(Deal.id)).group_by(Deal.owner).tuples())
    open_deals = dict(
        Deal.select(Deal.owner, fn.COUNT(Deal.id))
        .join(Stage)
        .where(Stage.outcome == "open")
        .group_by(Deal.owner)
        .tuples()
    )
    activities = dict(
        Activity.select(Activity.rep, fn.COUNT(Activity.id)).group_by(Activity.rep).tuples()
    )
    return [
        RepRow(rep, deals.get(rep.id, 0), open_deals.get(rep.id, 0), activities.get(rep.id, 0))
        for rep in list_reps(include_inactive=True)
    ]


def add_rep(
    name: str, email: str, role: str, weekly_capacity_hours, actor: RepInfo | None
) -> RepInfo:
    """Add a team member (manager only); validation as :func:`app.users.create_rep`."""
    require_manager(actor, "add reps")
    return create_rep(name, email, role, weekly_capacity_hours)


def _other_active_managers(rep_id: int) -> int:
    return (
        Rep.select()
        .where(Rep.role == "manager", Rep.active == True, Rep.id != rep_id)
        .count()
    )


def update_rep(rep_id: int, changes: dict, actor: RepInfo | None) -> RepInfo:
    """Change some of a rep's fields (keys from :data:`EDITABLE`); manager only.

    Refuses to demote or deactivate the last active manager, and a name another rep has.
    """
    require_manager(actor, "edit reps")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    with writing():
        rep = Rep.get_or_none(Rep.id == rep_id)
        if rep is None:
            raise NotFound(f"Rep #{rep_id} no longer exists; reload the list.")
        merged = {
            "name": rep.name, "email": rep.email, "role": rep.role,
            "weekly_capacity_hours": rep.weekly_capacity_hours, "active": bool(rep.active),
            **changes,
        }
        name, email, hours = validate_rep_fields(
            str(merged["name"]), str(merged["email"]), merged["role"],
            merged["weekly_capacity_hours"],
        )
        active = bool(merged["active"])
        clash = Rep.select().where(fn.LOWER(Rep.name) == name.lower(), Rep.id != rep_id)
        if clash.exists():
            raise ValidationError(f"There is already a rep called {name!r}.", field="name")
        stays_manager = merged["role"] == "manager" and active
        if rep.role == "manager" and rep.active and not stays_manager and not (
            _other_active_managers(rep_id)
        ):
            raise ValidationError(
                f"{rep.name} is the only active manager; make someone else a manager first.",
                field="role" if "role" in changes else "active",
            )
        Rep.update(
            name=name, email=email, role=merged["role"], weekly_capacity_hours=hours,
            active=active,
        ).where(Rep.id == rep_id).execute()
        if name != rep.name and settings.get("current_user") == rep.name:
            settings.put("current_user", name)  # the acting user is kept by name
    return get_rep(rep_id)


def remove_rep(rep_id: int, actor: RepInfo | None) -> Removal:
    """Delete a rep who holds nothing, otherwise deactivate them; manager only.

    A manager cannot remove themselves, nor the last active manager.
    """
    require_manager(actor, "remove reps")
    with writing():
        rep = Rep.get_or_none(Rep.id == rep_id)
        if rep is None:
            raise NotFound(f"Rep #{rep_id} no longer exists; reload the list.")
        info = get_rep(rep_id)
        if actor is not None and actor.id == rep_id:
            raise ValidationError("You cannot remove yourself; ask another manager.")
        if rep.role == "manager" and rep.active and not _other_active_managers(rep_id):
            raise ValidationError(
                f"{rep.name} is the only active manager; make someone else a manager first."
            )
        holds = (
            Deal.select().where(Deal.owner == rep_id).exists()
            or Activity.select().where(Activity.rep == rep_id).exists()
            or Quota.select().where(Quota.rep == rep_id).exists()
        )
        if holds:
            Rep.update(active=False).where(Rep.id == rep_id).execute()
            return Removal("deactivated", info)
        rep.delete_instance()
    return Removal("deleted", info)


def restore_rep(removal: Removal, actor: RepInfo | None) -> RepInfo:
    """Undo :func:`remove_rep`: reactivate, or re-create the deleted rep with the same
    fields (a new id; nothing referenced the old one)."""
    require_manager(actor, "restore reps")
    info = removal.rep
    if removal.action == "deactivated":
        return update_rep(info.id, {"active": info.active}, actor)
    return create_rep(info.name, info.email, info.role, info.weekly_capacity_hours)

