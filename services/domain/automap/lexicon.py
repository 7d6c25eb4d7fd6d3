"""The multilingual lexicon (data/lexicon.json) merged into the vocabulary's tables.

The vocabulary (data/vocabulary.json) was written word by word for the languages we met; the
lexicon covers many more languages at once, per language and per kind of word (the words for
"meeting room", numbers, ordinals, floors, buildings, qualifiers, non-rooms...). It only adds:
a word the vocabulary already knows keeps its meaning, and a word the lexicon gives two
meanings (Swedish "del" is a part, Spanish "del" is "of the") is left out. Short words, which
collide most across languages, are held to stricter rules (see ``MIN_LENGTH``).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

# Things rooms are named after, compared across languages ("Árbol" / "Tree").
NATURE_CONCEPTS = frozenset(
    {"river", "lake", "mountain", "volcano", "glacier", "island", "sea", "bay", "lagoon", "forest"}
    | {"garden", "valley", "sun", "moon", "star", "sky", "blue", "green", "red", "white", "black"}
    | {"gold", "silver", "lotus", "rose", "tree"}
)

# The lexicon's concepts and the vocabulary concept (or "generic") each stands for.
CONCEPTS: Mapping[str, str] = {
    "room": "generic",
    "meeting": "generic",
    "meeting_room": "generic",
    "conference": "generic",
    "conference_room": "generic",
    "board_room": "board",
    "training_room": "training",
    "seminar_room": "seminar",
    "workshop": "workshop",
    "lecture_hall": "auditorium",
    "conference_hall": "hall",  # the concept is the English word: "Fundarsalur" / "Conference Hall"
    "hall": "hall",
    "auditorium": "auditorium",
    "library": "library",
    "reception": "reception",
    "kitchen": "kitchen",
    "pantry": "kitchen",
    "cafeteria": "cafeteria",
    "terrace": "terrace",
    "lounge": "lounge",
    "office": "office",
    "director": "director",
    "management": "director",
    "ballroom": "ballroom",
    "multipurpose": "multipurpose",
    "studio": "studio",
    "lab": "lab",
    "innovation": "innovation",
    "project_room": "project",
    "quiet_room": "quiet",
    "visitor": "visitor",
    "small": "small",
    "large": "large",
    "north": "north",
    "south": "south",
    "east": "east",
    "west": "west",
    **{c: c for c in sorted(NATURE_CONCEPTS)},
}

# Concepts that name a room rather than a kind of room: a language's first word only, so the
# lexicon translates ("Árbol" / "Tree") but never makes two names of one language one room
# ("Maple" and "Willow" are both trees, and two rooms).
NAME_CONCEPTS = NATURE_CONCEPTS | {"small", "large", "north", "south", "east", "west"}

# English is the vocabulary's own language, written by hand: from the lexicon it takes
# numbers, ordinals, non-rooms and marks of old mailboxes only ("Court", "Satellite", "Focus"
# keep their meaning).
ENGLISH_KINDS = frozenset({"number_words", "ordinal_words", "non_room", "deprecated_marks"})

# Romanisations of one syllable per word (Mandarin, Cantonese, Vietnamese): every room word
# is also a part of names ("Jian" is a room and the "Jian" of "Jian Men", Vietnamese "không"
# zero the "Khong" of "Mae Khong"); the vocabulary keeps its hand-picked words for them.
SYLLABIC_LANGUAGES = frozenset({"zh", "yue", "vi"})

# Shortest word each kind admits: a short word is a number or a size in one language and a
# name or a little word in another ("sex", "bir", "lima", "mae").
MIN_LENGTH: Mapping[str, int] = {
    "generic": 3,
    "concept": 4,
    "number": 5,
    "trailing_number": 4,
    "ordinal": 4,
    "floor": 4,
    "building": 4,
    "qualifier": 4,
    "non_room": 4,
    "deprecated": 4,
    "capacity": 2,
}

# Lexicon list -> vocabulary table it adds to (a language-keyed table, under "lexicon").
_WORD_LISTS: Mapping[str, tuple[str, str]] = {
    "floor_words": ("floor_words", "floor"),
    "building_words": ("building_words", "building"),
    "qualifiers": ("qualifiers", "qualifier"),
    "non_room": ("non_room", "non_room"),
    "deprecated_marks": ("deprecated_marks", "deprecated"),
    "capacity_units": ("capacity_units", "capacity"),
}
_PHRASE_LISTS = ("ground_floor_words", "basement_words")


def fold(word: str, special: Mapping[str, str]) -> str:
    """Lower case without accents, as the vocabulary writes words ("hæð" is "haed")."""
    text = "".join(special.get(ch, ch) for ch in unicodedata.normalize("NFC", word.strip().lower()))
    text = unicodedata.normalize("NFKD", text)
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


def _known_words(vocab: Mapping[str, Any]) -> set[str]:
    """Every word of the vocabulary's tables, whatever its role."""
    out: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.update(value.split())
        elif isinstance(value, Mapping):
            for key, item in value.items():
                out.update(str(key).split())
                walk(item)
        elif isinstance(value, Iterable):
            for item in value:
                walk(item)

    for name, value in vocab.items():
        if name not in (
            "spelling_folds",
            "romaji_folds",
            "korean_folds",
            "mandarin_folds",
            "special_letters",
        ):
            walk(value)
    return out


class _Roles:
    """Each folded word with the roles the lexicon gives it; a word of two roles is dropped."""

    def __init__(self, known: set[str], ambiguous: set[str]) -> None:
        self.known = known
        self.ambiguous = ambiguous
        self.roles: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def add(self, word: str, kind: str, value: str, min_kind: str | None = None) -> None:
        if (
            word
            and word.isalpha()
            and word.isascii()  # names are compared in Latin letters; other scripts fold apart
            and len(word) >= MIN_LENGTH[min_kind or kind]
            and word not in self.known
            # A floor word counts only beside a number ("Chan 21"), so a second meaning
            # elsewhere (Thai "chan" is also the moon) does not matter.
            and (kind == "floor" or word not in self.ambiguous)
        ):
            self.roles[word].add((kind, value))

    def single(self) -> dict[str, tuple[str, str]]:
        out = {}
        for word, roles in self.roles.items():
            if len(roles) == 1:
                out[word] = next(iter(roles))
            elif ("floor", "") in roles and all(kind in ("floor", "concept") for kind, _ in roles):
                out[word] = ("floor", "")
        return out


def merge_lexicon(vocab: dict[str, Any], lexicon: Mapping[str, Any]) -> dict[str, Any]:
    """The vocabulary's tables with the lexicon's words added (see the module docstring)."""
    special = dict(vocab.get("special_letters", {}))
    known = _known_words(vocab)
    generic_words = {w for table in vocab["generic"].values() for w in table}
    stopwords = {w for table in vocab["stopwords"].values() for w in table}
    # Words the lexicon's author marked as meaning two things across languages (Danish "to"
    # is 2, Thai "song" is 2, Lithuanian "du" is 2): left to the vocabulary.
    roles = _Roles(known, {fold(w, special) for w in lexicon.get("ambiguous", {})})
    phrases: dict[str, set[str]] = defaultdict(set)
    abbreviations: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    languages = lexicon.get("languages", {})

    languages = {
        code: entry if code != "en" else {k: v for k, v in entry.items() if k in ENGLISH_KINDS}
        for code, entry in languages.items()
        if code not in SYLLABIC_LANGUAGES
    }
    for entry in languages.values():  # generic words first: concepts' phrases drop them
        for concept, words in entry.get("concepts", {}).items():
            if CONCEPTS.get(concept) == "generic":
                for phrase in words:
                    for word in fold(phrase, special).split():
                        if word not in stopwords:
                            roles.add(word, "generic", "")
                            generic_words.add(word)
    for entry in languages.values():
        for concept, words in entry.get("concepts", {}).items():
            target = CONCEPTS.get(concept)
            if target is None or target == "generic":
                continue
            for phrase in words[:1] if concept in NAME_CONCEPTS else words:
                rest = [
                    w for w in fold(phrase, special).split() if w not in generic_words and w not in stopwords
                ]
                if len(rest) == 1:
                    roles.add(rest[0], "concept", target)
        for raw, value in entry.get("number_words", {}).items():
            word = fold(raw, special)
            if isinstance(value, int) and 0 <= value < 100:
                kind = "number" if len(word) >= MIN_LENGTH["number"] else "trailing_number"
                roles.add(word, kind, str(value))
        for raw, value in entry.get("ordinal_words", {}).items():
            if isinstance(value, int) and 0 < value < 100:
                roles.add(fold(raw, special), "ordinal", str(value))
        for source, (_, kind) in _WORD_LISTS.items():
            for raw in entry.get(source, []):
                roles.add(fold(raw, special), kind, "")
        for source in _PHRASE_LISTS:
            for raw in entry.get(source, []):
                phrase = fold(raw, special)
                # One word names the floor only when it is long ("Lobby" is a room).
                if (
                    (" " in phrase or len(phrase) >= 6)
                    and phrase.replace(" ", "").isalpha()
                    and phrase not in known
                ):
                    phrases[source].add(phrase)
        for raw, expansion in entry.get("abbreviations", {}).items():
            abbr = fold(raw, special)
            if isinstance(expansion, str) and "/" not in expansion and abbr.isalpha() and len(abbr) >= 3:
                abbreviations[abbr].append(tuple(fold(expansion, special).split()))

    single = roles.single()
    merged = {
        k: (dict(v) if isinstance(v, Mapping) else list(v) if isinstance(v, list) else v)
        for k, v in vocab.items()
    }

    def words_of(kind: str) -> list[str]:
        return sorted(w for w, (k, _) in single.items() if k == kind)

    merged["generic"]["lexicon"] = words_of("generic")
    synonyms = {concept: list(words) for concept, words in vocab["synonyms"].items()}
    for word, (kind, value) in sorted(single.items()):
        if kind == "concept":
            synonyms.setdefault(value, []).append(word)
    merged["synonyms"] = synonyms
    merged["number_words"]["lexicon"] = {w: v for w, (k, v) in sorted(single.items()) if k == "number"}
    merged["trailing_number_words"] = {
        **vocab["trailing_number_words"],
        **{w: v for w, (k, v) in sorted(single.items()) if k == "trailing_number"},
    }
    merged["ordinal_words"]["lexicon"] = {w: int(v) for w, (k, v) in sorted(single.items()) if k == "ordinal"}
    for target, kind in _WORD_LISTS.values():
        merged[target]["lexicon"] = words_of(kind)
    for source in _PHRASE_LISTS:
        merged[source] = [*vocab[source], *sorted(phrases[source])]
    # A room-word abbreviation only ("PK" is "pasitarimų kambarys"), and one meaning only.
    room_words = set(generic_words) | {w for words in synonyms.values() for w in words}
    merged["abbreviations"]["lexicon"] = {
        abbr: list(expansions[0])
        for abbr, expansions in sorted(abbreviations.items())
        if abbr not in known
        and len(set(expansions)) == 1
        and expansions[0]
        and all(w in room_words or w in stopwords for w in expansions[0])
    }
    return merged
