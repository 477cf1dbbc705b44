"""`sandbox serve --drift`: the account changes by itself at a steady rate on the sandbox clock,
the same way for the same seed, and every answer stays valid against Amazon's models."""

from __future__ import annotations

from datetime import UTC, datetime

from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.drift import KINDS, LATE_STRAIN
from asin_tui.sandbox.views import account_health_report
from tests.sandbox.test_contract import (
    ALL_LISTINGS_DATA,
    ITEMS,
    LISTINGS,
    Contract,
    Sandbox,
    _account_health_errors,
)

TODAY = datetime(2026, 5, 1, 9, tzinfo=UTC)


def drifting(per_hour: float = 60.0, seed: int = 7) -> tuple[SandboxAccount, list[float]]:
    clock = [0.0]
    account = SandboxAccount(seed=seed, listings=120, now=TODAY)
    account.start_drift(per_hour, lambda: clock[0])
    return account, clock


def listings_now(account: SandboxAccount) -> list:
    data = ("summaries", "attributes", "issues", "fulfillmentAvailability")
    return [account.item(sku, data) for sku in account.search()]


def test_changes_come_at_the_rate_on_the_sandbox_clock():
    account, clock = drifting(per_hour=60.0)  # one a sandbox minute
    account.settle()
    assert account.drift.applied == 0
    clock[0] = 59.9
    account.settle()
    assert account.drift.applied == 0
    clock[0] = 60.0 * 30
    account.settle()
    assert account.drift.applied == 30
    assert {kind for _, kind, _ in account.drift.log} <= set(KINDS)
    assert len({kind for _, kind, _ in account.drift.log}) >= 4  # a mix, not one kind


def test_the_same_seed_and_clock_give_the_same_account_and_another_seed_does_not():
    first, c1 = drifting(seed=7)
    second, c2 = drifting(seed=7)
    other, c3 = drifting(seed=8)
    before = listings_now(first)
    for clock in (c1, c2, c3):
        clock[0] = 60.0 * 25
    for account in (first, second, other):
        account.settle()
    assert first.drift.log == second.drift.log
    assert listings_now(first) == listings_now(second)
    assert listings_now(first) != before
    assert other.drift.log != first.drift.log


def test_the_late_shipment_rate_crosses_amazons_target_and_the_report_stays_valid(models_dir):
    account = SandboxAccount(seed=7, listings=40)
    healthy = account.account_health_report()
    account.late_shipment_strain = LATE_STRAIN
    strained = account.account_health_report()
    late = strained["performanceMetrics"][0]["lateShipmentRate"]
    assert healthy["performanceMetrics"][0]["lateShipmentRate"]["status"] == "GOOD"
    assert late["status"] == "BAD" and late["rate"] >= 0.04
    assert _account_health_errors(models_dir, strained) == []
    assert account_health_report  # the view the account answers with


def test_a_drifted_account_answers_within_the_listings_model(models_dir):
    contract = Contract(models_dir)
    sandbox = Sandbox()
    clock = [0.0]
    sandbox.account.start_drift(3600.0, lambda: clock[0])  # one a sandbox second
    clock[0] = 200.0  # 200 changes
    token, seen = None, 0
    while True:
        query = f"marketplaceIds={sandbox.mp}&includedData={ALL_LISTINGS_DATA}&pageSize=20"
        page = f"&pageToken={token}" if token else ""
        answer = sandbox.call("GET", f"/listings/2021-08-01/items/{sandbox.seller}", query + page)
        body = contract.check(LISTINGS, ITEMS, "GET", answer)
        seen += len(body["items"])
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert seen == 250 and sandbox.account.drift.applied == 200
