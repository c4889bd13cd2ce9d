"""``python -m bench [NAME ...]``: run every bench, or the ones named, and print figures.

A bench is a module ``bench/bench_<name>.py`` with a ``run() -> None`` function that prints
its own lines. A bench that fails prints why and the others still run; nothing asserts.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

# Run first, in this order; any other bench follows alphabetically.
PREFERRED_ORDER = ("demo", "startup")

ROOT = Path(__file__).resolve().parent.parent


def registry() -> dict[str, Callable[[], None]]:
    """Bench name -> its run function, discovered from the bench_*.py modules."""
    found: dict[str, Callable[[], None]] = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.name.startswith("bench_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        run = getattr(module, "run", None)
        if callable(run):
            found[info.name.removeprefix("bench_")] = run
    ordered = [n for n in PREFERRED_ORDER if n in found]
    ordered += sorted(n for n in found if n not in PREFERRED_ORDER)
    return {name: found[name] for name in ordered}


def main(argv: list[str]) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    benches = registry()
    if any(a in ("-h", "--help") for a in argv):
        print(f"usage: python -m bench [{' | '.join(benches)} ...]")
        return 0
    unknown = [a for a in argv if a not in benches]
    if unknown:
        print(f"unknown bench {', '.join(unknown)}; available: {', '.join(benches)}",
              file=sys.stderr)
        return 2
    chosen = argv or list(benches)
    for name in chosen:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            benches[name]()
        except Exception as exc:  # a broken bench must not stop the others
            print(f"{name}: failed ({type(exc).__name__}: {exc})", flush=True)
            traceback.print_exc(limit=3)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
