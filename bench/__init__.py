"""Benchmarks that print figures and ratios; they never assert (DESIGN.md: bench/).

Run them with ``python -m bench`` (all) or ``python -m bench demo startup`` (some). Each
``bench/bench_<name>.py`` module with a ``run()`` function is a bench called ``<name>``;
adding one is all it takes to register it.
"""
