"""Quotas: manager-only, one per rep (and one for the team) per period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.errors import PermissionDenied, ValidationError
from app.quotas import quotas_for, set_quota

Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def test_setting_a_quota_twice_replaces_it(manager, rep):
    set_quota(rep.id, *Q3, "50000", manager)
    set_quota(rep.id, *Q3, Decimal("65000.50"), manager)
    set_quota(None, *Q3, "200000", manager)
    set_quota(None, *Q3, "210000", manager)
    assert [(q.rep_name, q.amount) for q in quotas_for(Q3[0])] == [
        ("Team", Decimal("210000.00")),
        ("Ravi Rep", Decimal("65000.50")),
    ]


def test_only_a_manager_sets_quotas(rep):
    with pytest.raises(PermissionDenied):
        set_quota(rep.id, *Q3, "1000", rep)
    assert quotas_for(Q3[0]) == []


def test_a_negative_or_backwards_quota_is_refused(manager, rep):
    with pytest.raises(ValidationError):
        set_quota(rep.id, *Q3, "-5", manager)
    with pytest.raises(ValidationError, match="must end after"):
        set_quota(rep.id, Q3[1], Q3[0], "5", manager)
    assert quotas_for(Q3[0]) == []
