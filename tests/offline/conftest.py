"""A rep with deals in several stages, another rep's deal, and the rep's update workbook
exported; helpers to edit it as Excel would (openpyxl) and to find rows by deal."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest


@dataclass
class Team:
    manager: object
    rep: object
    other: object
    deals: dict  # title -> DealInfo
    stages: dict  # name -> StageInfo


@pytest.fixture
def team(manager, stages):
    from app.deals import DealDraft, create_deal
    from app.users import create_rep

    rep = create_rep("Ravi Rep", "ravi@example.com", role="rep")
    other = create_rep("Olga Other", "olga@example.com", role="rep")
    made = {}
    for title, stage, owner, value in (
        ("Acme roll-out", "Sales-ready lead", rep, "12000"),
        ("Birch pilot", "Qualified", rep, "8000"),
        ("Cedar renewal", "Proposal", rep, "30000"),
        ("Dune lead", "Nurturing", rep, "0"),
        ("Elm deal", "Qualified", other, "5000"),
    ):
        made[title] = create_deal(DealDraft(
            title=title, company=title.split()[0], owner_id=owner.id,
            stage_id=stages[stage].id, value=Decimal(value),
            expected_close=date(2027, 3, 31), next_step="Call"), manager)
    return Team(manager, rep, other, made, stages)


@pytest.fixture
def workbook(team, tmp_path) -> Path:
    from app.offline.export import export_update_workbook

    return export_update_workbook(tmp_path / "ravi.xlsx", "Ravi Rep").path


class Edit:
    """An update workbook opened with openpyxl, edited as a rep in Excel would, saved."""

    def __init__(self, path: Path):
        self.path = path
        self.book = openpyxl.load_workbook(path)

    def deal_row(self, title: str) -> int:
        for row in self.book["Deals"].iter_rows(min_row=2):
            if row[0].value == title:
                return row[0].row
        raise KeyError(title)

    def set(self, title: str, header: str, value) -> None:
        sheet = self.book["Deals"]
        column = [c.value for c in sheet[1]].index(header) + 1
        sheet.cell(self.deal_row(title), column, value)

    def tick(self, title: str, stage: str, *, required_only: bool = False) -> int:
        """Set Done to Yes on the deal's items for ``stage``; how many."""
        count = 0
        for row in self.book["Checklist"].iter_rows(min_row=2):
            if (row[0].value == title and row[2].value == stage
                    and (row[4].value == "Yes" or not required_only)):
                row[5].value = "Yes"
                count += 1
        return count

    def hours(self, *rows: tuple) -> None:
        sheet = self.book["Hours"]
        first = 2
        while sheet.cell(first, 1).value is not None:
            first += 1
        for offset, values in enumerate(rows):
            for column, value in enumerate(values, 1):
                sheet.cell(first + offset, column, value)

    def save(self, path: Path | None = None) -> Path:
        """Save as Excel would, stamped later than the file it was opened from and than
        any save before (a rep's saves are seconds apart; a test's, not)."""
        from app.offline.reader import saved_at

        opened = saved_at(self.path)
        self.book.save(path or self.path)
        stamp = max(datetime.now(UTC).replace(tzinfo=None, microsecond=0),
                    Edit.last_stamp + timedelta(seconds=1),
                    (opened or datetime.min) + timedelta(seconds=1))
        Edit.last_stamp = stamp
        restamp(path or self.path, stamp)
        return path or self.path

    last_stamp = datetime.min


def restamp(path: Path, stamp: datetime) -> None:
    """Set the save time (docProps/core.xml ``modified``, UTC) of the workbook at ``path``."""
    with zipfile.ZipFile(path) as package:
        parts = [(info, package.read(info)) for info in package.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]+(</dcterms:modified>)",
                              rb"\g<1>" + stamp.isoformat().encode() + rb"Z\g<2>", data)
            package.writestr(info, data)


@pytest.fixture
def edit(workbook) -> Edit:
    return Edit(workbook)
