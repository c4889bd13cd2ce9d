"""What a dry run accepts, the commit writes: every field is bounded in validation by what
the schema holds on SQLite and PostgreSQL alike, so no cell gets past the plan only to crash
the commit (an OverflowError, PostgreSQL refusing a long text or a NUL byte)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.importing import ImportOptions, run_import
from app.importing.columns import map_columns
from app.importing.commit import commit_plan
from app.importing.plan import build_plan
from app.importing.read import SheetTable
from app.pipeline import list_stages
from db.limits import text_limit
from db.models import Deal, ImportBatch, LeadSource, Rep

LIMIT = text_limit(Deal.company)


def write_csv(tmp_path: Path, text: str, name: str = "deals.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def problems(report) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.column, p.message) for p in report.errors]


def test_a_company_size_past_what_the_column_holds_is_a_row_problem(manager, tmp_path):
    # 2**63 crashed the commit with OverflowError (exit 2), --skip-invalid or not; 2**31
    # passes SQLite but not PostgreSQL's integer. A 5,000-digit size showed Python's message.
    path = write_csv(tmp_path, "Title,Employees\nRoof,9223372036854775808\nDoor,2147483648\n"
                               f"Gate,{'9' * 5000}\nWall,2147483647\n")
    dry = run_import(path, ImportOptions(dry_run=True), manager)
    assert [(row, column) for row, column, _ in problems(dry)] == [
        (2, "Employees"), (3, "Employees"), (4, "Employees")]
    assert "at most 2,147,483,647" in dry.errors[0].message
    assert dry.errors[2].message.startswith("'99999999999999999…' is more employees than")
    assert "digits" not in dry.errors[2].message  # never Python's int conversion message

    report = run_import(path, ImportOptions(skip_invalid=True), manager)
    assert (report.created, report.skipped) == (1, 3)
    assert Deal.get().company_size == 2147483647


def test_text_longer_than_its_column_is_refused_with_row_and_column(manager, tmp_path):
    long = "x" * (LIMIT + 1)
    path = write_csv(tmp_path, f"Title,Company,Owner,Notes\nRoof,{long},Ann,{'n' * 5000}\n"
                               f"Door,Beta,{long},\nGate,{'y' * LIMIT},Ann,\n")
    dry = run_import(path, ImportOptions(dry_run=True), manager)
    assert problems(dry) == [
        (2, "Company", f"The text is {LIMIT + 1} characters long; a deal's company holds at "
                       f"most {LIMIT}. Shorten it."),
        (3, "Owner", f"The text is {LIMIT + 1} characters long; an owner's name holds at most "
                     f"{LIMIT}. Shorten it."),
    ]
    assert dry.new_owners == ["Ann"]  # the long name is not a rep to create

    report = run_import(path, ImportOptions(skip_invalid=True), manager)
    assert (report.created, report.skipped) == (1, 2)
    assert Deal.get().company == "y" * LIMIT
    assert [r.name for r in Rep.select().where(Rep.name != "Maria Manager")] == ["Ann"]


def test_control_characters_are_removed_with_a_warning_naming_the_cells(manager, tmp_path):
    # A NUL byte passed the dry run and PostgreSQL refused the commit.
    path = write_csv(tmp_path, "Title,Company,Source,Notes\nRoof,Ac\x00me,Web\x07,line 1\n"
                               "Door,Beta,Web,\x01two\nGate,Gamma,Fair,\tkept\ttabs\n")
    report = run_import(path, ImportOptions(), manager)
    assert report.committed and report.created == 3
    assert ("Company: control characters (such as NUL) were removed from row 2; they cannot "
            "be stored and show as nothing.") in report.warnings
    assert any(w.startswith("Source: control characters (such as NUL) were removed from row 2")
               for w in report.warnings)
    assert any("Notes: control characters (such as NUL) were removed from row 3" in w
               for w in report.warnings)
    assert Deal.get(Deal.title == "Roof").company == "Acme"
    assert Deal.get(Deal.title == "Door").notes == "two"
    assert Deal.get(Deal.title == "Gate").notes == "kept\ttabs"
    sources = [s.name for s in LeadSource.select()]
    assert "Fair" in sources and [s for s in sources if "\x07" in s or s == "Web"] == ["Web"]


def test_fractions_of_a_cent_are_rounded_with_a_warning(manager, stages, tmp_path):
    path = write_csv(tmp_path, "Title,Amount\nRoof,0.005\nDoor,12.50\nGate,1.015\n")
    report = run_import(path, ImportOptions(dry_run=True), manager)
    assert report.errors == []
    assert ("Amount: amounts with fractions of a cent were rounded to the cent in 2 cells "
            "(rows 2, 4), e.g. 0.005 → 0.00 on row 2.") in report.warnings


def test_fractions_of_a_cent_are_reported_beside_a_bad_amount(manager, stages, tmp_path):
    path = write_csv(tmp_path, "Title,Amount\nRoof,0.0049\nDoor,-5\n")
    report = run_import(path, ImportOptions(dry_run=True), manager)
    assert [row for row, _, _ in problems(report)] == [3]
    assert any(w.startswith("Amount: amounts with fractions of a cent were rounded to the cent "
                            "in row 2") for w in report.warnings)


# --- Every value a dry run accepts commits -------------------------------------------------

HEADERS = ["Title", "Company", "Contact", "Email", "Phone", "Employees", "Amount",
           "Close date", "Owner", "Source", "Lost reason", "Record ID", "Notes"]
hostile_cells = st.one_of(
    st.text(max_size=20),
    st.text(min_size=LIMIT - 5, max_size=LIMIT + 5),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=8).map(lambda t: t + "\x00"),
    st.integers(), st.integers(min_value=2**31 - 3, max_value=2**63 + 3),
    st.floats(), st.decimals(allow_nan=False).map(str),
    st.dates(), st.datetimes(), st.sampled_from(["", "0.005", "1e400", "9" * 5000, "€ 1.5"]),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(hostile_cells, min_size=len(HEADERS), max_size=len(HEADERS)),
                min_size=1, max_size=4))
def test_every_row_a_dry_run_accepts_commits(manager, rows):
    table = SheetTable(Path("hostile.xlsx"), "Deals", ["Deals"],
                       [(1, list(HEADERS))] + [(n, row) for n, row in enumerate(rows, start=2)])
    plan = build_plan(table, 0, map_columns(HEADERS), list_stages())
    assume(not plan.blocking)
    result = commit_plan(plan, manager, file_name="hostile.xlsx", sheet="Deals",
                         backup=lambda: "")
    assert (result.created, result.updated) == (plan.count("create"), plan.count("update"))
    if result.created:
        batch = ImportBatch.get(ImportBatch.uuid == result.batch_uuid)
        stored = [d.company for d in Deal.select().where(Deal.import_batch == batch.id)
                  .order_by(Deal.id)]
        promised = [plan.columns["company"][r.position] or "" for r in plan.rows
                    if r.action == "create"]
        assert stored == promised

