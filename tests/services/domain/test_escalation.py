"""The reminder/escalation rule (DESIGN 3.8, 3.12): defaults from the SLA, null turns a step
off, a stored value wins, and what is due after the notice or a release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.domain import escalation as esc

T = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def test_defaults_are_a_quarter_and_a_half_of_the_sla() -> None:
    assert esc.escalation_for(4, None) == esc.Escalation(60, 120)
    assert esc.escalation_for(1.5, {}) == esc.Escalation(22, 45)
    assert esc.escalation_for(None, None) == esc.Escalation(60, 120)  # no SLA: 60 and 120


def test_null_turns_a_step_off_and_a_value_wins() -> None:
    assert esc.escalation_for(4, {"remind_after_minutes": None}) == esc.Escalation(None, 120)
    assert esc.escalation_for(4, {"client_after_minutes": 15}) == esc.Escalation(60, 15)
    assert esc.escalation_for(None, {"remind_after_minutes": None, "client_after_minutes": None}) == (
        esc.Escalation(None, None)
    )


def test_due_steps_skip_what_is_done_or_off_and_a_passed_deadline_is_due_now() -> None:
    steps = esc.Escalation(60, None)
    deadline = esc.sla_deadline(T, 4)
    assert esc.due_steps(since=T, escalation=steps, deadline=deadline, done=set()) == {
        "reminder": T + timedelta(minutes=60),
        "sla_breached": T + timedelta(hours=4),
    }
    late = T + timedelta(hours=5)
    assert esc.due_steps(since=late, escalation=steps, deadline=deadline, done={"reminder"}) == {
        "sla_breached": late
    }
    assert esc.due_steps(since=T, escalation=steps, deadline=None, done=set(esc.STEPS)) == {}
