"""`python app.py automap --calendar-rooms FILE --pivot-rooms FILE` (DESIGN 3.6)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from services.domain.automap import propose, validate_inputs

SUGGESTIONS = 3  # ranked `candidates` per unmapped calendar room (extension of DESIGN 3.6)


def run_automap(calendar_rooms: Path, pivot_rooms: Path) -> int:
    try:
        calendar = json.loads(calendar_rooms.read_text(encoding="utf-8"))
        pivot = json.loads(pivot_rooms.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"error: cannot read input: {exc}", file=sys.stderr)
        return 2
    try:
        validate_inputs(calendar, pivot)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(propose(calendar, pivot, candidates=SUGGESTIONS), indent=2))
    return 0
