"""What every handler shares: the account, the clocks, the time scale, and the checks of the
seller and marketplace parameters that most operations take."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.http.wire import Request, invalid


@dataclass(slots=True)
class SandboxContext:
    """Args:
    account: the seller's data and rules.
    time_scale: how much faster than Amazon sandbox time runs.
    clock: monotonic seconds (rate limits and sandbox durations).
    wall_clock: epoch seconds (access token expiry, timestamps in answers).
    """

    account: SandboxAccount
    time_scale: float
    clock: Callable[[], float]
    wall_clock: Callable[[], float]

    @property
    def marketplace_id(self) -> str:
        return self.account.marketplace.marketplace_id

    def sandbox_seconds_since(self, moment: float) -> float:
        """Sandbox seconds elapsed since ``moment`` (a ``clock()`` reading)."""
        return (self.clock() - moment) * self.time_scale

    def check_seller(self, seller_id: str) -> None:
        if seller_id != self.account.seller_id:
            raise invalid(f"Invalid 'sellerId': {seller_id} is not the seller of this account.")

    def check_marketplaces(self, request: Request, *, max_items: int | None = None) -> None:
        ids = request.many("marketplaceIds")
        if not ids:
            raise invalid("Missing required parameter 'marketplaceIds'.")
        if max_items is not None and len(ids) > max_items:
            raise invalid(f"'marketplaceIds' accepts at most {max_items} marketplace id(s).")
        self.check_marketplace_ids(ids)

    def check_marketplace_ids(self, ids: Iterable[str]) -> None:
        for marketplace_id in ids:
            if marketplace_id != self.marketplace_id:
                raise invalid(
                    f"Invalid 'marketplaceIds': this seller does not sell in {marketplace_id}."
                )
