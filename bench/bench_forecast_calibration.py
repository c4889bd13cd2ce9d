"""The forecast's calibration on simulated teams with a known truth (see
:mod:`bench.forecast_sim`): expected calibration error and Brier score of each open deal's
chance of a win inside the quarter and of each rep's probability of quota, against the
manager's static percentages with expected close dates taken at face value.

Three seeded teams of 8 reps, three years each (the first year is history only), forecast
on days 1, 22, 45 and 68 of every later quarter. Prints figures; nothing asserts (the
smaller seeded check is ``tests/test_forecast_calibration.py``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

SEEDS = (1, 2, 3)


def run() -> None:
    from bench.forecast_sim import Scores, evaluate, report

    total = Scores()
    with tempfile.TemporaryDirectory() as folder:
        for seed in SEEDS:
            scores = evaluate(Path(folder) / f"sim-{seed}.sqlite", seed=seed)
            print(f"calibration seed {seed}: " + report(scores).replace("\n", "\n    "),
                  flush=True)
            for name in ("deals", "baseline", "quota", "quota_baseline"):
                getattr(total, name).extend(getattr(scores, name))
    print("calibration, all seeds: " + report(total).replace("\n", "\n    "), flush=True)
