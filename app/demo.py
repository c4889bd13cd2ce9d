"""The demo team: a realistic, deterministic team and pipeline for an empty database.

Why: a manager trying Funnelcast (and every screen, report and benchmark we build) needs data
that tells a story. The generated team has reps whose numbers differ for a reason a manager
would recognise — one prospects a lot and closes little, one converts well but has no hours
left, one is on track, one is new, one is steady — so the forecast verdicts, the hours view
and the source reports all show something worth reading.

Contract of :func:`generate_demo`:

- It only fills a database that holds no deal; otherwise it raises
  :class:`app.errors.ValidationError` and changes nothing.
- The same ``seed`` and ``today`` give identical rows (uuids included): every random choice
  comes from one ``random.Random(seed)``.
- Everything is written in one write transaction with bulk inserts, so it is fast (well under
  two seconds) and never half done. Row ids come from the database (never written by the
  demo): on PostgreSQL an explicit id leaves the table's id sequence behind, and every later
  insert into that table would then fail on a duplicate key.
- The rows obey the rules the rest of the app relies on: each deal's stage is the ``to_stage``
  of its last StageChange, a deal in or past a stage has that stage's required checklist
  items (and every earlier stage's) ticked, timestamps are naive UTC and never after the
  start of ``today``, money and hours are Decimals, no rep logs more than 24 hours a day.
"""

from __future__ import annotations

import bisect
import itertools
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from peewee import Model

from app import clock, settings
from app.defaults import install_default_pipeline, load_template
from app.errors import ValidationError
from app.pipeline import live_stages
from db.connection import writing
from db.models import (
    Activity,
    ActivityKind,
    ChecklistCheck,
    ChecklistItem,
    Deal,
    LeadSource,
    Quota,
    Rep,
    SourceSpend,
    Stage,
    StageChange,
)

NOT_EMPTY = "This database already holds deals; the demo team only goes into an empty database."
DEAL_COUNT = 400
EMAIL_DOMAIN = "demo-team.example"


# --------------------------------------------------------------------------------------------
# The team


@dataclass(frozen=True)
class RepProfile:
    """One member of the demo team and the parameters that give them their strengths.

    ``conversion`` multiplies the odds of a deal moving forward (1 = average), ``lead_weight``
    is the share of handed-over leads they receive, ``outbound_weight`` the share of outbound
    leads they source themselves, ``utilisation`` the logged hours as a share of capacity,
    ``mix`` the prospecting / selling / other split of those hours, ``pace`` stretches the
    days a deal spends in each stage, ``stall`` is the chance a deal silently stalls at each
    step, and ``quota_factor`` sets their quota as a multiple of their own closing pace.
    """

    name: str
    archetype: str  # manager, prospector, capacity-bound, on-track, new, steady
    role: str
    weekly_capacity_hours: Decimal
    lead_weight: float = 0.0
    outbound_weight: float = 0.0
    conversion: float = 1.0
    value_factor: float = 1.0
    utilisation: float = 0.85
    mix: tuple[float, float, float] = (0.25, 0.55, 0.20)
    pace: float = 1.0
    stall: float = 0.02
    quota_factor: float = 1.0

    @property
    def email(self) -> str:
        return self.name.lower().replace(" ", ".") + "@" + EMAIL_DOMAIN


MANAGER = RepProfile(
    "Maria Lopez", "manager", "manager", Decimal(45), utilisation=0.28, mix=(0.05, 0.45, 0.50)
)
REPS: tuple[RepProfile, ...] = (
    # Prospects all day, floods his own pipeline with cold leads that rarely close.
    RepProfile(
        "Tom Becker", "prospector", "rep", Decimal(42), lead_weight=1.1, outbound_weight=3.2,
        conversion=0.45, value_factor=0.85, utilisation=0.90, mix=(0.48, 0.34, 0.18),
        stall=0.03, quota_factor=1.6,
    ),
    # Converts very well but every hour is already spent selling: more leads will not help.
    RepProfile(
        "Aisha Khan", "capacity-bound", "rep", Decimal(38), lead_weight=0.75,
        outbound_weight=0.15, conversion=3.2, value_factor=1.4, utilisation=0.98,
        mix=(0.07, 0.83, 0.10), pace=1.25, stall=0.015, quota_factor=1.35,
    ),
    RepProfile(
        "Daniel Okafor", "on-track", "rep", Decimal(40), lead_weight=1.0, outbound_weight=0.8,
        conversion=1.3, value_factor=1.05, utilisation=0.88, mix=(0.24, 0.58, 0.18),
        quota_factor=0.8,
    ),
    # Joined recently: learning the product, lots of training, smaller deals.
    RepProfile(
        "Lena Fischer", "new", "rep", Decimal(32), lead_weight=0.7, outbound_weight=0.6,
        conversion=1.0, value_factor=0.8, utilisation=0.85, mix=(0.26, 0.38, 0.36),
        pace=1.15, stall=0.03, quota_factor=2.2,
    ),
    RepProfile(
        "Sam Patel", "steady", "rep", Decimal(40), lead_weight=0.9, outbound_weight=0.5,
        conversion=1.15, value_factor=1.0, utilisation=0.86, mix=(0.18, 0.62, 0.20),
        quota_factor=1.0,
    ),
)
TEAM: tuple[RepProfile, ...] = (MANAGER, *REPS)


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate_demo` wrote, for the command line and the welcome screen."""

    manager: str
    reps: int  # team members, manager included
    deals: int
    leads: int  # open deals still on the marketing side (no owner)
    open_deals: int  # open deals on the sales side
    won: int
    lost: int
    won_value: Decimal
    stage_changes: int
    checklist_checks: int
    activities: int
    quotas: int
    period_start: date
    period_end: date  # the last day with data (the day before ``today``)

    def describe(self) -> str:
        """One human-readable paragraph. It counts the team as ``reps`` does (the JSON's
        figure): the manager included, then names the manager among them."""
        others = self.reps - 1
        return (
            f"Demo team created: {self.reps} people ({self.manager}, the manager, and "
            f"{others} rep{'' if others == 1 else 's'}), {self.deals} deals "
            f"({self.leads} leads on the marketing side, {self.open_deals} open, {self.won} won, "
            f"{self.lost} lost), {self.activities} activities and {self.quotas} quotas from "
            f"{self.period_start.isoformat()} to {self.period_end.isoformat()}."
        )


# --------------------------------------------------------------------------------------------
# Name parts and market shape

FIRST_NAMES = (
    "James", "Olivia", "Noah", "Emma", "Liam", "Ava", "Lucas", "Mia", "Ethan", "Sofia",
    "Mateo", "Chloe", "Arjun", "Priya", "Kenji", "Yuki", "Omar", "Fatima", "Jonas", "Elena",
    "David", "Grace", "Samuel", "Hannah", "Diego", "Camila", "Felix", "Clara", "Victor", "Nora",
    "Ben", "Zoe", "Hugo", "Ines", "Leo", "Maya", "Isaac", "Ruth", "Theo", "Alice",
)
LAST_NAMES = (
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martinez", "Wilson", "Anderson",
    "Thomas", "Moore", "Jackson", "Lee", "Harris", "Clark", "Lewis", "Walker", "Young", "Hall",
    "Allen", "Nguyen", "Schmidt", "Rossi", "Silva", "Kowalski", "Novak", "Dubois", "Jensen",
    "Murphy", "O'Brien", "Tanaka", "Singh", "Cohen", "Ivanova", "Haddad", "Mensah", "Berg",
)
NAME_HEADS = (
    "Blue", "North", "Summit", "Bright", "Iron", "Silver", "Green", "Red", "Oak", "Pine",
    "Harbor", "Granite", "Cedar", "Clear", "Swift", "Atlas", "Nova", "Apex", "River", "Stone",
    "Maple", "Lake", "Sun", "Polar", "Crest", "Prime", "True", "Keystone", "Echo", "Orchard",
)
NAME_TAILS = (
    "field", "wave", "bridge", "point", "line", "gate", "works", "path", "light", "view",
    "ridge", "brook", "stack", "forge", "mark", "haven", "wood", "side", "port", "way",
)
LEGAL_FORMS = ("Inc", "LLC", "Ltd", "Group", "Co", "", "", "")

# industry: (weight, company-name words, odds multiplier — some industries buy more readily)
INDUSTRIES: dict[str, tuple[float, tuple[str, ...], float]] = {
    "Software": (0.20, ("Software", "Systems", "Labs", "Digital"), 1.25),
    "Healthcare": (0.14, ("Health", "Clinics", "Medical", "Care"), 1.15),
    "Manufacturing": (0.16, ("Manufacturing", "Industries", "Components", "Tooling"), 1.0),
    "Logistics": (0.12, ("Logistics", "Freight", "Transport"), 0.95),
    "Professional services": (0.14, ("Partners", "Consulting", "Advisors", "Legal"), 1.1),
    "Retail": (0.12, ("Retail", "Stores", "Outfitters", "Market"), 0.8),
    "Construction": (0.07, ("Construction", "Builders", "Engineering"), 0.85),
    "Education": (0.05, ("Academy", "Learning", "Institute"), 0.9),
}
REGIONS = (("Northeast", 0.26), ("Southeast", 0.18), ("Midwest", 0.22), ("Southwest", 0.14),
           ("West", 0.20))
REGION_ODDS = {"Northeast": 1.1, "Midwest": 1.05}
# employees (low, high), weight, typical first-sale value
SIZE_BANDS = (((5, 19), 0.22, 4_000), ((20, 49), 0.28, 9_000), ((50, 199), 0.27, 18_000),
              ((200, 999), 0.17, 34_000), ((1000, 5000), 0.06, 68_000))
OFFERINGS = (
    "Annual licence", "Pilot rollout", "Team plan", "Onboarding package", "Department rollout",
    "Renewal and expansion", "Starter plan", "Enterprise agreement", "Integration project",
    "Analytics add-on", "Multi-site rollout", "Support upgrade",
)
# by source name: (share of new leads, odds multiplier, spend over the demo period, spread
# over its months by _spend_rows)
SOURCES: dict[str, tuple[float, float, int]] = {
    "Website": (0.30, 1.0, 45_000),
    "Referral": (0.14, 2.6, 20_000),
    "Event": (0.15, 0.85, 80_000),
    "Outbound": (0.29, 0.55, 90_000),
    "Partner": (0.12, 1.6, 60_000),
}
MARKETING_LOST = ("Not a fit", "No response", "Unsubscribed", "Duplicate lead")
SALES_LOST = ("Price", "Chose a competitor", "No decision", "Bad timing", "No budget",
              "Went silent")
NEXT_STEPS = ("Follow-up call", "Send proposal", "Book the demo", "Confirm budget",
              "Intro call with the buyer", "Legal review", "Send case study", "Check in")
SELLING_BY_STAGE = {  # which selling kind a deal in that stage mostly gets
    "Sales-ready lead": ("Meeting", "Follow-up"),
    "Qualified": ("Meeting", "Follow-up"),
    "Solution fit & demo": ("Demo", "Meeting"),
    "Proposal": ("Proposal", "Follow-up"),
    "Negotiation": ("Negotiation", "Follow-up"),
}


# --------------------------------------------------------------------------------------------
# Small helpers


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _weighted(rng: random.Random, items: Sequence, weights: Sequence[float]):
    return rng.choices(items, weights=weights, k=1)[0]


def _with_odds(p: float, multiplier: float) -> float:
    """``p`` with its odds multiplied: keeps probabilities inside (0, 1) for any multiplier."""
    odds = p / (1 - p) * multiplier
    return odds / (1 + odds)


def _quarter_start(day: date, fy_month: int) -> date:
    offset = (day.month - fy_month) % 3
    month0 = day.month - 1 - offset
    return date(day.year + month0 // 12, month0 % 12 + 1, 1)


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    return date(day.year + month0 // 12, month0 % 12 + 1, day.day)


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _office_time(rng: random.Random, day: date) -> datetime:
    minutes = rng.randrange(8 * 60, 17 * 60 + 30, 5)
    return datetime.combine(day, time(minutes // 60, minutes % 60))


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` quarter-hours cut into ``parts`` positive pieces (fewer if total is small)."""
    parts = max(1, min(parts, total))
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    edges = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(edges)]


def _insert(model: type[Model], fields: list, rows: list[tuple]) -> None:
    """Bulk insert in chunks that stay under SQLite's (older) 999-parameter limit."""
    size = max(1, 999 // len(fields))
    for start in range(0, len(rows), size):
        model.insert_many(rows[start : start + size], fields=fields).execute()


# --------------------------------------------------------------------------------------------
# The simulation


@dataclass
class _Pipeline:
    """The stages as the simulation walks them: marketing side, sales side, then won."""

    path: list[Stage]
    handover: int  # index in ``path`` of the first sales-side stage
    lost: Stage
    base: list[float]  # chance of moving on from path[i]
    dwell: list[float]  # mean days spent in path[i]
    required: dict[int, list[int]]  # stage id -> required ChecklistItem ids
    optional: dict[int, list[int]]


@dataclass
class _Deal:
    uuid: uuid.UUID
    source_id: int
    source: str
    created: datetime
    history: list[tuple[datetime, int]]  # (when, index in path; -1 = lost)
    changed_by: list[int | None]
    owner: int | None = None  # RepProfile index in TEAM
    owner_since: datetime | None = None
    outcome: str = "open"
    stalled: bool = False
    lost_reason: str = ""
    title: str = ""
    company: str = ""
    contact: str = ""
    email: str = ""
    phone: str = ""
    industry: str = ""
    size: int = 0
    region: str = ""
    value: Decimal = Decimal(0)
    expected_close: date | None = None
    next_step: str = ""
    next_step_due: date | None = None
    checks: list[tuple[int, datetime, int | None]] = field(default_factory=list)
    last_activity_day: date | None = None
    id: int | None = None  # the database's, once the deal is inserted

    @property
    def entered(self) -> datetime:
        return self.history[-1][0]

    @property
    def reached(self) -> int:
        """The furthest path index the deal entered."""
        return max(i for _, i in self.history)


def _load_pipeline() -> _Pipeline:
    stages = list(live_stages())
    marketing = [s for s in stages if s.outcome == "open" and s.side == "marketing"]
    sales = [s for s in stages if s.outcome == "open" and s.side == "sales"]
    won = next((s for s in stages if s.outcome == "won"), None)
    lost = next((s for s in stages if s.outcome == "lost"), None)
    if not sales or won is None or lost is None:
        raise ValidationError(
            "The demo team needs a pipeline with open sales stages, a won and a lost stage."
        )
    path = [*marketing, *sales, won]
    base = [0.72] * len(marketing)
    base += [0.8 + 0.1 * i / max(1, len(sales) - 1) for i in range(len(sales))]
    dwell = [min(max((s.rot_days or 20) * 0.8, 6.0), 25.0) for s in path]
    required: dict[int, list[int]] = defaultdict(list)
    optional: dict[int, list[int]] = defaultdict(list)
    for item in ChecklistItem.select().order_by(ChecklistItem.position, ChecklistItem.id):
        (required if item.required else optional)[item.stage_id].append(item.id)
    return _Pipeline(path, len(marketing), lost, base, dwell, required, optional)


def _ensure_sources() -> list[LeadSource]:
    """The lead sources, with the default five created if there are none."""
    if not LeadSource.select().exists():
        for spec in load_template()["sources"]:
            LeadSource.create(name=spec["name"], channel=spec["channel"])
    return list(LeadSource.select().order_by(LeadSource.id))


# months in which a source ran a campaign get this much more of its spend than the others
CAMPAIGN_WEIGHT = 3.0


def _spend_rows(sources: list[LeadSource], first: date, today: date,
                rng: random.Random) -> list[tuple]:
    """Monthly spend of the default sources from ``first``'s month to ``today``'s, so cost
    per lead, per win and return on spend show in every period: each source's demo spend
    spread over the months, heavier in one or two campaign months (events and outbound
    pushes come in bursts), none where a month already has a figure."""
    months = []
    month = first.replace(day=1)
    while month <= today:
        months.append(month)
        month = _add_months(month, 1)
    taken = set(SourceSpend.select(SourceSpend.source, SourceSpend.month).tuples())
    rows = []
    for source in sources:
        if source.name not in SOURCES:
            continue
        campaigns = set(rng.sample(range(len(months)), k=min(2, len(months))))
        weights = [CAMPAIGN_WEIGHT if i in campaigns else rng.uniform(0.7, 1.3)
                   for i in range(len(months))]
        total = Decimal(SOURCES[source.name][2])
        for month, weight in zip(months, weights, strict=True):
            if (source.id, month) not in taken:
                amount = (total * Decimal(weight / sum(weights))).quantize(Decimal(1))
                rows.append((source.id, month, amount))
    return rows


def _ensure_team() -> list[int]:
    """Rep ids for TEAM, in order; a member that already exists by name is reused."""
    ids = []
    for member in TEAM:
        rep = Rep.get_or_none(Rep.name == member.name)
        if rep is None:
            rep = Rep.create(
                name=member.name,
                email=member.email,
                role=member.role,
                weekly_capacity_hours=member.weekly_capacity_hours,
            )
        ids.append(rep.id)
    return ids


class _Generator:
    def __init__(self, rng: random.Random, today: date, pipe: _Pipeline,
                 sources: list[LeadSource], rep_ids: list[int], fy_month: int):
        self.rng = rng
        self.today = today
        self.pipe = pipe
        self.sources = sources
        self.rep_ids = rep_ids
        self.horizon = datetime.combine(today, time(0))  # nothing happens from today on
        current = _quarter_start(today, fy_month)
        self.quarters = [_add_months(current, -6), _add_months(current, -3), current]
        self.start = self.quarters[0]
        self.companies: set[str] = set()
        self.deals: list[_Deal] = []

    # -- one deal ---------------------------------------------------------------------------

    def _company(self, words: tuple[str, ...]) -> str:
        rng = self.rng
        for _ in range(50):
            head = rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS)
            style = rng.random()
            if style < 0.45:
                name = f"{head} {rng.choice(words)}"
            elif style < 0.7:
                name = f"{head} {rng.choice(LEGAL_FORMS)}".strip()
            else:
                name = f"{rng.choice(LAST_NAMES)} & {rng.choice(LAST_NAMES)} {rng.choice(words)}"
            if name not in self.companies:
                self.companies.add(name)
                return name
        return f"{head} {len(self.companies)}"

    def _next_time(self, after: datetime, days: float) -> datetime:
        day = _weekday_on_or_after((after + timedelta(days=days)).date())
        when = _office_time(self.rng, day)
        if when <= after:
            when = after + timedelta(minutes=self.rng.randrange(15, 180, 5))
        return when

    def _pick_rep(self, weights_of: Callable[[RepProfile], float]) -> int:
        indexes = list(range(1, len(TEAM)))
        return _weighted(self.rng, indexes, [weights_of(TEAM[i]) for i in indexes])

    def _deal(self, created: datetime) -> _Deal:
        rng, pipe = self.rng, self.pipe
        source = _weighted(
            rng, self.sources, [SOURCES.get(s.name, (0.1, 1.0, 0))[0] for s in self.sources]
        )
        channel = source.channel or source.name.lower()
        industry = _weighted(rng, list(INDUSTRIES), [v[0] for v in INDUSTRIES.values()])
        region = _weighted(rng, [r for r, _ in REGIONS], [w for _, w in REGIONS])
        (low, high), _, typical = _weighted(rng, SIZE_BANDS, [b[1] for b in SIZE_BANDS])
        deal = _Deal(_uuid(rng), source.id, source.name, created, [], [])
        deal.industry, deal.region, deal.size = industry, region, rng.randint(low, high)
        deal.company = self._company(INDUSTRIES[industry][1])
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        deal.contact = f"{first} {last}"
        slug = "".join(c for c in deal.company.split(" ")[0].lower() if c.isalnum())
        local = first.lower() + "." + "".join(c for c in last.lower() if c.isalpha())
        deal.email = f"{local}@{slug}.example"
        deal.phone = f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        offering = rng.choice(OFFERINGS)
        deal.title = f"{deal.company.split(' &')[0]} – {offering}"
        raw_value = typical * rng.uniform(0.6, 1.5)

        # where it enters the funnel
        if channel == "outbound" or (source.name == "Outbound"):
            start = pipe.handover
            deal.owner = self._pick_rep(lambda r: r.outbound_weight)
            deal.owner_since = created
        elif channel in ("referral", "partner"):
            start = max(0, pipe.handover - (1 if rng.random() < 0.6 else 0))
        else:
            start = 0 if rng.random() < 0.7 else min(1, pipe.handover)
        if start >= pipe.handover and deal.owner is None:
            deal.owner = self._pick_rep(lambda r: r.lead_weight)
            deal.owner_since = created
        manager = 0
        deal.history.append((created, start))
        deal.changed_by.append(deal.owner if deal.owner is not None else manager)

        odds = SOURCES.get(source.name, (0, 1.0, 0))[1] * INDUSTRIES[industry][2]
        odds *= REGION_ODDS.get(region, 1.0)
        t, i = created, start
        while True:
            rep = TEAM[deal.owner] if deal.owner is not None else None
            mean = pipe.dwell[i] * (rep.pace if rep else 1.0)
            when = self._next_time(t, mean * rng.uniform(0.35, 1.65))
            if when >= self.horizon:
                break
            stall = rep.stall if rep else 0.03
            if rng.random() < stall:
                # it goes quiet; a deal silent for two or three months is written off
                deal.stalled = True
                give_up = self._next_time(t, rng.uniform(50, 85))
                if give_up < self.horizon:
                    deal.outcome, deal.stalled = "lost", False
                    deal.lost_reason = "Went silent" if rep else "No response"
                    deal.history.append((give_up, -1))
                    deal.changed_by.append(deal.owner if rep else manager)
                break
            multiplier = odds * (rep.conversion if rep else 1.0)
            if rng.random() < _with_odds(pipe.base[i], multiplier):
                i += 1
                t = when
                if i == pipe.handover and deal.owner is None:
                    deal.owner = self._pick_rep(lambda r: r.lead_weight)
                    deal.owner_since = when
                    by = manager  # the manager hands the lead over
                elif deal.owner is None or rng.random() < 0.15:
                    by = manager
                else:
                    by = deal.owner
                deal.history.append((when, i))
                deal.changed_by.append(by)
                if i == len(pipe.path) - 1:
                    deal.outcome = "won"
                    break
            else:
                deal.outcome = "lost"
                deal.lost_reason = rng.choice(SALES_LOST if i >= pipe.handover else MARKETING_LOST)
                deal.history.append((when, -1))
                deal.changed_by.append(deal.owner if deal.owner is not None else manager)
                break

        factor = TEAM[deal.owner].value_factor if deal.owner is not None else 1.0
        deal.value = Decimal(max(1, round(raw_value * factor / 500)) * 500)
        self._dates_and_next_step(deal)
        self._checks(deal)
        return deal

    def _dates_and_next_step(self, deal: _Deal) -> None:
        rng, today = self.rng, self.today
        on_sales_side = deal.owner is not None
        if deal.outcome == "won":
            deal.expected_close = deal.entered.date()
        elif on_sales_side:
            deal.expected_close = deal.created.date() + timedelta(days=rng.randint(45, 120))
            slipped = deal.outcome == "open" and deal.expected_close < today
            if slipped and not deal.stalled and rng.random() < 0.65:
                deal.expected_close = today + timedelta(days=rng.randint(7, 75))
        if deal.outcome != "open":
            return
        if on_sales_side and not deal.stalled and rng.random() < 0.8:
            deal.next_step = rng.choice(NEXT_STEPS)
            deal.next_step_due = today + timedelta(days=rng.randint(-10, 21))
        elif on_sales_side and deal.stalled and rng.random() < 0.5:
            deal.next_step = rng.choice(NEXT_STEPS)
            deal.next_step_due = today - timedelta(days=rng.randint(5, 40))
        elif not on_sales_side and rng.random() < 0.3:
            deal.next_step = "Send case study"
            deal.next_step_due = today + timedelta(days=rng.randint(-5, 14))

    def _checks(self, deal: _Deal) -> None:
        """Tick what each stage entered required (and some optional items); partly tick
        the next stage of an open, active deal."""
        rng, pipe = self.rng, self.pipe
        entries = {i: t for t, i in deal.history if i >= 0}
        start = deal.history[0][1]
        reached = deal.reached
        manager = 0
        for k in range(reached + 1):
            stage_id = pipe.path[k].id
            if k <= start:
                lo = hi = deal.created
            else:
                hi = entries[k]
                lo = max(t for j, t in entries.items() if j < k)
            by = deal.owner if (deal.owner is not None and k > pipe.handover) else manager
            if deal.owner_since == deal.created and deal.owner is not None:
                by = deal.owner  # a rep's own lead: they qualified it
            items = list(pipe.required[stage_id])
            items += [x for x in pipe.optional[stage_id] if rng.random() < 0.6]
            for item in items:
                when = lo + (hi - lo) * rng.uniform(0.5, 1.0)
                deal.checks.append((item, when.replace(microsecond=0), by))
        if deal.outcome == "open" and not deal.stalled and reached + 1 < len(pipe.path):
            share = 0.45 if deal.owner is None else 0.35
            nxt = pipe.path[reached + 1].id
            span = self.horizon - timedelta(minutes=1) - deal.entered
            # About a third of the leads waiting at the hand-off are fully qualified: the
            # Leads view then shows some ready for sales, as a real team's would.
            ready = deal.owner is None and reached + 1 == pipe.handover and rng.random() < 0.35
            for item in pipe.required[nxt] + pipe.optional[nxt]:
                if (ready and item in pipe.required[nxt]) or rng.random() < share:
                    when = deal.entered + span * rng.uniform(0.1, 1.0)
                    by = deal.owner if deal.owner is not None else manager
                    deal.checks.append((item, when.replace(microsecond=0), by))

    def deals_(self, count: int) -> None:
        rng = self.rng
        days = (self.horizon.date() - self.start).days
        created: list[datetime] = []
        for _ in range(count):
            # slightly more leads as the period goes on (the team grew its marketing)
            offset = int(days * rng.random() ** 0.85)
            day = _weekday_on_or_after(self.start + timedelta(days=offset))
            if day >= self.horizon.date():
                day = self.horizon.date() - timedelta(days=1)
                while day.weekday() >= 5:
                    day -= timedelta(days=1)
            created.append(_office_time(rng, day))
        created.sort()
        self.deals = [self._deal(when) for when in created]

    # -- activities ---------------------------------------------------------------------------

    def activities(self, kinds: dict[str, list[str]]) -> list[tuple]:
        """Hours for every working day of the period, for every team member: rows in
        ACTIVITY_FIELDS order, with the :class:`_Deal` worked on (or None) in the deal's place
        (its id is known only once the deals are inserted; see :func:`_with_deal_ids`)."""
        pipe = self.pipe
        path_names = [s.name for s in pipe.path]
        # per rep, the deals they could work on, as (first day, last day, deal)
        windows: dict[int, list[tuple[date, date, _Deal]]] = defaultdict(list)
        outbound_on: dict[tuple[int, date], list[_Deal]] = defaultdict(list)
        for deal in self.deals:
            if deal.owner is None or deal.owner_since is None:
                continue
            first = deal.owner_since.date()
            if deal.outcome != "open":
                last = deal.entered.date() - timedelta(days=1)
            elif deal.stalled:
                last = deal.entered.date()
            else:
                last = self.horizon.date() - timedelta(days=1)
            if last >= first:
                windows[deal.owner].append((first, last, deal))
            if deal.source == "Outbound" and deal.owner_since == deal.created:
                outbound_on[(deal.owner, deal.created.date())].append(deal)

        rows: list[tuple] = []
        day = self.start
        last_day = self.horizon.date() - timedelta(days=1)
        while day <= last_day:
            if day.weekday() < 5:
                for index, member in enumerate(TEAM):
                    rows.extend(self._day(index, member, day, kinds, windows[index],
                                          outbound_on, path_names))
            day += timedelta(days=1)
        return rows

    def _day(self, index: int, member: RepProfile, day: date, kinds: dict[str, list[str]],
             windows: list[tuple[date, date, _Deal]],
             outbound_on: dict[tuple[int, date], list[_Deal]],
             path_names: list[str]) -> Iterable[tuple]:
        rng = self.rng
        capacity = float(member.weekly_capacity_hours) / 5
        spread = (0.97, 1.06) if member.archetype == "capacity-bound" else (0.8, 1.15)
        quarters = round(capacity * member.utilisation * rng.uniform(*spread) * 4)
        quarters = min(quarters, 24 * 4)
        if member.archetype == "manager" and day.weekday() > 0 and rng.random() < 0.15:
            return  # a day of meetings nobody logs (the Monday pipeline review always is)
        shares = [s * rng.uniform(0.75, 1.25) for s in member.mix]
        total_share = sum(shares)
        amounts = [round(quarters * s / total_share) for s in shares]
        rep_id = self.rep_ids[index]
        open_now = [d for first, last, d in windows if first <= day <= last]
        for category, amount, pieces in zip(
            ("prospecting", "selling", "other"), amounts, (2, 4, 1), strict=True
        ):
            names = kinds.get(category) or kinds.get("other") or ["Admin"]
            if amount <= 0:
                continue
            for part in _split(rng, amount, rng.randint(1, pieces)):
                deal: _Deal | None = None
                kind = rng.choice(names)
                if category == "selling" and open_now and member.archetype != "manager":
                    deal = rng.choice(open_now)
                    stage_index = deal.history[
                        bisect.bisect_right([t.date() for t, _ in deal.history], day) - 1
                    ][1]
                    preferred = SELLING_BY_STAGE.get(path_names[stage_index], ())
                    fitting = [k for k in preferred if k in names]
                    if fitting and rng.random() < 0.8:
                        kind = rng.choice(fitting)
                elif category == "prospecting":
                    fresh = outbound_on.get((index, day))
                    if fresh:
                        deal = rng.choice(fresh)
                elif category == "other" and member.archetype == "new" and "Training" in names:
                    kind = "Training" if rng.random() < 0.6 else kind
                note = f"{kind} – {deal.company}" if deal is not None else ""
                if deal is not None and (deal.last_activity_day is None
                                         or deal.last_activity_day < day):
                    deal.last_activity_day = day
                yield (_uuid(rng), rep_id, deal, kind, day, Decimal(part) / 4, note)

    # -- quotas -------------------------------------------------------------------------------

    def quotas(self) -> list[tuple]:
        """Quotas per rep and for the team: past quarters from each rep's own closing pace,
        the current one from what each rep has won and has open today (see
        :data:`CURRENT_QUOTA`), so the forecast shows every verdict."""
        bounds = [*self.quarters, _add_months(self.quarters[-1], 3)]
        won: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for deal in self.deals:
            if deal.outcome == "won" and deal.owner is not None:
                closed = deal.entered.date()
                q = bisect.bisect_right(bounds, closed) - 1
                if 0 <= q < len(self.quarters):
                    won[(deal.owner, q)] += deal.value
        current_days = (bounds[-1] - self.quarters[-1]).days
        elapsed = 1 + (self.today - self.quarters[-1]).days / current_days
        open_value: dict[int, Decimal] = defaultdict(Decimal)
        for deal in self.deals:
            if deal.outcome == "open" and deal.owner is not None:
                open_value[deal.owner] += deal.value
        current = len(self.quarters) - 1
        rows: list[tuple] = []
        for q, start in enumerate(self.quarters):
            end = bounds[q + 1] - timedelta(days=1)
            team = Decimal(0)
            for index, member in enumerate(TEAM):
                if member.role != "rep":
                    continue
                if q == current and member.archetype in CURRENT_QUOTA:
                    # the current quarter's quota is set against what is won and open
                    # today, so the forecast shows each verdict on any day of the quarter
                    amount = _current_quota(member.archetype, won[(index, q)],
                                            open_value[index], 2 - elapsed)
                else:
                    # a closed quarter's quota from what the rep went on to win in it: the
                    # on-track rep (factor under 1) made it, the steady one about made it,
                    # the others missed, so the forecast's track record has both outcomes
                    amount = max(float(won[(index, q)]), 15_000.0) * member.quota_factor
                amount_d = Decimal(max(10_000, round(float(amount) / 5_000) * 5_000))
                team += amount_d
                rows.append((self.rep_ids[index], start, end, amount_d))
            rows.append((None, start, end, (team * Decimal("0.95") / 5_000).quantize(
                Decimal(1)) * 5_000))
        return rows


# The current quarter's quota per archetype, as (share of the value won so far, share of the
# open pipeline's value, a fixed amount): the on-track rep needs little of what is open, the
# prospector all of his big, poorly converting pipeline (more leads than his hours can work),
# the new rep more than everything open (out of reach), the steady and the capacity-bound
# reps most of it (more pipeline will do: the capacity-bound rep converts so well that the
# few leads she needs fit in her hours). The open share shrinks with the quarter left.
CURRENT_QUOTA: dict[str, tuple[float, float, float]] = {
    "on-track": (0.9, 0.1, 0.0),
    "prospector": (1.0, 1.0, 0.0),
    "new": (1.25, 1.25, 20_000.0),
    "steady": (1.0, 0.8, 0.0),
    "capacity-bound": (1.0, 0.7, 0.0),
}


def _current_quota(archetype: str, won: Decimal, open_value: Decimal, left: float) -> float:
    """``left``: the share of the quarter still ahead (the open pipeline can still close in
    it); the out-of-reach quota is above everything open whatever the day."""
    won_share, open_share, extra = CURRENT_QUOTA[archetype]
    if archetype != "new":
        open_share *= max(left, 0.1)
    return float(won) * won_share + float(open_value) * open_share + extra


# --------------------------------------------------------------------------------------------
# The entry point


def generate_demo(
    seed: int = 7,
    today: date | None = None,
    progress: Callable[[float], None] | None = None,
) -> DemoSummary:
    """Fill an empty database (opened, migrated and bound by the caller) with the demo team.

    ``today`` (default: the local date) anchors the period: the two previous quarters and the
    current one up to the day before ``today``. ``progress`` is called with fractions from
    0.0 to 1.0. Raises ValidationError, changing nothing, if any deal exists already.
    """
    report = progress or (lambda _fraction: None)
    today = today or clock.local_today()
    rng = random.Random(seed)
    report(0.0)
    with writing():
        if Deal.select().exists():
            raise ValidationError(NOT_EMPTY)
        if not Stage.select().exists():
            install_default_pipeline()
        pipe = _load_pipeline()
        sources = _ensure_sources()
        rep_ids = _ensure_team()
        fy_month = int(settings.get("fiscal_year_start_month") or 1)
        kinds: dict[str, list[str]] = defaultdict(list)
        for kind in ActivityKind.select().where(ActivityKind.active == True).order_by(
            ActivityKind.position, ActivityKind.id
        ):
            kinds[kind.category].append(kind.name)

        gen = _Generator(rng, today, pipe, sources, rep_ids, fy_month)
        gen.deals_(DEAL_COUNT)
        report(0.3)
        activity_rows = gen.activities(kinds)
        report(0.45)
        quota_rows = gen.quotas()

        # a second stream for what was added later (overrides, spend), so the deals, hours
        # and quotas stay exactly what they were for a seed
        extra = random.Random(seed + 1_000_003)
        deal_rows = _deal_rows(gen)
        report(0.55)
        _insert(Deal, DEAL_FIELDS, deal_rows)
        _take_deal_ids(gen.deals)
        change_rows, check_rows = _history_rows(gen, rng, extra)
        activity_rows = _with_deal_ids(activity_rows)
        report(0.65)
        _insert(StageChange, CHANGE_FIELDS, change_rows)
        _insert(ChecklistCheck, CHECK_FIELDS, check_rows)
        report(0.75)
        _insert(Activity, ACTIVITY_FIELDS, activity_rows)
        report(0.95)
        _insert(Quota, QUOTA_FIELDS, quota_rows)
        _insert(SourceSpend, SPEND_FIELDS, _spend_rows(sources, gen.start, today, extra))
        settings.put("current_user", MANAGER.name)

    deals = gen.deals
    summary = DemoSummary(
        manager=MANAGER.name,
        reps=len(TEAM),
        deals=len(deals),
        leads=sum(d.outcome == "open" and d.owner is None for d in deals),
        open_deals=sum(d.outcome == "open" and d.owner is not None for d in deals),
        won=sum(d.outcome == "won" for d in deals),
        lost=sum(d.outcome == "lost" for d in deals),
        won_value=sum((d.value for d in deals if d.outcome == "won"), Decimal(0)),
        stage_changes=len(change_rows),
        checklist_checks=len(check_rows),
        activities=len(activity_rows),
        quotas=len(quota_rows),
        period_start=gen.start,
        period_end=today - timedelta(days=1),
    )
    report(1.0)
    return summary


DEAL_FIELDS = [
    Deal.uuid, Deal.title, Deal.company, Deal.contact_name, Deal.contact_email,
    Deal.contact_phone, Deal.industry, Deal.company_size, Deal.region, Deal.source, Deal.owner,
    Deal.stage, Deal.value, Deal.expected_close, Deal.next_step, Deal.next_step_due,
    Deal.created_at, Deal.stage_entered_at, Deal.last_activity_at, Deal.lost_reason,
    Deal.notes, Deal.version, Deal.updated_at,
]
CHANGE_FIELDS = [
    StageChange.uuid, StageChange.deal, StageChange.from_stage, StageChange.to_stage,
    StageChange.changed_at, StageChange.changed_by, StageChange.origin,
    StageChange.lost_reason, StageChange.override_reason,
]
CHECK_FIELDS = [
    ChecklistCheck.deal, ChecklistCheck.item, ChecklistCheck.checked_at,
    ChecklistCheck.checked_by,
]
ACTIVITY_FIELDS = [
    Activity.uuid, Activity.rep, Activity.deal, Activity.kind, Activity.date, Activity.hours,
    Activity.note,
]
QUOTA_FIELDS = [Quota.rep, Quota.period_start, Quota.period_end, Quota.amount]
SPEND_FIELDS = [SourceSpend.source, SourceSpend.month, SourceSpend.amount]
# the chance that a hand-off was forced through by a manager's override, by how the deal
# ended: leads pushed to sales before they were ready were lost more often (idea 2)
OVERRIDE_CHANCE = {"lost": 0.35, "open": 0.2, "won": 0.08}
OVERRIDE_REASONS = ("Rep asked for it before the budget was known",
                    "End-of-quarter push", "Big logo: worth a look now")


def _stage_id(pipe: _Pipeline, index: int) -> int:
    """The stage at ``index`` of the simulation's path (-1: the lost stage)."""
    return pipe.lost.id if index < 0 else pipe.path[index].id


def _rep_id(gen: _Generator, index: int | None) -> int | None:
    return None if index is None else gen.rep_ids[index]


def _deal_rows(gen: _Generator) -> list[tuple]:
    """The deals, in DEAL_FIELDS order (no id: the database gives each its own)."""
    rows = []
    for deal in gen.deals:
        entered = deal.entered
        last_activity = entered
        if deal.last_activity_day is not None:
            last_activity = max(entered, datetime.combine(deal.last_activity_day, time(16, 30)))
        updated = max([entered, *(when for _, when, _ in deal.checks)])
        rows.append((
            deal.uuid, deal.title, deal.company, deal.contact, deal.email, deal.phone,
            deal.industry, deal.size, deal.region, deal.source_id, _rep_id(gen, deal.owner),
            _stage_id(gen.pipe, deal.history[-1][1]), deal.value, deal.expected_close,
            deal.next_step, deal.next_step_due, deal.created, entered, last_activity,
            deal.lost_reason, "", len(deal.history) + (1 if deal.next_step else 0), updated,
        ))
    return rows


def _take_deal_ids(deals: list[_Deal]) -> None:
    """Give each simulated deal the id the database gave it, found by its uuid."""
    ids = {}
    for start in range(0, len(deals), 500):
        uuids = [deal.uuid for deal in deals[start:start + 500]]
        ids.update(Deal.select(Deal.uuid, Deal.id).where(Deal.uuid.in_(uuids)).tuples())
    for deal in deals:
        deal.id = ids[deal.uuid]


def _with_deal_ids(activity_rows: list[tuple]) -> list[tuple]:
    """Activity rows with the id of the deal worked on in place of the simulated deal."""
    return [(key, rep, deal.id if deal is not None else None, *rest)
            for key, rep, deal, *rest in activity_rows]


def _history_rows(gen: _Generator, rng: random.Random,
                  extra: random.Random) -> tuple[list, list]:
    """Each deal's stage changes and checklist ticks, in CHANGE_FIELDS and CHECK_FIELDS
    order; the deals must have their ids (:func:`_take_deal_ids`)."""
    change_rows, check_rows = [], []
    for deal in gen.deals:
        previous: int | None = None
        for (when, index), by in zip(deal.history, deal.changed_by, strict=True):
            reason = deal.lost_reason if index < 0 else ""
            stage_id = _stage_id(gen.pipe, index)
            override = ""
            if (index == gen.pipe.handover and previous is not None
                    and extra.random() < OVERRIDE_CHANCE[deal.outcome]):
                override = extra.choice(OVERRIDE_REASONS)
            change_rows.append((_uuid(rng), deal.id, previous, stage_id, when, _rep_id(gen, by),
                                "app", reason, override))
            previous = stage_id
        seen: set[int] = set()
        for item, when, by in deal.checks:
            if item not in seen:
                seen.add(item)
                check_rows.append((deal.id, item, when, _rep_id(gen, by)))
    return change_rows, check_rows
