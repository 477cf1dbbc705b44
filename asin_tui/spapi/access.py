"""What an SP-API application may do for asin-tui: the LWA token, then one cheap call per
feature, each needing an SP-API role (``asin-tui config check``; docs/CREDENTIALS.md).

Amazon answers an operation the application's roles do not cover with 403 (code
Unauthorized, "Access to requested resource is denied."), whatever the request; any other
answer, a 400 or 404 included, shows the role is there. Roles per operation and report type:
https://developer-docs.amazon.com/sp-api/docs/role-mappings-for-sp-api-operations and
https://developer-docs.amazon.com/sp-api/docs/role-mappings-for-types.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from asin_tui.spapi.client import ACCOUNT_HEALTH_REPORT, MERCHANT_LISTINGS_REPORT, SpApi
from asin_tui.spapi.errors import MAX_CODE, AuthError, Forbidden, SpApiError, cut_text

#: An ASIN to ask restrictions about when the account has no listing yet (any ASIN does:
#: a role is checked before the ASIN is looked at).
PROBE_ASIN = "B000000000"
PROBE_SKU = "asin-tui-config-check"


@dataclass(frozen=True, slots=True)
class Feature:
    name: str  # what works in asin-tui with it
    role: str  # the SP-API role the application needs
    operation: str  # the call that checks it


@dataclass(frozen=True, slots=True)
class Outcome:
    feature: Feature
    works: bool | None  # None: could not be checked (an earlier step failed, network)
    detail: str = ""  # why not, in one line


CREDENTIALS = Feature("Credentials (LWA access token)", "", "LWA token")
LISTINGS = Feature(
    "Listings: the list, diagnoses, fixes, catalog and product types",
    "Product Listing",
    "searchListingsItems",
)
RESTRICTIONS = Feature(
    "Listing restrictions (approvals you lack)", "Product Listing", "getListingsRestrictions"
)
FBA_INVENTORY = Feature(
    "FBA inventory (stock, inbound, stranded units)",
    "Amazon Fulfillment",
    "getInventorySummaries",
)
ACCOUNT_HEALTH = Feature(
    "Account Health (the account-level gate)",
    "Selling Partner Insights",
    f"createReport {ACCOUNT_HEALTH_REPORT}",
)
FULL_SYNC = Feature(
    "Full sync of every listing (report --all, F)",
    "Product Listing",
    f"createReport {MERCHANT_LISTINGS_REPORT}",
)
FEATURES = (CREDENTIALS, LISTINGS, RESTRICTIONS, FBA_INVENTORY, ACCOUNT_HEALTH, FULL_SYNC)


async def check_access(
    api: SpApi, on_outcome: Callable[[Outcome], None] | None = None
) -> list[Outcome]:
    """One outcome per feature of FEATURES, in that order. Credentials first: when LWA
    refuses them nothing else is tried (every other feature "not checked").
    ``on_outcome`` is told each outcome as soon as it is known (a throttled createReport can
    take a minute: the ones already known are shown meanwhile)."""
    told = on_outcome or (lambda outcome: None)
    try:
        await api.check_credentials()
    except SpApiError as exc:
        # refused (AuthError), or not answered (LWA or the network down): not "refused"
        refused = isinstance(exc, AuthError)
        detail = _reason(exc) if refused else f"could not be checked: {_reason(exc)}"
        rest = [Outcome(f, None, "no access token") for f in FEATURES[1:]]
        outcomes = [Outcome(CREDENTIALS, False if refused else None, detail), *rest]
        for outcome in outcomes:
            told(outcome)
        return outcomes
    outcomes = [Outcome(CREDENTIALS, True)]
    told(outcomes[0])
    found: dict[str, Any] = {}

    async def listings() -> None:
        body = await api.search_listings(included_data=("summaries",), page_size=1)
        items = body.get("items") or []
        if items and isinstance(items[0], dict):
            found["sku"] = items[0].get("sku")
            summaries = items[0].get("summaries") or [{}]
            found["asin"] = summaries[0].get("asin") if isinstance(summaries[0], dict) else None

    calls: list[tuple[Feature, Callable[[], Awaitable[object]]]] = [
        (LISTINGS, listings),
        (RESTRICTIONS, lambda: api.restrictions(found.get("asin") or PROBE_ASIN)),
        (FBA_INVENTORY, lambda: api.inventory_summaries([found.get("sku") or PROBE_SKU])),
        (ACCOUNT_HEALTH, lambda: api.request_report(ACCOUNT_HEALTH_REPORT)),
        (FULL_SYNC, lambda: api.request_report(MERCHANT_LISTINGS_REPORT)),
    ]
    for feature, call in calls:
        outcomes.append(await _try(feature, call))
        told(outcomes[-1])
    return outcomes


async def _try(feature: Feature, call: Callable[[], Awaitable[object]]) -> Outcome:
    try:
        await call()
    except Forbidden as exc:
        return Outcome(feature, False, _reason(exc))
    except AuthError as exc:  # the token stopped working half way
        return Outcome(feature, None, _reason(exc))
    except SpApiError as exc:
        if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
            return Outcome(feature, True)  # refused for the request, not for the role
        return Outcome(feature, None, f"could not be checked: {_reason(exc)}")
    return Outcome(feature, True)


def _reason(exc: SpApiError) -> str:
    status = f"{exc.status} " if exc.status else ""
    text = " ".join(cut_text(str(exc.message)).split())  # a 1 MB message: one short line
    code = f"{cut_text(exc.code, MAX_CODE)}: " if exc.code and exc.code not in text else ""
    return f"{status}{code}{text}".strip()
