"""The default pipeline a new database starts with (stages, checklists, lead sources).

The template lives in ``resources/templates/default_pipeline.json`` so a manager's tweaks to
the defaults are data, not code. Activity kinds are seeded by schema migration 2.
"""

from __future__ import annotations

import json
from importlib.resources import files

from db.connection import lock_for_writing, writing
from db.models import ChecklistItem, LeadSource, Stage


def load_template() -> dict:
    text = files("resources").joinpath("templates/default_pipeline.json").read_text("utf-8")
    return json.loads(text)


def install_default_pipeline() -> None:
    """Create the default stages, checklists and sources. Does nothing if stages exist."""
    template = load_template()
    with writing():
        lock_for_writing(Stage)  # two first imports into one new server database at once
        if Stage.select().exists():
            return
        for position, spec in enumerate(template["stages"]):
            stage = Stage.create(
                name=spec["name"],
                position=position,
                side=spec["side"],
                outcome=spec["outcome"],
                probability=spec["probability"],
                rot_days=spec["rot_days"],
            )
            for index, item in enumerate(spec["checklist"]):
                ChecklistItem.create(stage=stage, position=index, **item)
        for spec in template["sources"]:
            LeadSource.get_or_create(name=spec["name"], defaults={"channel": spec["channel"]})
