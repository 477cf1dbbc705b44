"""The Account Health report arriving after the listings (issue 12): the cached listings are
diagnosed again only when the report changes what a diagnosis acts on (none → NORMAL changes
nothing; none → AT_RISK names the account on the listings)."""

from __future__ import annotations

import sqlite3

import pytest

from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.service import HealthRefresh
from tests.report_timing import AmazonReports
from tests.test_service import TIME_SCALE, make_service


def rows(service) -> dict[str, tuple]:
    with sqlite3.connect(service._cache.path) as conn:
        return {row[0]: row for row in conn.execute("SELECT * FROM listings")}


@pytest.fixture
def reports() -> AmazonReports:
    return AmazonReports()


@pytest.mark.parametrize("status", ["NORMAL", "AT_RISK"])
async def test_a_late_report_rediagnoses_only_when_its_gate_changes_something(reports, status):
    reports.hold()
    account = SandboxAccount(seed=11, listings=80, account_status=status)
    service = make_service(SandboxApp(account, time_scale=TIME_SCALE, report_timing=reports.timing))
    try:
        await service.sync(include_all=False)
        assert service.account_health() is None and service.account_health_pending()
        before = rows(service)
        reports.finish()
        assert await service.refresh_account_health() == HealthRefresh(pending=False, updated=True)
        assert service.account_health().status == status
        after = rows(service)
        if status == "NORMAL":
            assert after == before  # not one row written again
        else:
            assert after.keys() == before.keys() and after != before
            for record in service.cached_records(all_listings=False):
                assert record.findings[0].code == codes.ACCOUNT_AT_RISK
    finally:
        await service.aclose()
