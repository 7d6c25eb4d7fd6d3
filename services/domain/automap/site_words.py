"""Generic words of one site's list, learnt from the list itself.

A word written in many names of one list and in none of the other is that list's word for
"room" in a language the vocabulary may not know: "Hong Prachum 1 Chan 21", "Hong Prachum 2
Chan 21" beside "Meeting Room 21-01". Reading it as a generic word lets the numbers decide,
as they do for "Sala 3" / "Room 3". A name word (one room's) never qualifies: it is written
in one or two names, or on both sides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from .names import RoomKey
from .vocabulary import GENERIC, SITE_GENERIC_MIN_NAMES, SITE_GENERIC_MIN_SHARE, is_known_word

GENERIC_STAND_IN = "room"  # a generic word every list compares as generic


def _all_words(key: RoomKey) -> set[str]:
    return {*key.words, *(w for words, _ in key.aliases for w in words)}


def _numbered_words(keys: Sequence[RoomKey]) -> tuple[Counter[str], dict[str, set[frozenset[str]]]]:
    """How many names of the list carry each word, and the room numbers beside it."""
    counts: Counter[str] = Counter()
    numbers: dict[str, set[frozenset[str]]] = {}
    for key in keys:
        for word in set(key.words):
            counts[word] += 1
            if key.idents:
                numbers.setdefault(word, set()).add(key.idents)
    return counts, numbers


def site_generic_words(cal: Sequence[RoomKey], piv: Sequence[RoomKey]) -> frozenset[str]:
    """Words that name a kind of room, not a room, in these two lists (see the module docstring).

    Such a word is in at least SITE_GENERIC_MIN_NAMES names of one list (and that share
    of it), beside at least two different room numbers, and in no name of the other list
    (a word both lists write already pairs names: "Hekla 2. hæð" / "Hekla (3. hæð)", or is a
    building's name: "Holborn Gate"). Words the vocabulary knows keep their meaning; short
    codes ("MEH", "NW") are not words.
    """
    lists = [[k for k in keys if not k.deprecated] for keys in (cal, piv)]
    found: set[str] = set()
    for own, other in ((lists[0], lists[1]), (lists[1], lists[0])):
        theirs = {w for k in other for w in _all_words(k)}
        counts, numbers = _numbered_words(own)
        floor = max(SITE_GENERIC_MIN_NAMES, SITE_GENERIC_MIN_SHARE * len(own))
        for word, n in counts.items():
            if (
                n >= floor
                and word not in theirs
                and len(numbers.get(word, ())) >= 2
                and len(word) >= 4
                and word.isalpha()
                and not is_known_word(word)
            ):
                found.add(word)
    return frozenset(found)


def _generalised(words: tuple[str, ...], generic: frozenset[str]) -> tuple[str, ...]:
    if not any(w in generic for w in words):
        return words
    kept = tuple(w for w in words if w not in generic)
    return kept if any(w in GENERIC for w in kept) else (*kept, GENERIC_STAND_IN)


def generalise(keys: Sequence[RoomKey], generic: frozenset[str]) -> list[RoomKey]:
    """The keys with the list's generic words read as one generic word."""
    if not generic:
        return list(keys)
    out = []
    for key in keys:
        aliases = tuple((_generalised(words, generic), idents) for words, idents in key.aliases)
        out.append(replace(key, words=_generalised(key.words, generic), aliases=aliases))
    return out
