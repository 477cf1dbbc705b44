"""First start without a config profile: what asin-tui does and how to begin."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from asin_tui.store import paths
from asin_tui.store.config import display_path
from asin_tui.ui.safe_text import template
from asin_tui.ui.screens.base import SizeKept
from asin_tui.ui.widgets.keys_footer import KeysFooter

WELCOME = """\
[b]asin-tui[/b] finds every Amazon listing of yours that is not live,
tells you why in plain words, and walks you through getting it back
on sale.

[b]Try it now[/b]
  Press [b]d[/b] to open the demo: a sandbox seller account with every
  common problem (out of stock, suppressed, missing attributes, price
  conflicts, policy issues, approvals…). Nothing there touches Amazon.

[b]Use your own account[/b]
  1. Seller Central → Apps and Services → Develop Apps: register as a
     private developer, add an app client with the roles Product Listing,
     Amazon Fulfillment and Selling Partner Insights, then Authorize app
     to get its refresh token (shown once).
  2. Run [b]asin-tui config init[/b] and fill in seller_id and marketplace:
     [i]$config[/i]
  3. Set LWA_APP_ID and LWA_CLIENT_SECRET (the app's LWA credentials)
     and SP_API_REFRESH_TOKEN, then run [b]asin-tui config check[/b].
  4. Start [b]asin-tui[/b] again. Step by step: docs/CREDENTIALS.md
"""


class WelcomeScreen(SizeKept, Screen):
    BINDINGS = [
        Binding(
            "d",
            "app.open_demo",
            "Open the demo",
            tooltip="The sandbox seller account",
            id="welcome.demo",
        )
    ]

    def compose(self) -> ComposeResult:
        text = template(WELCOME, config=display_path(paths.config_file()))
        with VerticalScroll(id="welcome-body"), Center():
            yield Static(text, id="welcome")
        yield KeysFooter(compact=True)
