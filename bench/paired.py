"""Timing commands as a user waits for them: whole processes, taken in turns, summarised by
their median and spread.

Why paired: the machine is shared, and a busy spell slows whatever runs during it. Each
round runs every contender once, one after the other, and the ratio is taken within the
round, so a slow spell falls on both sides of it; the median of the rounds' ratios is the
figure, and their lowest and highest say how far to trust it. The best of each contender
taken from different rounds would compare the luckiest moment of one with that of another.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock from spawning the process to its exit
    cpu_seconds: float  # processor time it used (user + system): less swayed by a busy machine
    peak_mb: float  # the process's own peak resident memory
    stdout: str


def run_command(args: Sequence[str], cwd: Path = ROOT, env: dict | None = None) -> Run:
    """Run ``python *args`` in ``cwd`` to its end; raises RuntimeError when it fails.

    The peak memory is the child's own (``os.wait4``, POSIX): keep the calling process
    small, since Linux counts a child's peak from the memory it was forked with."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, *args], cwd=cwd, env=env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)[:120]} failed ({process.returncode}): "
                           f"{stderr.strip()[-800:]}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout)


def rounds(contenders: dict[str, Callable[[], Run]], count: int) -> dict[str, list[Run]]:
    """``count`` rounds, each running every contender once in the order given."""
    runs: dict[str, list[Run]] = {name: [] for name in contenders}
    for _ in range(count):
        for name, contender in contenders.items():
            runs[name].append(contender())
    return runs


def ratios(runs: dict[str, list[Run]], numerator: str, denominator: str,
           cpu: bool = False) -> list[float]:
    """The ratio of two contenders' wall times (or processor times) within each round."""
    def time(run: Run) -> float:
        return run.cpu_seconds if cpu else run.seconds

    return [time(one) / time(other)
            for one, other in zip(runs[numerator], runs[denominator], strict=True)]


def spread(values: Sequence[float], unit: str = "", places: int = 2) -> str:
    """``median (lowest–highest)``, e.g. ``2.61× (2.55–2.70×)``."""
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{mid:.{places}f}{unit} ({low:.{places}f}–{high:.{places}f}{unit})"


@dataclass(frozen=True)
class Turns:
    """Times (ms) of a floor and an action taken in turns, one of each per turn."""

    floors: list[float]
    actions: list[float]

    @property
    def ratios(self) -> list[float]:
        """The action's time over the floor's, within each turn."""
        return [action / floor for action, floor in zip(self.actions, self.floors, strict=True)]


def paired_turns(floor: Callable[[], object], action: Callable[[], object], runs: int,
                 setup: Callable[[], object] | None = None) -> Turns:
    """Time ``floor`` then ``action`` in this process, ``runs`` times in turns. ``setup``
    (untimed) runs before each turn, for an action that needs a state to start from (the
    text before a keystroke)."""
    floors, actions = [], []
    for _ in range(runs):
        if setup is not None:
            setup()
        started = time.perf_counter()
        floor()
        floors.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        action()
        actions.append((time.perf_counter() - started) * 1000)
    return Turns(floors, actions)


def paired_in_process(floor: Callable[[], object], action: Callable[[], object],
                      runs: int) -> tuple[float, float, list[float]]:
    """Time ``floor`` then ``action`` in this process, ``runs`` times in turns, for what a
    screen waits for on the worker (no process start-up in it): (median floor ms, median
    action ms, the ratio within each turn)."""
    turns = paired_turns(floor, action, runs)
    return statistics.median(turns.floors), statistics.median(turns.actions), turns.ratios
