"""The app's start imports no more than its first paint needs."""

import subprocess
import sys

NETWORK_MODULES = ("sp_api", "httpx")
#: What `asin-tui` / `asin-tui --demo` must not import before the list paints: the SP-API
#: client's libraries (built in a thread afterwards), the simulated account and its server,
#: what only other subcommands use, and the screens nobody opened yet.
HEAVY_MODULES = (
    *NETWORK_MODULES,
    "yaml",
    "asin_tui.spapi.client",
    "asin_tui.sandbox",
    "asin_tui.demo",
    "http.server",
    "email",
    "asin_tui.commands.sandbox",
    "asin_tui.commands.report",
    "asin_tui.ui.screens.wizard",
    "asin_tui.ui.screens.detail",
    "asin_tui.ui.screens.help",
    "asin_tui.ui.screens.welcome",
    "asin_tui.ui.screens.export",
    "asin_tui.render",  # the report's and the export's renderers
    # the cause view and what it counts with (domain.causes pulls in bulk and the wizard)
    "asin_tui.ui.screens.causes",
    "asin_tui.domain.causes",
    "asin_tui.domain.bulk",
    "asin_tui.domain.wizard",
    "hashlib",  # a sync's digests and schema file names (hmac/secrets too): not the start's
    "secrets",
    # what only a sync, a refresh or a re-diagnosis runs: the sync engine, the rules, the
    # reports' readers, the client's settings (the start only reads the cache)
    "asin_tui.spapi.sync",
    "asin_tui.spapi.calls",
    "asin_tui.spapi.settings",
    "asin_tui.spapi.reports",
    "asin_tui.domain.diagnosis",
    "asin_tui.domain.rules",
    "asin_tui.domain.patches",
    # what the list uses only once a view or a sync asks: the At risk view, "since you last
    # looked", the timeline and the stock cover (domain.looks, .events, .cover: 11 dataclasses,
    # ~6 ms of the start) and the sync's child process
    "asin_tui.domain.looks",
    "asin_tui.domain.events",
    "asin_tui.domain.cover",
    "asin_tui.child",
    # what SP-API said about a listing and its parser: for a listing read whole (the detail
    # screen, a refresh, a diagnosis), not for the cache's rows the list paints (~9 ms)
    "asin_tui.domain.evidence",
    "asin_tui.spapi.parse",
    # the case store (and its TOML writer and file lock) while there is no case file to read
    "asin_tui.store.cases",
    "tomli_w",
    "filelock",
)


def imported_by(code: str, modules: tuple[str, ...]) -> list[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys\n{code}\nprint(sorted(m for m in {modules!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return eval(out.stdout.strip())  # a list of names printed by the child


def test_starting_the_app_does_not_import_the_sp_api_client():
    """python-amazon-sp-api and httpx (~0.2 s) load when a client is first opened, not before
    the list paints from the cache."""
    assert imported_by("import asin_tui.commands.tui, asin_tui.ui.app", NETWORK_MODULES) == []


def test_the_app_path_imports_nothing_heavy_before_the_first_paint():
    """What `asin-tui --demo` runs up to the list's first paint: parse the command line
    (no subcommand: none of them imported), build the app and its list screen, open the
    demo account lazily (its cache only) and read its first screenful."""
    code = """
from asin_tui import cli
parser = cli.build_parser(cli._named_commands(["--demo"]))
args = cli._parse(parser, ["--demo"])
assert args.command is None and args.demo
from asin_tui.commands import tui
from asin_tui.ui.case_labels import saved_case_labels
from asin_tui.ui.opening import Opening
from asin_tui.ui.screens.list_screen import ListScreen
opening = Opening(tui.open_demo, saved_case_labels)
assert opening.first_screenful(opening.service()) is not None
"""
    assert imported_by(code, HEAVY_MODULES) == []


def test_the_account_opens_before_textual_loads():
    """`asin-tui` reads its first rows (ui.opening) before Textual and the screens are
    imported: the command's module loads neither."""
    code = "from asin_tui.commands import tui"
    assert imported_by(code, ("textual", "asin_tui.ui.app")) == []


def test_report_does_not_import_the_other_subcommands():
    code = """
from asin_tui import cli
cli.build_parser(cli._named_commands(["report", "--cached"]))
"""
    heavy = ("asin_tui.commands.sandbox", "asin_tui.sandbox.server", "http.server")
    assert imported_by(code, heavy) == []
    assert imported_by(code, ("asin_tui.commands.report",)) == ["asin_tui.commands.report"]


def test_a_cached_demo_report_builds_no_simulated_account(synced_demo):
    """`asin-tui report --demo --cached` with a fresh cache answers from it, as for a profile:
    no simulated account built, no SP-API client's libraries, no service and its event loop
    (a script that runs it often: ~0.14 CPU-s instead of ~0.38)."""
    code = """
import contextlib, io
from asin_tui import cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = cli.main(["report", "--demo", "--cached", "--max-age", "1e9"])
assert code == 1 and out.getvalue().startswith("STATE"), (code, out.getvalue())
"""
    heavy = (
        *NETWORK_MODULES,
        "asin_tui.demo",
        "asin_tui.sandbox",
        "asin_tui.service",
        "asin_tui.spapi.client",
        "asyncio",
        "logging",
    )
    assert imported_by(code, heavy) == []


def test_a_report_read_from_the_cache_builds_no_evidence_classes():
    """`report --cached --format csv` reads rendered rows and decoded findings: the classes
    of what SP-API said (domain.evidence's ~15 frozen dataclasses, ~8 ms to build) and the
    body parser load only when something asks for them (JSON's Account Health, a sync)."""
    code = """
import asin_tui.cli, asin_tui.commands.report, asin_tui.cached, asin_tui.render_sql
from asin_tui.domain.models import Finding, ListingRecord, State
"""
    assert imported_by(code, ("asin_tui.domain.evidence", "asin_tui.spapi.parse")) == []


def test_the_evidence_classes_keep_their_old_names():
    """domain.models still names what moved to domain.evidence (loaded on first use), and
    an unknown name is an AttributeError, not an import of domain.evidence."""
    code = """
import asin_tui.domain.models as models
try:
    models.NoSuchThing
except AttributeError:
    pass
else:
    raise SystemExit("no AttributeError")
assert "asin_tui.domain.evidence" not in sys.modules
from asin_tui.domain.models import Listing, Evidence, requirements_for_key
from asin_tui.domain import evidence
assert (Listing, Evidence, requirements_for_key) == (
    evidence.Listing, evidence.Evidence, evidence.requirements_for_key)
"""
    assert imported_by(code, ("asin_tui.domain.evidence",)) == ["asin_tui.domain.evidence"]
