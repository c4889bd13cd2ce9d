"""What every command gets: the opened workspace and the acting user."""

from __future__ import annotations

from dataclasses import dataclass

from app.users import RepInfo
from app.workspace import Workspace


@dataclass(frozen=True)
class Context:
    workspace: Workspace
    actor: RepInfo | None
