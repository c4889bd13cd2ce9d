"""Reps, the acting user and manager-only actions."""

from __future__ import annotations

import pytest

from app import users
from app.errors import NotFound, PermissionDenied, ValidationError


def test_reps_are_found_whatever_the_case_or_spacing(rep):
    assert users.find_rep("  ravi   REP ").id == rep.id


def test_an_unknown_rep_names_the_known_ones(rep):
    with pytest.raises(NotFound, match="Ravi Rep"):
        users.find_rep("Nobody")


def test_names_are_unique_regardless_of_case(rep):
    with pytest.raises(ValidationError, match="already a rep"):
        users.create_rep("RAVI rep")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "X", "email": "not-an-email"}, "email"),
        ({"name": "X", "role": "boss"}, "role"),
        ({"name": "X", "weekly_capacity_hours": 170}, "capacity"),
    ],
)
def test_bad_rep_fields_are_rejected_at_the_field(manager, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        users.create_rep(**kwargs)
    assert caught.value.field == field
    assert [r.name for r in users.list_reps()] == ["Maria Manager"]


def test_only_managers_pass_the_manager_check(manager, rep):
    users.require_manager(manager, "edit stages")
    with pytest.raises(PermissionDenied, match="Ravi Rep is a rep"):
        users.require_manager(rep, "edit stages")
    with pytest.raises(PermissionDenied, match="choose who you are"):
        users.require_manager(None, "edit stages")


def test_the_acting_user_is_the_setting_unless_named(manager, rep):
    assert users.resolve_actor(None) == manager
    assert users.resolve_actor("ravi rep") == rep
    users.set_current_user("Ravi Rep")
    assert users.current_user() == rep
