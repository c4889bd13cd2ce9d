"""``python main.py --help`` as a user waits for it, against importing Qt's widgets.

The command line answers ``--help`` (and a mistyped option) from argparse alone: the
command modules import what they need when they run (issue 13). The floor is
``python -c "import PySide6.QtWidgets"``, what the window needs before it can show
anything; ``python -c pass`` is printed beside it for scale. Whole processes, paired
rounds (:mod:`bench.paired`), median and spread. Target: ``--help`` ≤ 1.5× the floor.
"""

from __future__ import annotations

from bench.paired import ROOT, ratios, rounds, run_command, spread

ROUNDS = 15
TARGET_RATIO = 1.5


def run() -> None:
    runs = rounds({
        "help": lambda: run_command([str(ROOT / "main.py"), "--help"]),
        "qtwidgets": lambda: run_command(["-c", "import PySide6.QtWidgets"]),
        "pass": lambda: run_command(["-c", "pass"]),
    }, ROUNDS)
    for name, what in (("help", "python main.py --help"),
                       ("qtwidgets", 'python -c "import PySide6.QtWidgets"'),
                       ("pass", 'python -c "pass"')):
        print(f"cli: {what}: {spread([r.seconds * 1000 for r in runs[name]], ' ms', 0)}")
    print(f"cli: --help ÷ importing QtWidgets {spread(ratios(runs, 'help', 'qtwidgets'), '×')} "
          f"(target ≤ {TARGET_RATIO}×); ÷ python -c pass "
          f"{spread(ratios(runs, 'help', 'pass'), '×')}; {ROUNDS} paired rounds, "
          f"median (lowest–highest)")
