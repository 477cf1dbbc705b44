"""What import-linter cannot say about the layers (its contracts, in pyproject.toml, say who
may import whom and run in .ci/run as ``lint-imports``): what a fresh interpreter really loads.

The domain loads nothing with I/O (sqlite3 and sockets are the standard library's, which the
contracts do not cover), and starting the app loads neither the network libraries nor the
simulator (lazy imports look the same as eager ones to import-linter)."""

from __future__ import annotations

import subprocess
import sys

DOMAIN = [
    "asin_tui.domain.models",
    "asin_tui.domain.evidence",
    "asin_tui.domain.csvline",
    "asin_tui.domain.diagnosis",
    "asin_tui.domain.wizard",
    "asin_tui.domain.patches",
    "asin_tui.domain.casedraft",
    "asin_tui.domain.marketplaces",
    "asin_tui.domain.bulk",
]


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print('\\n'.join(sorted({n.split('.')[0] for n in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_domain_is_pure():
    loaded = _loaded_after_import(DOMAIN)
    assert not loaded & {"textual", "httpx", "sp_api", "sqlite3", "rich", "socket"}, loaded


#: What starting the app or a command loads: the command line, the TUI, the renderers.
STARTUP = ["asin_tui.cli", "asin_tui.commands.tui", "asin_tui.ui.app", "asin_tui.render"]


def test_starting_the_app_loads_no_network_library_and_no_simulator():
    """python-amazon-sp-api and httpx are imported when a client is first opened, the
    simulator only for --demo (through asin_tui.demo): import-linter sees every import,
    lazy or not, so only a fresh interpreter can tell what a start really loads."""
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in STARTUP)
        + "print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    tops = {name.split(".")[0] for name in loaded}
    assert not tops & {"sp_api", "httpx", "jsonschema"}, tops
    assert not {n for n in loaded if n.startswith(("asin_tui.sandbox", "asin_tui.demo"))}
