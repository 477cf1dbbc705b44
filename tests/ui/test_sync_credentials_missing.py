"""The empty list after a sync that failed for a missing credential (session 10's walk): not
"Press r to retry" (the credentials are read at the start: r fails the same way), but what
does help. Pure: the failure's message and the empty list's words, no app run."""

from __future__ import annotations

from types import SimpleNamespace

from asin_tui.service import CredentialsMissing, SpApiError
from asin_tui.ui.messages import SyncFailed
from asin_tui.ui.screens.list_screen import ListScreen


def _empty_text(failed: SyncFailed) -> str:
    screen = SimpleNamespace(
        view=SimpleNamespace(records=[]),
        narrow="",
        syncing=False,
        last_sync=None,
        show_all=False,
        sync_error=failed.reason,
        sync_retry_helps=failed.retry_helps,
    )
    return ListScreen._empty_text(screen)  # type: ignore[arg-type]


def test_a_missing_credential_says_how_to_set_it_not_press_r():
    missing = CredentialsMissing("set SP_API_REFRESH_TOKEN (or refresh_token in [profiles.x])")
    text = _empty_text(SyncFailed.of(missing))
    assert "SP_API_REFRESH_TOKEN" in text
    assert "Press r" not in text
    assert text.endswith("asin-tui config check says what is missing), then start asin-tui again.")


def test_any_other_failure_still_offers_r():
    text = _empty_text(SyncFailed.of(SpApiError("Amazon did not answer")))
    assert text.endswith("Press r to retry.")
