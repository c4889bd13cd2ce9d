"""Lead score: how ready a marketing-side lead is, and how much it looks like past wins.

DESIGN.md "Lead score": weighted checklist completion plus fit to past won customers.

- **Checklist** (up to :data:`CHECKLIST_POINTS`): the weighted share of ticked items among
  the checklists of every marketing-side stage and of the first sales stage (the sales-ready
  criteria). Every lead is measured against the same items, so scores compare.
- **Fit** (up to :data:`FIT_POINTS`, split equally over industry, company size band, region
  and source): for the lead's value of each attribute, the smoothed win rate of closed deals
  with that value, ``(won + K * base) / (closed + K)`` where ``base`` is the overall win rate
  — a value seen on few deals stays near the base rate instead of jumping to 0 % or 100 %.
  Each attribute's points are its rate divided by the best rate any value of it reaches.

Each lead's :class:`Factor` list explains its score: the checklist's points and each
attribute's points relative to an unknown value (positive: like past winners; negative:
unlike them), largest first. Scoring all leads takes six queries whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN, Case, fn

from app import settings
from app.matching import name_key
from app.pipeline import live_stages
from db.models import ChecklistCheck, ChecklistItem, Deal, LeadSource, Rep, Stage

CHECKLIST_POINTS = 60.0
FIT_POINTS = 40.0
SMOOTHING = 5.0  # K: pseudo-deals at the base rate added to every value's history
ATTRIBUTES = ("industry", "size", "region", "source")
ATTRIBUTE_LABELS = {"industry": "Industry", "size": "Size", "region": "Region",
                    "source": "Source"}
SIZE_BANDS = ((10, "1–10"), (50, "11–50"), (200, "51–200"), (1000, "201–1,000"))
UNKNOWN = ""


def size_band(employees: int | None) -> str:
    """The company size band of ``employees`` ("" when unknown)."""
    if employees is None:
        return UNKNOWN
    for upper, label in SIZE_BANDS:
        if employees <= upper:
            return label
    return "1,000+"


@dataclass(frozen=True)
class Factor:
    """One reason behind a score: ``points`` is its signed effect (e.g. +7.5)."""

    label: str  # "Industry: Software"
    detail: str  # "won 12 of 20 closed deals (60 % vs 35 % overall)"
    points: float


@dataclass(frozen=True)
class LeadScore:
    """A scored marketing-side lead. ``missing`` lists the required items a hand-off to
    sales would still ask for; ``ready`` is score ≥ threshold with nothing missing."""

    deal_id: int
    version: int
    title: str
    company: str
    stage_id: int
    stage_name: str
    source: str
    owner: str
    value: Decimal
    score: int
    checklist_done: int
    checklist_total: int
    factors: tuple[Factor, ...]
    missing: tuple[str, ...]
    ready: bool

    @property
    def not_ready_reason(self) -> str:
        """What keeps the lead on the marketing side ("" when it is ready)."""
        if self.ready:
            return ""
        if self.missing:
            return "Missing: " + "; ".join(self.missing)
        return "Score below the sales-ready threshold"


@dataclass(frozen=True)
class _Rate:
    won: int
    closed: int

    def smoothed(self, base: float) -> float:
        return (self.won + SMOOTHING * base) / (self.closed + SMOOTHING)


class FitModel:
    """Smoothed win rates per attribute value, from the closed deals' history."""

    def __init__(self, counts: dict[tuple[str, str], _Rate], won: int, closed: int):
        self.counts = counts
        self.won = won
        self.closed = closed
        self.base = (won + 1) / (closed + 2)  # Laplace: 50 % with no history at all
        self.best: dict[str, float] = {a: self.base for a in ATTRIBUTES}
        for (attribute, value), rate in counts.items():
            if value != UNKNOWN:
                self.best[attribute] = max(self.best[attribute], rate.smoothed(self.base))

    def rate(self, attribute: str, value: str) -> tuple[float, _Rate]:
        """The smoothed win rate of ``value`` (the base rate for an unknown value)."""
        if value == UNKNOWN:
            return self.base, _Rate(0, 0)
        seen = self.counts.get((attribute, value), _Rate(0, 0))
        return seen.smoothed(self.base), seen

    def factor(self, attribute: str, value: str, shown: str) -> tuple[float, Factor]:
        """(points earned, the factor explaining them relative to an unknown value)."""
        share = FIT_POINTS / len(ATTRIBUTES)
        rate, seen = self.rate(attribute, value)
        points = share * rate / self.best[attribute]
        neutral = share * self.base / self.best[attribute]
        label = f"{ATTRIBUTE_LABELS[attribute]}: {shown or 'unknown'}"
        if value == UNKNOWN:
            detail = "not recorded, counted at the overall win rate"
        elif seen.closed:
            detail = (
                f"won {seen.won} of {seen.closed} closed deals "
                f"({rate:.0%} smoothed vs {self.base:.0%} overall)"
            )
        else:
            detail = "no closed deals like it yet"
        return points, Factor(label, detail, points - neutral)


def fit_model() -> FitModel:
    """Learn the win rates from every closed deal (one grouped query)."""
    band = Deal.company_size
    size_case = Case(
        None,
        [(band.is_null(), "")]
        + [(band <= upper, label) for upper, label in SIZE_BANDS],
        "1,000+",
    )
    query = (
        Deal.select(
            Deal.industry, size_case.alias("band"), Deal.region, LeadSource.name,
            Stage.outcome, fn.COUNT(Deal.id),
        )
        .join(Stage, on=(Deal.stage == Stage.id))
        .switch(Deal)
        .join(LeadSource, JOIN.LEFT_OUTER, on=(Deal.source == LeadSource.id))
        .where(Stage.outcome.in_(["won", "lost"]))
        .group_by(Deal.industry, size_case, Deal.region, LeadSource.name, Stage.outcome)
        .tuples()
    )
    won: dict[tuple[str, str], int] = defaultdict(int)
    closed: dict[tuple[str, str], int] = defaultdict(int)
    total_won = total_closed = 0
    for industry, band_label, region, source, outcome, count in query:
        keys = (
            ("industry", name_key(industry)), ("size", band_label or UNKNOWN),
            ("region", name_key(region)), ("source", name_key(source)),
        )
        for key in keys:
            closed[key] += count
            if outcome == "won":
                won[key] += count
        total_closed += count
        if outcome == "won":
            total_won += count
    counts = {key: _Rate(won[key], n) for key, n in closed.items()}
    return FitModel(counts, total_won, total_closed)


def score_leads(threshold: int | None = None) -> list[LeadScore]:
    """Every open marketing-side lead, best first (ties: larger value, then older).

    ``threshold`` defaults to the settings' sales-ready threshold.
    """
    if threshold is None:
        threshold = settings.load().sales_ready_threshold
    stages = list(live_stages())
    marketing = [s for s in stages if s.side == "marketing" and s.outcome == "open"]
    first_sales = next((s for s in stages if s.side == "sales" and s.outcome == "open"), None)
    if not marketing:
        return []
    counted = [*marketing, first_sales] if first_sales else marketing
    position = {s.id: s.position for s in counted}
    items = list(
        ChecklistItem.select(
            ChecklistItem.id, ChecklistItem.stage, ChecklistItem.text,
            ChecklistItem.required, ChecklistItem.weight,
        )
        .where(ChecklistItem.stage.in_([s.id for s in counted]))
        .order_by(ChecklistItem.stage, ChecklistItem.position)
        .tuples()
    )
    total_weight = sum(weight for *_rest, weight in items) or 0
    weight_of = {item_id: weight for item_id, _s, _t, _r, weight in items}
    # The required items a lead at each marketing stage has still ahead of it, in checklist
    # order: worked out once per stage rather than once per lead.
    required_ahead = {
        stage.id: [(item_id, text) for item_id, item_stage, text, required, _w in items
                   if required and position[item_stage] > stage.position]
        for stage in marketing
    }
    leads = list(
        Deal.select(
            Deal.id, Deal.version, Deal.title, Deal.company, Deal.stage, Deal.value,
            Deal.industry, Deal.company_size, Deal.region, LeadSource.name, Rep.name,
        )
        .join(LeadSource, JOIN.LEFT_OUTER, on=(Deal.source == LeadSource.id))
        .switch(Deal)
        .join(Rep, JOIN.LEFT_OUTER, on=(Deal.owner == Rep.id))
        .where(Deal.stage.in_([s.id for s in marketing]))
        .tuples()
    )
    ticked: dict[int, set[int]] = defaultdict(set)
    # Every tick of the leads, kept when its item counts: a filter on the items in the query
    # makes SQLite probe each lead once per item instead of reading its ticks in one range.
    checks = (
        ChecklistCheck.select(ChecklistCheck.deal, ChecklistCheck.item)
        .join(Deal)
        .where(Deal.stage.in_([s.id for s in marketing]))
        .tuples()
    )
    for deal_id, item_id in checks:
        if item_id in weight_of:
            ticked[deal_id].add(item_id)
    model = fit_model()
    names = {s.id: s.name for s in stages}
    # Leads repeat the same checklist progress and attribute values (a handful of
    # industries, bands, regions and sources), so each such case's score and explanation are
    # worked out once and shared by the leads in it; so is each combination's fit.
    fits: dict[tuple[str, str, str, str | None], tuple[float, list[Factor]]] = {}
    explained: dict[tuple[int, int, tuple[str, str, str, str | None]],
                    tuple[int, tuple[Factor, ...]]] = {}
    scored = []
    for (deal_id, version, title, company, stage_id, value, industry, size, region, source,
         owner) in leads:
        done = ticked.get(deal_id, set())
        done_weight = sum(weight_of[item_id] for item_id in done)
        missing = tuple(text for item_id, text in required_ahead[stage_id]
                        if item_id not in done)
        combination = (industry, size_band(size), region, source)
        case = (len(done), done_weight, combination)
        if case not in explained:
            if combination not in fits:
                fits[combination] = _fit(model, *combination)
            fit_points, fit_factors = fits[combination]
            checklist_points = (CHECKLIST_POINTS * done_weight / total_weight
                                if total_weight else 0)
            factors = [
                Factor(
                    "Checklist",
                    f"{len(done)} of {len(items)} qualification items ticked "
                    f"(weighted {done_weight} of {total_weight})",
                    checklist_points,
                ),
                *fit_factors,
            ]
            factors.sort(key=lambda f: abs(f.points), reverse=True)
            explained[case] = (round(checklist_points + fit_points), tuple(factors))
        score, shared_factors = explained[case]
        scored.append(
            LeadScore(
                deal_id, version, title, company, stage_id, names[stage_id], source or "",
                owner or "", value, score, len(done), len(items), shared_factors,
                missing, score >= threshold and not missing,
            )
        )
    scored.sort(key=lambda lead: (-lead.score, -lead.value, lead.deal_id))
    return scored


def _fit(model: FitModel, industry: str, band: str, region: str,
         source: str | None) -> tuple[float, list[Factor]]:
    """(fit points, one factor per attribute) of a lead with these attribute values."""
    fit_points = 0.0
    factors = []
    for attribute, raw, shown in (
        ("industry", name_key(industry), industry), ("size", band, band),
        ("region", name_key(region), region), ("source", name_key(source), source or ""),
    ):
        points, factor = model.factor(attribute, raw, shown)
        fit_points += points
        factors.append(factor)
    return fit_points, factors
