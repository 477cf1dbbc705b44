"""``include_all``: every SKU from the merchant listings report, fetched 20 at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from asin_tui.spapi.errors import (
    NotFound,
    SpApiError,
)
from asin_tui.spapi.sync.model import IDENTIFIERS_PER_SEARCH
from asin_tui.spapi.sync.run import _Gap, _Run
from asin_tui.spapi.sync.util import _all, _later_tries

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    pass


# --------------------------------------------------------------------------- everything


async def _fetch_everything(run: _Run) -> None:
    run.tally.emit("report", "Requesting the listings report from Amazon")
    rows = await _later_tries(run.api, run.api.merchant_listings)  # every SKU comes from it
    skus = list(dict.fromkeys(row["seller-sku"] for row in rows if row.get("seller-sku")))
    if not skus:
        await _confirm_no_listings(run)
    run.tally.emit("listings", f"Fetching {len(skus)} listings", total=len(skus))
    batchable = [sku for sku in skus if "," not in sku]
    batches = [
        batchable[i : i + IDENTIFIERS_PER_SEARCH]
        for i in range(0, len(batchable), IDENTIFIERS_PER_SEARCH)
    ]
    singles = [sku for sku in skus if "," in sku]  # cannot travel in a comma-joined list
    await _all(
        [
            *(_fetch_batch(run, batch, len(skus)) for batch in batches),
            *(_fetch_single(run, sku, len(skus)) for sku in singles),
        ]
    )


async def _confirm_no_listings(run: _Run) -> None:
    """The listings report named no SKU: an account without listings, or a report that came
    back empty (an empty download, a report cancelled from elsewhere: no data). A complete
    sync of every listing would then drop every cached listing and its history; one search
    for a single listing tells the two apart first."""
    page = await _later_tries(
        run.api, lambda: run.api.search_listings(included_data=("summaries",), page_size=1)
    )
    found = page.get("numberOfResults")
    if not isinstance(found, int) or isinstance(found, bool):
        found = len(page["items"])
    if found > 0:
        raise SpApiError(
            f"the listings report named no listing, yet Amazon's search finds {found}: not"
            " taken as an account without listings (the cache is kept); sync again later",
            operation="getReportDocument",
        )


async def _fetch_batch(run: _Run, skus: list[str], total: int) -> None:
    try:
        page = await run.api.search_listings(
            identifiersType="SKU", identifiers=skus, page_size=IDENTIFIERS_PER_SEARCH
        )
    except SpApiError as exc:
        if not exc.retryable:
            for sku in skus:
                run.fail(sku, exc)
                run.missing[sku] = 1
            return
        # try the batch again later; each SKU alone if it fails again
        run.later(
            _Gap(
                f"listings {skus[0]}…{skus[-1]}",
                exc,
                lambda: _fetch_each(run, skus, total),
                len(skus),
            )
        )
        return
    await run.accept(page["items"])
    _listings_progress(run, len(skus), total)
    missing = [sku for sku in skus if sku not in run.seen]
    await _all(_fetch_single(run, sku, total, counted=True) for sku in missing)


async def _fetch_each(run: _Run, skus: list[str], total: int) -> None:
    """A batch that failed, tried again later: one search for it, then each SKU not in it."""
    try:
        page = await run.api.search_listings(
            identifiersType="SKU", identifiers=skus, page_size=IDENTIFIERS_PER_SEARCH
        )
        await run.accept(page["items"])
    except SpApiError:
        pass  # each SKU on its own, below
    missing = [sku for sku in skus if sku not in run.seen]
    await _all(_fetch_single(run, sku, total, counted=True) for sku in missing)


async def _fetch_single(run: _Run, sku: str, total: int, *, counted: bool = False) -> None:
    try:
        await run.accept([await run.api.get_listing(sku)])
    except NotFound:
        run.failed[sku] = "in the listings report, but SP-API does not know the SKU"
    except SpApiError as exc:
        run.later(_Gap(sku, exc, lambda: _fetch_single(run, sku, total, counted=True), 1))
    if not counted:
        _listings_progress(run, 1, total)


def _listings_progress(run: _Run, n: int, total: int) -> None:
    run.tally.done["listings"] += n
    run.tally.emit("listings", f"Listings {run.tally.done['listings']}/{total}", total=total)
