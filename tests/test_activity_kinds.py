"""Activity kinds: a manager's setting; renames carry the history, used kinds never vanish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.activities import ActivityDraft, list_activities, log_activity
from app.activity_kinds import (
    KindDraft,
    create_kind,
    list_kinds,
    load_kinds,
    remove_kind,
    rename_kind,
    save_kinds,
    set_active,
    set_category,
)
from app.errors import PermissionDenied, ValidationError

DAY = date(2026, 3, 18)


def kind(name):
    return next(k for k in list_kinds(include_inactive=True) if k.name == name)


def log(rep, manager, kind_name, hours="1"):
    return log_activity(ActivityDraft(rep.id, kind_name, DAY, Decimal(hours)), manager,
                        today=DAY).activity


def test_the_defaults_are_grouped_by_category(workspace):
    names = [(k.category, k.name) for k in list_kinds()]
    assert names[:4] == [("prospecting", "Cold calling"), ("prospecting", "Research"),
                         ("prospecting", "Lead-gen email"), ("prospecting", "Networking")]
    assert [n for c, n in names if c == "selling"] == [
        "Meeting", "Demo", "Proposal", "Negotiation", "Follow-up"]
    assert [n for c, n in names if c == "other"] == ["Admin", "Training", "Travel"]


def test_only_a_manager_changes_kinds(rep, manager):
    with pytest.raises(PermissionDenied, match="Only a manager"):
        create_kind("Webinar", "prospecting", rep)
    with pytest.raises(PermissionDenied):
        rename_kind(kind("Demo").id, "Live demo", rep)
    assert kind("Demo").name == "Demo"


def test_create_validates_name_and_category(manager):
    created = create_kind("  Trade   show ", "prospecting", manager)
    assert created.name == "Trade show"
    assert [k.name for k in list_kinds() if k.category == "prospecting"][-1] == "Trade show"
    for name, category, field in (("", "selling", "name"), ("demo", "selling", "name"),
                                  ("Lunch", "leisure", "category")):
        with pytest.raises(ValidationError) as caught:
            create_kind(name, category, manager)
        assert caught.value.field == field


def test_rename_rewrites_the_kind_on_every_activity(rep, manager):
    logged = log(rep, manager, "Demo")
    renamed = rename_kind(kind("Demo").id, "Product demo", manager)
    assert renamed.uses == 1
    [after] = list_activities(rep.id, DAY, DAY)
    assert (after.id, after.kind, after.category) == (logged.id, "Product demo", "selling")
    with pytest.raises(ValidationError, match="already a kind"):
        rename_kind(kind("Product demo").id, "meeting", manager)


def test_use_counts_are_given_when_asked(rep, manager):
    log(rep, manager, "Demo")
    log(rep, manager, "Demo")
    counted = {k.name: k.uses for k in list_kinds(with_uses=True)}
    assert counted["Demo"] == 2 and counted["Meeting"] == 0


def test_a_category_change_refiles_past_hours(rep, manager):
    log(rep, manager, "Travel")
    set_category(kind("Travel").id, "selling", manager)
    assert list_activities(rep.id, DAY, DAY)[0].category == "selling"


def test_a_used_kind_is_deactivated_not_deleted(rep, manager):
    log(rep, manager, "Training")
    removed = remove_kind(kind("Training").id, manager)
    assert removed is not None and removed.active is False
    assert "Training" not in [k.name for k in list_kinds()]
    assert list_activities(rep.id, DAY, DAY)[0].category == "other"  # history kept
    with pytest.raises(ValidationError, match="no longer in use"):
        log(rep, manager, "Training")
    set_active(kind("Training").id, True, manager)
    assert log(rep, manager, "Training").kind == "Training"


def test_an_unused_kind_is_deleted(manager):
    assert remove_kind(kind("Networking").id, manager) is None
    assert "Networking" not in [k.name for k in list_kinds(include_inactive=True)]


def test_saving_drafts_applies_every_edit_at_once(rep, manager):
    log(rep, manager, "Demo")
    log(rep, manager, "Admin")
    drafts = load_kinds()
    names = [d.name for d in drafts]
    demo, meeting = drafts[names.index("Demo")], drafts[names.index("Meeting")]
    demo.name, meeting.name = "Meeting", "Demo"  # a swap
    drafts.remove(demo)
    drafts.insert(drafts.index(meeting), demo)  # and Demo's kind moved up
    drafts[names.index("Cold calling")].category = "other"
    drafts = [d for d in drafts if d.name not in ("Networking", "Admin")]  # one unused
    drafts.append(KindDraft("Workshop", "selling"))
    report = save_kinds(drafts, manager)
    assert (report.created, report.deleted, report.switched_off) == (1, 1, 1)
    kinds = {k.name: k for k in list_kinds(include_inactive=True, with_uses=True)}
    assert "Networking" not in kinds and not kinds["Admin"].active  # used: switched off
    assert kinds["Meeting"].uses == 1  # the activity logged as Demo followed its kind
    assert kinds["Cold calling"].category == "other"
    selling = [k.name for k in list_kinds() if k.category == "selling"]
    assert selling[:2] == ["Meeting", "Demo"] and selling[-1] == "Workshop"


def test_saving_drafts_is_all_or_nothing(manager):
    before = list_kinds(include_inactive=True)
    drafts = load_kinds()
    drafts[0].name = "Renamed first"
    drafts[1].name = drafts[2].name.upper()  # a duplicate, case aside
    with pytest.raises(ValidationError, match="Two kinds are called"):
        save_kinds(drafts, manager)
    drafts = load_kinds()
    drafts[0].name = "Renamed first"
    drafts.append(KindDraft("Bad", "lunch"))
    with pytest.raises(ValidationError, match="category"):
        save_kinds(drafts, manager)
    assert list_kinds(include_inactive=True) == before


def test_only_a_manager_saves_drafts(rep):
    with pytest.raises(PermissionDenied):
        save_kinds(load_kinds(), rep)
