"""The sales board: open sales-side deals grouped by stage, ready to draw as cards.

Why it reads this way: the board must be usable at once on a database of 100,000 deals, whose
open sales stages hold 40,000 of them (building every card took 5.6–6.3 s). So each column
holds only its largest deals (:data:`FIRST_CARDS`, more on request: :data:`MORE_CARDS` at a
time), while its count and value come exact from one grouped query over every deal the
filter matches. Everything a card shows (owner initials, days in stage, checklist progress,
rotting) comes from a fixed number of queries per column, never a query per card. Filters
(owner, source, search text) are applied in SQL, with the deals table's own search rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from peewee import fn

from app import deal_table
from app.clock import local_today, utcnow
from app.money import CENT
from app.pipeline import StageInfo, list_stages
from app.rotting import is_rotting
from app.users import list_reps
from db.models import ChecklistCheck, ChecklistItem, Deal, Stage

FIRST_CARDS = 50  # what a column shows first: a screenful, and then some
MORE_CARDS = 500  # what "Show more" adds to a column


@dataclass(frozen=True)
class BoardCard:
    """One deal as a card. ``checks_done`` / ``checks_total`` count the checklist items of
    the deal's stage and every earlier sales stage (what it should have met by now).
    ``unmet_required`` counts the *required* items of its own stage it has not ticked: a
    deal left in its stage when a manager added a required criterion there (see
    ``app.stage_admin.unmet_criteria``) does not meet its stage's checklist, and the board
    flags it (:attr:`meets_checklist`)."""

    id: int
    version: int
    title: str
    company: str
    contact_name: str
    value: Decimal
    owner_id: int | None
    owner_name: str
    owner_initials: str
    source_id: int | None
    stage_id: int
    days_in_stage: int
    checks_done: int
    checks_total: int
    next_step: str
    next_step_due: date | None
    overdue: bool
    rotting: bool
    unmet_required: int = 0

    @property
    def meets_checklist(self) -> bool:
        return not self.unmet_required

    @property
    def short_title(self) -> str:
        """The title as the card shows it, under the company (:func:`title_without_company`)."""
        return title_without_company(self.title, self.company)


# What separates a company named at the start of a title from the rest of it.
_SEPARATORS = (" – ", " — ", " - ", ": ", " | ")


def title_without_company(title: str, company: str) -> str:
    """``title`` without the company it starts with, for a card that shows the company on a
    line of its own: "Ironport Manufacturing – Multi-site rollout" at Ironport Manufacturing
    is "Multi-site rollout". The company counts when named whole or by its first words
    ("Walker – Support contract" at Walker & Johnson Leasing), ignoring case, and followed
    by a dash, a colon or a bar. A title that says nothing else stays whole."""
    company = company.strip().casefold()
    if not company:
        return title
    for separator in _SEPARATORS:
        head, found, rest = title.partition(separator)
        named = head.strip().casefold()
        if found and rest.strip() and named and (
                company == named or company.startswith(named + " ")):
            return rest.strip()
    return title


@dataclass(frozen=True)
class BoardColumn:
    """An open sales stage: its largest deals as cards (all of them, or the first ones), and
    the exact count and total value of every deal in it that the filter matches."""

    stage: StageInfo
    cards: tuple[BoardCard, ...]  # largest value first
    count: int
    total_value: Decimal

    @property
    def weighted_value(self) -> Decimal:
        """The total times the stage's win probability, to the cent."""
        return (self.total_value * self.stage.probability / 100).quantize(CENT)

    @property
    def not_shown(self) -> int:
        """How many of its deals have no card yet ("Show more" reads them)."""
        return self.count - len(self.cards)


@dataclass(frozen=True)
class Board:
    """The open sales stages in order, plus where a deal can be dropped to close it."""

    columns: tuple[BoardColumn, ...]
    won_stages: tuple[StageInfo, ...]
    lost_stages: tuple[StageInfo, ...]

    @property
    def card_count(self) -> int:
        return sum(c.count for c in self.columns)


@dataclass(frozen=True)
class BoardFilter:
    """What the board shows: None means any owner / any source; ``text`` is the deals
    table's search (title, company, contact name or e-mail, ignoring case)."""

    owner_id: int | None = None
    source_id: int | None = None
    text: str = ""

    def _matching(self, query):
        return deal_table.matching(query, deal_table.DealTableSpec(
            owner_id=self.owner_id, source_id=self.source_id, text=self.text))


def load_board(wanted: BoardFilter = BoardFilter(), *, shown: Mapping[int, int] | None = None,
               now: datetime | None = None, today: date | None = None) -> Board:
    """The open sales stages as columns of the deals ``wanted`` matches.

    Each column holds its first :data:`FIRST_CARDS` cards, or as many as ``shown`` asks for
    that stage's id (a column the user has shown more of keeps them over a reload); its
    count and total cover every matching deal. ``now`` (UTC) and ``today`` (local) default
    to the clock; tests pass fixed values.
    """
    now = now or utcnow()
    today = today or local_today()
    stages = list_stages()
    sales = [s for s in stages if s.side == "sales"]
    open_sales = [s for s in sales if s.outcome == "open"]
    reps = {r.id: r for r in list_reps(include_inactive=True)}
    sizes = dict(
        ChecklistItem.select(ChecklistItem.stage, fn.COUNT(ChecklistItem.id))
        .group_by(ChecklistItem.stage)
        .tuples()
    )
    on_board = (Deal.stage.in_([s.id for s in open_sales]))
    totals = {
        stage_id: (count, Deal.value.from_units(units))
        for stage_id, count, units in wanted._matching(
            Deal.select(Deal.stage, fn.COUNT(Deal.id), fn.SUM(Deal.value).coerce(False))
            .where(on_board)
        ).group_by(Deal.stage).tuples()
    }
    columns = []
    for stage in open_sales:
        count, total = totals.get(stage.id, (0, Decimal("0.00")))
        limit = max(FIRST_CARDS, (shown or {}).get(stage.id, FIRST_CARDS))
        # Items a deal in this stage should have met: its own and every earlier sales stage's.
        checks_total = sum(sizes.get(t.id, 0) for t in sales if t.position <= stage.position)
        cards = _cards(stage, wanted, limit, checks_total, reps, now, today) if count else ()
        columns.append(BoardColumn(stage, cards, count, total))
    return Board(
        columns=tuple(columns),
        won_stages=tuple(s for s in sales if s.outcome == "won"),
        lost_stages=tuple(s for s in stages if s.outcome == "lost"),
    )


def _cards(stage: StageInfo, wanted: BoardFilter, limit: int, checks_total: int, reps: dict,
           now: datetime, today: date) -> tuple[BoardCard, ...]:
    """The first ``limit`` cards of ``stage`` (largest value first), in two queries: the
    deals, and the ticks they have on this and earlier sales stages' items."""
    first = wanted._matching(Deal.select(Deal.id).where(Deal.stage == stage.id)).order_by(
        Deal.value.desc(), Deal.id).limit(limit)
    item_stage = Stage.alias()
    done = dict(
        ChecklistCheck.select(ChecklistCheck.deal, fn.COUNT(ChecklistCheck.id))
        .join(ChecklistItem)
        .join(item_stage, on=(ChecklistItem.stage == item_stage.id))
        .where(ChecklistCheck.deal.in_(first), item_stage.side == "sales",
               item_stage.position <= stage.position)
        .group_by(ChecklistCheck.deal)
        .tuples()
    )
    # The required items of its own stage a deal has not ticked (a criterion added since
    # it entered): the board flags it.
    ticked = ChecklistCheck.select(ChecklistCheck.item).where(ChecklistCheck.deal == Deal.id)
    unmet = ChecklistItem.select(fn.COUNT(ChecklistItem.id)).where(
        ChecklistItem.stage == stage.id, ChecklistItem.required == True,
        ChecklistItem.id.not_in(ticked),
    )
    rows = wanted._matching(
        Deal.select(
            Deal.id, Deal.version, Deal.title, Deal.company, Deal.contact_name, Deal.value,
            Deal.owner, Deal.source, Deal.stage_entered_at, Deal.last_activity_at,
            Deal.updated_at, Deal.next_step, Deal.next_step_due, unmet.alias("unmet"),
        ).where(Deal.stage == stage.id)
    ).order_by(Deal.value.desc(), Deal.id).limit(limit).tuples()
    cards = []
    for (deal_id, version, title, company, contact, value, owner_id, source_id, entered,
         last_activity, updated, next_step, due, unmet_count) in rows:
        owner = reps.get(owner_id)
        cards.append(BoardCard(
            id=deal_id, version=version, title=title, company=company, contact_name=contact,
            value=value, owner_id=owner_id, owner_name=owner.name if owner else "",
            owner_initials=owner.initials if owner else "", source_id=source_id,
            stage_id=stage.id, days_in_stage=max(0, (now - entered).days),
            checks_done=done.get(deal_id, 0), checks_total=checks_total,
            next_step=next_step, next_step_due=due,
            overdue=due is not None and due < today,
            rotting=is_rotting(
                last_activity_at=last_activity, stage_entered_at=entered, updated_at=updated,
                rot_days=stage.rot_days, next_step_due=due, now=now, today=today,
            ),
            unmet_required=unmet_count,
        ))
    return tuple(cards)
