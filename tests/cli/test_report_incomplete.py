"""`report` after a sync that could not fetch every listing (issue 8 item 3, issue 9 "a partial
sync says '3 could not be fetched' without saying which"): stderr names the query that failed
and how many listings it may hold, never claims cached data that is not there, the JSON says
the listing set is incomplete, and the exit code is 3 (not 1 as if all were well)."""

from __future__ import annotations

import json

import pytest

from asin_tui.commands.report import EXIT_INCOMPLETE
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.http.wire import ApiError, error_response
from asin_tui.sandbox.server import serve_in_thread
from asin_tui.store import paths
from tests.cli.test_report import (
    TIME_SCALE,
    assert_clean,
    needing_attention,
    report,
    use_sandbox_profile,
)

LIVE_WITH_ISSUES = "withIssueSeverity"  # only the "live with issues" search filters on it


class OneSearchDown(SandboxApp):
    """Amazon, except that the "live with issues" search answers 503 while ``down``."""

    down = True

    def handle(self, method, path, query="", *args, **kwargs):
        if self.down and "/listings/2021-08-01/items/" in path and LIVE_WITH_ISSUES in str(query):
            return error_response(ApiError(503, "ServiceUnavailable", "Service unavailable."))
        return super().handle(method, path, query, *args, **kwargs)


@pytest.fixture
def flaky(monkeypatch):
    account = SandboxAccount(seed=5, listings=60)
    app = OneSearchDown(account, time_scale=TIME_SCALE)
    server, base_url = serve_in_thread(app)
    use_sandbox_profile(monkeypatch, "sb", account.seller_id, base_url)
    paths.config_file().chmod(0o600)  # as config init writes it (no warning about it)
    yield account, app
    server.stop()


def live_with_issues(account: SandboxAccount) -> set[str]:
    return set(
        account.search(
            with_status=["BUYABLE", "DISCOVERABLE"], with_issue_severity=["ERROR", "WARNING"]
        )
    )


def test_a_search_that_stays_down_is_named_and_exits_3(capsys, flaky):
    account, _ = flaky
    code, out, err = report(capsys, "--profile", "sb", "--format", "json")
    assert code == EXIT_INCOMPLETE == 3
    doc = json.loads(out)
    lost = live_with_issues(account)
    assert lost and {item["sku"] for item in doc["listings"]} == needing_attention(account) - lost
    assert doc["last_sync"]["listings_complete"] is False
    assert doc["last_sync"]["missing"] == {"search: live with issues": None}
    lines = err.splitlines()
    assert lines[0].startswith(
        "asin-tui: warning: the listing set is incomplete: an unknown number of listings could "
        'not be fetched — search "live with issues": searchListingsItems: '
    )
    assert "tried again 3 times later in this sync" in lines[0]
    # an empty cache: nothing of them is shown, and nothing claims otherwise
    assert lines[1] == "asin-tui: warning: no earlier data of them is cached: they are not shown"
    assert "cached data is shown" not in err
    assert_clean(out, err)


def test_what_an_earlier_sync_cached_is_said_to_be_shown(capsys, flaky):
    account, app = flaky
    app.down = False
    code, first, _ = report(capsys, "--profile", "sb", "--format", "json")
    assert code == 1  # all well
    app.down = True
    code, out, err = report(capsys, "--profile", "sb", "--format", "table")
    assert code == 3
    shown_before = {item["sku"] for item in json.loads(first)["listings"]}
    kept = len(live_with_issues(account) & shown_before)  # what the cache had of them
    assert kept
    were = "listing is" if kept == 1 else "listings are"
    assert (
        f"asin-tui: warning: {kept} {were} shown from an earlier sync (not refreshed by this "
        "one); listings never fetched before are not shown"
    ) in err.splitlines()
    assert (
        'INCOMPLETE: an unknown number of listings could not be fetched (search "live with '
        'issues")' in " ".join(out.split())
    )


def test_cached_does_not_answer_from_an_incomplete_sync(capsys, flaky):
    _, app = flaky
    report(capsys, "--profile", "sb", "--format", "json")
    app.down = False
    code, _, err = report(capsys, "--profile", "sb", "--format", "json", "--cached")
    assert code == 1 and "incomplete" not in err  # it synced again, completely
