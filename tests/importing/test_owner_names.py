"""Owners in a file are matched to the reps already there by name in any script: a name
written without Latin letters is a person, never "nobody" shared with every such name."""

from __future__ import annotations

from app.importing import ImportOptions, run_import
from app.users import create_rep
from db.models import Deal, Rep


def owners_by_title() -> dict[str, str]:
    return {d.title: d.owner.name for d in Deal.select()}


def test_an_owner_in_japanese_is_not_given_to_another_japanese_rep(manager, stages, make_csv):
    # "田中" and "山田" both keyed to "": Tanaka's deals went to Yamada, and no rep was made.
    create_rep("山田", "yamada@example.com", role="rep", weekly_capacity_hours=40)
    path = make_csv([["Title", "Owner"], ["Roof", "田中"], ["Door", "山田"],
                     ["Gate", "Иван"], ["Wall", "佐藤"]])
    report = run_import(path, ImportOptions(), manager)
    assert report.created == 4 and not report.errors
    assert report.new_owners == ["Иван", "佐藤", "田中"]
    assert owners_by_title() == {"Roof": "田中", "Door": "山田", "Gate": "Иван", "Wall": "佐藤"}
    assert Rep.select().where(Rep.name == "山田").count() == 1


def test_an_owner_written_with_or_without_accents_is_the_same_rep(manager, stages, make_csv):
    # "Zoë" keyed to "zo": she was the rep "Zo", and not the rep "Zoe".
    create_rep("Zo", "zo@example.com", role="rep", weekly_capacity_hours=40)
    create_rep("Zoë Brontë", "zoe@example.com", role="rep", weekly_capacity_hours=40)
    path = make_csv([["Title", "Owner"], ["Roof", "zoe bronte"], ["Door", "Zo"]])
    report = run_import(path, ImportOptions(), manager)
    assert report.created == 2 and report.new_owners == []
    assert owners_by_title() == {"Roof": "Zoë Brontë", "Door": "Zo"}


def test_owners_named_without_letters_are_each_themselves(manager, stages, make_csv):
    # With no letter or digit every such name has the empty match key: "???" and "—" were
    # one new rep, and a re-import matched "???" to any other such name.
    path = make_csv([["Title", "Owner"], ["Roof", "???"], ["Door", "—"], ["Gate", " ??? "]])
    report = run_import(path, ImportOptions(), manager)
    assert report.created == 3 and report.new_owners == ["???", "—"]
    assert owners_by_title() == {"Roof": "???", "Door": "—", "Gate": "???"}
    again = run_import(make_csv([["Title", "Owner"], ["Wall", "???"]], name="again.csv"),
                       ImportOptions(), manager)
    assert again.new_owners == [] and owners_by_title()["Wall"] == "???"
