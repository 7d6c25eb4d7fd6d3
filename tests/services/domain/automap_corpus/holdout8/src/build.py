"""Generate holdout8 JSON from the hand-written tables in sites_*.py (python3 stdlib only)."""
import json, os, random, unicodedata, importlib, sys
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
MODULES = ["sites_a", "sites_b"]
from sites_extra import EXTRA
DIFF = {"e": "easy", "h": "hard"}

def build_site(s):
    name = s["id"]; dom = s["domain"]
    cal, gold = [], []
    for (cname, local, pid, kind, d) in s["rows"]:
        if kind == "nfd":
            cname = unicodedata.normalize("NFD", cname)
        email = local if "@" in local else local + "@" + dom
        cal.append({"name": cname, "email": email})
        gold.append({"calendar_room": email, "calendar_name": cname, "pivot_room": pid,
                     "kind": kind, "difficulty": DIFF[d]})
    piv = [{"id": i, "name": n} for (i, n) in s["pivot"]]
    rnd = random.Random(name)
    rnd.shuffle(cal); rnd.shuffle(piv)
    d = os.path.join(OUT, name); os.makedirs(d, exist_ok=True)
    for suffix, obj in (("calendar", cal), ("pivot", piv), ("gold", gold)):
        with open(os.path.join(d, f"{name}.{suffix}.json"), "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=2); f.write("\n")
    pairs = sum(1 for g in gold if g["pivot_room"] is not None)
    return {"id": name, "style": s["style"], "desc": s["desc"], "calendar": len(cal),
            "pivot": len(piv), "pairs": pairs, "nulls": len(gold) - pairs}

def main():
    meta = []
    for m in MODULES:
        try:
            mod = importlib.import_module(m)
        except ModuleNotFoundError:
            continue
        for s in mod.SITES:
            x = EXTRA.get(s["id"], {})
            s = dict(s, pivot=s["pivot"] + x.get("pivot", []), rows=s["rows"] + x.get("rows", []))
            meta.append(build_site(s))
    with open(os.path.join(OUT, "sites.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False, indent=2); f.write("\n")
    print("built", [m["id"] for m in meta])

if __name__ == "__main__":
    main()
