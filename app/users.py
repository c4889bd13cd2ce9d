"""Reps, the acting user, and role checks.

Every change records who made it, so services take an ``actor`` (a :class:`RepInfo`).
Manager-only actions call :func:`require_manager` before touching anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app import settings
from app.errors import NotFound, PermissionDenied, ValidationError
from app.matching import name_key
from db.connection import writing
from db.models import ROLES, Rep

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RepInfo:
    id: int
    name: str
    email: str
    role: str
    weekly_capacity_hours: Decimal
    active: bool

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def initials(self) -> str:
        parts = [p for p in re.split(r"[\s\-]+", self.name) if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"


def _info(rep: Rep) -> RepInfo:
    return RepInfo(
        rep.id, rep.name, rep.email, rep.role, rep.weekly_capacity_hours, bool(rep.active)
    )


def list_reps(include_inactive: bool = False) -> list[RepInfo]:
    query = Rep.select().order_by(Rep.name)
    if not include_inactive:
        query = query.where(Rep.active == True)
    return [_info(r) for r in query]


def find_rep(name: str) -> RepInfo:
    """The rep called ``name`` (case- and space-insensitive)."""
    wanted = name_key(name)
    for rep in Rep.select():
        if name_key(rep.name) == wanted:
            return _info(rep)
    known = ", ".join(r.name for r in list_reps()) or "none yet"
    raise NotFound(f"There is no rep called {name!r}. Reps: {known}.")


def get_rep(rep_id: int) -> RepInfo:
    rep = Rep.get_or_none(Rep.id == rep_id)
    if rep is None:
        raise NotFound(f"Rep #{rep_id} no longer exists.")
    return _info(rep)


def validate_rep_fields(name: str, email: str, role: str, capacity) -> tuple[str, str, Decimal]:
    """Check a rep's fields; returns the cleaned name, email and capacity."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("A rep needs a name.", field="name")
    email = email.strip()
    if email and not EMAIL.match(email):
        raise ValidationError(f"{email!r} is not an email address.", field="email")
    if role not in ROLES:
        raise ValidationError(f"Role must be one of {', '.join(ROLES)}.", field="role")
    try:
        hours = Decimal(str(capacity))
    except InvalidOperation:
        raise ValidationError(
            "Weekly capacity must be a number of hours.", field="capacity"
        ) from None
    if not Decimal(0) <= hours <= Decimal(100):
        raise ValidationError("Weekly capacity must be between 0 and 100 hours.", field="capacity")
    return name, email, hours


def create_rep(
    name: str, email: str = "", role: str = "rep", weekly_capacity_hours=40
) -> RepInfo:
    """Add a rep. Names are unique regardless of case."""
    name, email, hours = validate_rep_fields(name, email, role, weekly_capacity_hours)
    with writing():
        if any(r.name.casefold() == name.casefold() for r in Rep.select(Rep.name)):
            raise ValidationError(f"There is already a rep called {name!r}.", field="name")
        rep = Rep.create(name=name, email=email, role=role, weekly_capacity_hours=hours)
    return _info(rep)


def appoint_manager(name: str, email: str = "") -> RepInfo:
    """Make the user a manager of the team and its current user: the rep called ``name``
    (case- and space-insensitive) is promoted, and made active again (``email``, when given,
    replaces theirs); without one, a manager called ``name`` is added.

    Why promote rather than refuse the name: reps can come before their manager (an import
    into a new database adds the file's owners as reps), and the owner who opens it may be
    one of them. One transaction: a rejected name or email changes nothing."""
    name, email, _ = validate_rep_fields(name, email, "manager", 40)
    with writing():
        wanted = name_key(name)
        rep = next((r for r in Rep.select() if name_key(r.name) == wanted), None)
        if rep is None:
            manager = create_rep(name, email, role="manager")
        else:
            rep.role, rep.active, rep.email = "manager", True, email or rep.email
            rep.save()
            manager = _info(rep)
        settings.put("current_user", manager.name)
    return manager


def has_manager() -> bool:
    """Whether the team has an active manager (someone who may edit stages and undo imports)."""
    return Rep.select().where(Rep.role == "manager", Rep.active == True).exists()


def current_user() -> RepInfo | None:
    """The acting user kept in settings, or None when none is set (or it was removed)."""
    name = settings.get("current_user")
    if not name:
        return None
    rep = Rep.get_or_none(Rep.name == name)
    return _info(rep) if rep is not None else None


def set_current_user(name: str) -> RepInfo:
    rep = find_rep(name)
    settings.put("current_user", rep.name)
    return rep


def resolve_actor(name: str | None) -> RepInfo | None:
    """``--as NAME`` if given, else the settings' current user (None on an empty database)."""
    return find_rep(name) if name else current_user()


def require_manager(actor: RepInfo | None, action: str) -> None:
    """Raise PermissionDenied unless ``actor`` is a manager. ``action`` completes
    "Only a manager can ...", e.g. "edit stages"."""
    if actor is None:
        raise PermissionDenied(f"Only a manager can {action}; choose who you are first.")
    if not actor.is_manager:
        raise PermissionDenied(f"Only a manager can {action}; {actor.name} is a rep.")
