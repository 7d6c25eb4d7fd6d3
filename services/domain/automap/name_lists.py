"""Rewrites of a whole list of names before each is normalised: capitals of codes typed in
lower case, floor abbreviations and initialisms the other list spells out."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from .names import (
    _FLOOR_WORD,
    _fold,
    is_subsequence,
)
from .vocabulary import (
    ABBREVIATIONS,
    FLOOR_WORDS,
    GENERIC,
    NUMBER_WORDS,
    STOPWORDS,
    STREET_WORDS,
    SYNONYMS,
)

_CODE_RUN = re.compile(r"^([a-z]{2,5}\d{0,3})((?:[-_][a-z]{1,4}\d{0,3}(?=[-_ ]))*)(?=[-_ ])")


def recase_codes(names: Sequence[str]) -> list[str]:
    """A list typed all in lower case ("par-def pont marie", "kel 2.10 pc lab") loses what
    capitals tell: the leading site and building codes. They are restored when a leading
    code, not a word of the vocabulary, leads three names or more."""
    if not names or sum(any(ch.isupper() for ch in n) for n in names) > len(names) // 10:
        return list(names)
    words = GENERIC | STOPWORDS | ABBREVIATIONS.keys() | NUMBER_WORDS.keys() | SYNONYMS.keys()
    leads = Counter(m.group(1) for n in names if (m := _CODE_RUN.match(_fold(n))))
    codes = {c for c, k in leads.items() if k >= 3 and c not in words}
    out = []
    for name in names:
        match = _CODE_RUN.match(name)
        if match and match.group(1) in codes:
            name = match.group(0).upper() + name[match.end() :]
        out.append(name)
    return out


# "Lt.19", "Lt 20": a short abbreviation before a floor number.
_SHORT_BEFORE_NUMBER = re.compile(r"(?<![^\W\d_])([^\W\d_]{2,3})(\.?\s*)(?=\d{1,2}(?![\d.\-]))")
_FLOOR_WORD_BEFORE_NUMBER = re.compile(rf"(?<![a-z]){_FLOOR_WORD}\.?\s*(?=\d{{1,2}}(?!\d))", re.I)


def expand_floor_abbreviations(*lists: Sequence[str]) -> list[list[str]]:
    """ "Komodo Lt.19" beside "Komodo (Lantai 19)": a short word before a number that
    abbreviates the one floor word the site's names write in full before a number (its first
    letter, then some of its letters in order) is that floor word. Learned from the lists, so
    "LT 3" stays a lecture theatre where nobody writes "Lantai"."""
    words = {
        _fold(m.group(0)).lower().rstrip(". ")
        for names in lists
        for n in names
        for m in _FLOOR_WORD_BEFORE_NUMBER.finditer(_fold(n))
    }
    words = {w.split()[0] for w in words if w and " " not in w}

    def full(abbr: str) -> str | None:
        lowered = abbr.lower()
        if lowered in FLOOR_WORDS or lowered in STREET_WORDS:
            return None
        matches = [
            w for w in words if len(w) > len(lowered) and w[0] == lowered[0] and is_subsequence(lowered, w)
        ]
        return matches[0] if len(matches) == 1 else None

    def repl(match: re.Match[str]) -> str:
        word = full(match.group(1))
        if word is None:
            return match.group(0)
        return f"{word.capitalize() if match.group(1)[0].isupper() else word} "

    if not words:
        return [list(names) for names in lists]
    return [[_SHORT_BEFORE_NUMBER.sub(repl, n) for n in names] for names in lists]


# An initialism before a room number, a separator or the end: "SR 2", "BM 22-03" ("HR Conf Rm"
# is a department's conference room, not a huddle room).
_CAPS_TOKEN = re.compile(
    r"(?<![^\W_])([A-Z]{2,4})(?![^\W_])(?=\s*(?:\d|[-–(/]|$)|\s+[^\W\d_]+\s*(?:[-–(/]|$))"
)


def _phrase_initialisms(names: Sequence[str]) -> dict[str, set[str]]:
    """Initials of runs of two to four words (stopwords inside skipped) of a list's names, by
    the names that carry them: "Sala de Reuniones" is "sr"."""
    found: dict[tuple[str, str], set[int]] = {}
    for index, name in enumerate(names):
        words = re.findall(r"[a-z]+", _fold(name).lower())
        for start in range(len(words)):
            if words[start] in STOPWORDS:
                continue
            content: list[str] = []
            for end in range(start, min(len(words), start + 6)):
                if words[end] in STOPWORDS:
                    continue
                content.append(words[end])
                if 2 <= len(content) <= 4:
                    phrase = " ".join(words[start : end + 1])
                    found.setdefault(("".join(w[0] for w in content), phrase), set()).add(index)
    out: dict[str, set[str]] = {}
    for (initials, phrase), where in found.items():
        if len(where) >= 2:
            out.setdefault(initials, set()).add(phrase)
    return out


def expand_initialisms(calendar: Sequence[str], pivot: Sequence[str]) -> tuple[list[str], list[str]]:
    """ "BUE SR 2 - Piso 11" beside "Sala de Reuniones 11.2": an initialism in capitals that
    spells the initials of one phrase of two names or more of the other list is that phrase,
    learned from the two lists, before the vocabulary's reading ("SR" is also "Seminar Room").
    A name's first word (maybe a site code) and a word the other list writes too stay."""

    def expand(names: Sequence[str], other: Sequence[str]) -> list[str]:
        phrases = _phrase_initialisms(other)
        if not phrases:
            return list(names)
        other_words = {w for n in other for w in re.findall(r"[a-z]+", _fold(n).lower())}

        def repl(match: re.Match[str]) -> str:
            lowered = match.group(1).lower()
            options = phrases.get(lowered, set())
            if len(options) != 1 or lowered in other_words or not match.string[: match.start()].strip():
                return match.group(0)
            known = ABBREVIATIONS.get(lowered)
            if known and all(w in other_words for w in known):
                return match.group(0)  # "HR" beside "Human Resources": the vocabulary's reading is used
            return next(iter(options))

        return [_CAPS_TOKEN.sub(repl, n) for n in names]

    return expand(calendar, pivot), expand(pivot, calendar)
