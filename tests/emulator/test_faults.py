import random

import pytest

from emulator.faults import Fault, FaultPlan


def _plan(seed: int = 7) -> FaultPlan:
    return FaultPlan(random.Random(seed))


def test_count_limits_and_expires() -> None:
    plan = _plan()
    plan.add(Fault(kind="503", count=2))
    kinds = [plan.decide(target="graph", mailbox=None, can_drop=True).failure for _ in range(3)]
    assert [f.kind if f else None for f in kinds] == ["503", "503", None]
    assert plan.faults == []


def test_oldest_failure_wins_and_latency_adds_up() -> None:
    plan = _plan()
    plan.add(Fault(kind="latency", latency_ms=100))
    plan.add(Fault(kind="latency", latency_ms=50, count=1))
    plan.add(Fault(kind="429", count=1))
    plan.add(Fault(kind="503", count=1))
    first = plan.decide(target="graph", mailbox=None, can_drop=True)
    second = plan.decide(target="graph", mailbox=None, can_drop=True)
    assert (first.latency_ms, first.failure and first.failure.kind) == (150, "429")
    assert (second.latency_ms, second.failure and second.failure.kind) == (100, "503")


def test_mailbox_target_and_drop_filters() -> None:
    plan = _plan()
    plan.add(Fault(kind="429", mailbox="Conf4B@contoso.com"))
    plan.add(Fault(kind="drop"))
    plan.add(Fault(kind="503", target="identity"))
    assert plan.decide(target="graph", mailbox="other@contoso.com", can_drop=False).failure is None
    hit = plan.decide(target="graph", mailbox="conf4b@contoso.com", can_drop=False).failure
    assert hit is not None and hit.kind == "429"
    dropped = plan.decide(target="graph", mailbox="other@contoso.com", can_drop=True).failure
    assert dropped is not None and dropped.kind == "drop"
    token = plan.decide(target="identity", mailbox=None, can_drop=False).failure
    assert token is not None and token.kind == "503"


def test_fraction_is_seeded_and_bounded_by_count() -> None:
    plan = _plan(seed=1)
    plan.add(Fault(kind="503", fraction=0.5, count=10))
    hits = sum(bool(plan.decide(target="graph", mailbox=None, can_drop=True).failure) for _ in range(200))
    assert hits == 10
    again = _plan(seed=1)
    again.add(Fault(kind="503", fraction=0.5))
    pattern = [bool(again.decide(target="graph", mailbox=None, can_drop=True).failure) for _ in range(40)]
    assert 5 < sum(pattern) < 35


@pytest.mark.parametrize(
    "raw",
    [
        {"kind": "500"},
        {"kind": "503", "count": 0},
        {"kind": "503", "fraction": 1.5},
        {"kind": "latency"},
        {"kind": "429", "colour": "red"},
        {"kind": "429", "target": "smtp"},
        {"kind": "429", "count": "many"},
    ],
)
def test_invalid_fault_specs(raw: dict) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies per field
        Fault.from_json(raw)


def test_remove_and_clear() -> None:
    plan = _plan()
    first = plan.add(Fault(kind="503"))
    plan.add(Fault(kind="429"))
    assert plan.remove(first.id) and not plan.remove(first.id)
    plan.clear()
    assert plan.faults == []
