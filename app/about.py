"""What the About box tells: the version, where data and logs are kept, and the licences of
what Funnelcast bundles (the icon sets under ``resources/icons``, each kept with its licence
file). Read from the installed package and the files themselves, so it cannot drift from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from pathlib import Path

from app.crash_log import log_path
from app.workspace import default_database_path

_URL = re.compile(r"https?://[^\s)>\]]+")


@dataclass(frozen=True)
class BundledLicence:
    """One bundled set of files: its ``name`` (the folder), its ``home`` page (the first
    address in its README, when it has one), the licence's title and copyright lines, and
    the licence's full text."""

    name: str
    home: str
    title: str
    copyright: str
    text: str


@dataclass(frozen=True)
class AboutFacts:
    version: str
    data_folder: Path
    log_folder: Path
    licences: tuple[BundledLicence, ...]


def version() -> str:
    """The installed Funnelcast's version ("unknown" when run from an uninstalled copy)."""
    try:
        return metadata.version("funnelcast")
    except metadata.PackageNotFoundError:
        return "unknown"


def bundled_licences() -> tuple[BundledLicence, ...]:
    """Every icon set under ``resources/icons`` that carries a LICENSE file, by name."""
    found = []
    icons = files("resources").joinpath("icons")
    for folder in sorted(icons.iterdir(), key=lambda f: f.name):
        licence = folder.joinpath("LICENSE")
        if not folder.is_dir() or not licence.is_file():
            continue
        text = licence.read_text(encoding="utf-8").strip()
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        readme = folder.joinpath("README.md")
        home = _URL.search(readme.read_text(encoding="utf-8")) if readme.is_file() else None
        found.append(BundledLicence(
            name=folder.name, home=home[0] if home else "", title=lines[0] if lines else "",
            copyright=next((line for line in lines if line.startswith("Copyright")), ""),
            text=text))
    return tuple(found)


def about_facts() -> AboutFacts:
    return AboutFacts(version(), default_database_path().parent, log_path().parent,
                      bundled_licences())
