"""``include_all``: every SKU from the merchant listings report, fetched 20 at a time."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from asin_tui.domain.models import MAX_SKU
from asin_tui.spapi.errors import (
    AuthError,
    NotFound,
    SpApiError,
)
from asin_tui.spapi.sync.model import ABSENT_LOOKUPS, IDENTIFIERS_PER_SEARCH, NOT_IN_REPORT
from asin_tui.spapi.sync.run import _Gap, _Run
from asin_tui.spapi.sync.util import _all, _later_tries

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    pass


# --------------------------------------------------------------------------- everything


async def _fetch_everything(run: _Run, cached: Collection[str] = ()) -> None:
    """Every listing the merchant listings report names; then, before a cached listing the
    report does not name is dropped, whether it is gone (``_look_for_absent``)."""
    run.tally.emit("report", "Requesting the listings report from Amazon")
    rows = await _later_tries(run.api, run.api.merchant_listings)  # every SKU comes from it
    skus = list(dict.fromkeys(row["seller-sku"] for row in rows if row.get("seller-sku")))
    if not skus:
        await _confirm_no_listings(run)
    named = set(skus)
    absent = [sku for sku in cached if sku not in named]
    await _fetch_named(run, skus)
    if absent:
        await _look_for_absent(run, absent, len(skus))


def _batchable(sku: str) -> bool:
    """Whether ``sku`` can travel in a batch search's comma-joined list: not with a comma in
    it, nor longer than any Amazon SKU (a hostile report's: its request would be refused, or
    too long to send, and its 19 neighbours with it). Those are asked for alone."""
    return "," not in sku and len(sku) <= MAX_SKU


async def _fetch_named(run: _Run, skus: list[str]) -> None:
    run.tally.emit("listings", f"Fetching {len(skus)} listings", total=len(skus))
    batchable = [sku for sku in skus if _batchable(sku)]
    batches = [
        batchable[i : i + IDENTIFIERS_PER_SEARCH]
        for i in range(0, len(batchable), IDENTIFIERS_PER_SEARCH)
    ]
    singles = [sku for sku in skus if not _batchable(sku)]
    await _all(
        [
            *(_fetch_batch(run, batch, len(skus)) for batch in batches),
            *(_fetch_single(run, sku, len(skus)) for sku in singles),
        ]
    )


async def _look_for_absent(run: _Run, absent: list[str], named: int) -> None:
    """Cached listings the report did not name: gone from the account, or left out of a
    report that came back short yet well formed (cut, lagging behind). A complete full sync
    drops what it did not see, with its history, so the report alone is not taken for it.

    Amazon's own count (searchListingsItems' numberOfResults, one call) no higher than the
    number of listings this sync SAW (fetched from the report's SKUs; not the report's row
    count: a report lagging behind still names listings deleted since, which would hide the
    ones it left out): every listing Amazon counts is seen, the absent ones are gone. Higher
    (or not said): each absent listing is looked for, 20 a search; those found are synced
    like the others, one a search does not return is asked for alone (getListingsItem, at
    most ABSENT_LOOKUPS), and only Amazon's 404 takes it for gone. Past that cap (a bulk
    deletion), those not asked for are gone too when Amazon's count is then all seen;
    otherwise they are kept as cached, named in ``failed`` under NOT_IN_REPORT (not seen in
    this sync: the sync is incomplete). Why the counts may differ: docs/SP_API_NOTES.md."""
    try:
        counted = await _count_listings(run)
    except SpApiError as exc:  # not said: each absent listing is looked for, as when higher
        if isinstance(exc, AuthError):
            raise
        counted = None
    if counted is not None and counted <= len(run.seen):
        return
    amazon = (
        f"Amazon's search counts {counted}" if counted is not None else "Amazon's count unknown"
    )
    run.tally.emit(
        "listings",
        f"The listings report named {named} listings ({amazon}): looking for the"
        f" {len(absent)} cached listing{'s' if len(absent) != 1 else ''} it left out",
    )
    unfound: list[str] = []
    unchecked: list[str] = []

    async def search(batch: list[str]) -> None:
        try:
            page = await _later_tries(
                run.api,
                lambda: run.api.search_listings(
                    identifiersType="SKU", identifiers=batch, page_size=IDENTIFIERS_PER_SEARCH
                ),
            )
        except SpApiError as exc:
            if isinstance(exc, AuthError):
                raise
            unchecked.extend(batch)
            return
        await run.accept(page["items"])
        unfound.extend(sku for sku in batch if sku not in run.seen)

    batchable = [sku for sku in absent if _batchable(sku)]
    unfound.extend(sku for sku in absent if not _batchable(sku))
    await _all(
        search(batchable[i : i + IDENTIFIERS_PER_SEARCH])
        for i in range(0, len(batchable), IDENTIFIERS_PER_SEARCH)
    )

    async def look_up(sku: str) -> None:
        try:
            item = await _later_tries(run.api, lambda: run.api.get_listing(sku))
        except NotFound:
            run.gone.append(sku)  # Amazon says so: dropped with its history
            return
        except SpApiError as exc:
            if isinstance(exc, AuthError):
                raise
            unchecked.append(sku)
            return
        await run.accept([item])

    await _all(look_up(sku) for sku in unfound[:ABSENT_LOOKUPS])
    beyond = unfound[ABSENT_LOOKUPS:]
    if beyond and not unchecked and counted is not None and counted <= len(run.seen):
        run.gone.extend(beyond)  # Amazon's count is all seen: they are not on the account
    else:
        unchecked.extend(beyond)
    if unchecked:
        plural = "s" if len(unchecked) != 1 else ""
        run.failed[NOT_IN_REPORT] = (
            f"the listings report named {named} listings ({amazon}); {len(unchecked)} cached"
            f" listing{plural} it left out could not be looked for: kept as cached, not seen"
            " in this sync (not taken for gone)"
        )
        run.missing[NOT_IN_REPORT] = len(unchecked)


async def _count_listings(run: _Run) -> int | None:
    """How many listings Amazon's search counts on the account (None: it does not say)."""
    page = await _later_tries(
        run.api, lambda: run.api.search_listings(included_data=("summaries",), page_size=1)
    )
    found = page.get("numberOfResults")
    return found if isinstance(found, int) and not isinstance(found, bool) else None


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
    except NotFound:  # deleted since the report was made (it lags behind the account)
        run.gone.append(sku)
    except SpApiError as exc:
        run.later(_Gap(sku, exc, lambda: _fetch_single(run, sku, total, counted=True), 1))
    if not counted:
        _listings_progress(run, 1, total)


def _listings_progress(run: _Run, n: int, total: int) -> None:
    run.tally.done["listings"] += n
    run.tally.emit("listings", f"Listings {run.tally.done['listings']}/{total}", total=total)
