"""The demo team generator, checked on real databases as a user would notice it.

The story the data tells is read from one demo on a SQLite file; on PostgreSQL the demo is
checked to hold exactly the same data, and to leave every table ready for new rows."""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app import settings
from app.demo import MANAGER, NOT_EMPTY, REPS, DemoSummary, generate_demo
from app.errors import ValidationError
from db.connection import bind, make_database
from db.migrations import migrate
from db.models import (
    ALL_MODELS,
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

TODAY = date(2025, 5, 14)  # a Wednesday in the middle of Q2
SEED = 7


def fresh_db(path: Path):
    db = make_database(str(path))
    bind(db)
    migrate(db)
    return db


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> tuple[Path, DemoSummary, list[float]]:
    """One generated demo database shared by the read-only tests of this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    db = fresh_db(path)
    seen: list[float] = []
    summary = generate_demo(seed=SEED, today=TODAY, progress=seen.append)
    db.close()
    return path, summary, seen


@pytest.fixture
def demo(demo_file):
    """Bind the shared demo database (other tests bind their own in between)."""
    path, summary, _ = demo_file
    db = make_database(str(path))
    bind(db)
    yield summary
    db.close()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.select().count() for model in ALL_MODELS}


def digest() -> str:
    """A fingerprint of everything a user sees: deals, histories, ticks, hours, quotas."""
    h = hashlib.sha256()
    stage = {s.id: s.name for s in Stage.select()}
    rep = {r.id: r.name for r in Rep.select()}
    for d in Deal.select().order_by(Deal.id):
        h.update(
            repr((d.uuid, d.title, d.company, d.contact_email, d.value, rep.get(d.owner_id),
                  stage[d.stage_id], d.created_at, d.stage_entered_at, d.last_activity_at,
                  d.expected_close, d.next_step_due, d.lost_reason)).encode()
        )
    for c in StageChange.select().order_by(StageChange.id):
        h.update(repr((c.uuid, c.deal_id, stage.get(c.from_stage_id), stage[c.to_stage_id],
                       c.changed_at, rep.get(c.changed_by_id))).encode())
    for k in ChecklistCheck.select().order_by(ChecklistCheck.id):
        h.update(repr((k.deal_id, k.item_id, k.checked_at, rep.get(k.checked_by_id))).encode())
    for a in Activity.select().order_by(Activity.id):
        h.update(repr((a.uuid, rep[a.rep_id], a.deal_id, a.kind, a.date, a.hours)).encode())
    for q in Quota.select().order_by(Quota.id):
        h.update(repr((rep.get(q.rep_id), q.period_start, q.amount)).encode())
    return h.hexdigest()


def archetype_ids() -> dict[str, int]:
    by_name = {r.name: r.id for r in Rep.select()}
    return {p.archetype: by_name[p.name] for p in REPS}


def win_rate(deals) -> float:
    won = sum(d.stage.outcome == "won" for d in deals)
    lost = sum(d.stage.outcome == "lost" for d in deals)
    return won / (won + lost)


# --- refusing a database that has deals -------------------------------------------------------


def test_refuses_a_database_with_deals_and_changes_nothing(demo):
    before = row_counts()
    fingerprint = digest()
    with pytest.raises(ValidationError) as raised:
        generate_demo(seed=SEED + 1, today=TODAY)
    assert str(raised.value) == NOT_EMPTY
    assert row_counts() == before
    assert digest() == fingerprint


def test_refuses_a_database_with_one_deal_of_the_users_own(workspace):
    from app.defaults import install_default_pipeline

    install_default_pipeline()
    now = datetime(2025, 1, 6, 9, 0)
    Deal.create(title="Our only deal", stage=Stage.get(Stage.name == "Suspect"),
                created_at=now, stage_entered_at=now, last_activity_at=now, updated_at=now)
    before = row_counts()
    with pytest.raises(ValidationError):
        generate_demo(today=TODAY)
    assert row_counts() == before
    assert settings.get("current_user") == ""


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_and_day_give_identical_data(tmp_path, demo_file):
    db = fresh_db(tmp_path / "again.sqlite")
    generate_demo(seed=SEED, today=TODAY)
    again = digest()
    db.close()
    db = fresh_db(tmp_path / "other-seed.sqlite")
    generate_demo(seed=SEED + 1, today=TODAY)
    other = digest()
    db.close()

    db = make_database(str(demo_file[0]))
    bind(db)
    assert digest() == again
    assert other != again
    db.close()


def test_the_demo_holds_the_same_data_on_either_backend(workspace, demo_file):
    generate_demo(seed=SEED, today=TODAY)
    here = digest()
    bind(make_database(str(demo_file[0])))
    assert digest() == here


# --- the shape of the data ---------------------------------------------------------------------


def test_summary_matches_what_was_written(demo):
    s = demo
    open_ids = Stage.select(Stage.id).where(Stage.outcome == "open")
    assert s.manager == MANAGER.name == settings.get("current_user")
    assert s.reps == Rep.select().count() == 6
    assert s.deals == Deal.select().count()
    assert 350 <= s.deals <= 450
    assert s.leads == Deal.select().where(Deal.owner.is_null(), Deal.stage.in_(open_ids)).count()
    assert s.leads >= 20  # a real marketing-side queue of leads
    assert s.open_deals >= 40 and s.won >= 30 and s.lost >= 30
    assert s.leads + s.open_deals + s.won + s.lost == s.deals
    assert s.stage_changes == StageChange.select().count()
    assert s.checklist_checks == ChecklistCheck.select().count()
    assert s.activities == Activity.select().count()
    assert s.quotas == Quota.select().count()
    assert s.period_start == date(2024, 10, 1)
    assert s.period_end == TODAY - timedelta(days=1)
    # The words count the team as the JSON's "reps" does (they said "Maria Lopez and 5
    # reps" beside "reps": 6).
    assert s.describe().startswith(f"Demo team created: {s.reps} people (Maria Lopez, the "
                                   f"manager, and {s.reps - 1} reps), ")


def test_progress_is_reported_from_zero_to_one(demo_file):
    seen = demo_file[2]
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen) and len(seen) >= 4


def test_team_roles_capacities_and_sources(demo):
    manager = Rep.get(Rep.name == MANAGER.name)
    assert manager.role == "manager"
    reps = list(Rep.select().where(Rep.role == "rep"))
    assert len(reps) == 5
    capacities = {r.weekly_capacity_hours for r in reps}
    assert len(capacities) >= 3
    assert all(Decimal(32) <= c <= Decimal(45) for c in capacities)
    assert {s.name for s in LeadSource.select()} >= {
        "Website", "Referral", "Event", "Outbound", "Partner"}
    # every source carries spend in every month of the demo (cost per lead shows)
    months = {(s.source_id, s.month) for s in SourceSpend.select()}
    assert {s for s, _ in months} == {s.id for s in LeadSource.select()}
    assert len(months) == LeadSource.select().count() * len({m for _, m in months})


def test_deals_look_real(demo):
    deals = list(Deal.select())
    assert len({d.company for d in deals}) == len(deals)
    assert len({d.industry for d in deals}) >= 5
    assert len({d.region for d in deals}) >= 4
    assert all(isinstance(d.value, Decimal) and d.value > 0 for d in deals)
    assert all("@" in d.contact_email and d.contact_name and d.title for d in deals)
    assert all(d.company_size and d.company_size > 0 for d in deals)
    horizon = datetime.combine(TODAY, datetime.min.time())
    assert all(d.created_at >= datetime(2024, 10, 1) for d in deals)
    assert all(d.updated_at < horizon and d.last_activity_at < horizon for d in deals)
    sales_open = [d for d in deals if d.stage.outcome == "open" and d.owner_id is not None]
    assert all(d.expected_close is not None for d in sales_open)


def test_stage_histories_are_consistent(demo):
    changes: dict[int, list[StageChange]] = defaultdict(list)
    for c in StageChange.select().order_by(StageChange.changed_at, StageChange.id):
        changes[c.deal_id].append(c)
    reps = {r.id: r for r in Rep.select()}
    manager_id = Rep.get(Rep.name == MANAGER.name).id
    for deal in Deal.select():
        history = changes[deal.id]
        assert history, deal.title
        assert history[0].from_stage_id is None
        assert history[0].changed_at == deal.created_at
        assert history[-1].to_stage_id == deal.stage_id
        assert history[-1].changed_at == deal.stage_entered_at
        assert deal.last_activity_at >= deal.stage_entered_at
        assert deal.updated_at >= deal.stage_entered_at
        for before, after in itertools.pairwise(history):
            assert after.from_stage_id == before.to_stage_id
            assert after.changed_at > before.changed_at
        assert all(c.origin == "app" for c in history)
        assert all(c.changed_by_id in (deal.owner_id, manager_id) for c in history)
        assert all(c.changed_by_id in reps for c in history)
        outcome = deal.stage.outcome
        assert (deal.lost_reason != "") == (outcome == "lost")
        if outcome == "won":
            assert deal.owner_id is not None
        open_positions = [c.to_stage.position for c in history if c.to_stage.outcome == "open"]
        assert open_positions == sorted(open_positions)  # deals only walk forward


def test_open_deals_rot_and_have_next_steps_some_overdue(demo):
    open_sales = [d for d in Deal.select().join(Stage).where(Stage.outcome == "open")
                  if d.owner_id is not None]
    horizon = datetime.combine(TODAY, datetime.min.time())
    rotting = [
        d for d in open_sales
        if horizon - d.last_activity_at > timedelta(days=d.stage.rot_days)
        and (d.next_step_due is None or d.next_step_due <= TODAY)
    ]
    overdue = [d for d in open_sales if d.next_step_due and d.next_step_due < TODAY]
    upcoming = [d for d in open_sales if d.next_step_due and d.next_step_due >= TODAY]
    assert len(rotting) >= 3
    assert 0 < len(rotting) < len(open_sales) / 2
    assert overdue and upcoming


def test_checklist_ticks_follow_the_stages(demo):
    stages = {s.id: s for s in Stage.select()}
    required: dict[int, set[int]] = defaultdict(set)
    item_stage: dict[int, int] = {}
    for item in ChecklistItem.select():
        item_stage[item.id] = item.stage_id
        if item.required:
            required[item.stage_id].add(item.id)
    ticks: dict[int, dict[int, ChecklistCheck]] = defaultdict(dict)
    for check in ChecklistCheck.select():
        ticks[check.deal_id][check.item_id] = check
    reached: dict[int, int] = defaultdict(int)
    for c in StageChange.select():
        stage = stages[c.to_stage_id]
        if stage.outcome != "lost":
            reached[c.deal_id] = max(reached[c.deal_id], stage.position)
    partly_ticked_leads = 0
    for deal in Deal.select():
        ticked = ticks[deal.id]
        for stage in stages.values():
            if stage.outcome != "lost" and stage.position <= reached[deal.id]:
                missing = required[stage.id] - set(ticked)
                assert not missing, (deal.title, stage.name)
        for check in ticked.values():
            assert deal.created_at <= check.checked_at <= deal.updated_at
            assert check.checked_by_id is not None
        is_lead = deal.owner_id is None and deal.stage.outcome == "open"
        beyond = [i for i in ticked if stages[item_stage[i]].position > reached[deal.id]]
        if is_lead and beyond:
            partly_ticked_leads += 1
    assert partly_ticked_leads >= 5


# --- the team's strengths ---------------------------------------------------------------------


def hours_by(rep_id: int, category: str | None = None) -> Decimal:
    query = Activity.select().where(Activity.rep == rep_id)
    if category is not None:
        kinds = ActivityKind.select(ActivityKind.name).where(ActivityKind.category == category)
        query = query.where(Activity.kind.in_(kinds))
    return sum((a.hours for a in query), Decimal(0))


def test_the_prospector_brings_most_leads_and_wins_least(demo):
    ids = archetype_ids()
    deals_of = {a: list(Deal.select().where(Deal.owner == i)) for a, i in ids.items()}
    prospector = ids["prospector"]
    assert max(deals_of, key=lambda a: len(deals_of[a])) == "prospector"
    prospecting = {a: hours_by(i, "prospecting") for a, i in ids.items()}
    assert max(prospecting, key=prospecting.get) == "prospector"
    assert hours_by(prospector, "prospecting") > hours_by(prospector, "selling")
    rates = {a: win_rate(d) for a, d in deals_of.items()}
    assert min(rates, key=rates.get) == "prospector"
    assert rates["capacity-bound"] > 2 * rates["prospector"]


def test_the_capacity_bound_rep_sells_near_capacity(demo):
    ids = archetype_ids()
    weeks = len({a.date.isocalendar()[:2] for a in Activity.select()})
    load = {}
    for archetype, rep_id in ids.items():
        capacity = Rep.get_by_id(rep_id).weekly_capacity_hours
        load[archetype] = hours_by(rep_id) / weeks / capacity
    assert load["capacity-bound"] >= Decimal("0.92")
    assert max(load, key=load.get) == "capacity-bound"
    bound = ids["capacity-bound"]
    assert hours_by(bound, "selling") / hours_by(bound) >= Decimal("0.75")
    rates = {a: win_rate(Deal.select().where(Deal.owner == i)) for a, i in ids.items()}
    assert max(rates, key=rates.get) == "capacity-bound"


def test_conversion_differs_by_source(demo):
    rates = {}
    for source in LeadSource.select():
        deals = list(Deal.select().where(Deal.source == source))
        rates[source.name] = sum(d.stage.outcome == "won" for d in deals) / len(deals)
    assert rates["Referral"] > 1.5 * rates["Outbound"]
    assert rates["Partner"] > rates["Event"]


def test_conversion_differs_by_stage(demo):
    """The share of deals moving on from each sales stage is not one flat figure."""
    stages = {s.id: s for s in Stage.select()}
    entered: dict[int, int] = defaultdict(int)
    moved_on: dict[int, int] = defaultdict(int)
    for c in StageChange.select():
        entered[c.to_stage_id] += 1
        if c.from_stage_id is not None and stages[c.to_stage_id].outcome != "lost":
            moved_on[c.from_stage_id] += 1
    rates = [
        round(moved_on[s.id] / entered[s.id], 2)
        for s in stages.values() if s.side == "sales" and s.outcome == "open"
    ]
    assert len(set(rates)) >= 3


# --- hours and quotas -----------------------------------------------------------------------


def test_hours_are_quarter_hours_never_over_a_day(demo):
    per_day: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    kinds = {k.name for k in ActivityKind.select()}
    for a in Activity.select():
        assert isinstance(a.hours, Decimal)
        assert a.hours > 0 and (a.hours * 4) % 1 == 0
        assert a.kind in kinds
        assert a.date.weekday() < 5 and a.date < TODAY
        per_day[(a.rep_id, a.date)] += a.hours
    assert max(per_day.values()) <= 24
    assert max(per_day.values()) <= 12  # and realistic


def test_every_rep_logs_every_working_week_and_links_deals(demo):
    first = date(2024, 10, 1)
    weeks = {(first + timedelta(days=n)).isocalendar()[:2]
             for n in range((TODAY - first).days) if (first + timedelta(days=n)).weekday() < 5}
    for rep in Rep.select():
        logged = {a.date.isocalendar()[:2] for a in Activity.select().where(Activity.rep == rep)}
        assert logged == weeks, rep.name
        if rep.role == "rep":
            linked = list(
                Activity.select().where(Activity.rep == rep, Activity.deal.is_null(False))
            )
            assert len(linked) >= 100
            assert all(a.deal.owner_id == rep.id for a in linked)
            assert all(a.date >= a.deal.created_at.date() for a in linked)
            assert all(a.date <= a.deal.last_activity_at.date() for a in linked)
    manager = Rep.get(Rep.name == MANAGER.name)
    assert hours_by(manager.id) < min(hours_by(r.id) for r in Rep.select().where(Rep.role == "rep"))


def test_every_quarter_has_team_and_rep_quotas(demo):
    quarters = [date(2024, 10, 1), date(2025, 1, 1), date(2025, 4, 1)]
    ends = [date(2024, 12, 31), date(2025, 3, 31), date(2025, 6, 30)]
    rep_ids = {r.id for r in Rep.select().where(Rep.role == "rep")}
    for start, end in zip(quarters, ends, strict=True):
        rows = list(Quota.select().where(Quota.period_start == start))
        assert {q.rep_id for q in rows} == rep_ids | {None}
        assert all(q.period_end == end and q.amount > 0 for q in rows)
        assert all(isinstance(q.amount, Decimal) for q in rows)
        team = next(q for q in rows if q.rep_id is None)
        assert team.amount <= sum(q.amount for q in rows if q.rep_id is not None)
    assert Quota.select().count() == 3 * (len(rep_ids) + 1)


# --- on a database someone already started --------------------------------------------------


def test_fills_a_started_empty_database(manager):
    """The welcome screen's "start empty" leaves stages and a manager: the demo still fits."""
    summary = generate_demo(seed=3, today=TODAY)
    assert summary.deals == Deal.select().count() > 0
    assert Stage.select().count() == 9  # the existing pipeline was reused, not duplicated
    assert settings.get("current_user") == MANAGER.name
    assert Rep.select().where(Rep.name == "Maria Manager").exists()


# --- the forecast tells each rep's story ------------------------------------------------------


def test_the_forecast_shows_every_verdict(demo, monkeypatch):
    from app.forecast import compute_forecast, period_of

    monkeypatch.setattr("app.clock.local_today", lambda: TODAY)
    forecast = compute_forecast(period_of(TODAY))
    verdicts = {o.rep_name: o.verdict for o in forecast.reps}
    archetype = {r.name: r.archetype for r in REPS}
    assert {archetype[name]: v for name, v in verdicts.items()} == {
        "on-track": "on track",
        "prospector": "capacity-bound",  # prospects most of the week, converts little
        "new": "out of reach",
        "steady": "needs more pipeline",
        "capacity-bound": "needs more pipeline",
    }


def test_after_the_demo_every_kind_of_row_can_still_be_added(workspace, tmp_path):
    """The demo writes hundreds of rows in bulk; on PostgreSQL the rows a user adds next take
    their ids from each table's sequence, which must be past the demo's rows."""
    from app.activities import ActivityDraft, log_activity
    from app.activity_kinds import create_kind
    from app.deals import DealDraft, create_deal
    from app.importing import ImportOptions, run_import
    from app.pipeline import list_stages, move_deal, set_checked
    from app.quotas import set_quota
    from app.stage_admin import ChecklistDraft, StageDraft, load_pipeline, save_pipeline
    from app.users import create_rep, current_user

    generate_demo(seed=SEED, today=TODAY)
    before = row_counts()
    manager = current_user()
    rep = create_rep("Nina New", "nina@example.com", role="rep", weekly_capacity_hours=40)
    stages = load_pipeline()
    stages.insert(2, StageDraft("Discovery", side="sales", probability=15,
                                checklist=[ChecklistDraft("Pain confirmed")]))
    save_pipeline(stages, {}, manager)
    discovery = next(s for s in list_stages() if s.name == "Discovery")
    deal = create_deal(DealDraft("New roof", company="Fresh Co", owner_id=rep.id), manager)
    item = ChecklistItem.get(ChecklistItem.stage == discovery.id)
    set_checked(deal.id, item.id, True, manager)
    move_deal(deal.id, discovery.id, manager, override_reason="Referred by their CEO")
    create_kind("Site visit", "selling", manager)
    log_activity(ActivityDraft(rep.id, "Site visit", TODAY, Decimal("1.5"), deal.id), manager,
                 today=TODAY)
    set_quota(rep.id, date(2025, 7, 1), date(2025, 9, 30), Decimal(20_000), manager)
    path = tmp_path / "deals.csv"
    path.write_text("Title,Company,Stage,Amount,Source\nDoor,Acme,Qualified,1200,Trade fair\n"
                    "Gate,Beta,Proposal,300,Website\n", encoding="utf-8")
    assert run_import(path, ImportOptions(), manager).created == 2
    path.write_text("Title,Company,Stage,Amount\nDoor,Acme,Proposal,1500\n", encoding="utf-8")
    assert run_import(path, ImportOptions(), manager).updated == 1

    after = row_counts()
    added = {name: after[name] - count for name, count in before.items()
             if after[name] != count and name != "Setting"}
    assert added == {
        "Rep": 1, "Stage": 1, "ChecklistItem": 1, "LeadSource": 1, "Deal": 3,
        "ChecklistCheck": 1, "StageChange": 5, "ActivityKind": 1, "Activity": 1, "Quota": 1,
        "ImportBatch": 2, "ImportChange": 1,
    }


@pytest.mark.parametrize("today", [date(2026, 12, 4), TODAY])
def test_the_closed_quarters_have_reps_who_made_quota_and_reps_who_missed(workspace, today,
                                                                         monkeypatch):
    """The forecast's track record is only worth reading when past quarters hold both
    outcomes: the demo's closed quarters are not all misses (with the default seed, every
    rep used to miss every closed quarter)."""
    from app.forecast.track_record import closed_periods, won_in
    from app.quotas import quotas_in_force

    monkeypatch.setattr("app.clock.local_today", lambda: today)
    generate_demo(today=today)
    outcomes = set()
    for period in closed_periods(today=today):
        won = won_in(period)
        outcomes |= {won.get(rep_id, 0) >= quota
                     for rep_id, quota in quotas_in_force(period).items() if rep_id is not None}
    assert outcomes == {True, False}
