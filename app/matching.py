"""How names are compared, in one place: names typed in the app (``name_key``: "  ravi
REP " is Ravi Rep) and names found in a spreadsheet (``match_key``: also without punctuation
or accents, so "Acme, Inc." is "ACME inc", "Closed-Won" is "closedwon" and "Zoë" is "Zoe").
"""

from __future__ import annotations

import unicodedata


def name_key(text: str | None) -> str:
    """The form two names are compared in: case folded, runs of spaces made one, trimmed."""
    return " ".join((text or "").split()).casefold()


# The combining accents of the Latin, Greek and Cyrillic alphabets (U+0300-U+036F), the
# ones NFKD takes off "ë" or "ά". The marks of other scripts are kept: a Japanese voicing
# mark or a Devanagari vowel sign makes a different name ("ガ" is not "カ").
_ACCENTS = range(0x300, 0x370)


class _KeyTable(dict[int, int | None]):
    """A ``str.translate`` table keeping letters and digits of any script (``str.isalnum``)
    and the marks of non-Latin scripts, deleting everything else. Each code point is
    decided once, on first sight, so translating stays in C after the first few names."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        keep = char.isalnum() or (
            unicodedata.category(char).startswith("M") and code not in _ACCENTS)
        self[code] = kept = code if keep else None
        return kept


_KEY_TABLE = _KeyTable()
_COLUMN_TABLE = _KeyTable({10: 10})  # the same, keeping the newline that separates names


def _folded(text: str) -> str:
    """Compatibility-decomposed and case folded (NFKD, casefold, NFKD: "ﬁ" is "fi", "Ⅻ" is
    "xii", "É" is "e" plus its accent), ready for a key table."""
    return unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())


def match_key(text: object) -> str:
    """The form names found in a file are compared in: case folded, accents dropped, only
    letters and digits (of any script) kept. Names with none ("---") key to ``""``."""
    return _folded(str(text)).translate(_KEY_TABLE)


def person_key(text: str) -> str:
    """The key a rep's or lead source's name is found by: its ``match_key``, or for a name
    with no letter or digit ("???") its ``name_key``, so such a name is itself rather than
    the same as every other one. (The two never collide: a match key is letters and digits
    only, this name key has none.)"""
    return match_key(text) or name_key(text)


# Every ASCII byte but digits, lowercase letters and the newline that separates the texts.
_NOT_KEY_BYTES = bytes(b for b in range(128) if not (48 <= b <= 57 or 97 <= b <= 122)
                       and b != 10)


def match_keys(texts: list[str | None]) -> list[str]:
    """``match_key`` of each text (``""`` for None), for a whole column at once.

    Why: company and title keys are needed for every row of a file and every deal in the
    database (to find existing deals and repeated rows). The column joined by newlines is
    keyed in one pass: a pure-ASCII column case-folded and filtered by ``bytes.translate``;
    any other normalised and translated by the key table as one string. Neither
    normalisation nor case folding makes a newline, so the keys split back exactly; a
    column with a newline inside a value takes the per-name path. The result is always
    ``[match_key(t) if t else "" for t in texts]``.
    """
    items = [t if type(t) is str else (str(t) if t else "") for t in texts]
    joined = "\n".join(items)
    if not items or joined.count("\n") != len(items) - 1:
        return [match_key(t) if t else "" for t in items]
    if joined.isascii():
        folded = joined.lower().encode("ascii")
        return folded.translate(None, _NOT_KEY_BYTES).decode("ascii").split("\n")
    return _folded(joined).translate(_COLUMN_TABLE).split("\n")
