#!/usr/bin/env python3
"""Stdlib checker for holdout8: parses every file, checks gold against inputs, prints counts."""
import json, os, sys, unicodedata
from collections import Counter
HERE = os.path.dirname(os.path.abspath(__file__))
PAIR_KINDS = {"exact", "case_punct", "site_prefix", "generic_prefix", "capacity_suffix", "abbreviation",
              "accents", "nfd", "number_word", "ordinal_floor", "twin_floor", "twin_building", "romanisation",
              "translated_generic", "partial_name", "style_mix", "code_style", "typo", "near_duplicate"}
NULL_KINDS = {"non_room", "other_site", "deprecated", "not_in_pivot", "near_duplicate"}
errors = []
def err(msg): errors.append(msg)
def load(p):
    with open(p, encoding="utf-8") as f: return json.load(f)

sites = load(os.path.join(HERE, "sites.json"))
kinds_total, kinds_pair, kinds_null = Counter(), Counter(), Counter()
tot = Counter()
print(f"{'site':22} {'cal':>4} {'pivot':>5} {'pairs':>5} {'nulls':>5} {'hard':>4} {'hardpairs':>9} {'pivot_no_mbx':>12}")
for meta in sites:
    sid = meta["id"]; d = os.path.join(HERE, sid)
    for k in ("id", "style", "desc", "calendar", "pivot", "pairs", "nulls"):
        if k not in meta: err(f"{sid}: sites.json lacks {k}")
    cal = load(os.path.join(d, f"{sid}.calendar.json"))
    piv = load(os.path.join(d, f"{sid}.pivot.json"))
    gold = load(os.path.join(d, f"{sid}.gold.json"))
    emails = [c["email"] for c in cal]
    if any(set(c) != {"name", "email"} for c in cal): err(f"{sid}: calendar row keys")
    if len(set(e.lower() for e in emails)) != len(emails): err(f"{sid}: duplicate email")
    if any(not c["name"].strip() or "@" not in c["email"] for c in cal): err(f"{sid}: bad calendar row")
    pids = [p["id"] for p in piv]
    if any(set(p) != {"id", "name"} for p in piv): err(f"{sid}: pivot row keys")
    if len(set(pids)) != len(pids): err(f"{sid}: duplicate pivot id")
    if len(set(p["name"] for p in piv)) != len(piv): err(f"{sid}: duplicate pivot name")
    name_of = {c["email"]: c["name"] for c in cal}
    gmails = [g["calendar_room"] for g in gold]
    if sorted(gmails) != sorted(emails): err(f"{sid}: gold rows != calendar rooms (one row each)")
    used = Counter()
    hard = hardpairs = pairs = 0
    for g in gold:
        e = g["calendar_room"]; pid = g["pivot_room"]; k = g["kind"]
        if set(g) != {"calendar_room", "calendar_name", "pivot_room", "kind", "difficulty"}: err(f"{sid}: gold keys {e}")
        if name_of.get(e) != g["calendar_name"]: err(f"{sid}: calendar_name mismatch {e}")
        if g["difficulty"] not in ("easy", "hard"): err(f"{sid}: difficulty {e}")
        if pid is not None:
            pairs += 1; used[pid] += 1
            if pid not in pids: err(f"{sid}: unknown pivot id {pid}")
            if k not in PAIR_KINDS: err(f"{sid}: kind {k} on a pair {e}")
            kinds_pair[k] += 1
            if g["difficulty"] == "hard": hardpairs += 1
        else:
            if k not in NULL_KINDS: err(f"{sid}: kind {k} on a null {e}")
            kinds_null[k] += 1
        if k == "nfd" and unicodedata.normalize("NFC", g["calendar_name"]) == g["calendar_name"]:
            err(f"{sid}: nfd row is not stored decomposed {e}")
        if g["difficulty"] == "hard": hard += 1
        kinds_total[k] += 1
    for pid, n in used.items():
        if n > 1: err(f"{sid}: pivot id {pid} used {n} times")
    nombx = len(pids) - len(used)
    if nombx < 1: err(f"{sid}: every pivot room has a mailbox")
    nulls = len(gold) - pairs
    for k, v in (("calendar", len(cal)), ("pivot", len(piv)), ("pairs", pairs), ("nulls", nulls)):
        if meta.get(k) != v: err(f"{sid}: sites.json {k}={meta.get(k)} but files say {v}")
    print(f"{sid:22} {len(cal):4} {len(piv):5} {pairs:5} {nulls:5} {hard:4} {hardpairs:9} {nombx:12}")
    for k, v in (("sites", 1), ("calendar", len(cal)), ("pivot", len(piv)), ("pairs", pairs), ("nulls", nulls),
                 ("hard", hard), ("hard_pairs", hardpairs)):
        tot[k] += v
print()
print("total    " + " ".join(f"{k}={tot[k]}" for k in ("sites", "calendar", "pivot", "pairs", "nulls", "hard", "hard_pairs"))
      + f" ({round(100 * tot['hard_pairs'] / max(tot['pairs'], 1))}% of pairs hard)")
print()
print(f"{'kind':20} {'total':>5} {'pairs':>5} {'nulls':>5}")
for k, v in kinds_total.most_common():
    print(f"{k:20} {v:5} {kinds_pair[k]:5} {kinds_null[k]:5}")
print()
if errors:
    print("ERRORS:"); [print("  " + e) for e in errors]; sys.exit(1)
print("OK: all files parse, one gold row per calendar room, ids resolve, no pivot room used twice")
