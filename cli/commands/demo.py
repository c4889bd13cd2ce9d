"""``demo``: fill an empty database with the demo team."""

from __future__ import annotations

import argparse

from app.demo import generate_demo

from cli.context import Context
from cli.output import emit_json, say

NAME = "demo"
HELP = "fill an empty database with a realistic demo team"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")


def run(args: argparse.Namespace, context: Context) -> int:
    summary = generate_demo(seed=args.seed)
    if args.json:
        emit_json(summary.as_dict())
    else:
        say(f"Demo team created in {context.workspace.location}: {summary.describe()}")
    return 0
