"""Logging a rep's hours (activities), editing and deleting them, and finding a deal to log
against.

Selling time is the scarce resource (DESIGN.md, idea 3), so logging must be quick and what is
logged must be believable. Every write here checks, inside its write transaction:

- hours: more than 0, at most 24, in quarter-hour steps (``hours``);
- the rep's total for that day stays at or under 24 hours (``hours``);
- the rep exists (``rep``); a rep may log only their own hours, a manager anyone's;
- the kind exists and is active (``kind``) — an edit may keep a kind deactivated since;
- the date is at most :data:`FUTURE_DAYS` days ahead and not before 1 January
  :data:`OLDEST_YEARS` years ago (``date``);
- the deal, when given, exists (``deal``).

Rotting depends on ``Deal.last_activity_at``: logging against a deal raises it to the moment
of the activity (now, for an activity dated today or later; the start of that local day for
an activity dated in the past). It is a high-water mark — it never moves back, not even when
an activity is edited away or deleted, because the deal *was* worked on. That column is not
an edit of the deal, so the deal's ``version`` is left alone (no false edit conflicts).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from peewee import JOIN, fn

from app.activity_kinds import category_of_kinds
from app.clock import local_today, utcnow
from app.errors import NotFound, PermissionDenied, ValidationError
from app.matching import name_key
from app.users import RepInfo
from db.connection import writing
from db.models import Activity, ActivityKind, Deal, Rep, Stage

HOURS_STEP = Decimal("0.25")
MAX_HOURS_PER_DAY = Decimal(24)
FUTURE_DAYS = 7
OLDEST_YEARS = 10
NOTE_MAX = 500
SEARCH_LIMIT = 12


@dataclass(frozen=True)
class ActivityDraft:
    """What a user enters to log an activity. ``hours`` may be a Decimal or text."""

    rep_id: int | None
    kind: str
    date: date | None
    hours: Decimal | str
    deal_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class ActivityInfo:
    """A logged activity as the UI and CLI see it."""

    id: int
    uuid: str
    rep_id: int
    rep_name: str
    deal_id: int | None
    deal_label: str  # "Company — Title", "" without a deal
    kind: str
    category: str  # the kind's category; "other" for a kind no longer defined
    date: date
    hours: Decimal
    note: str


@dataclass(frozen=True)
class Logged:
    """The result of a write. ``deal_touched``: a deal's last-activity date moved, so views
    of deals (rotting) should refresh too."""

    activity: ActivityInfo
    deal_touched: bool


@dataclass(frozen=True)
class DealChoice:
    """A deal offered by the type-ahead."""

    id: int
    title: str
    company: str
    stage_name: str

    @property
    def label(self) -> str:
        return deal_label(self.company, self.title)


def deal_label(company: str, title: str) -> str:
    return f"{company} — {title}" if company else title


# ------------------------------------------------------------------ validation


def clean_hours(raw, *, allow_zero: bool = False) -> Decimal:
    """Hours as a Decimal in quarter-hour steps; ``allow_zero`` for a timesheet cell that is
    being cleared. Accepts "1.5", "1,5" and Decimals; never goes through a float."""
    text = str(raw).strip().replace(",", ".") if not isinstance(raw, Decimal) else None
    try:
        hours = raw if text is None else Decimal(text or "x")
    except InvalidOperation:
        raise ValidationError(
            f"{raw!r} is not a number of hours; type e.g. 1.5 for an hour and a half.",
            field="hours",
        ) from None
    if not hours.is_finite():
        raise ValidationError(f"{raw!r} is not a number of hours.", field="hours")
    if hours < 0 or (hours == 0 and not allow_zero):
        raise ValidationError("Hours must be more than 0.", field="hours")
    if hours > MAX_HOURS_PER_DAY:
        raise ValidationError("Hours cannot be more than 24 in one day.", field="hours")
    if hours % HOURS_STEP != 0:
        raise ValidationError(
            "Log hours in quarter-hour steps (0.25, 0.5, 0.75 …).", field="hours"
        )
    return hours.quantize(Decimal("0.01"))


def clean_date(value: date | None, today: date | None = None) -> date:
    """The activity's date: at most a week ahead, and not absurdly old."""
    today = today or local_today()
    if value is None:
        raise ValidationError("Choose the day the activity took place.", field="date")
    if value > today + timedelta(days=FUTURE_DAYS):
        raise ValidationError(
            f"{value.isoformat()} is more than {FUTURE_DAYS} days ahead; log hours once they "
            "are (nearly) spent.",
            field="date",
        )
    if value < date(today.year - OLDEST_YEARS, 1, 1):
        raise ValidationError(
            f"{value.isoformat()} is more than {OLDEST_YEARS} years ago; check the year.",
            field="date",
        )
    return value


def _clean_note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise ValidationError(
            f"Keep the note under {NOTE_MAX} characters (it has {len(note)}).", field="note"
        )
    return note


def resolve_rep(rep_id: int | None, actor: RepInfo | None) -> Rep:
    """The rep whose hours are written, if ``actor`` may write them (own hours, or a
    manager)."""
    if rep_id is None:
        raise ValidationError("Choose whose hours these are.", field="rep")
    rep = Rep.get_or_none(Rep.id == rep_id)
    if rep is None:
        raise ValidationError("That rep no longer exists; choose another.", field="rep")
    if actor is not None and not actor.is_manager and actor.id != rep.id:
        raise PermissionDenied(
            f"{actor.name} can log only their own hours; a manager can log {rep.name}'s."
        )
    return rep


def resolve_kind(name: str, keep: str | None = None) -> ActivityKind:
    """The kind called ``name`` (case-insensitive). Inactive kinds are refused unless the
    activity already had that kind (``keep``)."""
    wanted = name_key(name)
    if not wanted:
        raise ValidationError("Choose the kind of activity.", field="kind")
    found = next(
        (k for k in ActivityKind.select() if name_key(k.name) == wanted), None
    )
    if found is None:
        active = ", ".join(
            k.name for k in ActivityKind.select().where(ActivityKind.active == True)
            .order_by(ActivityKind.position)
        )
        raise ValidationError(f"There is no activity kind {name!r}. Kinds: {active}.",
                              field="kind")
    if not found.active and found.name != keep:
        raise ValidationError(
            f"“{found.name}” is no longer in use; choose another kind.", field="kind"
        )
    return found


def _deal(deal_id: int | None) -> Deal | None:
    if deal_id is None:
        return None
    deal = Deal.get_or_none(Deal.id == deal_id)
    if deal is None:
        raise ValidationError("That deal no longer exists; choose another or none.",
                              field="deal")
    return deal


def day_total(rep_id: int, day: date, *, excluding: int | None = None) -> Decimal:
    """Hours a rep has logged on ``day`` (leaving out activity ``excluding``)."""
    query = Activity.select(fn.SUM(Activity.hours)).where(
        Activity.rep == rep_id, Activity.date == day
    )
    if excluding is not None:
        query = query.where(Activity.id != excluding)
    return Activity.hours.from_units(query.scalar())


def check_day_total(rep: Rep, day: date, adding: Decimal, *, excluding: int | None = None,
                    already: Decimal | None = None) -> None:
    """Refuse a write that would take ``rep`` over 24 hours on ``day``."""
    logged = already if already is not None else day_total(rep.id, day, excluding=excluding)
    if logged + adding > MAX_HOURS_PER_DAY:
        room = max(MAX_HOURS_PER_DAY - logged, Decimal(0))
        raise ValidationError(
            f"{rep.name} already has {_h(logged)} logged on {day.isoformat()}; a day holds at "
            f"most 24 hours, so at most {_h(room)} more fit.",
            field="hours",
        )


def _h(hours: Decimal) -> str:
    return f"{hours.normalize():f} h"


def day_start_utc(day: date) -> datetime:
    """Local midnight at the start of ``day`` as a naive UTC timestamp (the stored form)."""
    return datetime.combine(day, time.min).astimezone().astimezone(UTC).replace(tzinfo=None)


def activity_moment(day: date, now: datetime | None = None) -> datetime:
    """The UTC moment an activity on ``day`` counts from, for a deal's last activity."""
    now = now or utcnow()
    if day >= local_today():
        return now
    return min(day_start_utc(day), now)


def touch_deal(deal: Deal | None, day: date) -> bool:
    """Raise ``deal``'s last activity to the moment an activity on ``day`` counts from (the
    high-water mark of the module docstring); whether it moved."""
    if deal is None:
        return False
    moment = activity_moment(day)
    return bool(
        Deal.update(last_activity_at=moment)
        .where(Deal.id == deal.id, Deal.last_activity_at < moment)
        .execute()
    )


# ---------------------------------------------------------------------- reads


def _info(activity: Activity) -> ActivityInfo:
    deal = activity.deal if activity.deal_id is not None else None
    return ActivityInfo(
        id=activity.id, uuid=str(activity.uuid), rep_id=activity.rep_id,
        rep_name=activity.rep.name, deal_id=activity.deal_id,
        deal_label=deal_label(deal.company, deal.title) if deal is not None else "",
        kind=activity.kind, category=category_of_kinds().get(activity.kind, "other"),
        date=activity.date, hours=activity.hours, note=activity.note,
    )


def get_activity(activity_id: int) -> ActivityInfo:
    activity = Activity.get_or_none(Activity.id == activity_id)
    if activity is None:
        raise NotFound(f"Activity #{activity_id} no longer exists.")
    return _info(activity)


def list_activities(rep_id: int, start: date, end: date) -> list[ActivityInfo]:
    """A rep's activities from ``start`` to ``end`` inclusive, by date then entry order."""
    categories = category_of_kinds()
    query = (
        Activity.select(Activity, Rep, Deal)
        .join(Rep)
        .switch(Activity)
        .join(Deal, JOIN.LEFT_OUTER)
        .where(Activity.rep == rep_id, Activity.date.between(start, end))
        .order_by(Activity.date, Activity.id)
    )
    return [
        ActivityInfo(
            id=a.id, uuid=str(a.uuid), rep_id=a.rep_id, rep_name=a.rep.name,
            deal_id=a.deal_id,
            deal_label=deal_label(a.deal.company, a.deal.title) if a.deal_id else "",
            kind=a.kind, category=categories.get(a.kind, "other"), date=a.date,
            hours=a.hours, note=a.note,
        )
        for a in query
    ]


def search_deals(text: str, limit: int = SEARCH_LIMIT) -> list[DealChoice]:
    """Deals whose company or title contains ``text`` (case-insensitive), for the type-ahead.

    Matches at the start of the company or title come first, then open deals before closed
    ones, then the most recently worked (the newest deal first among equals, so the order is
    the same on every database). At most ``limit`` results.
    """
    words = " ".join((text or "").split())
    if not words:
        return []
    starts = Deal.company.startswith(words) | Deal.title.startswith(words)
    query = (
        Deal.select(Deal.id, Deal.title, Deal.company, Stage.name)
        .join(Stage)
        .where(Deal.company.contains(words) | Deal.title.contains(words))
        .order_by(
            starts.desc(), (Stage.outcome == "open").desc(), Deal.last_activity_at.desc(),
            Deal.id.desc(),
        )
        .limit(limit)
    )
    return [DealChoice(i, t, c, s) for i, t, c, s in query.tuples()]


# --------------------------------------------------------------------- writes


def log_activity(draft: ActivityDraft, actor: RepInfo | None, *,
                 today: date | None = None) -> Logged:
    """Record an activity after every check in the module docstring; nothing is written
    when one fails. ``today`` is for tests (the local date by default)."""
    hours = clean_hours(draft.hours)
    day = clean_date(draft.date, today)
    note = _clean_note(draft.note)
    with writing():
        rep = resolve_rep(draft.rep_id, actor)
        kind = resolve_kind(draft.kind)
        deal = _deal(draft.deal_id)
        check_day_total(rep, day, hours)
        activity = Activity.create(
            uuid=uuid.uuid4(), rep=rep, deal=deal, kind=kind.name, date=day, hours=hours,
            note=note,
        )
        touched = touch_deal(deal, day)
    return Logged(get_activity(activity.id), touched)


def update_activity(activity_id: int, draft: ActivityDraft, actor: RepInfo | None, *,
                    today: date | None = None) -> Logged:
    """Replace an activity's fields with ``draft`` (same checks as logging; the activity's
    own hours do not count against the day's total)."""
    hours = clean_hours(draft.hours)
    day = clean_date(draft.date, today)
    note = _clean_note(draft.note)
    with writing():
        activity = Activity.get_or_none(Activity.id == activity_id)
        if activity is None:
            raise NotFound(f"Activity #{activity_id} no longer exists.")
        resolve_rep(activity.rep_id, actor)  # the actor may change this activity at all
        rep = resolve_rep(draft.rep_id, actor)
        kind = resolve_kind(draft.kind, keep=activity.kind)
        deal = _deal(draft.deal_id)
        check_day_total(rep, day, hours, excluding=activity.id)
        Activity.update(
            rep=rep, deal=deal, kind=kind.name, date=day, hours=hours, note=note
        ).where(Activity.id == activity.id).execute()
        touched = touch_deal(deal, day)
    return Logged(get_activity(activity_id), touched)


def delete_activity(activity_id: int, actor: RepInfo | None) -> ActivityInfo:
    """Delete an activity and return it as it was, so the UI can offer undo
    (:func:`restore_activity`)."""
    with writing():
        activity = Activity.get_or_none(Activity.id == activity_id)
        if activity is None:
            raise NotFound(f"Activity #{activity_id} no longer exists.")
        resolve_rep(activity.rep_id, actor)
        info = _info(activity)
        activity.delete_instance()
    return info


def restore_activity(info: ActivityInfo, actor: RepInfo | None) -> ActivityInfo:
    """Put back a deleted activity with its uuid (the undo of :func:`delete_activity`).

    The day limit still applies: if the day filled up meanwhile, the restore is refused.
    A deal deleted meanwhile is dropped from the activity rather than blocking the undo.
    """
    with writing():
        rep = resolve_rep(info.rep_id, actor)
        deal_id = info.deal_id
        if deal_id is not None and not Deal.select().where(Deal.id == deal_id).exists():
            deal_id = None
        check_day_total(rep, info.date, info.hours)
        activity = Activity.create(
            uuid=uuid.UUID(info.uuid), rep=rep, deal=deal_id, kind=info.kind, date=info.date,
            hours=info.hours, note=info.note,
        )
    return get_activity(activity.id)
