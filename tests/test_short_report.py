"""A full sync's listings report that names fewer listings than the account has (cut short yet
well formed, lagging behind) never drops the cached listings it leaves out on its word alone:
those Amazon still has are synced, those it answers 404 for are dropped, and those that could
not be looked for are kept as cached, named in one line, the sync incomplete."""

from __future__ import annotations

import httpx
import pytest

from asin_tui.commands.report import sync_gap_lines
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.transport import SandboxTransport
from asin_tui.spapi.ratelimit import Backoff
from asin_tui.spapi.sync import NOT_IN_REPORT
from tests.test_service import TIME_SCALE, make_service

LISTINGS_PATH = "/listings/2021-08-01/items/"


class ShortListingsReport(SandboxTransport):
    """Amazon's answers, except that once ``keep`` is set the listings report's document
    holds its header and only its first ``keep`` rows (well formed: it parses); the SKUs in
    ``unreachable`` cannot be looked for (every search or get naming one answers 503)."""

    keep: int | None = None
    lagging: bytes | None = None  # the listings report's document as an earlier one was
    unreachable: frozenset[str] = frozenset()
    uncounted = False  # the search without filters (Amazon's count) answers 503

    def __init__(self, app: SandboxApp) -> None:
        super().__init__(app)
        self.gets: list[str] = []  # SKUs asked for alone (getListingsItem)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if LISTINGS_PATH in path:
            named = set(request.url.params.get("identifiers", "").split(","))
            sku = path.rsplit("/", 1)[-1] if path.count("/") > 4 else None
            if sku is not None:
                self.gets.append(sku)
            counting = sku is None and "identifiers" not in request.url.params
            if named & self.unreachable or sku in self.unreachable or (counting and self.uncounted):
                return httpx.Response(503, json={"errors": [{"code": "ServiceUnavailable"}]})
        response = await super().handle_async_request(request)
        if self.keep is None or "/sandbox/documents/" not in path:
            return response
        content = await response.aread()
        lines = content.split(b"\n")
        if b"seller-sku" not in lines[0]:
            return response  # another report's document
        if self.lagging is not None:
            lines = self.lagging.split(b"\n")
        short = b"\n".join(lines[: 1 + self.keep]) + b"\n"
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=headers, content=short)


def report_skus(app: SandboxApp) -> list[str]:
    lines = app.account.merchant_listings_all_data().splitlines()
    column = lines[0].split("\t").index("seller-sku")
    return [line.split("\t")[column] for line in lines[1:] if line]


@pytest.fixture
async def synced():
    """A sandbox account of 40 listings fully synced once, behind a ShortListingsReport."""
    app = SandboxApp(SandboxAccount(seed=11, listings=40), time_scale=TIME_SCALE)
    transport = ShortListingsReport(app)
    service = make_service(app, transport, backoff=Backoff(tries=2).scaled(TIME_SCALE))
    first = await service.sync(include_all=True)
    assert first.complete and first.listings == len(app.account.search()) == 40
    try:
        yield app, transport, service
    finally:
        await service.aclose()


def cached_skus(service) -> set[str]:
    return {r.sku for r in service.cached_records(all_listings=True)}


async def test_a_short_report_keeps_what_amazon_still_has_and_drops_only_what_it_does_not(
    synced,
):
    app, transport, service = synced
    order = report_skus(app)
    deleted = order[-3:]  # really gone from the account: Amazon answers 404 for them
    for sku in deleted:
        app.account.delete(sku)
    transport.keep = 25  # the report names 25 of the 37 listings left
    summary = await service.sync(include_all=True)
    assert summary.complete and not summary.failed
    assert cached_skus(service) == set(app.account.search())  # the 12 it left out, kept
    assert summary.listings == 37  # and synced: looked for by SKU, found
    assert sorted(transport.gets) == sorted(deleted)  # a search left them out: asked alone
    assert not any(service.timeline(sku) for sku in deleted)  # dropped, history too


async def test_a_whole_report_drops_what_it_no_longer_names_without_looking(synced):
    app, transport, service = synced
    deleted = report_skus(app)[:5]
    for sku in deleted:
        app.account.delete(sku)
    summary = await service.sync(include_all=True)
    assert summary.complete and summary.listings == 35
    assert cached_skus(service) == set(app.account.search())
    # Amazon's count (numberOfResults) agrees with the report: nothing is looked for
    assert transport.gets == [] and summary.calls["searchListingsItems"] == 2 + 1


async def test_what_cannot_be_looked_for_is_kept_as_cached_and_said_in_one_line(synced):
    app, transport, service = synced
    order = report_skus(app)
    before = {r.sku: r for r in service.cached_records(all_listings=True)}
    transport.keep = 30
    transport.unreachable = frozenset(order[30:])  # the 10 it left out: SP-API fails on them
    summary = await service.sync(include_all=True)
    assert not summary.complete
    assert summary.missing == {NOT_IN_REPORT: 10}
    assert cached_skus(service) == set(before)  # nothing dropped
    info = service.last_sync()
    assert not info.complete and info.listings_incomplete
    lines = sync_gap_lines(info, service.cached_not_from_last_sync(all_listings=True))
    assert len(lines) == 2 and all("\n" not in line for line in lines)
    assert "listings not in the listings report" in lines[0]
    assert "10 cached listings it left out could not be looked for" in lines[0]
    assert "kept as cached" in lines[0] and "not taken for gone" in lines[0]
    assert lines[1].startswith("10 listings are shown from an earlier sync")


async def test_when_amazons_count_cannot_be_had_the_left_out_listings_are_looked_for(synced):
    # the count is one call among a full sync's hundreds: its failing failed the whole sync
    app, transport, service = synced
    transport.keep = 30
    transport.uncounted = True
    summary = await service.sync(include_all=True)
    assert summary.complete and summary.listings == 40
    assert cached_skus(service) == set(app.account.search())


async def test_a_lagging_short_report_naming_deleted_listings_never_hides_the_ones_left_out(
    synced,
):
    # Amazon's count (35) was compared with the report's rows (36): a report behind the
    # account still names the 5 deleted since, so the 4 it cut off looked gone: dropped with
    # their history although Amazon still has them
    app, transport, service = synced
    order = report_skus(app)
    transport.lagging = app.account.merchant_listings_all_data().encode()  # before the deletes
    for sku in order[:5]:
        app.account.delete(sku)
    transport.keep = 36  # the 5 deleted, 31 of the 35 left; the last 4 cut off
    summary = await service.sync(include_all=True)
    assert summary.complete and not summary.failed
    assert cached_skus(service) == set(app.account.search())  # the 4 kept and synced
    assert all(service.timeline(sku) for sku in order[36:])


async def test_a_bulk_deletion_past_the_lookups_cap_is_no_false_incomplete():
    # past ABSENT_LOOKUPS the ones not asked for alone were kept and the sync incomplete,
    # although Amazon's count said every listing on the account had been seen
    from asin_tui.spapi.ratelimit import Backoff
    from asin_tui.spapi.sync import ABSENT_LOOKUPS

    app = SandboxApp(SandboxAccount(seed=11, listings=ABSENT_LOOKUPS + 60), time_scale=TIME_SCALE)
    transport = ShortListingsReport(app)
    service = make_service(app, transport, backoff=Backoff(tries=2).scaled(TIME_SCALE))
    try:
        assert (await service.sync(include_all=True)).complete
        order = report_skus(app)
        for sku in order[: ABSENT_LOOKUPS + 10]:  # a seller's clean-up: 210 deleted
            app.account.delete(sku)
        transport.keep = 30  # and the report cut short: 30 of the 50 left
        summary = await service.sync(include_all=True)
        assert summary.complete and not summary.failed
        assert cached_skus(service) == set(app.account.search())
        assert len(transport.gets) == ABSENT_LOOKUPS  # the cap holds
    finally:
        await service.aclose()


async def test_a_report_row_longer_than_any_sku_fails_alone_not_with_its_batch(synced):
    # a hostile report's 100,000-character SKU travelled in a batch search: the request was
    # too long to send, and the 19 listings beside it failed with it
    app, transport, service = synced
    text = app.account.merchant_listings_all_data()
    header = text.splitlines()[0].split("\t")
    row = ["" for _ in header]
    row[header.index("seller-sku")] = "S" * 100_000
    lines = text.rstrip("\n").split("\n")
    lines.insert(2, "\t".join(row))  # among the first batch
    transport.lagging = ("\n".join(lines) + "\n").encode()
    transport.keep = len(lines)
    summary = await service.sync(include_all=True)
    assert summary.listings == 40  # every real listing synced
    assert set(summary.failed) == {"S" * 100_000}  # it alone, in one line
    assert "the request cannot be sent" in summary.failed["S" * 100_000]
