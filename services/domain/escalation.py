"""Reminders and escalation of an unclaimed incident (DESIGN 3.12), as plain data.

Three steps, each done at most once per incident: `reminder` (the provider side is
reminded), `escalated` (the client side is told nobody picked a slot) and
`sla_breached` (every posted card says so). The first two are counted from the
first notice, or from the latest release; the SLA deadline is fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

REMINDER = "reminder"
ESCALATED = "escalated"
SLA_BREACHED = "sla_breached"
STEPS: tuple[str, ...] = (REMINDER, ESCALATED, SLA_BREACHED)

REMIND_KEY = "remind_after_minutes"
CLIENT_KEY = "client_after_minutes"
KEYS: tuple[str, ...] = (REMIND_KEY, CLIENT_KEY)
# Without an SLA (DESIGN 3.12).
NO_SLA_MINUTES: Mapping[str, int] = {REMIND_KEY: 60, CLIENT_KEY: 120}
# With an SLA: a quarter and a half of it.
SLA_SHARE: Mapping[str, float] = {REMIND_KEY: 0.25, CLIENT_KEY: 0.5}


@dataclass(frozen=True)
class Escalation:
    """Minutes after the notice (None: the step is off)."""

    remind_after_minutes: int | None
    client_after_minutes: int | None


def escalation_for(sla_hours: float | None, stored: Mapping[str, Any] | None) -> Escalation:
    """The location's steps: a stored value wins (null = off), else the default for its SLA."""
    values: dict[str, int | None] = {}
    for key in KEYS:
        if stored is not None and key in stored:
            raw = stored[key]
            values[key] = int(raw) if raw is not None else None
        elif sla_hours:
            values[key] = max(1, round(float(sla_hours) * 60 * SLA_SHARE[key]))
        else:
            values[key] = NO_SLA_MINUTES[key]
    return Escalation(values[REMIND_KEY], values[CLIENT_KEY])


def sla_deadline(triggered_at: datetime, sla_hours: float | None) -> datetime | None:
    return triggered_at + timedelta(hours=float(sla_hours)) if sla_hours else None


def due_steps(
    *,
    since: datetime,
    escalation: Escalation,
    deadline: datetime | None,
    done: frozenset[str] | set[str],
) -> dict[str, datetime]:
    """When each step not yet done is due, counted from `since` (the notice or a release).
    A deadline already past is due at `since`."""
    due: dict[str, datetime] = {}
    if REMINDER not in done and escalation.remind_after_minutes is not None:
        due[REMINDER] = since + timedelta(minutes=escalation.remind_after_minutes)
    if ESCALATED not in done and escalation.client_after_minutes is not None:
        due[ESCALATED] = since + timedelta(minutes=escalation.client_after_minutes)
    if SLA_BREACHED not in done and deadline is not None:
        due[SLA_BREACHED] = max(deadline, since)
    return due
