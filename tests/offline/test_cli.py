"""``export --rep`` and ``import`` of an update workbook on the command line: conflicts are
listed per field and hold their deal back unless --ours or --theirs settles them."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

from app.clock import local_today
from db.models import Deal
from tests.test_cli import run


def _value(team, title: str) -> Decimal:
    return Deal.get(Deal.uuid == uuid.UUID(team.deals[title].uuid)).value


def test_export_rep_into_a_folder_names_the_file_and_json_says_what(team, db_target, tmp_path):
    result = run("--db", db_target, "--json", "export", str(tmp_path), "--rep", "ravi rep")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    expected = tmp_path / f"updates-Ravi-Rep-{local_today().isoformat()}.xlsx"
    assert payload == {"file": str(expected), "rep": "Ravi Rep", "deals": 4,
                       "checklist_rows": payload["checklist_rows"], "cut": []}
    assert expected.exists() and payload["checklist_rows"] > 0


def test_an_unknown_rep_is_refused_with_a_sentence(team, db_target, tmp_path):
    result = run("--db", db_target, "export", str(tmp_path), "--rep", "Nobody")
    assert result.returncode == 1
    assert "There is no rep called 'Nobody'" in result.stderr
    assert list(tmp_path.glob("*.xlsx")) == []


def test_conflicts_are_listed_per_field_and_hold_the_deal_back(team, edit, db_target):
    from app.deals import update_deal

    edit.set("Birch pilot", "Value", 9000)
    edit.set("Birch pilot", "Next step", "Demo")
    edit.set("Cedar renewal", "Value", 31000)
    path = str(edit.save())
    birch = Deal.get(Deal.uuid == uuid.UUID(team.deals["Birch pilot"].uuid))
    update_deal(birch.id, {"value": Decimal("7000")}, birch.version, team.manager)

    dry = run("--db", db_target, "import", path, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Nothing was written (dry run)" in dry.stdout
    assert _value(team, "Cedar renewal") == Decimal("30000.00")

    held = run("--db", db_target, "--json", "import", path)
    assert held.returncode == 0, held.stderr
    payload = json.loads(held.stdout)
    (conflict,) = payload["conflicts"]
    assert {k: conflict[k] for k in ("deal", "field", "database", "workbook", "changed_by")} == {
        "deal": "Birch pilot", "field": "value", "database": "7000.00",
        "workbook": "9000.00", "changed_by": "Maria Manager"}
    assert conflict["changed_at"] and payload["held_back"] == ["Birch pilot"]
    assert {"created", "updated", "unchanged", "skipped", "errors"} <= set(payload)
    assert _value(team, "Birch pilot") == Decimal("7000.00")  # nothing of Birch merged
    assert _value(team, "Cedar renewal") == Decimal("31000.00")  # the rest did

    text = run("--db", db_target, "import", path)
    # An edit in the deal dialog records no fields: the deal's last edit, said so.
    assert ("“Birch pilot”, Value: here 7,000.00 (last edit of this deal: Maria Manager"
            in text.stdout)
    assert "in the workbook 9,000.00" in text.stdout and "--theirs" in text.stdout

    theirs = run("--db", db_target, "import", path, "--theirs")
    assert theirs.returncode == 0, theirs.stderr
    assert _value(team, "Birch pilot") == Decimal("9000.00")
    birch = Deal.get(Deal.uuid == uuid.UUID(team.deals["Birch pilot"].uuid))
    assert birch.next_step == "Demo"


def test_ours_or_theirs_on_a_plain_spreadsheet_is_a_usage_error(team, db_target, tmp_path):
    sheet = tmp_path / "deals.csv"
    sheet.write_text("Title,Value\nNew deal,100\n")
    result = run("--db", db_target, "import", str(sheet), "--ours")
    assert result.returncode == 2 and "settles the conflicts" in result.stderr


def test_a_foreign_workbook_is_refused_on_the_command_line(team, edit, db_target):
    from db.models import Setting

    path = str(edit.save())
    Setting.update(value=uuid.uuid4().hex).where(Setting.key == "database_id").execute()
    result = run("--db", db_target, "import", path)
    assert result.returncode == 1
    assert "exported from another Funnelcast database" in result.stderr


def test_json_lists_a_refused_cell_as_the_importer_lists_a_rows_error(team, edit, db_target):
    edit.set("Birch pilot", "Value", "lots")
    path = str(edit.save())
    result = run("--db", db_target, "--json", "import", path)
    assert result.returncode == 1 and result.stderr == ""
    payload = json.loads(result.stdout)
    assert payload["errors"] == [{"sheet": "Deals", "row": edit.deal_row("Birch pilot"),
                                  "column": "Value", "message": "'lots' is not a number."}]
    assert (payload["updated"], payload["committed"], payload["kind"]) == (
        0, False, "update_workbook")


def test_json_of_a_foreign_workbook_says_why_and_that_nothing_was_merged(team, edit,
                                                                         db_target):
    from db.models import Setting

    path = str(edit.save())
    Setting.update(value=uuid.uuid4().hex).where(Setting.key == "database_id").execute()
    payload = json.loads(run("--db", db_target, "--json", "import", path).stdout)
    (error,) = payload["errors"]
    assert error["row"] is None and "exported from another Funnelcast database" in error[
        "message"]
    assert payload["committed"] is False


def test_json_never_claims_a_write_that_did_not_happen(team, edit, db_target):
    from datetime import date

    edit.set("Birch pilot", "Value", 9000)
    edit.hours((date(2025, 12, 1), "Meeting", 1.3, None, ""))  # not a quarter hour
    rejected = run("--db", db_target, "--json", "import", str(edit.save()))
    assert rejected.returncode == 1
    payload = json.loads(rejected.stdout)
    assert (payload["updated"], payload["committed"]) == (0, False)
    assert payload["errors"][0]["column"] == "Hours"

    edit.book["Hours"]["C2"] = 1.25
    path = str(edit.save())
    first = json.loads(run("--db", db_target, "--json", "import", path).stdout)
    assert (first["updated"], first["committed"]) == (1, True)
    again = json.loads(run("--db", db_target, "--json", "import", path).stdout)
    assert (again["updated"], again["committed"]) == (0, False)


def test_spreadsheet_options_on_an_update_workbook_are_a_usage_error(team, edit, db_target):
    path = str(edit.save())
    for options, said in ((["--skip-invalid"], "--skip-invalid does not apply"),
                          (["--sheet", "Deals", "--decimal", "comma"],
                           "--sheet and --decimal do not apply")):
        result = run("--db", db_target, "import", path, *options)
        assert result.returncode == 2
        assert f"{said} to a rep's update workbook (ravi.xlsx)" in result.stderr
    assert _value(team, "Birch pilot") == Decimal("8000.00")
