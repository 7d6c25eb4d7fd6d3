"""One input policy for every text field pivot sends (incident, resolve, directory).

- Free text (a description, a note) may hold tabs and line breaks (LF, CRLF),
  no other control character.
- Single-line fields (ids, titles, severities, names, addresses) hold no
  control character and no line or paragraph separator at all: they end up
  in e-mail headers, card titles and log lines.
- NUL and unpaired surrogates are never accepted (PostgreSQL cannot store
  them, UTF-8 cannot encode them).

`FreeText` and `SingleLine` are the pydantic types the schemas use; a
violation is a `ValueError` whose message names the character, so the 400
names the field.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"  # every pivot id: clients, rooms, incidents, users
_ID = re.compile(ID_PATTERN.removesuffix("$"))
_FREE_TEXT_ALLOWED = frozenset("\t\n\r")
_LINE_BREAKS = frozenset("\u2028\u2029\x85")


def _problem(value: str, *, multiline: bool) -> str | None:
    for char in value:
        if char == "\x00":
            return "must not contain NUL characters"
        category = unicodedata.category(char)
        if category == "Cs":
            return "must not contain unpaired surrogates"
        if multiline and char in _FREE_TEXT_ALLOWED:
            continue
        if char in "\r\n" or char in _LINE_BREAKS:
            return "must be a single line (no line breaks)"
        if category == "Cc":
            return f"must not contain control characters (U+{ord(char):04X})"
    if multiline and "\r" in value.replace("\r\n", ""):
        return "must not contain a carriage return outside a line break"
    return None


def is_id(value: object) -> bool:
    """True for a well-formed pivot id (checked before any look-up that would use it)."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def check_text(value: str, *, multiline: bool) -> str:
    """The value unchanged, or ValueError saying what is wrong with it."""
    problem = _problem(value, multiline=multiline)
    if problem is not None:
        raise ValueError(problem)
    return value


def check_single_line(value: Any) -> Any:
    """For wildcard validators: every string (also inside lists and objects) must be a single line."""
    if isinstance(value, str):
        return check_text(value, multiline=False)
    if isinstance(value, list):
        for item in value:
            check_single_line(item)
    if isinstance(value, dict):
        for key, item in value.items():
            check_single_line(key)
            check_single_line(item)
    return value


def _single_line(value: str) -> str:
    return check_text(value, multiline=False)


def _free_text(value: str) -> str:
    return check_text(value, multiline=True)


SingleLine = Annotated[str, AfterValidator(_single_line)]
FreeText = Annotated[str, AfterValidator(_free_text)]
