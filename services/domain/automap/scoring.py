"""Pair scores: how surely a calendar room name and a pivot room name are the same room."""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .names import RoomKey, is_subsequence
from .vocabulary import (
    ABBREVIATIONS,
    ALIAS_FACTOR,
    BUILDING_CODE_LETTERS,
    BUILDING_ONE_SIDED,
    CASE_ENDINGS,
    DEFINITE_ENDINGS,
    DEPRECATED_FACTOR,
    FLOOR_AS_NUMBER_FACTOR,
    FOREIGN_SITE_FACTOR,
    GENERIC,
    GENERIC_MISS_CAP,
    GENERIC_WEIGHT,
    GEO_SUFFIXES,
    IDENT_CONFLICT,
    IDENT_ONE_SIDED,
    INFLECTIONS,
    KOREAN_FOLDS,
    LOCATION_CONFLICT,
    MANDARIN_FOLDS,
    NON_ROOM,
    PARTIAL_EXTRA_WORDS,
    PARTIAL_SCORE,
    PREFILTER_CUTOFF,
    QUALIFIER_CAP,
    QUALIFIERS,
    RELATED_CONCEPTS,
    ROMAJI_FOLDS,
    ROMAJI_VOICING,
    ROOM_CODE_SCORE,
    ROOM_NUMBER_ONE_SIDED,
    SPELLING_FOLDS,
    SYNONYMS,
    is_known_word,
)

# ---------------------------------------------------------------------------
# Pair scoring
# ---------------------------------------------------------------------------


# Kinds of place a room's name may carry or drop ("Lago Llanquihue" / "Llanquihue", "Mount
# Kenya" / "Kenya"): unmatched, they cost what a generic word costs.
_PLACE_KINDS = frozenset(
    {"river", "lake", "mountain", "volcano", "glacier", "island", "bay", "lagoon", "valley"}
)


_QUALIFIER_CONCEPTS = frozenset({"small", "large", "north", "south", "east", "west"})


def _qualifies(word: str) -> bool:
    """A word that makes another room when added to a name: a qualifier, or a size or side
    in any language ("Lek", "Mic": small)."""
    return word in QUALIFIERS or _concept(word) in _QUALIFIER_CONCEPTS


def _light(word: str) -> bool:
    """A word whose absence from the other name costs little: generic, or a kind of place."""
    return word in GENERIC or _concept(word) in _PLACE_KINDS


def _weight(word: str) -> float:
    return GENERIC_WEIGHT if _light(word) else 1.0


def _squeeze(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


_CONCEPTS = frozenset(SYNONYMS.values())


@functools.lru_cache(maxsize=8192)
def _concept(word: str) -> str:
    """The word's synonym concept, also under a definite ending ("biblioteket" is "library").

    Cached: it runs for both words of every compared pair, and the vocabulary never changes."""
    concept = SYNONYMS.get(word)
    if concept is not None:
        return concept
    for ending in DEFINITE_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 5 and stem in SYNONYMS:
            return SYNONYMS[stem]
        if word.endswith(ending) and len(stem) >= 5 and stem + "um" in _CONCEPTS:
            return stem + "um"  # a Latin -um drops before it: "auditoriet" is "auditorium"
    for ending, replacement in CASE_ENDINGS:  # Finnish "hallituksen" is "hallitus"
        stem = word[: -len(ending)] + replacement
        if word.endswith(ending) and len(stem) >= 5 and stem in SYNONYMS:
            return SYNONYMS[stem]
    return word


def _token_similarity(a: str, b: str) -> float:
    """How surely two words are the same word (see _word_similarity); also on their spelling
    keys, so a transliteration and an ending combine ("Akropoli" / "Acropolis")."""
    value = _word_similarity(a, b)
    if value == 0.0 and min(len(a), len(b)) >= 5:
        ka, kb = spelling_key(a), spelling_key(b)
        if (ka, kb) != (a, b) and ka != kb:
            value = 0.95 * _word_similarity(ka, kb)
    return value


def _word_similarity(a: str, b: str) -> float:
    """How surely two words are the same word: abbreviation, typo, spelling variant.

    Short words must match exactly ("Monet" is not "Manet"); only long words may
    carry a typo, because one letter is a different name in a five-letter word.
    """
    if a == b:
        return 1.0
    if _concept(a) == _concept(b):
        return 0.95  # the same kind of room in two languages: "Schulung" / "Training"
    if frozenset({_concept(a), _concept(b)}) in RELATED_CONCEPTS:
        return 0.8  # "Board" / "Direction": the same room in some languages, never alone
    if min(len(a), len(b)) >= 4 and _ROMAJI.match(a) and _ROMAJI.match(b) and romaji_key(a) == romaji_key(b):
        return 0.93  # "Tutiura" / "Tsuchiura", "Kenshuu" / "Kenshū", "Ryougoku" / "Ryōgoku"
    if min(len(a), len(b)) >= 6 and _ROMAJI.match(a) and _ROMAJI.match(b) and _unvoiced(a) == _unvoiced(b):
        return 0.88  # rendaku: "Hodaka" / "Hotaka", "Yamazaki" / "Yamasaki"
    if min(len(a), len(b)) >= 4 and _same_mandarin(a, b):
        return 0.92  # "Guangzhou" / "Kuangchou", "Zhongshan" / "Chungshan"
    if min(len(a), len(b)) >= 5 and spelling_key(a) == spelling_key(b):
        return 0.9  # "Stefansdom" / "Stephansdom", "Lalbag" / "Lalbagh"
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if long.startswith(short):
        if len(short) >= 4 and long[len(short) :] in GEO_SUFFIXES:
            return 0.9  # "Inari" / "Inarijärvi" (Lake Inari), "Halla" / "Hallasan"
        if len(short) >= 5 and any(long == short + e and not r for e, r in CASE_ENDINGS):
            return 0.9  # Finnish genitive "Saimaan" of "Saimaa"
        if len(short) >= 4 and long[len(short) :] in INFLECTIONS:
            return 0.9  # "gross" / "grosser", "klein" / "kleiner"
        if len(long) == len(short) + 1 and long[-1] in "sx":
            return 0.95  # plural
        if len(short) >= 7 and len(long) >= len(short) + 3:
            return 0.88  # a long word cut short: "Bedrijfsrest." / "Bedrijfsrestaurant"
        if len(short) >= 4 and len(short) <= 0.6 * len(long):
            return 0.7  # "Collab" / "Collaboration", but also "Rose" / "Rosemary": weak
        return 0.0  # "Martin" / "Martina" are two names
    if (
        len(short) >= 3
        and short[0] == long[0]
        and len(short) <= len(long) - 2
        and sum(ch in "aeiouy" for ch in short) <= 1
        and is_subsequence(short, long)
    ):
        return 0.8  # consonant skeleton: "Trng" / "Training"
    if min(len(a), len(b)) >= 5 and _squeeze(a) == _squeeze(b):
        return 0.92  # doubled letter dropped: "Dachterasse"
    if a.replace("ij", "y") == b.replace("ij", "y"):
        return 0.93  # Dutch "IJsselmeer" / "Ysselmeer"
    if min(len(a), len(b)) >= 3 and a.replace("aa", "a") == b.replace("aa", "a"):
        return 0.93  # Danish and Norwegian "aa" is "å": "Aarø" / "Årø", "Aalborg" / "Ålborg"
    germanic = {"ae": "a", "oe": "o", "ue": "u"}
    ga, gb = a, b
    for src, dst in germanic.items():
        ga, gb = ga.replace(src, dst), gb.replace(src, dst)
    if ga == gb:
        return 0.95  # "Mueller" / "Muller"
    distance = OSA.distance(a, b)
    if len(short) >= 5 and distance == 1 and sorted(a) == sorted(b):
        return 0.85  # adjacent transposition
    if len(short) >= 8 and distance == 1:
        return 0.88
    if len(short) >= 6 and distance == 1 and len(long) == len(short) + 1:
        return 0.85  # inner letter dropped: "Everst" (an extra last letter returned above)
    if len(short) >= 12 and distance == 2:
        return 0.8
    return 0.0


# A word made of Japanese syllables only (ka, shi, tsu, kyo, n, a doubled consonant).
_ROMAJI = re.compile(r"^(?:(?:ch|sh|ts|[kgsztdnhbpmrwfjy]y?)?[aeiou]|n|[kgstpc](?=[kgstpc]))+$")


def spelling_key(word: str) -> str:
    """One key for transliteration variants of a name (ph/f, an h after a consonant)."""
    for pattern, replacement in SPELLING_FOLDS:
        word = pattern.sub(replacement, word)
    return word


# A word made of Korean syllables (Revised or McCune-Reischauer): an initial, a vowel, a final.
_KOREAN = re.compile(
    r"^(?:(?:kk|tt|pp|ss|jj|ch|sh|[gkndtrlmbpsjh])?"
    r"(?:yeo|yae|wae|eo|eu|ae|ya|ye|yo|yu|wa|wo|we|wi|oe|ui|a|e|i|o|u)"
    r"(?:ng|[knlmptgb](?![aeiouyw]))?)+$"
)


# A word made of Mandarin syllables, in Hanyu Pinyin or Wade-Giles (without apostrophes).
_MANDARIN = re.compile(
    r"^(?:(?:zh|ch|sh|hs|ts|tz|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ung|ian|ien|iao|uai|uan|ieh|ai|ao|an|ei|en|eh|er"
    r"|ia|ie|ih|in|iu|ou|ua|uo|ui|un|ue|a|e|i|o|u))+$"
)
# Spellings only one of the two systems uses: pinyin x, q, zh; Wade-Giles hs, ts, ien, ung, ih.
# Wade-Giles also writes ch before i and another vowel or n, where pinyin has j or q ("Chiufen").
_MANDARIN_MARK = re.compile(r"x|q|zh|hs|ts|tz|ien|ung|ih(?![aeiou])|chi(?=[aeiou]|n)")


def mandarin_key(word: str) -> str:
    """Hanyu Pinyin and Wade-Giles spellings of one Mandarin name to one key."""
    for src, dst in MANDARIN_FOLDS:
        word = word.replace(src, dst)
    return word


def _wade_giles_like(word: str) -> bool:
    """Wade-Giles writes no b, d, g (but the final ng), j (but for r), q, x or z (but tz)."""
    return not re.search(r"[bdgjqxz]", word.replace("ng", "").replace("tz", ""))


def _same_mandarin(a: str, b: str) -> bool:
    """ "Guangzhou" / "Kuangchou", "Xihu" / "Hsihu": one Mandarin name in two systems. One of
    them must read as Wade-Giles, so two pinyin names ("Qian" / "Jian") stay apart."""
    return (
        bool(_MANDARIN.match(a) and _MANDARIN.match(b))
        and (_wade_giles_like(a) or _wade_giles_like(b))
        and bool(_MANDARIN_MARK.search(a) or _MANDARIN_MARK.search(b))
        and mandarin_key(a) == mandarin_key(b)
    )


# Vowels only Korean romanisation writes this way among the words that look Korean.
_KOREAN_MARK = re.compile(r"eo|eu")


def _same_korean(a: str, b: str) -> bool:
    return (
        min(len(a), len(b)) >= 5
        and bool(_KOREAN.match(a) and _KOREAN.match(b))
        and korean_key(a) == korean_key(b)
    )


def _korean_site(keys: Sequence[RoomKey]) -> bool:
    """Three words or more that look Korean and write eo or eu ("Gyeongbokgung", "hoeuisil"):
    the names are romanised Korean, so the McCune-Reischauer folds apply ("Tokto" / "Dokdo");
    elsewhere "Bondi" is not "Ponti"."""
    words = {w for k in keys for w in k.words if len(w) >= 5 and _KOREAN_MARK.search(w) and _KOREAN.match(w)}
    return len(words) >= 3


def korean_key(word: str) -> str:
    """Revised Romanisation and McCune-Reischauer spellings of one Korean name to one key."""
    for src, dst in KOREAN_FOLDS:
        word = word.replace(src, dst)
    return _squeeze(word)


def _unvoiced(word: str) -> str:
    word = romaji_key(word)
    for src, dst in ROMAJI_VOICING:
        word = word.replace(src, dst)
    return word


def romaji_key(word: str) -> str:
    """Hepburn and Kunrei spellings, long vowels written ou/oo/uu/oh, to one key."""
    for src, dst in ROMAJI_FOLDS:
        word = word.replace(src, dst)
    return word


@dataclass(slots=True)
class _Scorer:
    """Per-call scorer; caches word similarities (no state survives the call)."""

    cache: dict[tuple[str, str], float] = field(default_factory=dict)
    word_cache: dict[tuple[tuple[str, ...], tuple[str, ...]], float] = field(default_factory=dict)
    rare: frozenset[str] = frozenset()  # content words naming one room on each side

    korean: bool = False  # the names show Korean romanisation (see _korean_site)
    clips: frozenset[tuple[str, str]] = frozenset()  # ("izta", "iztaccihuatl"), see _clipped_words
    skeletons: frozenset[tuple[str, str]] = frozenset()  # ("husn", "hosn"), see _skeleton_twins

    def token(self, a: str, b: str) -> float:
        key = (a, b) if a <= b else (b, a)
        value = self.cache.get(key)
        if value is None:
            value = _token_similarity(*key)
            if value < 0.9 and key in self.clips:
                value = 0.9  # "Izta" / "Iztaccíhuatl", "Popo" / "Popocatépetl": a nickname cut short
            if value < 0.88 and key in self.skeletons:
                value = 0.88  # "Husn" / "Hosn", "Krakatoa" / "Krakatau": one name, two romanisations
            if value < 0.92 and self.korean and _same_korean(a, b):
                value = 0.92  # "Kyongbokkung" / "Gyeongbokgung", "Paektusan" / "Baekdusan"
            self.cache[key] = value
        return value

    def words(self, wa: tuple[str, ...], wb: tuple[str, ...]) -> float:
        """Weighted two-way coverage; the weaker side decides ("Boardroom Annex" fails)."""
        key = (wa, wb)
        value = self.word_cache.get(key)
        if value is None:
            value = self._words(wa, wb)
            self.word_cache[key] = value
        return value

    def _words(self, wa: Sequence[str], wb: Sequence[str]) -> float:
        wa, wb = _merge_compounds(wa, wb, self.korean), _merge_compounds(wb, wa, self.korean)
        wa, wb = _merge_initials(wa, wb), _merge_initials(wb, wa)
        matrix = [[self.token(a, b) for b in wb] for a in wa]
        best_a = [max(row) for row in matrix]
        best_b = [max(matrix[i][j] for i in range(len(wa))) for j in range(len(wb))]
        # Missed weight over at least one word's weight: "Sala de Reuniones" vs "Sala"
        # misses little, "Boardroom Annex" vs "Boardroom" misses half.
        value = 1.0 - max(_missed(wa, best_a), _missed(wb, best_b))
        qa, qb = _one_sided_qualifier(wa, best_a), _one_sided_qualifier(wb, best_b)
        if qa != qb and not any(_qualifies(w) for w in (wb if qa else wa)):
            # "Sun Moon Lake Small" is another room than "Sun Moon Lake": a size, side or
            # annex word only one name carries makes a sibling, whatever else matches.
            # ("Ballsaal Teil A" / "Grand Ballroom – Section A": both qualify, in two languages.)
            return min(value, QUALIFIER_CAP)
        if value < PARTIAL_SCORE and (
            self._partial(wa, best_a, wb, best_b) or self._partial(wb, best_b, wa, best_a)
        ):
            return PARTIAL_SCORE
        return value

    def _partial(
        self, short: Sequence[str], best_s: Sequence[float], long: Sequence[str], best_l: Sequence[float]
    ) -> bool:
        """ "Lorca" within "Sala García Lorca": every content word of one name is in the other,
        each names only this room on both sides, and the other name adds at most two words."""
        content = [w for w in short if w not in GENERIC]
        # A short word ("Ha Long") passes beside a rare one: alone it says too little.
        if not any(w in self.rare for w in content) or any(
            w not in self.rare and len(w) >= 3 for w in content
        ):
            return False
        if any(b < 1.0 for w, b in zip(short, best_s, strict=True) if w not in GENERIC):
            return False
        extra = [w for w, b in zip(long, best_l, strict=True) if w not in GENERIC and b < 0.9]
        # "Tūī Iti", "Phuket Lek": a three-letter word after the shared name is most often a size
        # or a side in a language the vocabulary may not know (Māori "iti", Thai "lek": small);
        # two letters are rather a code ("Accoglienza PT": piano terra).
        last = max((i for i, b in enumerate(best_l) if b >= 0.9), default=len(long))
        if any(
            len(w) == 3 and w.isalpha() and not is_known_word(w) and b < 0.9
            for w, b in list(zip(long, best_l, strict=True))[last + 1 :]
        ):
            return False
        # "Empfang Bildschirm" is the reception's screen, not the reception.
        # "Orion Annex" is another room than "Orion".
        return len(extra) <= PARTIAL_EXTRA_WORDS and not any(w in NON_ROOM or _qualifies(w) for w in extra)

    def _aligned(self, word: str, other: Sequence[str]) -> str:
        if word in other:
            return word
        best = max(other, key=lambda o: self.token(word, o), default=word)
        return best if self.token(word, best) >= 0.88 else word

    def core(self, wa: tuple[str, ...], ia: frozenset[str], wb: tuple[str, ...], ib: frozenset[str]) -> float:
        """Score two (words, identifiers) cores, before location evidence."""
        if ia and ib and ia != ib:
            # Different room numbers: never a pair, so skip the word analysis.
            return IDENT_CONFLICT * fuzz.token_sort_ratio(" ".join(wa), " ".join(wb)) / 100.0
        if wa and wb:
            structured = self.words(wa, wb)
            # Compared as concepts, so a translation reads alike: "Boardroom" / "Sala do Conselho".
            ma, mb = _merge_compounds(wa, wb, self.korean), _merge_compounds(wb, wa, self.korean)
            # A word the token rules already equate with one of the other side ("Kyongbokkung" /
            # "Gyeongbokgung", "Hsihu" / "Xihu", "Majles" / "Majlis") is written as that word
            # for the surface too, before both are read as concepts.
            raw_b = [w for w in mb if w not in GENERIC]
            content_a = [_concept(self._aligned(w, raw_b)) for w in ma if w not in GENERIC] or list(ma)
            content_b = [_concept(w) for w in raw_b] or list(mb)
            content_a = [self._aligned(w, content_b) for w in content_a]
            surface = fuzz.token_sort_ratio(" ".join(content_a), " ".join(content_b)) / 100.0
            base = 0.8 * structured + 0.2 * surface
            if ia and ib and all(w in GENERIC for w in (*wa, *wb)):
                # "Phòng họp 3" / "Meeting Room 3": only generic words on both sides, in
                # any two languages; the number decides, as for "Room 3" / "3".
                base = max(base, 0.9)
        elif wa or wb:
            others = wa or wb
            if all(w in GENERIC for w in others) and (ia or ib):
                base = 0.9
            elif ia and ib and not any(w in NON_ROOM for w in others):
                base = 0.75  # "MEH 210 Computer Lab" / "Morrison Engineering Hall 210": the number decides
            else:
                base = 0.5
        else:
            base = 1.0 if ia and ib else 0.0
        if ia and ib:
            base += (1.0 - base) * 0.3
        elif ia or ib:
            base *= self._one_sided_ident(wa, wb, ia or ib)
        return base

    def _one_sided_ident(self, wa: Sequence[str], wb: Sequence[str], idents: frozenset[str]) -> float:
        """ "5-502 Gatineau" / "Gatineau Room": a full room number (three digits or more) on one
        side costs little when the names share a word naming one room on each side and nothing
        else sets them apart. A short number ("Orion 2") may be a sibling: it costs as before."""
        if len(idents) != 1 or sum(ch.isdigit() for ch in next(iter(idents))) < 3:
            return IDENT_ONE_SIDED
        ca = {w for w in wa if w not in GENERIC}
        cb = {w for w in wb if w not in GENERIC}
        if ca and ca == cb and ca <= self.rare:
            return ROOM_NUMBER_ONE_SIDED
        return IDENT_ONE_SIDED

    def pair(self, a: RoomKey, b: RoomKey) -> float:
        """Best score over the names' aliases, adjusted by floor and building evidence."""
        variants_a = _variants(a, b)
        variants_b = _variants(b, a)
        best = max(
            self.core(wa, ia, wb, ib) * fa * fb for wa, ia, fa in variants_a for wb, ib, fb in variants_b
        )
        if a.floor is not None and b.floor is not None:
            if a.floor == b.floor:
                best += (1.0 - best) * 0.2
            else:
                best *= LOCATION_CONFLICT
        if a.building is not None and b.building is not None and a.building != b.building:
            best *= LOCATION_CONFLICT
        elif a.building is not None and a.building == b.building:
            if _same_room_code(a, b):
                # "KEL 2.10 PC Lab" / "Kelvin Building 2.10 Computer Cluster": in one building
                # a full room number names the room; the descriptions may differ.
                best = max(best, ROOM_CODE_SCORE)
            best += (1.0 - best) * 0.2  # the same building, as the same floor, is evidence
        elif (a.building is None) != (b.building is None):
            # "Aithousa 1.02" is rather "Meeting Room 1.02" than "Building B - Meeting Room 1.02".
            best *= BUILDING_ONE_SIDED
        if a.deprecated != b.deprecated:
            best *= DEPRECATED_FACTOR  # the current mailbox of a room wins over its old one
        return min(max(best, 0.0), 1.0)


def _same_room_code(a: RoomKey, b: RoomKey) -> bool:
    """Both names carry the same full room number ("2.10", "301") and no word that makes
    another thing of it (a screen, an annex), on no conflicting floor."""
    if not a.idents or a.idents != b.idents or not any(sum(ch.isdigit() for ch in i) >= 3 for i in a.idents):
        return False
    if a.floor is not None and b.floor is not None and a.floor != b.floor:
        return False
    return not any(w in NON_ROOM or _qualifies(w) for w in (*a.words, *b.words))


def _merge_initials(words: Sequence[str], other: Sequence[str]) -> tuple[str, ...]:
    """Fold "vergader ruimte" into "vr" when the other side writes the initialism "VR"."""
    initialisms = {w for w in other if 2 <= len(w) <= 4 and not any(ch in "aeiouy" for ch in w)}
    if not initialisms:
        return tuple(words)
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in (4, 3, 2):
            run = words[i : i + size]
            initials = "".join(w[0] for w in run)
            if len(run) == size and initials in initialisms and initials not in words:
                out.append(initials)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


def _one_sided_qualifier(words: Sequence[str], best: Sequence[float]) -> bool:
    """A qualifier word ("small", "annex", "lille") the other name has no counterpart for."""
    return any(_qualifies(w) and b < 0.5 for w, b in zip(words, best, strict=True))


def _missed(words: Sequence[str], best: Sequence[float]) -> float:
    """Share of a name's weight the other name does not cover.

    Unmatched generic words ("Konferenzraum" is two) cost at most a little more than one.
    """
    generic = sum(_weight(w) * (1.0 - b) for w, b in zip(words, best, strict=True) if _light(w))
    content = sum(1.0 - b for w, b in zip(words, best, strict=True) if not _light(w))
    missed = content + min(generic, GENERIC_MISS_CAP)
    return missed / max(sum(_weight(w) for w in words), 1.0)


_TOWER_CODE = re.compile(r"^[a-z]\d{1,2}$")


def _variants(key: RoomKey, other: RoomKey) -> list[tuple[tuple[str, ...], frozenset[str], float]]:
    """The name and its aliases; "Bat. A ... Salle 301" also reads as "A301" if need be."""
    out = [(key.words, key.idents, 1.0)]
    out += [(words, idents, ALIAS_FACTOR) for words, idents in key.aliases]
    if key.building is not None and other.building is None and len(key.idents) == 1:
        (ident,) = key.idents
        prefixed = frozenset({key.building + ident})
        if prefixed == other.idents:
            out.append((key.words, prefixed, 1.0))
    for i, first in enumerate(key.words):
        # "LIS-P3-SR1" beside "Sala de Reunião 1": "SR" was read as "seminar room"; it may be the
        # initials of the other side's words in another language ("sala reunião").
        for run, initialism in _INITIALISM_RUNS.get(first, ()):
            n = len(run)
            if key.words[i : i + n] == run and _spells_initials(other.words, initialism):
                out.append(((*key.words[:i], initialism, *key.words[i + n :]), key.idents, ALIAS_FACTOR))
    if other.idents:
        out += _initial_codes(key, other)
    bases = _ident_bases(key, other)
    out += [variant for base in bases if len(base) >= 2 for variant in _floor_codes(key, base, other)]
    out += [(key.words, base, 1.0) for base in bases[1:]]
    if (
        key.floor is not None
        and other.idents
        and key.idents != other.idents
        and other.floor in (None, key.floor)
    ):
        # "Sala Reunião 1 - 7º Andar" is "Reunião 7.1"; "Level 14 Rm 3" is "Room 14.03";
        # "PRG-A ZM 3 (2. patro)" is "Budova A – ZM 2.03" (the lone letter is the building);
        # "PAR-R25-S01" is "Salle 25.01"; "25F Conference Room A" is "Conf Rm 25A";
        # "33.OG Raum 101" is "Raum 33.101" (a floor of two digits before a room of three).
        for base in bases:
            for ident in base:
                lettered = len(ident) == 1 and ident.isalpha()
                long_room = len(ident) == 3 and ident.isdigit() and key.floor >= 10
                if not lettered and not long_room and (not ident.isdigit() or len(ident) > 2):
                    continue
                composites = {f"{key.floor}{ident}"}
                if not lettered:
                    composites.add(f"{key.floor}{ident:0>2}")
                for composite in composites:
                    if composite in other.idents:
                        out.append((key.words, (base - {ident}) | {composite}, 1.0))
    if key.floor == 0 and len(other.idents) == 2 and "g" in other.idents:
        # "Ground Floor MR1" is "Meeting Room G.01" (UK numbering: G for the ground floor).
        (number,) = other.idents - {"g"}
        for ident in key.idents:
            if ident.isdigit() and ident == number:
                out.append((key.words, other.idents, 1.0))
    if (
        key.floor is None
        and other.floor is not None
        and not other.idents
        and key.idents == frozenset({str(other.floor)})
        and 0 < other.floor < 100
    ):
        # "Physician Lounge 3" beside "Physician Lounge 3rd Floor": the lone number is the floor.
        out.append((key.words, frozenset(), FLOOR_AS_NUMBER_FACTOR))
    if (
        not key.words
        and other.building is None
        and len(key.idents) == 2
        and len(other.idents) == 1
        and other.idents < key.idents
    ):
        # "HOU-T1-4303" is "Conference Room 43.03": in a mailbox of codes only, beside a full
        # room number the other side shares, a letter-and-digit code ("T1") is the tower.
        (code,) = key.idents - other.idents
        if _TOWER_CODE.match(code) and sum(ch.isdigit() for ch in next(iter(other.idents))) >= 3:
            out.append((key.words, other.idents, ALIAS_FACTOR))
    if len(key.idents) != 2 or not other.idents:
        return out
    letters = [i for i in key.idents if len(i) == 1 and i.isalpha()]
    numbers = [i for i in key.idents if i.isdigit() and len(i) <= 2]
    if len(letters) == 1 and len(numbers) == 1:
        # "Huddle G.03" is "Huddle Room G03": a letter, a dot and a number are one code.
        for glued in {letters[0] + numbers[0], letters[0] + numbers[0].rjust(2, "0")}:
            if glued in other.idents:
                out.append((key.words, frozenset({glued}), 1.0))
    return out


def _floor_codes(
    key: RoomKey, idents: frozenset[str], other: RoomKey
) -> list[tuple[tuple[str, ...], frozenset[str], float]]:
    """A floor written as a code beside the room number: "MUC_B_12_1201" (the room number's own
    first digits), "OSL 12 Møterom 1201" or "ZRH-E12-01" beside a name on floor 12. The
    identifiers (one reading of the name's, see _ident_bases) read without it."""
    if len(idents) < 2 or idents == other.idents:
        return []
    floors = set()
    for ident in idents:
        number = _LETTER_NUMBER.match(ident)
        digits = number.group(2) if number else ident
        if not digits.isdigit() or len(digits) > 2:
            continue
        value = digits.lstrip("0") or "0"
        longer = any(
            m != ident and m.isdigit() and m.startswith(value) and len(m) >= len(value) + 2 for m in idents
        )
        if (number is None and longer) or (other.floor is not None and value == str(other.floor)):
            floors.add(ident)
    return [(key.words, idents - {ident}, 1.0) for ident in sorted(floors)]


def _initial_codes(key: RoomKey, other: RoomKey) -> list[tuple[tuple[str, ...], frozenset[str], float]]:
    """ "T2 Room 204" is "Terminal 2 Room 204", "W3-110" is "Wing 3 Room 110": a letter glued to a
    number the other name carries, after a word of the other name starting with that letter,
    is that word and number (the word then counts as written on this side too)."""
    out = []
    # A leading code read as the list's site code ("T2 Room 204" twice) counts as well.
    site = {key.site} if key.site is not None and _LETTER_NUMBER.match(key.site) else set()
    for ident in key.idents | site:
        glued = _LETTER_NUMBER.match(ident)
        if glued is None or (number := glued.group(2).lstrip("0") or "0") not in other.idents:
            continue
        words = [w for w in other.words if w[0] == glued.group(1) and w not in key.words and len(w) >= 4]
        if len(words) == 1:
            out.append(((*key.words, words[0]), (key.idents - {ident}) | {number}, ALIAS_FACTOR))
    return out


def _ident_bases(key: RoomKey, other: RoomKey) -> list[frozenset[str]]:
    """The name's identifiers, then readings without a building or room-word letter."""
    bases = [key.idents]
    if other.building is not None and key.building is None:
        if other.building in key.idents:
            # "BR A 1.01" beside "Gebäude A Besprechungsraum 1.01": the lone letter is the building.
            bases.append(key.idents - {other.building})
        for ident in key.idents:
            # "PRG A201" beside "Budova A – místnost 2.01": the building letter glued to the number.
            rest = ident[len(other.building) :]
            if ident.startswith(other.building) and rest.isdigit():
                bases.append((key.idents - {ident}) | {rest})
            # "B1.2.05", "T2-305" beside "Building 1 - Room 2.05": a building word's letter glued
            # to the building's number is that building.
            coded = _LETTER_NUMBER.match(ident)
            if (
                coded
                and coded.group(1) in BUILDING_CODE_LETTERS
                and coded.group(2).lstrip("0") == other.building
            ):
                bases.append(key.idents - {ident})
    if not key.words and other.words:
        # Code-only names ("IST-K12-T3", "PAR-R25-S01"): a letter glued to the number is the
        # initial of the other name's room word ("Toplantı Odası 3", "Salle 25.01").
        initials = {w[0] for w in other.words if w in GENERIC}
        for ident in key.idents:
            glued = _LETTER_NUMBER.match(ident)
            if glued and glued.group(1) in initials:
                bases.append((key.idents - {ident}) | {glued.group(2).lstrip("0") or "0"})
    return bases


_LETTER_NUMBER = re.compile(r"^([a-z])(\d{1,4})$")


# Initialisms of the vocabulary ("sr" -> "seminar room") by the words they were expanded to.
@functools.lru_cache(maxsize=4096)
def _spells_initials(words: tuple[str, ...], initialism: str) -> bool:
    return initialism in _merge_initials(words, (initialism,))


_INITIALISM_RUNS: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
for _abbr, _expansion in sorted(ABBREVIATIONS.items()):
    if 2 <= len(_abbr) <= 3 and len(_expansion) == len(_abbr) and not any(ch in "aeiouy" for ch in _abbr):
        _INITIALISM_RUNS[_expansion[0]].append((tuple(_expansion), _abbr))


def _merge_compounds(words: Sequence[str], other: Sequence[str], korean: bool = False) -> tuple[str, ...]:
    """Join "board" + "room" when the other side writes "boardroom" as one word."""
    targets = set(other)
    romaji = {romaji_key(t): t for t in other if _ROMAJI.match(t)}
    if korean:
        romaji.update({korean_key(t): t for t in other if _KOREAN.match(t)})
    romaji.update({mandarin_key(t): t for t in other if _MANDARIN.match(t) and _MANDARIN_MARK.search(t)})
    out: list[str] = []
    i = 0
    while i < len(words):
        joined = words[i] + words[i + 1] if i + 1 < len(words) else ""
        if joined and (joined in targets or (_ROMAJI.match(joined) and romaji_key(joined) in romaji)):
            out.append(joined)  # "Oosaka-jou" / "Ōsakajō" as well
            i += 2
        elif joined and _joined_romanised(joined, romaji, korean):
            out.append(joined)  # "Kuang-chou" / "Guangzhou", "Sorak san" / "Seoraksan"
            i += 2
        elif joined and (geo := _geo_compound(words[i], words[i + 1], targets)):
            out.append(geo)  # "Han River" / "Hangang", "Nakdong River" / "Nakdonggang"
            i += 2
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


def _joined_romanised(joined: str, keys: dict[str, str], korean: bool) -> bool:
    """Two words written as one Korean or Mandarin word on the other side."""
    if korean and _KOREAN.match(joined) and korean_key(joined) in keys:
        return True
    return bool(_MANDARIN.match(joined) and mandarin_key(joined) in keys)


_GEO_BY_KIND: dict[str, tuple[str, ...]] = defaultdict(tuple)
for _suffix, _kind in GEO_SUFFIXES.items():
    _GEO_BY_KIND[_kind] += (_suffix,)


def _geo_compound(name: str, kind: str, targets: set[str]) -> str | None:
    """ "Han" + "River" written as one word on the other side ("Hangang"): that word."""
    for suffix in _GEO_BY_KIND.get(kind, ()):
        if len(name) >= 3 and name + suffix in targets:
            return name + suffix
    return None


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


def _surface(key: RoomKey) -> str:
    concepts = (_concept(w) for w in key.words if _concept(w) != w)
    # A generic word of any language ("Bilik Mesyuarat", "Zasadačka") reads as "room" to the
    # prefilter, so "Meeting Room 3" is compared with it at all.
    generic = ("room",) if any(w in GENERIC for w in key.words) else ()
    # "L14-03" is "Room 14.03": a floor and a short number also read as the dotted number.
    # "A201", "T3", "S01" in code-only names: the number alone as well.
    numbers = [m.group(2).lstrip("0") or "0" for i in key.idents if (m := _LETTER_NUMBER.match(i))]
    numbers += [i for i in key.idents if i.isdigit()]
    floored: tuple[str, ...] = tuple(numbers)
    if key.floor is not None and key.floor >= 0:
        floored += tuple(f"{key.floor}{i:0>2}" for i in numbers if len(i) <= 2)
    return " ".join((*key.words, *concepts, *generic, *sorted(key.idents), *floored))


def _initials(key: RoomKey) -> set[str]:
    """ "MPH" is "Multi-Purpose Hall", "HDQT" "(Phòng) Hội đồng Quản trị": the initials of a name
    of three to five words (all of them, and those that are not generic)."""
    content = [w for w in key.words if w not in GENERIC]
    return {"".join(w[0] for w in words) for words in (key.words, content) if 3 <= len(words) <= 5}


def _initialism_pairs(cal: Sequence[RoomKey], piv: Sequence[RoomKey]) -> set[tuple[int, int]]:
    """Pairs where a word of one name is the other name's initials: the fuzzy prefilter sees
    nothing in common between "MPH" and "Multi-Purpose Hall", the scorer does."""
    out: set[tuple[int, int]] = set()
    for mine, theirs, flip in ((cal, piv, False), (piv, cal, True)):
        by_initials: dict[str, list[int]] = defaultdict(list)
        for j, key in enumerate(theirs):
            for initials in _initials(key):
                by_initials[initials].append(j)
        for i, key in enumerate(mine):
            for word in key.words:
                for j in by_initials.get(word, ()):
                    out.add((j, i) if flip else (i, j))
    return out


def _rare_words(cal: Sequence[RoomKey], piv: Sequence[RoomKey]) -> frozenset[str]:
    """Content words that occur in exactly one calendar name and one pivot name."""
    # A deprecated mailbox ("ESKİ - IST Galata") does not make its name's words common, nor
    # does another office's namesake ("SUB - Bromo" beside the home "JKT - Bromo").
    home = _home_site(cal)
    cal = [k for k in cal if home is None or k.site is None or k.site == home or not k.site.isalpha()]
    # "Nahuel Huapi Chica" beside "Nahuel Huapi": the small sibling does not make "Nahuel" common.
    cal, piv = _without_qualified_siblings(cal), _without_qualified_siblings(piv)
    counts = [
        Counter(w for k in keys if not k.deprecated for w in {w for w in k.words if w not in GENERIC})
        for keys in (cal, piv)
    ]
    # "Ha Long (Tang 5)" and "Ha Long (Tang 6)" beside "Vịnh Hạ Long - Tầng 5" and "- Tầng 6":
    # a word in names on the same distinct floors of both lists names one room per floor.
    floors: list[dict[str, list[int | None]]] = [defaultdict(list), defaultdict(list)]
    for side, keys in zip(floors, (cal, piv), strict=True):
        for k in keys:
            if not k.deprecated:
                for w in {w for w in k.words if w not in GENERIC}:
                    side[w].append(k.floor)

    def per_floor(w: str) -> bool:
        a, b = floors[0][w], floors[1].get(w, [])
        return None not in a and len(set(a)) == len(a) and Counter(a) == Counter(b)

    return frozenset(
        w
        for w, n in counts[0].items()
        if len(w) >= 3 and ((n == 1 and counts[1].get(w) == 1) or (n >= 2 and per_floor(w)))
    )


def _without_qualified_siblings(keys: Sequence[RoomKey]) -> list[RoomKey]:
    """The keys without those that are another key of the list plus a qualifier ("Chica")."""
    plain = {k.words for k in keys}
    return [
        k
        for k in keys
        if not (
            any(_qualifies(w) for w in k.words)
            and tuple(w for w in k.words if not _qualifies(w)) in plain - {k.words}
        )
    ]


def _home_site(cal: Sequence[RoomKey]) -> str | None:
    """The code leading most calendar names: at least three, and twice any other code."""
    ranked = Counter(k.site for k in cal if k.site is not None and k.site.isalpha()).most_common(2)
    if not ranked or ranked[0][1] < 3 or (len(ranked) == 2 and ranked[0][1] < 2 * ranked[1][1]):
        return None
    return ranked[0][0]


def _clipped_words(cal: Sequence[RoomKey], piv: Sequence[RoomKey]) -> frozenset[tuple[str, str]]:
    """Short words that are the start of exactly one long word of the other list, and of no
    other word at all: a long name cut short ("Izta" for "Iztaccíhuatl", "Kili" for
    "Kilimanjaro"). The long word must be at least nine letters and five longer."""
    sides = [{w for k in keys for w in k.words if w not in GENERIC and w.isalpha()} for keys in (cal, piv)]
    out: set[tuple[str, str]] = set()
    for mine, other in ((sides[0], sides[1]), (sides[1], sides[0])):
        for short in mine:
            if not 4 <= len(short) <= 6 or short in other:
                continue
            longs = [w for w in other if w.startswith(short)]
            if len(longs) != 1:
                continue
            (long,) = longs
            rivals = [w for w in mine if w != short and (long.startswith(w) or w.startswith(short))]
            if len(long) >= 9 and len(long) >= len(short) + 5 and not rivals:
                out.add((short, long) if short <= long else (long, short))
    return frozenset(out)


# Spellings from before a reform (Dutch-era Indonesian "Tjiliwoeng" for "Ciliwung", "Djawa"
# for "Jawa"), then vowel families romanisations of one name disagree on: o/u ("Husn" /
# "Hosn"), e/i ("Majles" / "Majlis"), a diphthong ("Chau" / "Chow", "Krakatoa" / "Krakatau").
# "Ravel" / "Revel" (a/e) stay two names.
_OLD_SPELLINGS = ((re.compile(r"dj"), "j"), (re.compile(r"tj"), "c"), (re.compile(r"oe"), "u"))
_SKELETON_FOLDS = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck|q|c(?!h)"), "k"),
    (re.compile(r"au|aw|ow|oa|ao"), "u"),
    (re.compile(r"o"), "u"),
    (re.compile(r"[ey]"), "i"),
)


def _refolded(word: str, folds: Sequence[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in folds:
        word = pattern.sub(replacement, word)
    return word


def _modern(word: str) -> str:
    return _refolded(word, _OLD_SPELLINGS)


def skeleton(word: str) -> str:
    """A word with old spellings modernised, vowels folded by family and doubled letters merged;
    a long word (six letters so folded) also loses its final vowel, a case ending of Slavic and
    other inflected names ("Uprava" / "Uprave", "Biokovo" / "Biokova")."""
    word = _squeeze(_refolded(word, (*_OLD_SPELLINGS, *_SKELETON_FOLDS)))
    return word[:-1] if len(word) >= 6 and word[-1] in "aiu" else word


# Consonants romanisations of one name disagree on: German "sch"/"tsch" for "sh"/"ch"
# ("Schytomyr" / "Zhytomyr", "Kreschtschatyk" / "Khreshchatyk"), an h after a consonant
# ("Puket" / "Phuket", "Kao" / "Khao"), z/s and tz/ts ("Tzfat" / "Tsfat").
_TRANSLIT_FOLDS = (
    (re.compile(r"shch|t?sch"), "s"),
    (re.compile(r"(?<=[bcdgkpstz])h"), ""),
    (re.compile(r"z"), "s"),
    (re.compile(r"w"), "v"),
)


def translit_skeleton(word: str) -> str:
    """The skeleton of a word with its consonants folded as romanisations disagree on them."""
    return skeleton(_refolded(word, _TRANSLIT_FOLDS))


def _initial(word: str) -> str:
    return _modern(word)[0].replace("c", "k").replace("q", "k")


def _skeleton_twins(cal: Sequence[RoomKey], piv: Sequence[RoomKey]) -> frozenset[tuple[str, str]]:
    """Word pairs, one of each list, that only a vowel family, an old spelling or a
    romanisation's consonants tell apart (see ``skeleton``, ``translit_skeleton``): each is
    missing from the other list, and their skeleton names no other word on either side."""
    sides = [
        {w for k in keys for w in k.words if w not in GENERIC and w.isalpha() and len(w) >= 4}
        for keys in (cal, piv)
    ]
    out: set[tuple[str, str]] = set()
    for key_of, initial in ((skeleton, _initial), (translit_skeleton, lambda w: translit_skeleton(w)[0])):
        keyed: list[dict[str, list[str]]] = [defaultdict(list), defaultdict(list)]
        for side, words in zip(keyed, sides, strict=True):
            for w in words:
                side[key_of(w)].append(w)
        for key, mine in keyed[0].items():
            theirs = keyed[1].get(key)
            if not theirs or len(mine) != 1 or len(theirs) != 1:
                continue
            a, b = mine[0], theirs[0]
            if a in sides[1] or b in sides[0] or initial(a) != initial(b):
                continue
            out.add((a, b) if a <= b else (b, a))
    return frozenset(out)


def score_matrix(cal: Sequence[RoomKey], piv: Sequence[RoomKey]) -> np.ndarray:
    """Pair scores; a cheap C-level fuzzy prefilter skips pairs that share nothing."""
    scores = np.zeros((len(cal), len(piv)))
    if not cal or not piv:
        return scores
    rough = process.cdist(
        [_surface(k) for k in cal],
        [_surface(k) for k in piv],
        scorer=fuzz.token_set_ratio,
        score_cutoff=PREFILTER_CUTOFF,
        workers=1,
    )
    scorer = _Scorer(
        rare=_rare_words(cal, piv),
        korean=_korean_site([*cal, *piv]),
        clips=_clipped_words(cal, piv),
        skeletons=_skeleton_twins(cal, piv),
    )
    for i, j in {*zip(*np.nonzero(rough), strict=True), *_initialism_pairs(cal, piv)}:
        scores[i, j] = scorer.pair(cal[i], piv[j])
    return scores


def site_factors(scores: np.ndarray, cal: Sequence[RoomKey], threshold: float) -> np.ndarray:
    """Down-weight calendar rooms of another site in the same tenant.

    A site code group none of whose rooms has a strong match of its own (one no other
    calendar room scores about as well on) is taken as another office, when some other
    group does have such matches: "BOS - Boardroom" loses to "HQ-04-Boardroom".
    """
    factors = np.ones(len(cal))
    if scores.size == 0:
        return factors
    best_cols = scores.argmax(axis=1)
    supported: dict[str | None, int] = defaultdict(int)
    for i, j in enumerate(best_cols):
        s = scores[i, j]
        if s < threshold:
            continue
        rivals = np.count_nonzero(scores[:, j] >= s - 0.05) - 1
        if rivals == 0:
            supported[cal[i].site] += 1
    groups = {k.site for k in cal if k.site is not None}
    # "GVA Salon Bellevue" beside a plain "Salon Bellevue": the prefixed twin is elsewhere.
    unprefixed = {(k.words, k.idents) for k in cal if k.site is None and (k.words or k.idents)}
    # One office's list: a prefix leading one or two names beside a home prefix leading
    # many more ("LYO-" nine times, "PAR -" once) is another office's.
    # Codes with digits ("B1-", "B4-") are buildings of one campus, not offices.
    sizes = Counter(k.site for k in cal if k.site is not None and k.site.isalpha())
    home = max(sizes.values(), default=0)
    contested = _contested_by_home(scores, cal, sizes, threshold)
    for site in groups:
        stray = home >= 3 and site in sizes and sizes[site] <= min(2, home // 3)
        others_supported = any(n > 0 for g, n in supported.items() if g != site)
        twinned = any(k.site == site and (k.words, k.idents) in unprefixed for k in cal)
        if stray or twinned or site in contested or (supported.get(site, 0) == 0 and others_supported):
            for i, key in enumerate(cal):
                if key.site == site:
                    factors[i] = FOREIGN_SITE_FACTOR
    return factors


def _contested_by_home(
    scores: np.ndarray, cal: Sequence[RoomKey], sizes: Counter[str | None], threshold: float
) -> set[str]:
    """Site codes whose rooms contest a pivot room with a room of the home code.

    The home code leads most names of the list (at least twice as many as any other);
    "BGO Geirangerfjord" beside "OSL Geirangerfjorden" for "Geirangerfjord": the
    home office's room is the pivot's, the other is its namesake in Bergen.
    """
    ranked = sizes.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] < 2 * ranked[1][1]) or ranked[0][1] < 3:
        return set()
    home = ranked[0][0]
    out: set[str] = set()
    for j in range(scores.shape[1]):
        rows = np.nonzero(scores[:, j] >= threshold)[0]
        if len(rows) < 2 or not any(cal[i].site == home for i in rows):
            continue
        out |= {s for i in rows if (s := cal[i].site) is not None and s != home and s.isalpha()}
    return out
