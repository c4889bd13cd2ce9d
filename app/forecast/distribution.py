"""The distribution of won value: a sum of independent wins, by dynamic programming.

Why: the probability of reaching quota is a statement about the *sum* of many uncertain wins;
multiplying values by chances gives only its mean. Each open deal is a Bernoulli win of its
value; the pipeline not yet created is a Poisson number of wins of a typical value. The sum's
distribution is built by dynamic programming, never by sampling.

Contract:

- A pipeline with at most :data:`EXACT_SUMS` possible sums (every pipeline of up to 14
  deals) is computed exactly, to the cent.
- A bigger one goes over value buckets of one width chosen from the pipeline. A value that
  falls between two buckets is split between them in proportion, so the sum's mean is exact;
  the split adds a known variance, which is taken back by narrowing the result around its
  mean (so the variance is exact too), and a bucket is read as spread evenly over its width.
  Mass below :data:`NEGLIGIBLE` at either end is trimmed as the DP goes, so the work per deal
  is the width of the sum's plausible range, not of its full range.
- The buckets are a numpy array: each win is three vector operations instead of a Python
  loop over the buckets, which made the team's distribution of a 10,000-deal pipeline the
  largest cost of the forecast.
- :class:`Distribution` answers P(sum ≥ x) and gives ≤ ``points`` (value, probability) pairs
  for a chart.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

EXACT_SUMS = 20_000  # distinct sums the exact DP carries before buckets take over
MAX_BUCKETS = 4000  # of the sum's full range, for small pipelines
SIGMA_BUCKETS = 16  # buckets per standard deviation of the sum, at least
NEGLIGIBLE = 1e-13
POISSON_TAIL = 1e-12


@dataclass(frozen=True)
class Distribution:
    """The sum's distribution as point masses: ``mass[i]`` at ``values[i]`` (ascending)."""

    values: tuple[float, ...]
    mass: tuple[float, ...]
    spread: float = 0.0  # a bucket's width (its mass spread evenly over it); 0: exact points

    @property
    def mean(self) -> float:
        return sum(p * v for v, p in zip(self.values, self.mass, strict=True))

    def prob_at_least(self, target: float) -> float:
        """P(sum ≥ target)."""
        if not self.spread:
            start = bisect.bisect_left(self.values, target - 1e-6)
            return min(1.0, max(0.0, sum(self.mass[start:])))
        half = self.spread / 2
        start = bisect.bisect_left(self.values, target - half)
        total = sum(self.mass[start + 1:])
        if start < len(self.values):
            low = self.values[start] - half
            total += self.mass[start] * min(1.0, max(0.0, 1 - (target - low) / self.spread))
        return min(1.0, max(0.0, total))

    def points(self, count: int = 200) -> tuple[tuple[Decimal, float], ...]:
        """At most ``count`` (value, probability) pairs: neighbouring points merged, each
        pair placed at its points' mean value."""
        step = max(1, math.ceil(len(self.mass) / count))
        out = []
        for start in range(0, len(self.mass), step):
            chunk = self.mass[start:start + step]
            p = sum(chunk)
            if p <= 0:
                continue
            mean = sum(q * v for q, v in zip(chunk, self.values[start:start + step],
                                             strict=True)) / p
            out.append((Decimal(str(round(mean, 2))), p))
        return tuple(out)


def choose_width(values: Sequence[float], probs: Sequence[float], extra_var: float = 0.0,
                 extra_max: float = 0.0) -> float:
    """A bucket width for these wins: the finer of "the full range in MAX_BUCKETS" and
    "SIGMA_BUCKETS per standard deviation of the sum". Trimming keeps the work per deal to
    the sum's plausible range (some tens of standard deviations), so the finer width costs
    little on big pipelines and keeps small ones, whose sums sit on a few heavy points,
    within a fraction of a point of enumeration."""
    full = sum(values) + extra_max
    if full <= 0:
        return 1.0
    var = sum(p * (1 - p) * v * v for v, p in zip(values, probs, strict=True)) + extra_var
    width = full / MAX_BUCKETS
    if var > 0:
        width = min(width, math.sqrt(var) / SIGMA_BUCKETS)
    return width


def _trim(mass: np.ndarray, offset: int) -> tuple[np.ndarray, int]:
    """Drop the buckets below :data:`NEGLIGIBLE` at either end."""
    kept = np.flatnonzero(mass >= NEGLIGIBLE)
    if not len(kept):
        return mass[:0], offset
    return mass[kept[0]:kept[-1] + 1], offset + int(kept[0])


def add_win(mass: np.ndarray, offset: int, value: float, p: float,
            width: float) -> tuple[np.ndarray, int]:
    """Convolve with a win of ``value`` with probability ``p`` (the value split between its
    two neighbouring buckets so that its mean is kept)."""
    if p <= 0 or value <= 0:
        return mass, offset
    position = value / width
    low = int(position)
    frac = position - low
    n = len(mass)
    out = np.zeros(n + low + 1)
    out[:n] = mass * (1.0 - p)
    out[low:low + n] += mass * (p * (1 - frac))
    out[low + 1:] += mass * (p * frac)
    return _trim(out, offset)


def add_poisson(mass: np.ndarray, offset: int, rate: float, value: float,
                width: float) -> tuple[np.ndarray, int]:
    """Convolve with a Poisson(``rate``) number of wins of ``value`` each."""
    if rate <= 0 or value <= 0:
        return mass, offset
    # the Poisson count's own distribution on the grid, then one convolution
    count = _poisson_pmf(rate)
    positions = np.arange(len(count)) * (value / width)
    lows = positions.astype(np.int64)
    fracs = positions - lows
    lattice = np.zeros(int(lows[-1]) + 2)
    np.add.at(lattice, lows, np.array(count) * (1 - fracs))
    np.add.at(lattice, lows + 1, np.array(count) * fracs)
    lattice, lattice_offset = _trim(lattice, 0)
    return _trim(np.convolve(mass, lattice), offset + lattice_offset)


def win_distribution(wins: Iterable[tuple[float, float]], *, shift: float = 0.0,
                     poisson: Sequence[tuple[float, float]] = (),
                     width: float | None = None) -> Distribution:
    """The distribution of ``shift`` + Σ (value with probability p) + Σ Poisson(rate) wins
    of a value, for ``wins`` = (value, p) and ``poisson`` = (rate, value) pairs.

    Exact (sums to the cent) when there can be at most :data:`EXACT_SUMS` distinct sums —
    every pipeline of up to 14 deals; otherwise over value buckets."""
    wins = [(v, min(p, 1.0)) for v, p in wins if v > 0 and p > 0]
    poisson = [(rate, v) for rate, v in poisson if rate > 0 and v > 0]
    if width is None:
        exact = _exact(wins, poisson)
        if exact is not None:
            values = sorted(exact)
            return Distribution(tuple(shift + c / 100 for c in values),
                                tuple(exact[c] for c in values))
        extra_var = sum(rate * v * v for rate, v in poisson)
        extra_max = sum((rate + 6 * math.sqrt(rate) + 1) * v for rate, v in poisson)
        width = choose_width([v for v, _ in wins], [p for _, p in wins], extra_var, extra_max)
    mass, offset = np.ones(1), 0
    # large wins first: the support grows early, when it is cheapest to carry
    for value, p in sorted(wins, reverse=True):
        mass, offset = add_win(mass, offset, value, p, width)
    for rate, value in poisson:
        mass, offset = add_poisson(mass, offset, rate, value, width)
    mass = mass / mass.sum()
    grid = (offset + np.arange(len(mass))) * width
    # the exact mean and variance, and the narrowing that gives the grid the variance back
    mean = sum(v * p for v, p in wins) + sum(rate * v for rate, v in poisson)
    variance = (sum(p * (1 - p) * v * v for v, p in wins)
                + sum(rate * v * v for rate, v in poisson))
    grid_mean = float(grid @ mass)
    grid_variance = float(((grid - grid_mean) ** 2) @ mass)
    scale = math.sqrt(variance / grid_variance) if grid_variance > variance > 0 else 1.0
    return Distribution(tuple((shift + mean + (grid - grid_mean) * scale).tolist()),
                        tuple(mass.tolist()), width * scale)


def _exact(wins: list[tuple[float, float]], poisson: list[tuple[float, float]]
           ) -> dict[int, float] | None:
    """cents -> probability of every distinct sum, or None when there could be more than
    :data:`EXACT_SUMS` of them (2 per win, times each Poisson term's counts): then buckets
    take over."""
    counts = [_poisson_pmf(rate) for rate, _ in poisson]
    bound = 2 ** min(len(wins), 64)
    for pmf in counts:
        bound *= len(pmf)
    if bound > EXACT_SUMS:
        return None
    sums = {0: 1.0}
    for value, p in wins:
        cents = round(value * 100)
        after: dict[int, float] = {}
        for s, q in sums.items():
            after[s] = after.get(s, 0.0) + q * (1 - p)
            after[s + cents] = after.get(s + cents, 0.0) + q * p
        sums = after
    for (_, value), pmf in zip(poisson, counts, strict=True):
        cents = round(value * 100)
        after = {}
        for s, q in sums.items():
            for k, pk in enumerate(pmf):
                key = s + k * cents
                after[key] = after.get(key, 0.0) + q * pk
        sums = after
    return sums


def _poisson_pmf(rate: float) -> list[float]:
    """P(N = k) for k = 0, 1, … until the rest is below :data:`POISSON_TAIL`."""
    k, pk, out, total = 0, math.exp(-rate), [], 0.0
    while True:
        out.append(pk)
        total += pk
        k += 1
        pk *= rate / k
        if k > rate and 1 - total < POISSON_TAIL:
            return out
