"""The advisory lock two asin-tui processes take before they rewrite a shared file."""

from __future__ import annotations

import stat

import pytest

from asin_tui.store.filelock import exclusive_lock


def test_a_held_lock_makes_the_next_taker_wait_then_time_out(tmp_path):
    shared = tmp_path / "demo-account.json"
    # the second taker opens its own file description, as another process would
    with (
        exclusive_lock(shared, timeout=1.0),
        pytest.raises(TimeoutError, match="locked by another asin-tui"),
        exclusive_lock(shared, timeout=0.05),
    ):
        pass
    with exclusive_lock(shared, timeout=0.05):  # released on leaving the block
        pass
    sidecar = tmp_path / "demo-account.json.lock"
    assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600
    assert not shared.exists()  # the lock never touches the file itself
