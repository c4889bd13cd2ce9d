"""The sales board: open sales-side deals grouped by stage, ready to draw as cards.

Why a module of its own: the board must open quickly with 5,000 open deals, so everything a
card shows (owner initials, days in stage, checklist progress, rotting) comes from a fixed
number of queries — stages, checklist sizes and one deal query with the ticked-item count as
a correlated subquery — never a query per card. Filtering (owner, source, search text) is
done on the loaded cards in Python, so a keystroke in the search box costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from peewee import fn

from app.clock import local_today, utcnow
from app.money import CENT
from app.pipeline import StageInfo, list_stages
from app.rotting import is_rotting
from app.users import list_reps
from db.models import ChecklistCheck, ChecklistItem, Deal, Stage


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


@dataclass(frozen=True)
class BoardColumn:
    """An open sales stage and its cards (largest value first)."""

    stage: StageInfo
    cards: tuple[BoardCard, ...]

    @property
    def count(self) -> int:
        return len(self.cards)

    @cached_property  # the header, the summary and the weighted figure all read it
    def total_value(self) -> Decimal:
        return sum((c.value for c in self.cards), Decimal("0.00"))

    @cached_property
    def weighted_value(self) -> Decimal:
        """The total times the stage's win probability, to the cent."""
        return (self.total_value * self.stage.probability / 100).quantize(CENT)


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
    """What the board shows: None means any owner / any source; ``text`` matches company,
    title or contact name, ignoring case."""

    owner_id: int | None = None
    source_id: int | None = None
    text: str = ""

    def matches(self, card: BoardCard) -> bool:
        if self.owner_id is not None and card.owner_id != self.owner_id:
            return False
        if self.source_id is not None and card.source_id != self.source_id:
            return False
        needle = self.text.strip().casefold()
        if needle:
            haystack = f"{card.company}\n{card.title}\n{card.contact_name}".casefold()
            return needle in haystack
        return True


def load_board(*, now: datetime | None = None, today: date | None = None) -> Board:
    """Every open sales-side deal, grouped into its stage's column.

    ``now`` (UTC) and ``today`` (local) default to the clock; tests pass fixed values.
    """
    now = now or utcnow()
    today = today or local_today()
    stages = list_stages()
    sales = [s for s in stages if s.side == "sales"]
    open_sales = [s for s in sales if s.outcome == "open"]
    by_id = {s.id: s for s in stages}
    reps = {r.id: r for r in list_reps(include_inactive=True)}

    sizes = dict(
        ChecklistItem.select(ChecklistItem.stage, fn.COUNT(ChecklistItem.id))
        .group_by(ChecklistItem.stage)
        .tuples()
    )
    # Items a deal in a given stage should have met: that stage's and every earlier sales
    # stage's.
    totals = {
        s.id: sum(sizes.get(t.id, 0) for t in sales if t.position <= s.position)
        for s in open_sales
    }

    item_stage = Stage.alias()
    done = (
        ChecklistCheck.select(fn.COUNT(ChecklistCheck.id))
        .join(ChecklistItem)
        .join(item_stage, on=(ChecklistItem.stage == item_stage.id))
        .where(
            ChecklistCheck.deal == Deal.id,
            item_stage.side == "sales",
            item_stage.position <= Stage.position,
        )
    )
    ticked = ChecklistCheck.select(ChecklistCheck.item).where(ChecklistCheck.deal == Deal.id)
    unmet = ChecklistItem.select(fn.COUNT(ChecklistItem.id)).where(
        ChecklistItem.stage == Deal.stage, ChecklistItem.required == True,
        ChecklistItem.id.not_in(ticked),
    )
    rows = (
        Deal.select(
            Deal.id, Deal.version, Deal.title, Deal.company, Deal.contact_name, Deal.value,
            Deal.owner, Deal.source, Deal.stage, Deal.stage_entered_at,
            Deal.last_activity_at, Deal.updated_at, Deal.next_step, Deal.next_step_due,
            done.alias("done"), unmet.alias("unmet"),
        )
        .join(Stage, on=(Deal.stage == Stage.id))
        .where(Stage.side == "sales", Stage.outcome == "open", Stage.archived == False)
        .order_by(Deal.value.desc(), Deal.id)
        .tuples()
    )
    grouped: dict[int, list[BoardCard]] = {s.id: [] for s in open_sales}
    for (deal_id, version, title, company, contact, value, owner_id, source_id, stage_id,
         entered, last_activity, updated, next_step, due, checks_done, unmet_count) in rows:
        stage = by_id[stage_id]
        owner = reps.get(owner_id)
        grouped[stage_id].append(BoardCard(
            id=deal_id, version=version, title=title, company=company, contact_name=contact,
            value=value, owner_id=owner_id, owner_name=owner.name if owner else "",
            owner_initials=owner.initials if owner else "", source_id=source_id,
            stage_id=stage_id, days_in_stage=max(0, (now - entered).days),
            checks_done=checks_done, checks_total=totals[stage_id],
            next_step=next_step, next_step_due=due,
            overdue=due is not None and due < today,
            rotting=is_rotting(
                last_activity_at=last_activity, stage_entered_at=entered, updated_at=updated,
                rot_days=stage.rot_days, next_step_due=due, now=now, today=today,
            ),
            unmet_required=unmet_count,
        ))
    return Board(
        columns=tuple(BoardColumn(s, tuple(grouped[s.id])) for s in open_sales),
        won_stages=tuple(s for s in sales if s.outcome == "won"),
        lost_stages=tuple(s for s in stages if s.outcome == "lost"),
    )


def filter_board(board: Board, wanted: BoardFilter) -> Board:
    """The same board showing only the cards ``wanted`` matches; column totals follow."""
    if wanted == BoardFilter():
        return board
    return replace(board, columns=tuple(
        BoardColumn(c.stage, tuple(card for card in c.cards if wanted.matches(card)))
        for c in board.columns
    ))
