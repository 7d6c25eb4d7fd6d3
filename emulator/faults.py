"""Fault injection: latency, 429 with Retry-After, 503 and dropped connections.

A fault applies to the next `count` matching requests, or to a `fraction` of
them (both: a fraction, at most `count` times; neither: every matching request
until cleared). Latency faults add up; at most one failure fault fires per
request, the oldest that matches.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("latency", "429", "503", "drop")
TARGETS = ("graph", "identity", "all")


@dataclass
class Fault:
    """One fault rule; `count` is what is left of it."""

    kind: str
    count: int | None = None
    fraction: float | None = None
    latency_ms: int = 0
    retry_after: int | None = None
    mailbox: str | None = None
    target: str = "graph"
    id: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        self.kind = str(self.kind)
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1 (or null for no limit)")
        if self.fraction is not None and not 0.0 < self.fraction <= 1.0:
            raise ValueError("fraction must be in (0, 1]")
        if self.kind == "latency" and self.latency_ms <= 0:
            raise ValueError("a latency fault needs latency_ms > 0")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        if self.mailbox is not None:
            self.mailbox = self.mailbox.lower()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Fault:
        """Build from the admin API's JSON; raises ValueError on bad input."""
        allowed = {"kind", "count", "fraction", "latency_ms", "retry_after", "mailbox", "target"}
        unknown = set(raw) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        try:
            return cls(
                kind=str(raw.get("kind")),
                count=None if raw.get("count") is None else int(raw["count"]),
                fraction=None if raw.get("fraction") is None else float(raw["fraction"]),
                latency_ms=int(raw.get("latency_ms") or 0),
                retry_after=None if raw.get("retry_after") is None else int(raw["retry_after"]),
                mailbox=raw.get("mailbox"),
                target=str(raw.get("target") or "graph"),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from exc

    def to_json(self) -> dict[str, Any]:
        """The admin API's view of the rule."""
        return asdict(self)

    def matches(self, *, target: str, mailbox: str | None, can_drop: bool) -> bool:
        """Whether this rule is about such a request at all."""
        if self.target not in (target, "all"):
            return False
        if self.mailbox is not None and self.mailbox != (mailbox or "").lower():
            return False
        return can_drop or self.kind != "drop"


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one request: wait this long, then maybe fail."""

    latency_ms: int = 0
    failure: Fault | None = None


class FaultPlan:
    """The active fault rules, consulted once per request."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._faults: list[Fault] = []
        self._next_id = 1

    @property
    def faults(self) -> list[Fault]:
        """The active rules (a copy)."""
        return list(self._faults)

    def add(self, fault: Fault) -> Fault:
        """Activate a rule and give it an id."""
        fault.id = self._next_id
        self._next_id += 1
        self._faults.append(fault)
        return fault

    def remove(self, fault_id: int) -> bool:
        """Deactivate one rule; False if there was no such rule."""
        before = len(self._faults)
        self._faults = [f for f in self._faults if f.id != fault_id]
        return len(self._faults) != before

    def clear(self) -> None:
        """Deactivate every rule."""
        self._faults.clear()

    def _fires(self, fault: Fault) -> bool:
        if fault.fraction is not None and self._rng.random() >= fault.fraction:
            return False
        fault.fired += 1
        if fault.count is not None:
            fault.count -= 1
        return True

    def decide(self, *, target: str, mailbox: str | None, can_drop: bool) -> FaultDecision:
        """Pick the faults for one request and use up their counts."""
        latency = 0
        failure: Fault | None = None
        for fault in self._faults:
            if not fault.matches(target=target, mailbox=mailbox, can_drop=can_drop):
                continue
            if fault.kind == "latency":
                if self._fires(fault):
                    latency += fault.latency_ms
            elif failure is None and self._fires(fault):
                failure = fault
        self._faults = [f for f in self._faults if f.count is None or f.count > 0]
        return FaultDecision(latency_ms=latency, failure=failure)
