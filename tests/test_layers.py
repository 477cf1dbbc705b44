"""What import-linter cannot say about the layers (its contracts, in pyproject.toml, say who
may import whom and run in .ci/run as ``lint-imports``): what a fresh interpreter really loads.

The domain loads nothing with I/O (sqlite3 and sockets are the standard library's, which the
contracts do not cover), and starting the app loads neither the network libraries nor the
simulator (lazy imports look the same as eager ones to import-linter). And that the
"forbidden" contracts leave no module out: import-linter checks the modules a contract names,
so a top-level module added later would escape them unseen."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Every module of the domain, found on disk (a new one is checked without being listed here).
DOMAIN = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(
        [str(ROOT / "asin_tui" / "domain")], prefix="asin_tui.domain."
    )
)


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


def test_no_command_but_sandbox_serve_loads_the_network_or_the_simulator_on_import():
    """The commands' modules (and the SQL report, the cached account they read) import the
    client and the demo when they run, not when the command line is built: `report --cached`
    and `progress` never load them. `sandbox serve` is the one command that imports the
    simulator directly (its import-linter exemption)."""
    commands = [
        f"asin_tui.commands.{m.name}"
        for m in pkgutil.iter_modules([str(ROOT / "asin_tui" / "commands")])
        if m.name != "sandbox"
    ]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in [*commands, "asin_tui.render_sql", "asin_tui.cached"])
        + "print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert len(commands) >= 10 and "asin_tui.commands.report" in loaded
    assert not {name.split(".")[0] for name in loaded} & {"sp_api", "httpx", "jsonschema"}
    assert not {n for n in loaded if n.startswith(("asin_tui.sandbox", "asin_tui.demo"))}


def _contract(name_start: str) -> dict:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    (contract,) = [c for c in contracts if c["name"].startswith(name_start)]
    return contract


#: asin_tui's top-level modules and packages (``asin_tui.cli``, ``asin_tui.ui``, …).
TOP_LEVEL = {f"asin_tui.{m.name}" for m in pkgutil.iter_modules([str(ROOT / "asin_tui")])}


@pytest.mark.parametrize(
    ("contract", "side", "exempt"),
    [
        # the simulator itself, the demo's composition root (its one importer) and the entry point
        ("Production code never imports the simulator", "source_modules", {"sandbox", "demo"}),
        # the command line builds the demo (cli, commands)
        ("Only the command line reaches the demo", "source_modules", {"cli", "commands", "demo"}),
        # the UI, and the commands and the command line that start it
        ("Only the UI knows Textual", "source_modules", {"ui", "cli", "commands"}),
        # the simulator may use the store's file helpers (its contract lists the store's others)
        ("The simulator takes nothing", "forbidden_modules", {"sandbox", "demo", "store"}),
    ],
)
def test_every_top_level_module_is_under_each_forbidden_contract(contract, side, exempt):
    """A module added to asin_tui must be named by the "forbidden" contracts (the layers
    contract is exhaustive by itself): one left out could import the simulator, the demo or
    Textual and lint-imports would still say KEPT."""
    named = set(_contract(contract)[side])
    expected = TOP_LEVEL - {f"asin_tui.{m}" for m in exempt | {"__main__"}}
    assert expected - named == set(), f"{contract!r} does not name them in {side}"
