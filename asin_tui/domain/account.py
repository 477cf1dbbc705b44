"""Account-level causes seen across listings (docs/INACTIVE_CAUSES.md row 15): what no single listing
shows. Holiday (vacation) mode is not exposed by the Selling Partner API; it shows as many
merchant-fulfilled listings that have stock and a price going unbuyable at once with no issue.
Said once for the account, not as hundreds of separate causes. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asin_tui.domain import codes
from asin_tui.domain.models import ListingRecord, State

#: How many unexplained unbuyable merchant-fulfilled listings make an account-level pattern.
VACATION_MIN_LISTINGS = 5


@dataclass(frozen=True, slots=True)
class AccountCause:
    """One cause that applies to many listings at once."""

    code: str
    title: str
    detail: str
    fix: str
    skus: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
            "fix": self.fix,
            "listings": len(self.skus),
        }

    @property
    def banner(self) -> str:
        """One line for the list: the count and the cause first, what to do after."""
        return f"⚠ {len(self.skus)} {self.short}"

    @property
    def short(self) -> str:
        return (
            "in-stock MFN listings off sale, no reason given: holiday mode? "
            "Settings → Account Info → Listing Status"
        )


def unexplained_unbuyable(record: ListingRecord) -> bool:
    """A merchant-fulfilled listing with stock that Amazon marks not buyable while nothing
    stops the sale: the engine's "no reason given" finding (it is only made when no issue,
    enforcement, stock, price or restriction explains it; hints and warnings may remain)."""
    return (
        record.state is State.INACTIVE
        and record.fulfillment_channel == "MFN"
        and (record.quantity or 0) > 0
        and any(f.code == codes.LISTING_CLOSED and f.issue_code is None for f in record.findings)
    )


def account_causes(records: Iterable[ListingRecord]) -> tuple[AccountCause, ...]:
    """The account-level causes the listings show together (empty when none)."""
    skus = tuple(r.sku for r in records if unexplained_unbuyable(r))
    if len(skus) < VACATION_MIN_LISTINGS:
        return ()
    return (
        AccountCause(
            code=codes.ACCOUNT_VACATION,
            title="Many listings off sale with no reason: holiday mode?",
            detail=(
                f"{len(skus)} merchant-fulfilled listings have stock and a price but Amazon "
                "marks them not buyable and reports no issue. That is one account-level "
                f"cause, not {len(skus)} separate problems: most likely holiday (vacation) "
                "mode, or a hold on the account."
            ),
            fix=(
                "in Seller Central open Settings → Account Info → Listing Status and set your "
                "listings Active; if they are, check Account Health"
            ),
            skus=skus,
        ),
    )
