"""The app's start imports no more than its first paint needs."""

import subprocess
import sys

NETWORK_MODULES = ("sp_api", "httpx")


def test_starting_the_app_does_not_import_the_sp_api_client():
    """python-amazon-sp-api and httpx (~0.2 s) load when a client is first opened, not before
    the list paints from the cache."""
    code = (
        "import sys, asin_tui.commands.tui, asin_tui.ui.app; "
        f"print(sorted(m for m in {NETWORK_MODULES!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
