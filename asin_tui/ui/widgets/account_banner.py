"""One line above the list (and the detail) when the whole account is at risk: no listing
fix helps until Account Health is resolved. Hidden while the account is NORMAL or unknown."""

from __future__ import annotations

from textual.widgets import Static

from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import AccountHealth
from asin_tui.ui.presentation import account_banner_text
from asin_tui.ui.safe_text import data


class AccountBanner(Static):
    """Says the account's status in words and a ⚠ (readable without colour); one line,
    cut with an ellipsis when the policy counters do not fit (see app.tcss)."""

    def show(self, health: AccountHealth | None, marketplace_id: str) -> None:
        market = marketplace_by_id(marketplace_id)
        text = account_banner_text(health, market.code if market else marketplace_id)
        self.display = text is not None
        self.update(data(text or ""))  # the status and counters come from Amazon's report
