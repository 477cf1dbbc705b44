"""One line above the list (and the detail) when the whole account is at risk: no listing
fix helps until Account Health is resolved; or, on the list, when many listings show one
account-level cause (holiday mode). Hidden otherwise."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import Static

from asin_tui.domain.account import AccountCause
from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import AccountHealth
from asin_tui.ui.presentation import account_banner_text
from asin_tui.ui.safe_text import data


class AccountBanner(Static):
    """Says the account's status in words and a ⚠ (readable without colour); one line,
    cut with an ellipsis when the policy counters do not fit (see app.tcss)."""

    def show(
        self,
        health: AccountHealth | None,
        marketplace_id: str,
        causes: Sequence[AccountCause] = (),
    ) -> None:
        """The account's health first; else a cause many listings show together (holiday
        mode), said once here rather than on every row."""
        market = marketplace_by_id(marketplace_id)
        text = account_banner_text(health, market.code if market else marketplace_id)
        if text is None and causes:
            text = causes[0].banner
        self.display = text is not None
        # the status and counters come from Amazon's report; one line (height 1) as wide as
        # the screen whatever it says: a repaint, not a layout (showing or hiding it is one)
        self.update(data(text or ""), layout=False)
