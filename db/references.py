"""Which tables still refer to given rows, found from the models' own foreign keys.

Why from the foreign keys: a question such as "may this rep go?" must count every table that
can point at a rep, including ones added after the question was written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from peewee import Model


def referring_models(model: type[Model], ids: Sequence[int]) -> dict[int, set[type[Model]]]:
    """For each of ``ids`` (primary keys of ``model``) that something refers to, the models
    whose rows do; ids nothing refers to are left out. One query per foreign key."""
    found: dict[int, set[type[Model]]] = defaultdict(set)
    if not ids:
        return found
    for key, referrer in model._meta.backrefs.items():
        for (target,) in referrer.select(key).where(key.in_(list(ids))).distinct().tuples():
            found[target].add(referrer)
    return found
