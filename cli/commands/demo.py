"""``demo``: fill an empty database with the demo team."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING

from cli.output import emit_json, say

if TYPE_CHECKING:  # only for the annotations: importing it opens peewee
    from cli.context import Context

NAME = "demo"
HELP = "fill an empty database with a realistic demo team"
CREATES_DATABASE = True


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")


def run(args: argparse.Namespace, context: Context) -> int:
    from app.demo import generate_demo

    summary = generate_demo(seed=args.seed)
    if args.json:
        emit_json(asdict(summary))
    else:
        say(f"{summary.describe()}\nDatabase: {context.workspace.location}")
    return 0
