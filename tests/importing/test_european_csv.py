"""A European CSV: semicolons, decimal commas, day-first dates, a UTF-8 BOM."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.importing import ImportOptions, run_import
from db.models import Deal


def test_semicolon_csv_with_decimal_commas_and_a_bom(manager, stages, make_csv):
    path = make_csv([
        ["Titel*", "Firma", "Betrag", "Close date", "Stage"],
        ["Dach", "Müller GmbH", "12.500,00 €", "21.03.2026", "Qualified"],
        ["Tür", "Schäfer AG", "1.200,5", "02.04.2026", "Proposal"],
        ["Fenster", "Öko KG", "300", "13.04.2026", ""],
    ], delimiter=";", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    report = run_import(path, ImportOptions(columns={"Titel*": "title", "Firma": "company",
                                                     "Betrag": "value"}), manager)
    assert report.errors == [] and report.created == 3
    deals = {d.company: d for d in Deal.select()}
    assert deals["Müller GmbH"].value == Decimal("12500.00")
    assert deals["Schäfer AG"].value == Decimal("1200.50")
    assert deals["Schäfer AG"].expected_close == date(2026, 4, 2)
    assert deals["Öko KG"].value == Decimal("300.00")


def test_english_headers_in_a_semicolon_file_need_no_mapping(manager, stages, make_csv):
    path = make_csv([["Deal Name", "Company", "Amount"], ["Dach", "Müller", "9 950,00"]],
                    delimiter=";", encoding="cp1252")
    report = run_import(path, ImportOptions(), manager)
    assert report.created == 1 and Deal.get().value == Decimal("9950.00")
    assert Deal.get().company == "Müller"
