import time

from emulator.state import EmulatorState, now_ms


def test_revocation_covers_tokens_issued_before_it() -> None:
    state = EmulatorState()
    issued = now_ms()
    time.sleep(0.002)
    state.revoke("Pivot@contoso.com")
    assert state.refresh_token_revoked("pivot@contoso.com", issued)
    time.sleep(0.002)
    assert not state.refresh_token_revoked("pivot@contoso.com", now_ms())
    assert not state.access_token_expired("pivot@contoso.com", issued)


def test_expire_tokens_for_one_or_all() -> None:
    state = EmulatorState()
    issued = now_ms()
    time.sleep(0.002)
    state.expire_tokens("ada@contoso.com")
    assert state.access_token_expired("ada@contoso.com", issued)
    assert not state.access_token_expired("pivot@contoso.com", issued)
    state.expire_tokens()
    assert state.access_token_expired("pivot@contoso.com", issued)


def test_refresh_token_rotation_memory() -> None:
    state = EmulatorState()
    assert state.use_refresh_token("a")
    assert not state.use_refresh_token("a")


def test_concurrency_high_water_mark_and_limit() -> None:
    state = EmulatorState(mailbox_concurrency_limit=2)
    assert state.enter("room") and state.enter("room")
    assert not state.enter("room")
    for _ in range(3):
        state.leave("room")
    counter = state.counters["room"]
    assert (counter.requests, counter.in_flight, counter.max_in_flight, counter.throttled) == (3, 0, 3, 1)
    assert state.max_in_flight == 3
    state.reset_counters()
    assert state.counters == {} and state.max_in_flight == 0


def test_outlook_limits_are_graphs_own() -> None:
    from emulator.cli import parse_args
    from emulator.state import EmulatorState

    state = EmulatorState()
    assert state.mailbox_concurrency_limit is None and state.mailbox_request_quota is None
    state.apply_outlook_limits()
    assert (state.mailbox_concurrency_limit, state.mailbox_request_quota, state.mailbox_quota_window_s) == (
        4,
        10_000,
        600.0,
    )
    assert parse_args(["--tenant", "t", "--port", "0", "--outlook-limits"]).outlook_limits is True
    assert state.over_quota("room@contoso.com", "app") is None
