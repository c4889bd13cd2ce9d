"""db.bulk as the import uses it: a bulk load into a small table drops and rebuilds that
table's indexes, and the schema (every index, unique ones enforcing again) is exactly as
before, whether the import commits or is cancelled mid-write.

Dropping indexes is SQLite's (on PostgreSQL the helper does nothing): those tests are
SQLite-only; the schema checks run on both."""

from __future__ import annotations

import time
import uuid
from datetime import date

import peewee
import pytest

from app.deals import DealDraft, create_deal
from app.importing import ImportOptions, run_import
from app.jobs import Cancelled, JobControl
from db.bulk import (
    indexes_rebuilt,
    insert_rows,
    new_uuid_hexes,
    new_uuid_sql,
)
from db.connection import database, writing
from db.models import Deal, ImportBatch, ImportChange, LeadSource, StageChange

HEADER = ["Deal Name", "Company", "Deal Stage", "Amount", "Close Date"]
ROWS = [
    ["Roof", "Acme", "Qualified", 1200.0, date(2026, 3, 21)],
    ["Door", "Beta", "Proposal", 300.0, date(2026, 4, 1)],
]


def schema() -> list[tuple]:
    """Every table's columns and indexes, as the database reports them."""
    db = database.obj
    return [(table, db.get_columns(table), sorted(db.get_indexes(table)))
            for table in db.get_tables()]


def index_names(table: str) -> set[str]:
    return {index.name for index in database.obj.get_indexes(table)}


def test_import_into_an_empty_table_keeps_every_index(manager, stages, make_xlsx):
    before = schema()
    report = run_import(make_xlsx([HEADER, *ROWS]), ImportOptions(), manager)
    assert report.created == 2
    assert schema() == before
    assert StageChange.select().where(StageChange.origin == "import").count() == 2
    batch = ImportBatch.get()
    assert [d.import_batch_id for d in Deal.select()] == [batch.id, batch.id]
    assert ImportChange.select().count() == 0  # a created deal needs no undo record
    taken = Deal.get(Deal.title == "Roof").uuid
    clone = {f.name: getattr(Deal.get(Deal.title == "Door"), f.name)
             for f in Deal._meta.sorted_fields if f.name != "id"}
    with pytest.raises(peewee.IntegrityError):
        Deal.create(**{**clone, "uuid": taken})  # deal_uuid is unique again


def test_cancel_while_writing_leaves_the_indexes(manager, stages, make_xlsx):
    class CancelWhileRecordingStages(JobControl):
        def report(self, fraction, message=""):
            if message.startswith("Recording stages"):
                self.cancel()
            super().report(fraction, message)

    before = schema()
    with pytest.raises(Cancelled):
        run_import(make_xlsx([HEADER, *ROWS]), ImportOptions(), manager,
                   CancelWhileRecordingStages())
    assert schema() == before
    assert Deal.select().count() == 0


@pytest.mark.sqlite_only
def test_indexes_are_dropped_only_inside_the_block_and_only_for_small_tables(manager):
    deal_indexes = index_names("deal")
    assert "deal_uuid" in deal_indexes
    with writing():
        with indexes_rebuilt(10, Deal):
            assert index_names("deal") == set()
        assert index_names("deal") == deal_indexes
    with writing():
        with indexes_rebuilt(0, StageChange):  # empty: 0 rows is no more than 0 added
            assert index_names("stage_change") == set()
        with indexes_rebuilt(-1, Deal):  # a table larger than the load is left alone
            assert index_names("deal") == deal_indexes
    for title in ("Roof", "Door", "Gate"):
        create_deal(DealDraft(title=title), manager)
    with writing():
        with indexes_rebuilt(2, Deal):  # 3 rows: no more than twice the load
            assert index_names("deal") == set()
        with indexes_rebuilt(1, Deal):  # more than twice the load: updated in place
            assert index_names("deal") == deal_indexes


def test_outside_a_transaction_nothing_is_dropped(manager):
    deal_indexes = index_names("deal")
    with indexes_rebuilt(10, Deal):
        assert index_names("deal") == deal_indexes


@pytest.mark.sqlite_only
def _check_time_ordered(made: list[str], before_ms: int, after_ms: int) -> None:
    parsed = [uuid.UUID(hex=text) for text in made]
    assert all(len(text) == 32 and text == text.lower() for text in made)
    assert {u.version for u in parsed} == {7} and {u.variant for u in parsed} == {uuid.RFC_4122}
    assert len(set(made)) == len(made)
    assert all(before_ms <= int(text[:12], 16) <= after_ms for text in made)
    assert {text[13] for text in made} == set("0123456789abcdef")  # random after the time
    assert {text[16] for text in made} == set("89ab")
    assert {text[31] for text in made} == set("0123456789abcdef")


def _milliseconds() -> int:
    return time.time_ns() // 1_000_000


def _wait_past(made: list[str]) -> None:
    """Wait until the clock has moved past the millisecond of the latest uuid in ``made``
    (a fixed sleep is not enough where the clock ticks every 15 ms)."""
    latest = max(int(text[:12], 16) for text in made)
    while _milliseconds() <= latest:
        time.sleep(0.001)


def test_uuids_made_in_sql_are_distinct_time_ordered_uuids(manager):
    """Stage changes copied in SQL get uuids like any other: 32 hex digits, version 7 (the
    time they were made, then random bits), the RFC variant, all different; a later batch
    sorts after an earlier one, which keeps the uuid index appending."""
    def batch() -> list[str]:  # as 32 hex digits (PostgreSQL returns its uuid type)
        return [str(row[0]).replace("-", "") for row in database.obj.execute_sql(
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
            f"SELECT {new_uuid_sql()} FROM n").fetchall()]

    started = _milliseconds()
    first = batch()
    _check_time_ordered(first, started, _milliseconds())
    _wait_past(first)
    assert min(batch()) > max(first)


def test_uuids_made_in_python_are_distinct_time_ordered_uuids():
    started = _milliseconds()
    first = new_uuid_hexes(2000)
    _check_time_ordered(first, started, _milliseconds())
    assert [uuid.UUID(h).hex for h in first] == first
    _wait_past(first)
    assert min(new_uuid_hexes(10)) > max(first)


def test_bulk_inserts_leave_ids_to_the_database(manager, stages):
    """An explicit id would leave PostgreSQL's id sequence behind the rows (the next deal
    added by hand would then fail): insert_rows refuses one."""
    with writing(), pytest.raises(ValueError, match=r"deal\.id"):
        insert_rows(Deal, {"id": [1], "title": ["Roof"]})
    assert Deal.select().count() == 0


def test_bulk_inserts_store_every_value_as_given(manager):
    """Values and constants are bound as parameters: quotes, SQL-looking text and None go in
    exactly as they are, on both backends."""
    names = [f"O'Brien {n}; DROP TABLE deal; --" for n in range(1500)]  # several statements
    with writing():
        insert_rows(LeadSource, {"name": names}, constants={"channel": "it's"})
    stored = LeadSource.select(LeadSource.name).where(LeadSource.channel == "it's")
    assert sorted(name for name, in stored.tuples()) == sorted(names)
