"""``python main.py import``: text and JSON output, exit codes 0, 1 and 2."""

from __future__ import annotations

import json
from datetime import date

from cli.main import main
from db.models import Deal


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_with_json_output(db_path, manager, stages, make_xlsx, capsys):
    path = make_xlsx([["Deal Name", "Company", "Amount", "Close Date"],
                      ["Roof", "Acme", "$1,200.00", date(2026, 3, 21)]])
    from app.workspace import close_workspace

    close_workspace()
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(path), "--json")
    payload = json.loads(out)
    assert code == 0
    assert {k: payload[k] for k in ("created", "updated", "unchanged", "skipped", "errors",
                                    "conflicts")} == {
        "created": 1, "updated": 0, "unchanged": 0, "skipped": 0, "errors": [], "conflicts": []}


def test_a_rejected_file_exits_1_and_lists_row_column_reason(db_path, manager, stages,
                                                            make_xlsx, capsys):
    path = make_xlsx([["Title", "Amount"], ["Roof", "lots"], ["Door", 5]])
    from app.workspace import close_workspace

    close_workspace()
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(path))
    assert code == 1
    assert "Nothing was imported" in out and "row 2, Amount: 'lots' is not an amount." in out
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(path), "--skip-invalid",
                       "--json")
    assert code == 0 and json.loads(out)["skipped"] == 1


def test_dry_run_and_map_stage(db_path, manager, stages, make_csv, capsys):
    path = make_csv([["Title", "Stage"], ["Roof", "Demo booked"]])
    from app.workspace import close_workspace

    close_workspace()
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(path), "--dry-run")
    assert code == 1 and "'Demo booked' is not a stage" in out
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(path), "--dry-run",
                       "--map-stage", "Demo booked=Qualified")
    assert code == 0 and "Would create 1" in out
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(path),
                       "--map-stage", "Demo booked=Qualified")
    assert code == 0 and "Created 1" in out


def test_unreadable_file_and_bad_usage_exit_2(db_path, manager, tmp_path, capsys):
    from app.workspace import close_workspace

    close_workspace()
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 this is not really a zip")
    code, _, err = run(capsys, "--db", str(db_path), "import", str(junk))
    assert code == 2 and "damaged" in err and "Traceback" not in err
    code, _, err = run(capsys, "--db", str(db_path), "import", str(junk), "--map-stage", "x")
    assert code == 2 and "THEIR=OURS" in err
    assert Deal.select().count() == 0


def test_a_sheet_name_for_a_csv_file_is_refused(db_path, manager, stages, make_csv, capsys):
    path = make_csv([["Title", "Company"], ["Roof", "Acme"]])
    from app.workspace import close_workspace

    close_workspace()
    code, _, err = run(capsys, "--db", str(db_path), "import", str(path), "--sheet", "Nope")
    assert code == 2 and "a CSV file has no sheets" in err and "Traceback" not in err
    assert Deal.select().count() == 0


def test_a_dry_run_writes_no_problems_workbook_unless_asked(db_path, manager, stages,
                                                           make_xlsx, capsys, tmp_path):
    path = make_xlsx([["Title", "Amount"], ["Roof", "lots"]])
    from app.workspace import close_workspace

    close_workspace()
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(path), "--dry-run", "--json")
    assert code == 1 and json.loads(out)["problems_workbook"] is None
    assert sorted(p.name for p in tmp_path.glob("*problems*")) == []
    wanted = tmp_path / "check.xlsx"
    code, out, _ = run(capsys, "--db", str(db_path), "import", str(path), "--dry-run",
                       "--problems-file", str(wanted))
    assert code == 1 and wanted.exists() and str(wanted) in out


def test_a_rejected_import_states_the_plan_a_dry_run_states(db_path, manager, stages, make_csv,
                                                           capsys):
    """The real import of a file with problems prints the plan in the dry run's own words
    (it printed "Would create 0 … 0 skipped" beside the dry run's "Would create 2 … 1
    skipped"), and says that nothing was imported."""
    path = make_csv([["Title", "Company", "Amount"], ["Roof", "Acme", "100"],
                     ["Door", "Beta", "lots"], ["Wall", "Gamma", "300"]])
    from app.workspace import close_workspace

    close_workspace()
    dry_code, dry, _ = run(capsys, "--db", str(db_path), "import", str(path), "--dry-run")
    code, real, _ = run(capsys, "--db", str(db_path), "import", str(path))
    assert dry_code == code == 1
    plan = "Would create 2, update 0; 0 unchanged, 1 skipped"
    assert plan in dry and plan in real
    assert real.startswith("Nothing was imported, this file was rejected")
    assert dry.splitlines()[1:] == real.splitlines()[1:len(dry.splitlines())]
    assert Deal.select().count() == 0
