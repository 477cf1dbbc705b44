"""A second sync costs only what changed (issue 12): restrictions and catalog answers an
earlier sync fetched are used again for a listing whose ASIN and condition are unchanged, and
asked again once older than ANSWER_MAX_AGE (and, each sync, the oldest share of them): a
restriction that changed on Amazon is caught within that bound."""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from asin_tui import service as service_module
from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.catalog import Gate
from tests.test_service import TIME_SCALE, make_service

RESTRICTIONS = "getListingsRestrictions"
CATALOG = "searchCatalogItems"


@pytest.fixture
def account() -> SandboxAccount:
    return SandboxAccount()  # the demo mix: gated listings, catalog look-ups


@pytest.fixture
async def service(account):
    service = make_service(SandboxApp(account, time_scale=TIME_SCALE))
    yield service
    await service.aclose()


def age_answers(service, by: timedelta, *, spread: bool = False) -> int:
    """Make every kept answer ``by`` older (``spread``: a minute more for each one, so they
    have an order); returns how many there are."""
    with sqlite3.connect(service._cache.path) as conn:
        rows = conn.execute("SELECT kind, key, fetched_at FROM lookups ORDER BY key").fetchall()
        for i, (kind, key, fetched_at) in enumerate(rows):
            moment = datetime.fromisoformat(fetched_at) - by - timedelta(minutes=i if spread else 0)
            conn.execute(
                "UPDATE lookups SET fetched_at = ? WHERE kind = ? AND key = ?",
                (moment.isoformat(), kind, key),
            )
    return len(rows)


def gated(service, code: str) -> set[str]:
    return {
        r.sku
        for r in service.cached_records(all_listings=False)
        if any(f.code == code for f in r.findings)
    }


async def test_a_second_sync_asks_nothing_again_for_unchanged_listings(service):
    first = await service.sync(include_all=False)
    assert first.calls.get(RESTRICTIONS, 0) > 0 and first.calls.get(CATALOG, 0) > 0
    before = {r.sku: r for r in service.cached_records(all_listings=False)}
    second = await service.sync(include_all=False)
    assert second.calls.get(RESTRICTIONS, 0) == 0
    assert second.calls.get(CATALOG, 0) == 0
    after = {r.sku: r for r in service.cached_records(all_listings=False)}
    assert {s: r.findings for s, r in after.items()} == {s: r.findings for s, r in before.items()}
    # the detail screen's evidence says how old the kept answer is
    sku = next(iter(gated(service, codes.APPROVAL_REQUIRED)))
    evidence = service.evidence(sku)
    assert "restrictions" in evidence.fetched and not evidence.gaps
    assert evidence.fetched["restrictions"] <= service.last_sync().started_at


async def test_a_listing_whose_condition_changed_is_asked_again(service, account):
    await service.sync(include_all=False)
    sku = sorted(gated(service, codes.APPROVAL_REQUIRED))[0]
    record = account._by_sku[sku]
    record.condition = "used_good" if record.condition != "used_good" else "used_like_new"
    record.gate = Gate(record.gate.reason_code)  # gated in every condition: still off sale
    account._forget(record)  # Amazon sees the listing as it is now
    summary = await service.sync(include_all=False)
    assert summary.calls.get(RESTRICTIONS, 0) == 1
    assert service.evidence(sku).fetched["restrictions"] >= summary.started_at  # asked now


async def test_answers_older_than_the_bound_are_asked_again(service):
    await service.sync(include_all=False)
    kept = age_answers(service, service_module.ANSWER_MAX_AGE + timedelta(minutes=1))
    restrictions_kept = sum(1 for _ in service._cache.lookups("restrictions"))
    assert kept > restrictions_kept > 0
    gone = datetime.now(UTC) - service_module.ANSWER_MAX_AGE - timedelta(hours=1)
    service._cache.write_lookups("restrictions", [("B0GONEGONE\t", [], gone)])  # not listed now
    summary = await service.sync(include_all=False)
    assert summary.calls.get(RESTRICTIONS, 0) == restrictions_kept
    assert "B0GONEGONE\t" not in service._cache.lookups("restrictions")  # dropped, not kept
    now = datetime.now(UTC)  # the old ones replaced, none left behind
    assert all(
        now - when < timedelta(minutes=5)
        for _, when in service._cache.lookups("restrictions").values()
    )


async def test_each_sync_asks_again_the_oldest_share(service):
    await service.sync(include_all=False)
    age_answers(service, timedelta(hours=2), spread=True)
    kept = service._cache.lookups("restrictions")
    share = math.ceil(len(kept) / service_module.REFRESH_SHARE)
    oldest = sorted(kept, key=lambda key: kept[key][1])[:share]
    summary = await service.sync(include_all=False)
    assert summary.calls.get(RESTRICTIONS, 0) == share
    now = datetime.now(UTC)
    again = service._cache.lookups("restrictions")
    assert all(now - again[key][1] < timedelta(minutes=5) for key in oldest)  # fetched now


async def test_a_restriction_changed_on_amazon_is_caught_within_the_bound(service, account):
    await service.sync(include_all=False)
    sku = sorted(gated(service, codes.APPROVAL_REQUIRED))[0]
    account._by_sku[sku].gate = Gate("NOT_ELIGIBLE")  # Amazon changed its mind
    account._forget(account._by_sku[sku])
    await service.sync(include_all=False)  # within the bound: the kept answer is used
    assert sku in gated(service, codes.APPROVAL_REQUIRED)
    age_answers(service, service_module.ANSWER_MAX_AGE + timedelta(minutes=1))
    await service.sync(include_all=False)  # past it: asked again, and the change is seen
    assert sku in gated(service, codes.NOT_ELIGIBLE)
    assert sku not in gated(service, codes.APPROVAL_REQUIRED)


async def test_with_syncs_an_hour_apart_a_changed_restriction_is_caught_within_the_share(
    service, account
):
    """The bound's other half (README: "or within 8 syncs an hour or more apart, whichever
    comes first"): syncs an hour apart catch every changed restriction within REFRESH_SHARE
    syncs, hours before ANSWER_MAX_AGE, the oldest kept answers first."""
    await service.sync(include_all=False)
    skus = sorted(gated(service, codes.APPROVAL_REQUIRED))
    kept = len(service._cache.lookups("restrictions"))
    assert len(skus) > 1 and kept > 1  # a share (one in eight, at least one) is not all
    for sku in skus:  # Amazon changed its mind about every one of them
        account._by_sku[sku].gate = Gate("NOT_ELIGIBLE")
        account._forget(account._by_sku[sku])
    hour = service_module.ANSWER_MIN_AGE + timedelta(minutes=1)
    caught: dict[str, int] = {}
    for n in range(1, service_module.REFRESH_SHARE + 1):
        age_answers(service, hour)  # an hour passes between two syncs
        summary = await service.sync(include_all=False)
        assert summary.calls.get(RESTRICTIONS, 0) <= math.ceil(kept / service_module.REFRESH_SHARE)
        for sku in gated(service, codes.NOT_ELIGIBLE).intersection(skus):
            caught.setdefault(sku, n)
    assert sorted(caught) == skus  # every change seen within REFRESH_SHARE syncs
    assert min(caught.values()) < max(caught.values())  # a share at a time, not all at once
    assert hour * service_module.REFRESH_SHARE < service_module.ANSWER_MAX_AGE
    assert not gated(service, codes.APPROVAL_REQUIRED).intersection(skus)


async def test_the_detail_evidence_shows_the_age_of_a_kept_answer(service):
    from asin_tui.ui.evidence_text import restrictions

    await service.sync(include_all=False)
    await service.sync(include_all=False)
    sku = sorted(gated(service, codes.APPROVAL_REQUIRED))[0]
    evidence = service.evidence(sku)
    lines = [str(line) for line in restrictions(evidence)]
    assert lines[0].startswith(f"As of {evidence.fetched['restrictions']:%Y-%m-%d %H:%M} UTC")
    assert "once a day" in lines[0] and "Not checked" not in lines[0]
    assert evidence.fetched["restrictions"] < service.last_sync().started_at  # an earlier sync's
    assert any("APPROVAL_REQUIRED" in line for line in lines[1:])


def stored(service) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """(SKU -> its listings row with its rowid, synced_at left out; SKU -> evidence row)."""
    with sqlite3.connect(service._cache.path) as conn:
        conn.row_factory = sqlite3.Row
        listings = {
            row["sku"]: tuple(row[k] for k in row.keys() if k != "synced_at")  # noqa: SIM118
            for row in conn.execute("SELECT rowid AS row_id, * FROM listings")
        }
        evidence = {
            row["sku"]: tuple(row)
            for row in conn.execute("SELECT rowid AS row_id, * FROM evidence")
        }
    return listings, evidence


async def test_unchanged_listings_are_not_diagnosed_nor_written_again(service, account):
    await service.sync(include_all=False)
    listings, evidence = stored(service)
    changed = next(
        r.sku
        for r in service.cached_records(all_listings=False)
        if not account._by_sku[r.sku].fba and account._by_sku[r.sku].price_cents
    )
    account._by_sku[changed].price_cents += 100  # the seller changed its price on Amazon
    account._forget(account._by_sku[changed])
    summary = await service.sync(include_all=False)
    listings_after, evidence_after = stored(service)
    assert listings_after.keys() == listings.keys()
    assert summary.listings == len(listings)  # every one counted as this sync's
    for sku in listings:
        if sku == changed:
            assert listings_after[sku] != listings[sku]  # written again (a new row)
            assert evidence_after[sku] != evidence[sku]
        else:
            assert listings_after[sku] == listings[sku], sku  # the same row, untouched
            assert evidence_after[sku] == evidence[sku], sku
    info = service.last_sync()
    assert service.cached_not_from_last_sync(all_listings=False) == 0  # all seen by it
    assert service._cache.record(changed).price is not None
    assert info.listings == len(listings)
