"""One calendar name against one pivot name, beside fillers that must stay unmapped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.domain.automap import propose


def beside_fillers(
    calendar: str, pivot: str, *, filler: str = "Phone Booth", others: Sequence[str] = ("Boardroom",)
) -> list[dict[str, Any]]:
    """`propose` rows for [calendar, filler] against [pivot (id "1"), others (ids "2"...)]."""
    return propose(
        [{"name": calendar, "email": "a@example.com"}, {"name": filler, "email": "b@example.com"}],
        [{"id": str(n), "name": name} for n, name in enumerate((pivot, *others), start=1)],
    )
