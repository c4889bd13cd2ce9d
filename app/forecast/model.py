"""Each open deal's fitted chance: of ever being won, and of the win landing in the period.

The model, learned from the event log before the cutoff:

- **Stays in a stage, week by week (a discrete-time competing-risks life table).** For each
  open sales stage and each week of a stay (0, 1, … up to :data:`DWELL_CAP`, the last
  pooling every longer stay), the share of the deals still in the stage at the start of that
  week that left it during the week, by where they went: a later stage, won, lost (or back
  to an earlier stage). Stays still open at the cutoff are *censored*: they count as at risk
  for the weeks they were seen (half for the week they were seen last) and never as an
  outcome, so young deals do not make the history look lost or won. A deal that has sat
  long in its stage is read from the hazards of its own week, so one that has stalled is
  less likely to move on. A thin week borrows :data:`PRIOR_EVENTS` events' worth from the
  average of itself and the later weeks (what deals that had sat that long did next).
- **Reps and sizes.** Reps differ in skill and pace, big deals are harder and slower: each
  rep has its own week-by-week hazards, and so has each value band (terciles of the open
  deals' values), each shrunk towards the team's by :data:`PRIOR_EVENTS` events' worth; a
  deal uses its rep's hazards times its band's relative to the team's. A rep with little
  history is the team; a fast rep's deal that has sat for weeks reads that rep's own late
  weeks (not a "fast" multiplier that would make a stalled deal look lively).
- **Chance of a win.** From a deal's state (stage, week of its stay) the chance of reaching
  won within ``t`` weeks follows from the hazards by a backward recursion; ``t`` = ∞ gives
  ``p_win``. Where the stage's history is thin it leans on the blended stage rate: ``p_win``
  = (n·model + :data:`PRIOR_DEALS`·blended) / (n + :data:`PRIOR_DEALS`), n the deals closed
  from that stage.
- **Inside the period.** Two estimates of when a win lands, given that it does and that it
  has not landed before the cutoff: the stage's time to win (from the same recursion), and
  the deal's expected close date shifted by how far wins landed from their expected close
  dates (the rep's slips, shrunk towards the team's by :data:`SLIP_PRIOR` deals). Their
  weighted average (:data:`SLIP_WEIGHT` on the expected close) is ``p_in_period``; a deal
  with no expected close date uses the stage's time to win alone. With no history at all the
  expected close date is taken at face value.

The two weights were chosen on simulated teams (bench/forecast_sim.py, seeds 1–3): a lighter
prior left the rep-by-rep hazards noisy, and noise in hazards inflates the chance of
passing several stages (14 % more wins predicted than happened); the expected close date,
which reps set optimistically, earns a quarter of the weight. The calibration bench reports
other seeds.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.forecast.history import OpenDeal, StageFacts, Visit

DWELL_CAP = 12  # weeks; week 12 holds every longer stay
PRIOR_EVENTS = 15.0  # a thin week borrows this many events' worth from its prior
MAX_RATIO = 4.0  # a value band multiplies a hazard by at most this (or divides it)
PRIOR_DEALS = 5.0  # closed deals the blended stage rate counts as
SLIP_PRIOR = 10.0  # won deals the team's slips count as in a rep's
SLIP_WEIGHT = 0.25  # weight of the expected-close estimate in p_in_period
MAX_EXIT = 0.98  # no week empties a stage for certain


@dataclass
class _Cell:
    at_risk: float = 0.0
    events: dict[int, float] = field(default_factory=lambda: defaultdict(float))


def value_bands(values: list[Decimal]) -> tuple[Decimal, ...]:
    """The thresholds of the value terciles (two), or none for fewer than six deals."""
    if len(values) < 6:
        return ()
    ordered = sorted(values)
    return (ordered[len(ordered) // 3], ordered[2 * len(ordered) // 3])


class Model:
    """The fitted model for one cutoff; :meth:`chance` answers for one open deal.

    ``blended`` and ``closed``: per stage id, the blended rate and the deals closed from the
    stage (the prior and its weight); ``visits`` and ``slips``: from
    :class:`app.forecast.history.History`; ``thresholds``: the value bands'."""

    def __init__(self, stages: dict[int, StageFacts], blended: dict[int, float],
                 closed: dict[int, int], visits: list[Visit],
                 slips: list[tuple[int | None, int, int]], thresholds: tuple[Decimal, ...]):
        self.blended = blended
        self.closed = closed
        self.thresholds = thresholds
        self.open_ids = [s.id for s in stages.values()
                         if s.outcome == "open" and s.side == "sales"]
        self.index = {sid: i for i, sid in enumerate(self.open_ids)}
        self._won = {sid for sid, s in stages.items() if s.outcome == "won"}
        self._fit_hazards(visits)
        self._fit_slips(slips)
        self._solved: dict[tuple, list[list[float]]] = {}
        self._horizons: dict[tuple, dict[int, list[list[float]]]] = {}

    # ---- fitting ----------------------------------------------------------------------------

    def _fit_hazards(self, visits: list[Visit]) -> None:
        cells: dict[tuple, _Cell] = defaultdict(_Cell)  # (owner, band, stage, week)
        for v in visits:
            if v.stage_id not in self.index:
                continue
            week = v.days // 7
            censored = v.next_stage is None
            for w in range(min(week, DWELL_CAP) + 1):
                if w < DWELL_CAP:
                    exposure = 1.0 if w < week or not censored else 0.5
                else:  # the pooled last week: weeks spent in it
                    exposure = max(0.5, (v.days - 7 * DWELL_CAP) / 7)
                cells[(v.owner_id, v.band, v.stage_id, w)].at_risk += exposure * v.n
            if not censored:
                cells[(v.owner_id, v.band, v.stage_id, min(week, DWELL_CAP))].events[
                    v.next_stage] += v.n
        team: dict[tuple[int, int], _Cell] = defaultdict(_Cell)
        for (_, _, sid, w), cell in cells.items():
            target = team[(sid, w)]
            target.at_risk += cell.at_risk
            for nxt, n in cell.events.items():
                target.events[nxt] += n
        # the team's hazards, each week shrunk towards the average of that week and all
        # later ones (what a deal that has sat this long has done since)
        self.team: dict[tuple[int, int], dict[int, float]] = {}
        for sid in self.open_ids:
            tail = _Cell()
            for w in reversed(range(DWELL_CAP + 1)):
                cell = team.get((sid, w), _Cell())
                tail.at_risk += cell.at_risk
                for nxt, n in cell.events.items():
                    tail.events[nxt] += n
                average = ({n: e / tail.at_risk for n, e in tail.events.items()}
                           if tail.at_risk else {})
                prior = _prior_weight(average)
                nexts = set(cell.events) | set(average)
                self.team[(sid, w)] = {
                    n: (cell.events.get(n, 0.0) + prior * average.get(n, 0.0))
                    / (cell.at_risk + prior) for n in nexts}
        # each rep's and each band's own week-by-week hazards, shrunk towards the team's
        self.rep_cells = self._shrunk(cells, 0)
        self.band_cells = self._shrunk(cells, 1)

    def _shrunk(self, cells: dict[tuple, _Cell], part: int) -> dict[tuple, dict[int, float]]:
        """(owner or band, stage, week) -> hazards: the group's own events plus
        :data:`PRIOR_EVENTS` events' worth of deals at the team's hazards."""
        grouped: dict[tuple, _Cell] = defaultdict(_Cell)
        for key, cell in cells.items():
            target = grouped[(key[part], key[2], key[3])]
            target.at_risk += cell.at_risk
            for nxt, n in cell.events.items():
                target.events[nxt] += n
        out = {}
        for (group, sid, w), cell in grouped.items():
            base = self.team[(sid, w)]
            prior = _prior_weight(base)
            nexts = set(cell.events) | set(base)
            out[(group, sid, w)] = {
                n: (cell.events.get(n, 0.0) + prior * base.get(n, 0.0))
                / (cell.at_risk + prior) for n in nexts}
        return out

    def _fit_slips(self, slips: list[tuple[int | None, int, int]]) -> None:
        by_owner: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
        team: list[tuple[int, int]] = []
        for owner, days, n in slips:
            by_owner[owner].append((days, n))
            team.append((days, n))
        self.slip_team = _Cdf(team)
        self.slip_owner = {o: _Cdf(rows) for o, rows in by_owner.items()}

    # ---- the recursion -----------------------------------------------------------------------

    def _hazards(self, owner: int | None, band: int) -> dict[tuple[int, int], list]:
        """(stage, week) -> [(next stage id, weekly hazard)] for this rep and band: the rep's
        hazards times the band's relative to the team's (each ratio kept within
        1/:data:`MAX_RATIO` … :data:`MAX_RATIO`)."""
        out = {}
        for (sid, w), base in self.team.items():
            mine = self.rep_cells.get((owner, sid, w), base)
            size = self.band_cells.get((band, sid, w), base)
            rows = []
            for nxt, h in mine.items():
                team = base.get(nxt, 0.0)
                if team > 0:
                    h *= min(MAX_RATIO, max(1 / MAX_RATIO, size.get(nxt, team) / team))
                rows.append((nxt, h))
            total = sum(h for _, h in rows)
            if total > MAX_EXIT:
                rows = [(n, h * MAX_EXIT / total) for n, h in rows]
            out[(sid, w)] = rows
        return out

    def _step(self, hazards, previous: list[list[float]] | None) -> list[list[float]]:
        """One week of the backward recursion: P(won within t weeks) from P(within t-1)
        (``previous``; None for t = 0, where nothing is won yet)."""
        out = []
        for i, sid in enumerate(self.open_ids):
            row = []
            for w in range(DWELL_CAP + 1):
                total, stay = 0.0, 1.0
                for nxt, h in hazards[(sid, w)]:
                    stay -= h
                    if nxt in self._won:
                        total += h
                    elif previous is not None and nxt in self.index:
                        total += h * previous[self.index[nxt]][0]
                if previous is not None:
                    total += stay * previous[i][min(w + 1, DWELL_CAP)]
                row.append(total)
            out.append(row)
        return out

    def _ever(self, owner, band) -> list[list[float]]:
        """P(ever won) per (stage, week of the stay), solved exactly: the pooled last week
        is a geometric stay, each earlier week adds one step, and the stages are swept from
        the last to the first until a move back to an earlier stage changes nothing."""
        key = (owner, band)
        if key in self._solved:
            return self._solved[key]
        hazards = self._hazards(owner, band)
        value = [[0.0] * (DWELL_CAP + 1) for _ in self.open_ids]
        for _ in range(50):
            change = 0.0
            for i in reversed(range(len(self.open_ids))):
                sid = self.open_ids[i]
                later = 0.0
                for w in reversed(range(DWELL_CAP + 1)):
                    gain, stay = 0.0, 1.0
                    for nxt, h in hazards[(sid, w)]:
                        stay -= h
                        if nxt in self._won:
                            gain += h
                        elif nxt in self.index:
                            gain += h * value[self.index[nxt]][0]
                    if w == DWELL_CAP:
                        new = gain / (1 - stay) if stay < 1 else 0.0
                    else:
                        new = gain + stay * later
                    change = max(change, abs(new - value[i][w]))
                    value[i][w] = later = new
            if change < 1e-10:
                break
        self._solved[key] = value
        return value

    def _within(self, owner, band, weeks: int) -> list[list[float]]:
        """P(won within ``weeks`` weeks) per (stage, week of the stay)."""
        if weeks <= 0:
            return [[0.0] * (DWELL_CAP + 1) for _ in self.open_ids]
        key = (owner, band)
        table = self._horizons.setdefault(key, {})
        if weeks not in table:
            hazards = self._hazards(owner, band)
            known = max((t for t in table if t < weeks), default=0)
            value = table.get(known)
            for t in range(known + 1, weeks + 1):
                value = self._step(hazards, value)
                table[t] = value
        return table[weeks]

    def _won_by(self, owner, band, i, w, weeks: float) -> float:
        low = int(weeks)
        frac = weeks - low
        a = self._within(owner, band, low)[i][w]
        if frac <= 0:
            return a
        b = self._within(owner, band, low + 1)[i][w]
        return a + (b - a) * frac

    # ---- answers --------------------------------------------------------------------------

    def band_of(self, value: Decimal) -> int:
        return bisect.bisect_right(self.thresholds, value)

    def chance(self, deal: OpenDeal, moment: datetime, as_of: date, start: date, end: date,
               start_moment: datetime, end_moment: datetime) -> tuple[float, float]:
        """(p_win, p_in_period) of an open deal at ``moment`` (the cutoff), for the period
        from ``start`` to ``end`` (dates; ``*_moment``: its bounds as UTC timestamps)."""
        blended = self.blended.get(deal.stage_id, 0.0)
        i = self.index.get(deal.stage_id)
        if i is None:
            return blended, 0.0
        if moment >= end_moment:
            return blended, 0.0
        band = self.band_of(deal.value)
        owner = deal.owner_id
        week = min(max(0, (moment - deal.entered_at).days) // 7, DWELL_CAP)
        ever = self._ever(owner, band)[i][week]
        n = self.closed.get(deal.stage_id, 0)
        p_win = (n * ever + PRIOR_DEALS * blended) / (n + PRIOR_DEALS)
        stage_time = None
        if ever > 1e-9:
            to_end = (end_moment - moment).total_seconds() / 604800
            to_start = max(0.0, (start_moment - moment).total_seconds() / 604800)
            inside = (self._won_by(owner, band, i, week, to_end)
                      - self._won_by(owner, band, i, week, to_start))
            stage_time = min(1.0, max(0.0, inside / ever))
        slip_time = self.slip_chance(deal, as_of, start, end)
        if stage_time is None and slip_time is None:
            if deal.expected_close is None:
                return p_win, 0.5
            return p_win, 1.0 if start <= deal.expected_close <= end else 0.0
        if stage_time is None:
            return p_win, slip_time
        if slip_time is None:
            return p_win, stage_time
        return p_win, SLIP_WEIGHT * slip_time + (1 - SLIP_WEIGHT) * stage_time

    def slip_chance(self, deal: OpenDeal, as_of: date, start: date, end: date) -> float | None:
        """P(the win lands in [start, end] | it lands after ``as_of``), from the expected close
        date and how far wins slipped from theirs; None without either."""
        if deal.expected_close is None or not self.slip_team.total:
            return None
        mine = self.slip_owner.get(deal.owner_id)

        def cdf(days: int) -> float:  # P(slip ≤ days), the rep's shrunk to the team's
            team = self.slip_team.at(days)
            if mine is None:
                return team
            return (mine.total * mine.at(days) + SLIP_PRIOR * team) / (mine.total + SLIP_PRIOR)

        close = deal.expected_close
        already = cdf((as_of - close).days)
        if already > 1 - 1e-6:
            return None
        low = cdf((max(as_of, start - timedelta(days=1)) - close).days)
        return max(0.0, (cdf((end - close).days) - low) / (1 - already))


def _prior_weight(hazards: dict[int, float]) -> float:
    """How many deals at risk a prior counts as: as many as make :data:`PRIOR_EVENTS`
    events at its hazards, so a prior of rare exits (long stays) is not swamped by a few
    lucky events."""
    return PRIOR_EVENTS / max(sum(hazards.values()), 0.01)


class _Cdf:
    """An empirical distribution of whole days from (days, count) pairs."""

    def __init__(self, rows: list[tuple[int, int]]):
        rows = sorted(rows)
        self.days = [d for d, _ in rows]
        self.cumulative = []
        running = 0
        for _, n in rows:
            running += n
            self.cumulative.append(running)
        self.total = running

    def at(self, days: int) -> float:
        """P(X ≤ days)."""
        i = bisect.bisect_right(self.days, days)
        return self.cumulative[i - 1] / self.total if i else 0.0
