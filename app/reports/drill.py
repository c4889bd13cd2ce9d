"""The deals behind a figure: the rows the drill-down lists."""

from __future__ import annotations

from collections.abc import Iterable

from peewee import JOIN

from app.reports.log import moment
from app.reports.types import DealLine
from db.models import Deal, LeadSource, Rep, Stage


def deals_behind(ids: Iterable[int]) -> list[DealLine]:
    """``ids``' deals, largest value first (ties: title); ids of deals deleted since are
    left out. Several thousand ids cost one query per 500."""
    wanted = sorted(set(ids))
    lines: list[DealLine] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows = (Deal.select(Deal.id, Deal.title, Deal.company, Rep.name, LeadSource.name,
                            Stage.name, Deal.value, Deal.created_at)
                .join(Rep, JOIN.LEFT_OUTER, on=(Deal.owner == Rep.id)).switch(Deal)
                .join(LeadSource, JOIN.LEFT_OUTER, on=(Deal.source == LeadSource.id))
                .switch(Deal).join(Stage, on=(Deal.stage == Stage.id))
                .where(Deal.id.in_(chunk)).tuples())
        lines += [DealLine(d, title, company, owner or "", source or "", stage, value,
                           moment(created).date())
                  for d, title, company, owner, source, stage, value, created in rows]
    lines.sort(key=lambda line: (-line.value, line.title.lower()))
    return lines
