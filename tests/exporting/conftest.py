"""A demo team plus deals whose text tries to become formulas, exported for this week."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

INJECTIONS = ('=HYPERLINK("http://x","y")', "+44 20 7946 0000", "-5% deal", "@SUM(1)",
              "=1+1", "#N/A")


@dataclass
class Exported:
    path: Path
    result: object
    injected: dict[str, str]  # deal uuid (hex) -> the company text it carries


@pytest.fixture
def demo(manager):
    from app.demo import generate_demo

    generate_demo(seed=3)
    return manager


@pytest.fixture
def injected(demo):
    """Deals whose title, company and phone are injection strings (uuid hex -> text)."""
    from app.deals import DealDraft, create_deal
    from app.users import list_reps

    owner = list_reps()[1]
    made = {}
    for text in INJECTIONS:
        info = create_deal(DealDraft(title=f"{text} title", company=text, contact_phone=text,
                                     next_step=text, owner_id=owner.id,
                                     value=Decimal("1234.56")), demo)
        made[info.uuid.replace("-", "")] = text
    return made


@pytest.fixture
def exported(injected, tmp_path) -> Exported:
    from app.exporting import export_weekly_workbook

    path = tmp_path / "pipeline.xlsx"
    return Exported(path, export_weekly_workbook(path), injected)
