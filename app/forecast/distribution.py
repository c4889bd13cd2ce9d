"""The distribution of won value: a sum of independent wins, by dynamic programming.

Why: the probability of reaching quota is a statement about the *sum* of many uncertain wins;
multiplying values by chances gives only its mean. Each open deal is a Bernoulli win of its
value; the pipeline not yet created is a Poisson number of wins of a typical value. The sum's
distribution is built by a DP over value buckets, exactly up to the bucketing, never by
sampling.

Contract:

- Values are cut into buckets of one width ``w`` chosen from the pipeline (fine enough that a
  pipeline of a few deals is within a fraction of a percentage point of enumeration). A value
  that falls between two buckets is split between them in proportion, so every bucketed win
  keeps its exact mean and the sum's mean is exact.
- Mass below :data:`NEGLIGIBLE` at either end is trimmed as the DP goes, so the work per deal
  is the width of the sum's plausible range, not of its full range.
- :class:`Distribution` answers P(sum ≥ x) and gives ≤ ``points`` (value, probability) pairs
  for a chart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

MAX_BUCKETS = 4000  # of the sum's full range, for small pipelines
SIGMA_BUCKETS = 40  # buckets per standard deviation of the sum, for large ones
NEGLIGIBLE = 1e-13
POISSON_TAIL = 1e-12


@dataclass(frozen=True)
class Distribution:
    """Probabilities of a sum on the grid ``offset + i·width`` (``mass[i]``), plus ``shift``
    (a sure amount such as the value already won) added to every point."""

    width: float
    offset: int  # index of mass[0]
    mass: tuple[float, ...]
    shift: float = 0.0

    def value_at(self, index: int) -> float:
        return self.shift + (self.offset + index) * self.width

    @property
    def mean(self) -> float:
        return sum(p * self.value_at(i) for i, p in enumerate(self.mass))

    def prob_at_least(self, target: float) -> float:
        """P(sum ≥ target), reading the grid as point masses."""
        eps = self.width * 1e-9
        total = sum(p for i, p in enumerate(self.mass) if self.value_at(i) >= target - eps)
        return min(1.0, max(0.0, total))

    def points(self, count: int = 200) -> tuple[tuple[Decimal, float], ...]:
        """At most ``count`` (value, probability) pairs: neighbouring buckets merged, each
        pair placed at its buckets' mean value."""
        if not self.mass:
            return ()
        step = max(1, math.ceil(len(self.mass) / count))
        out = []
        for start in range(0, len(self.mass), step):
            chunk = self.mass[start:start + step]
            p = sum(chunk)
            if p <= 0:
                continue
            mean = sum(q * self.value_at(start + j) for j, q in enumerate(chunk)) / p
            out.append((Decimal(str(round(mean, 2))), p))
        return tuple(out)


def choose_width(values: Sequence[float], probs: Sequence[float], extra_var: float = 0.0,
                 extra_max: float = 0.0) -> float:
    """A bucket width for these wins: the finer of "the full range in MAX_BUCKETS" and
    "SIGMA_BUCKETS per standard deviation" (the latter bounds the work on big pipelines,
    where the sum is spread over many standard deviations' worth of full range)."""
    full = sum(values) + extra_max
    if full <= 0:
        return 1.0
    var = sum(p * (1 - p) * v * v for v, p in zip(values, probs, strict=True)) + extra_var
    width = full / MAX_BUCKETS
    if var > 0:
        width = max(width, math.sqrt(var) / SIGMA_BUCKETS)
    return width


def _trim(mass: list[float], offset: int) -> tuple[list[float], int]:
    lo, hi = 0, len(mass)
    while lo < hi and mass[lo] < NEGLIGIBLE:
        lo += 1
    while hi > lo and mass[hi - 1] < NEGLIGIBLE:
        hi -= 1
    return mass[lo:hi], offset + lo


def add_win(mass: list[float], offset: int, value: float, p: float,
            width: float) -> tuple[list[float], int]:
    """Convolve with a win of ``value`` with probability ``p`` (the value split between its
    two neighbouring buckets so that its mean is kept)."""
    if p <= 0 or value <= 0:
        return mass, offset
    position = value / width
    low = int(position)
    frac = position - low
    q = 1.0 - p
    a, b = p * (1 - frac), p * frac
    pad = [0.0] * (low + 1)
    stay = [x * q for x in mass] + pad
    moved = [0.0] * low + [x * a for x in mass] + [0.0]
    moved_far = pad + [x * b for x in mass]
    out = [u + v + w for u, v, w in zip(stay, moved, moved_far, strict=True)]
    return _trim(out, offset)


def add_poisson(mass: list[float], offset: int, rate: float, value: float,
                width: float) -> tuple[list[float], int]:
    """Convolve with a Poisson(``rate``) number of wins of ``value`` each."""
    if rate <= 0 or value <= 0:
        return mass, offset
    # the Poisson count's own distribution on the grid, then one convolution
    k, pk, count = 0, math.exp(-rate), []
    total = 0.0
    while True:
        count.append(pk)
        total += pk
        k += 1
        pk *= rate / k
        if k > rate and 1 - total < POISSON_TAIL:
            break
    lattice: list[float] = [0.0]
    for k, pk in enumerate(count):
        position = k * value / width
        low = int(position)
        frac = position - low
        if len(lattice) < low + 2:
            lattice += [0.0] * (low + 2 - len(lattice))
        lattice[low] += pk * (1 - frac)
        lattice[low + 1] += pk * frac
    lattice, lattice_offset = _trim(lattice, 0)
    out = [0.0] * (len(mass) + len(lattice) - 1)
    for j, y in enumerate(lattice):
        if y < NEGLIGIBLE:
            continue
        for i, x in enumerate(mass):
            out[i + j] += x * y
    return _trim(out, offset + lattice_offset)


def win_distribution(wins: Iterable[tuple[float, float]], *, shift: float = 0.0,
                     poisson: Sequence[tuple[float, float]] = (),
                     width: float | None = None) -> Distribution:
    """The distribution of ``shift`` + Σ (value with probability p) + Σ Poisson(rate) wins
    of a value, for ``wins`` = (value, p) and ``poisson`` = (rate, value) pairs."""
    wins = [(v, p) for v, p in wins if v > 0 and p > 0]
    if width is None:
        values = [v for v, _ in wins]
        probs = [min(p, 1.0) for _, p in wins]
        extra_var = sum(rate * v * v for rate, v in poisson)
        extra_max = sum((rate + 6 * math.sqrt(rate) + 1) * v for rate, v in poisson)
        width = choose_width(values, probs, extra_var, extra_max)
    mass, offset = [1.0], 0
    # large wins first: the support grows early, when it is cheapest to carry
    for value, p in sorted(wins, reverse=True):
        mass, offset = add_win(mass, offset, value, min(p, 1.0), width)
    for rate, value in poisson:
        mass, offset = add_poisson(mass, offset, rate, value, width)
    total = sum(mass)
    if total > 0:
        mass = [x / total for x in mass]
    return Distribution(width, offset, tuple(mass), shift)
