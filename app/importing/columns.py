"""Which deal field a column holds, from its header.

Headers are normalised (case, spaces, punctuation, a unit such as ``($)``, a trailing ``*``,
UK spellings) and looked up among synonyms that include the headers of HubSpot, Pipedrive,
Salesforce and Odoo exports and of common pipeline templates. Pipedrive's ``Deal - ``,
``Organization - `` and ``Person - `` prefixes are kept as words, so ``Organization - Name``
is the company and ``Person - Name`` the contact. Columns matching nothing are reported as
unmapped, never silently dropped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# Field key -> label shown to users (also the order of the wizard's choices).
FIELDS: dict[str, str] = {
    "deal_id": "Funnelcast deal id",
    "external_id": "Record id (source CRM)",
    "title": "Title",
    "company": "Company",
    "contact_name": "Contact name",
    "contact_email": "Contact email",
    "contact_phone": "Contact phone",
    "industry": "Industry",
    "company_size": "Company size",
    "region": "Region",
    "source": "Lead source",
    "owner": "Owner",
    "stage": "Stage",
    "value": "Value",
    "expected_close": "Expected close",
    "next_step": "Next step",
    "next_step_due": "Next step due",
    "lost_reason": "Lost reason",
    "notes": "Notes",
}

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "deal_id": ("deal_id", "deal uuid", "funnelcast id", "funnelcast deal id", "uuid"),
    "external_id": (
        "record id", "id", "deal id", "opportunity id", "external id", "crm id", "hubspot id",
        "salesforce id", "opportunity record id",
    ),
    "title": (
        "title", "deal title", "deal name", "deal", "name", "opportunity name", "opportunity",
        "subject", "project", "lead", "lead name",
    ),
    "company": (
        "company", "company name", "organization", "organization name", "account",
        "account name", "client", "client name", "customer", "customer name",
        "associated company", "business", "firm",
    ),
    "contact_name": (
        "contact", "contact name", "person", "person name", "primary contact",
        "contact person", "associated contact", "full name", "customer contact",
    ),
    "contact_email": (
        "email", "e mail", "email address", "contact email", "person email",
        "contact email address", "work email",
    ),
    "contact_phone": (
        "phone", "phone number", "telephone", "mobile", "contact phone", "person phone",
        "work phone",
    ),
    "industry": ("industry", "sector", "vertical", "organization industry"),
    "company_size": (
        "company size", "employees", "number of employees", "no of employees", "headcount",
        "organization employees", "size",
    ),
    "region": ("region", "territory", "country", "area", "billing country", "market"),
    "source": (
        "source", "lead source", "deal source", "original source", "source channel",
        "channel",
    ),
    "owner": (
        "owner", "deal owner", "opportunity owner", "salesperson", "sales person", "sales rep",
        "sales representative", "rep", "assigned to", "account manager", "account owner",
        "responsible",
    ),
    "stage": (
        "stage", "deal stage", "pipeline stage", "sales stage", "opportunity stage", "status",
        "deal status",
    ),
    "value": (
        "value", "amount", "deal value", "deal amount", "expected revenue", "revenue",
        "opportunity amount", "deal size", "price", "total", "annual contract value",
    ),
    "expected_close": (
        "close date", "expected close date", "expected close", "expected closing",
        "expected closing date", "closing date", "target close date", "close by",
        "estimated close date",
    ),
    "next_step": ("next step", "next steps", "next action", "next activity", "follow up"),
    "next_step_due": (
        "next step due", "next step date", "next action date", "next activity date",
        "follow up date",
    ),
    "lost_reason": ("lost reason", "reason lost", "loss reason", "closed lost reason"),
    "notes": ("notes", "note", "description", "comments", "comment", "remarks", "details"),
}

_UK = {"organisation": "organization", "colour": "color", "licence": "license"}
_UNIT = re.compile(r"\((?:[$€£¥₹]|[a-z]{3}|%|#|no\.?)\)|[$€£¥₹]")
_NON_WORD = re.compile(r"[^0-9a-z]+")

LOOKUP: dict[str, str] = {}
for _field, _names in _SYNONYMS.items():
    for _name in _names:
        LOOKUP.setdefault(_name, _field)


def normalise_header(text: object) -> str:
    """Lowercase words without punctuation, units, trailing ``*`` or UK spellings:
    ``"Deal - Value ($) *"`` → ``"deal value"``."""
    raw = str(text).strip().casefold()
    if raw == "deal_id":
        return raw  # Funnelcast's own column name; "Deal ID" from a CRM is its record id
    raw = raw.rstrip("*: ").strip()
    raw = _UNIT.sub(" ", raw.replace("&", " and "))
    words = [_UK.get(w, w) for w in _NON_WORD.sub(" ", raw).split()]
    return " ".join(words)


def field_for_header(text: object) -> str | None:
    """The field a header names, or None. A ``deal``/``opportunity`` prefix is dropped
    when the full header is not itself a synonym (``Deal - Expected close date``)."""
    key = normalise_header(text)
    if not key:
        return None
    if key in LOOKUP:
        return LOOKUP[key]
    for prefix in ("deal ", "opportunity ", "lead "):
        if key.startswith(prefix) and key[len(prefix):] in LOOKUP:
            return LOOKUP[key[len(prefix):]]
    return None


def file_shape(headers: list[str]) -> str:
    """A short key for a file's shape: its headers, normalised, in order (empty ones at the
    end dropped). Answers given for one file (which stage "Demo booked" means) can then be
    offered when a file of the same shape comes again, the next export of the same report,
    whatever its rows; a column added, moved or renamed makes another shape."""
    names = [normalise_header(h) if str(h).strip() else "" for h in headers]
    while names and not names[-1]:
        names.pop()
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class ColumnMapping:
    """Column index -> field for the mapped columns; ``unmapped`` lists the headers of the
    others (including a second column for a field already taken)."""

    headers: list[str]
    fields: dict[int, str]
    unmapped: list[str]

    def column_of(self, field_key: str) -> int | None:
        for index, key in self.fields.items():
            if key == field_key:
                return index
        return None


def map_columns(
    headers: list[str], overrides: dict[int | str, str | None] | None = None
) -> ColumnMapping:
    """Map each header to a field; ``overrides`` (column index or header text → field key,
    or None to skip the column) take precedence over the synonyms. The first column claiming
    a field wins."""
    overrides = overrides or {}
    unknown = {v for v in overrides.values() if v is not None and v not in FIELDS}
    if unknown:
        from app.errors import UsageError

        raise UsageError(
            f"Unknown field(s) {', '.join(sorted(unknown))}; fields are {', '.join(FIELDS)}."
        )
    fields: dict[int, str] = {}
    unmapped: list[str] = []
    taken: set[str] = set()
    for index, header in enumerate(headers):
        if index in overrides:
            key = overrides[index]
        elif header in overrides:
            key = overrides[header]
        else:
            key = field_for_header(header) if str(header).strip() else None
        if key is None or key in taken:
            if str(header).strip():
                unmapped.append(str(header))
            continue
        fields[index] = key
        taken.add(key)
    return ColumnMapping([str(h) for h in headers], fields, unmapped)
