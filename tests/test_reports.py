"""The reports on a crafted event log: every expected figure is worked out by hand below.

The log (2025-Q1 unless said; every move at noon UTC, so days are whole; Ravi owns the deals
unless said):

- A (Web, 10,000): Suspect 01-10 → Nurturing 01-20 → Sales-ready 02-01 (gate met) →
  Qualified 02-11 → Proposal 02-21 (skips the demo) → Won 03-03 (skips negotiation).
- B (Web, 4,000): Suspect 01-15 → Nurturing 01-25 → Sales-ready 02-04 by override →
  Qualified 02-14 → Lost 02-24.
- C (Event, 6,000): imported into Sales-ready 02-01 → Qualified 02-06 → Lost 02-16 →
  Qualified 03-01 (re-entry after the loss) → Won 03-11.
- D (Event, 1,000): Suspect 03-01 → Nurturing 03-11, open.
- E (no source, Bea, 20,000): created 2024-11-01 in Qualified → Proposal 2024-12-01 →
  Won 01-15.
- F (Bea, 5,000): created 2024-12-10 in Sales-ready → Lost 02-10.
- G (Web, 2,000): Suspect 01-05 → Sales-ready 01-13 by an import (skips nurturing) →
  back to Nurturing 01-23.
- H (Web, 3,000): created 02-20 in Qualified, open.

Spend: Web 3,000 in each of Jan, Feb, Mar and Apr 2025 and 800 in May 2024; Event 1,500 in
Mar 2025 and 9,999 in Dec 2024. Gross margin 70 %.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.activities import ActivityDraft, log_activity
from app.periods import parse_period
from app.pipeline import list_stages
from app.reports import (
    ReportScope,
    deals_behind,
    funnel,
    handoff_quality,
    put_spend,
    source_report,
    spend_in,
    time_and_money,
    velocity_report,
)
from app.users import create_rep
from db.models import Deal, LeadSource, StageChange

Q1 = ReportScope.of(parse_period("2025-Q1"))


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text} 12:00:00")


@pytest.fixture
def log(manager):
    return build_log(manager)


def build_log(manager) -> dict:
    """The log in the module's docstring, with its spend and hours; returns the reps, the
    sources and each deal's id by letter."""
    stages = {info.name: info for info in list_stages()}
    ravi = create_rep("Ravi Rep", role="rep")
    bea = create_rep("Bea Baker", role="rep")
    web = LeadSource.get_or_create(name="Web")[0]
    event = LeadSource.get_or_create(name="Event")[0]
    s = {name: info.id for name, info in stages.items()}
    ids = {}

    def deal(key, value, owner, source, moves):
        """moves: (stage name, day, override, origin)."""
        created = at(moves[0][1])
        row = Deal.create(title=f"Deal {key}", value=Decimal(value), owner=owner.id, source=source,
                          stage=s[moves[-1][0]], created_at=created,
                          stage_entered_at=at(moves[-1][1]), last_activity_at=created,
                          updated_at=created)
        previous = None
        for name, day, override, origin in moves:
            StageChange.create(deal=row, from_stage=previous, to_stage=s[name],
                               changed_at=at(day), override_reason=override, origin=origin)
            previous = s[name]
        ids[key] = row.id

    def plain(*pairs):
        return [(name, day, "", "app") for name, day in pairs]

    deal("A", "10000", ravi, web, plain(
        ("Suspect", "2025-01-10"), ("Nurturing", "2025-01-20"),
        ("Sales-ready lead", "2025-02-01"), ("Qualified", "2025-02-11"),
        ("Proposal", "2025-02-21"), ("Won", "2025-03-03")))
    deal("B", "4000", ravi, web, [
        ("Suspect", "2025-01-15", "", "app"), ("Nurturing", "2025-01-25", "", "app"),
        ("Sales-ready lead", "2025-02-04", "Pushed early", "app"),
        ("Qualified", "2025-02-14", "", "app"), ("Lost", "2025-02-24", "", "app")])
    deal("C", "6000", ravi, event, [
        ("Sales-ready lead", "2025-02-01", "", "import"),
        *plain(("Qualified", "2025-02-06"), ("Lost", "2025-02-16"),
               ("Qualified", "2025-03-01"), ("Won", "2025-03-11"))])
    deal("D", "1000", ravi, event, plain(("Suspect", "2025-03-01"), ("Nurturing", "2025-03-11")))
    deal("E", "20000", bea, None, plain(("Qualified", "2024-11-01"), ("Proposal", "2024-12-01"),
                                        ("Won", "2025-01-15")))
    deal("F", "5000", bea, None, plain(("Sales-ready lead", "2024-12-10"), ("Lost", "2025-02-10")))
    deal("G", "2000", ravi, web, [("Suspect", "2025-01-05", "", "app"),
                                  ("Sales-ready lead", "2025-01-13", "", "import"),
                                  ("Nurturing", "2025-01-23", "", "app")])
    deal("H", "3000", ravi, web, plain(("Qualified", "2025-02-20")))
    put_spend({(web.id, date(2025, m, 1)): "3000" for m in (1, 2, 3, 4)}
              | {(web.id, date(2024, 5, 1)): "800", (event.id, date(2025, 3, 1)): "1500",
                 (event.id, date(2024, 12, 1)): "9999"}, manager)
    for kind, day, hours, key in (("Demo", "2025-02-15", "10", "A"),
                                  ("Cold calling", "2025-01-20", "4", None),
                                  ("Meeting", "2025-01-20", "3", "G"),
                                  ("Meeting", "2025-02-05", "2", "B")):
        log_activity(ActivityDraft(ravi.id, kind, date.fromisoformat(day), Decimal(hours),
                                   deal_id=ids[key] if key else None), manager)
    return {"ravi": ravi, "bea": bea, "web": web, "event": event, **ids}


def names(log, ids):
    back = {v: k for k, v in log.items() if isinstance(v, int)}
    return sorted(back[i] for i in ids)


def test_funnel_counts_skipped_stages_re_entries_and_exits(log):
    rows = {r.name: r for r in funnel(Q1).rows}
    expected = {  # entered, value, to next, to win, average days, median days, lost, returned
        "Suspect": (4, "17000.00", "1.0000", "0.2500", "9.5", "10.0", 0, 0),
        "Nurturing": (4, "17000.00", "0.7500", "0.2500", "11.0", "11.0", 0, 0),
        "Sales-ready lead": (4, "22000.00", "0.7500", "0.5000", "8.8", "10.0", 0, 1),
        "Qualified": (4, "23000.00", "0.5000", "0.5000", "13.3", "10.0", 2, 0),
        "Solution fit & demo": (2, "16000.00", "1.0000", "1.0000", None, None, 0, 0),
        "Proposal": (2, "16000.00", "1.0000", "1.0000", "10.0", "10.0", 0, 0),
        "Negotiation": (3, "36000.00", "1.0000", "1.0000", None, None, 0, 0),
        "Won": (3, "36000.00", None, None, None, None, 0, 0),
    }
    assert list(rows) == list(expected)
    for name, (entered, value, to_next, to_win, avg, median, lost, returned) in expected.items():
        row = rows[name]
        got = (row.entered, str(row.value), row.to_next, row.to_win, row.average_days,
               row.median_days, row.lost, row.returned)
        want = (entered, value, *(None if x is None else Decimal(x)
                                  for x in (to_next, to_win, avg, median)), lost, returned)
        assert got == want, name
    assert names(log, rows["Qualified"].entered_ids) == ["A", "B", "C", "H"]
    assert names(log, rows["Qualified"].lost_ids) == ["B", "C"]  # C came back and won
    assert names(log, rows["Solution fit & demo"].entered_ids) == ["A", "C"]  # skipped it
    assert names(log, rows["Negotiation"].entered_ids) == ["A", "C", "E"]
    assert names(log, rows["Sales-ready lead"].returned_ids) == ["G"]
    assert [r.side for r in funnel(Q1).rows].count("marketing") == 2


def test_funnel_filters_by_rep_and_source(log):
    bea_only = {r.name: r.entered for r in funnel(ReportScope.of(
        parse_period("2025-Q1"), rep_id=log["bea"].id)).rows}
    assert bea_only["Suspect"] == 0 and bea_only["Won"] == 1  # E alone
    event = {r.name: r.entered for r in funnel(ReportScope.of(
        parse_period("2025-Q1"), source_id=log["event"].id)).rows}
    assert event["Suspect"] == 1 and event["Sales-ready lead"] == 1 and event["Won"] == 1


def test_win_rate_cycle_and_velocity_per_rep_and_team(log):
    report = velocity_report(Q1)
    ravi = next(v for v in report.reps if v.name == "Ravi Rep")
    bea = next(v for v in report.reps if v.name == "Bea Baker")
    assert (ravi.won, ravi.lost, ravi.win_rate, ravi.value_win_rate) == (
        2, 1, Decimal("0.6667"), Decimal("0.8000"))
    assert (ravi.average_won, ravi.cycle_days, ravi.open_deals) == (
        Decimal("8000.00"), Decimal("45.0"), 1)  # A 52 days, C 38; H open at the end
    assert ravi.velocity == Decimal("118.52")  # 1 × 0.6667 × 8,000 ÷ 45
    assert (bea.won, bea.lost, bea.cycle_days, bea.velocity) == (
        1, 1, Decimal("75.0"), Decimal("0.00"))
    team = report.team
    assert (team.won, team.lost, team.win_rate, team.average_won, team.cycle_days) == (
        3, 2, Decimal("0.6000"), Decimal("12000.00"), Decimal("55.0"))
    assert team.velocity == Decimal("130.91")  # 1 × 0.6 × 12,000 ÷ 55
    assert [p.month for p in report.trend][-3:] == [date(2025, 1, 1), date(2025, 2, 1),
                                                    date(2025, 3, 1)]
    jan, feb, mar = report.trend[-3:]
    assert (jan.won, jan.win_rate, feb.won, feb.win_rate, mar.won) == (
        1, Decimal(1), 0, Decimal(0), 2)
    assert feb.open_deals == 2  # A in Proposal and H in Qualified at the end of February


def test_a_period_without_wins_divides_by_nothing(log):
    empty = ReportScope.of(parse_period("2024-Q2"))
    team = velocity_report(empty).team
    assert (team.won, team.win_rate, team.average_won, team.cycle_days, team.velocity) == (
        0, None, None, None, None)
    web = next(s for s in source_report(empty).sources if s.name == "Web")
    assert web.spend == Decimal("800.00") and web.leads == 0
    assert (web.cost_per_lead, web.cost_per_win, web.lead_to_win, web.lead_value) == (
        None, None, None, None)
    assert web.return_on_spend == Decimal("-1.0000")  # spent, nothing back
    rows = funnel(empty).rows
    assert all(r.entered == 0 and r.to_next is None and r.average_days is None for r in rows)
    group = handoff_quality(empty).ready
    assert (group.handed, group.win_rate, group.days_to_close) == (0, None, None)


def test_source_economics(log):
    report = source_report(Q1)
    by_name = {s.name: s for s in report.sources}
    web, event, none = by_name["Web"], by_name["Event"], by_name["No source"]
    assert (web.leads, web.sales_ready, web.wins, web.won_value, web.spend) == (
        4, 4, 1, Decimal("10000.00"), Decimal("9000.00"))
    assert (web.cost_per_lead, web.cost_per_win, web.lead_to_win, web.average_won) == (
        Decimal("2250.00"), Decimal("9000.00"), Decimal("0.2500"), Decimal("10000.00"))
    assert web.lead_value == Decimal("1750.00")  # 10,000 × 70 % ÷ 4 leads a win
    assert web.return_on_spend == Decimal("-0.2222")  # (7,000 − 9,000) ÷ 9,000
    assert (event.leads, event.sales_ready, event.wins, event.spend) == (
        2, 1, 1, Decimal("1500.00"))
    assert (event.lead_value, event.return_on_spend) == (Decimal("2100.00"), Decimal("1.8000"))
    assert (none.leads, none.wins, none.spend, none.cost_per_lead, none.return_on_spend) == (
        0, 1, Decimal("0.00"), None, None)
    total = report.total
    assert (total.leads, total.sales_ready, total.wins, total.spend) == (
        6, 5, 3, Decimal("10500.00"))
    assert (total.cost_per_lead, total.cost_per_win, total.lead_value) == (
        Decimal("1750.00"), Decimal("3500.00"), Decimal("4200.00"))
    assert total.return_on_spend == Decimal("1.4000")
    assert names(log, web.lead_ids) == ["A", "B", "G", "H"]


def test_spend_lands_in_its_months_and_part_months_pro_rata(log):
    web = log["web"].id
    assert spend_in(date(2025, 3, 1), date(2025, 3, 15))[web] == Decimal("1451.61")  # 15/31
    assert spend_in(date(2025, 4, 1), date(2025, 6, 30)) == {web: Decimal("3000.00")}


def test_handoff_quality_splits_ready_from_overrides_and_imports(log):
    report = handoff_quality(Q1)
    ready, early = report.ready, report.not_ready
    assert (ready.handed, ready.won, ready.lost, ready.win_rate, ready.days_to_close) == (
        1, 1, 0, Decimal(1), Decimal("30.0"))
    assert (early.handed, early.overridden, early.imported, early.won, early.lost,
            early.returned, early.win_rate, early.days_to_close) == (
        2, 1, 1, 0, 1, 1, Decimal(0), None)
    assert names(log, early.handed_ids) == ["B", "G"]


def test_time_and_money_against_the_target(log):
    report = time_and_money(Q1)
    ravi = next(r for r in report.reps if r.name == "Ravi Rep")
    assert (ravi.selling_hours, ravi.hours, ravi.won_value) == (
        Decimal("15.00"), Decimal("19.00"), Decimal("16000.00"))
    assert ravi.revenue_per_hour == Decimal("1066.67")
    assert ravi.against_target == Decimal("1.0667") and report.target == Decimal(1000)
    assert ravi.prospecting_share == Decimal("0.2105")
    assert (ravi.not_ready_hours, ravi.not_ready_won_value) == (Decimal("5.00"),
                                                                 Decimal("0.00"))
    assert names(log, ravi.not_ready_ids) == ["B", "G"]
    assert names(log, ravi.won_ids) == ["A", "C"] and names(log, report.team.won_ids) == [
        "A", "C", "E"]


def test_deals_behind_a_figure(log):
    lines = deals_behind([log["A"], log["C"], log["E"]])
    assert [line.title for line in lines] == ["Deal E", "Deal A", "Deal C"]  # largest first
    assert lines[0].owner == "Bea Baker" and lines[0].stage == "Won"
