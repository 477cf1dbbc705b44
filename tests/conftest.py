"""Shared test fixtures. Every test runs with its own config/cache/data dirs and no real credentials."""

from __future__ import annotations

import gc
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
# Amazon's models beside the checkout (../shared/spapi-models), or where ASIN_TUI_SPAPI_MODELS
# says (a git worktree that lives elsewhere).
MODELS_DIR = Path(
    os.environ.get("ASIN_TUI_SPAPI_MODELS") or ROOT.parent / "shared" / "spapi-models"
)

#: the XDG folders a test's home holds (isolated_env), by environment variable
_XDG = (("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"), ("XDG_DATA_HOME", "data"))

_SPAPI_ENV = (
    "LWA_APP_ID",
    "LWA_CLIENT_SECRET",
    "SP_API_REFRESH_TOKEN",
    "SP_API_DEFAULT_MARKETPLACE",
    "AWS_ENV",
    "SP_API_AWS_SECRET_ID",
    "NO_COLOR",
)


#: The cyclic collector's thresholds in a test process (Python's: 700, 10, 10).
GC_THRESHOLDS = (20_000, 20, 20)


def pytest_configure(config) -> None:
    """Collect cyclic garbage less often in the test processes.

    The UI tests start hundreds of Textual apps, each allocating hundreds of thousands of
    objects: at Python's thresholds the collector ran ~300 times per test file's 10 s of CPU
    and took ~9 % of it (test_list_screen + test_wizard_safety: 1.3 s of 14); at these, ~0.4 s.
    What is collected is the same, only later (each worker holds some MB more meanwhile). The
    app's own use of the collector (cli.py, ui/app.py, list_screen: disabled while it starts
    or loads, then frozen and enabled) does not touch the thresholds, and its tests check it
    as before; tests that need a collection run one (gc.collect)."""
    gc.set_threshold(*GC_THRESHOLDS)
    # Hypothesis' profile (below): here, not where this module is imported, as tests import
    # it again by name (tests.conftest), which would load it once more. --hypothesis-profile,
    # if given, is loaded after this (Hypothesis' own pytest_configure runs after ours).
    fast = "fast" if _deselects_slow(config) else "ci"
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or fast)


def pytest_unconfigure(config) -> None:
    """End a test process without walking its whole heap again and again.

    After the session pytest collects garbage five times over (to report what a ``__del__``
    raised), then Python's shutdown collects once more: each pass walks every object alive,
    and a worker that ran hundreds of UI tests holds millions (what the app froze is skipped,
    what came after is not: up to ~0.7 s of CPU a worker at the end of the fast set, ~0.45 s in
    a worker that ran nothing). One pass here finds the same garbage and reports the same
    ``__del__`` errors (pytest's hook is still in place); what is alive after it is then frozen,
    so pytest's passes and the shutdown's only walk what is made later."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist load`` (the project's addopts): the measured scheduler (tests/schedule.py),
    the long tests first and the cores kept busy; any other ``--dist`` is xdist's own."""
    if config.getvalue("dist") != "load":
        return None
    from tests.schedule import MeasuredScheduling

    return MeasuredScheduling(config, log)


def _deselects_slow(config) -> bool:
    """This run is the fast set: its mark expression leaves the slow tests out (``-m "not
    slow"``, alone or with more)."""
    return re.search(r"\bnot\s+slow\b", config.getoption("markexpr") or "") is not None


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """Never read or write the developer's real config, cache or demo state."""
    # A fresh folder in the process's temporary folder. Not mktemp("home"): its numbered
    # folders are found by listing every folder made so far, so each test's home cost more
    # than the last (~0.4 ms more per 100 tests in a worker).
    home = Path(tempfile.mkdtemp(prefix="home", dir=tmp_path_factory.getbasetemp()))
    for var, sub in (*_XDG, ("HOME", "")):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    for var in _SPAPI_ENV:
        monkeypatch.delenv(var, raising=False)
    for key in list(os.environ):
        if key.startswith(("LWA_APP_ID_", "LWA_CLIENT_SECRET_", "SP_API_REFRESH_TOKEN_")):
            monkeypatch.delenv(key, raising=False)
    _clear_token_caches()
    yield home
    _clear_token_caches()


@pytest.fixture(scope="session")
def _synced_demo_home(tmp_path_factory) -> Path:
    """A home whose demo account was synced once (``report --demo --all``), for this run.

    Built once per run and shared by the xdist workers (a lock beside their temp folders; a
    run without workers builds it in its own), so that tests which need a synced demo cache to
    start from copy it (``synced_demo``) instead of each syncing the demo again."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    root = tmp_path_factory.getbasetemp()
    if worker is not None:
        root = root.parent  # the run's folder, above each worker's own
    home = root / "synced-demo-home"
    with FileLock(str(root / "synced-demo-home.lock")):
        if not (home / "synced").exists():
            _sync_demo_into(home)
            (home / "synced").touch()
    return home


def _sync_demo_into(home: Path) -> None:
    from asin_tui.cli import main
    from asin_tui.demo import DemoSettings

    shutil.rmtree(home, ignore_errors=True)  # a build that failed half-way
    with pytest.MonkeyPatch.context() as patch:
        for var, sub in (*_XDG, ("HOME", "")):
            (home / sub).mkdir(parents=True, exist_ok=True)
            patch.setenv(var, str(home / sub))
        for var in _SPAPI_ENV:
            patch.delenv(var, raising=False)
        report = home / "report.json"
        args = ["report", "--demo", "--all", "--format", "json", "--output", str(report)]
        code = main(args, demo=DemoSettings(drift=0.0, time_scale=100.0))
    assert code in (0, 1) and report.exists(), f"the demo's sync failed ({code})"
    report.unlink()


@pytest.fixture
def synced_demo(isolated_env, _synced_demo_home) -> Path:
    """This test's home holds a demo account synced with ``report --demo --all`` (its cache,
    its schemas, its progress store): a copy of the run's one sync, which the test may change
    or break at will. Returns the home."""
    for _, sub in _XDG:
        shutil.copytree(_synced_demo_home / sub, isolated_env / sub, dirs_exist_ok=True)
    return isolated_env


def _clear_token_caches() -> None:
    """python-amazon-sp-api keeps module-global LWA token caches (sync and async)."""
    try:
        from sp_api.asyncio.auth import access_token_client as async_atc
        from sp_api.auth import access_token_client as sync_atc
    except ImportError:  # pragma: no cover
        return
    sync_atc.cache.clear()
    async_atc.cache.clear()


@pytest.fixture
def models_dir() -> Path:
    """Amazon's official SP-API models. Skips (never passes silently) outside this workplace."""
    if not MODELS_DIR.is_dir():
        pytest.skip(
            f"official SP-API models not found at {MODELS_DIR} (needs ../shared/spapi-models)"
        )
    return MODELS_DIR


# Property tests (fuzzing) run the same examples on every machine and keep no example database:
# a CI failure is reproduced by running the test again. Three profiles (HYPOTHESIS_PROFILE or
# pytest's --hypothesis-profile picks one; pytest_configure loads it):
# - ci: Hypothesis' 100 examples a test (or the test's own count): the whole suite, .ci/run;
# - fast: a fifth of them, the same way each run; loaded when the run leaves the slow tests out
#   (-m "not slow", the fast set a developer runs while working, pytest_configure above);
# - explore: twenty times as many, afresh (random), when hunting for new cases by hand.
#: Hypothesis' own number of examples per property test: what the ci profile runs.
FULL_EXAMPLES = 100
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("fast", parent=settings.get_profile("ci"), max_examples=20)
settings.register_profile(
    "explore", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def examples(count: int) -> int:
    """A property test's own number of examples (``@settings(max_examples=examples(300))``)
    under the loaded profile: ``count`` in the whole suite (ci), a fifth of it in the fast set,
    twenty times it to explore. A test's own ``max_examples`` overrides the profile's, so a
    count written as a bare number would stay the same in every profile. Called when the test
    runs (the profile is loaded in pytest_configure, after this module is imported)."""
    return max(1, count * settings.default.max_examples // FULL_EXAMPLES)


def file_link_and_fifo(folder: Path, text: str) -> tuple[Path, Path, Path]:
    """In ``folder``: a regular file holding ``text``, a symlink to it and a named pipe (what
    a path the user points at, or one asin-tui writes, may turn out to be)."""
    regular, link, fifo = folder / "regular.txt", folder / "link.txt", folder / "pipe"
    regular.write_text(text)
    link.symlink_to(regular)
    os.mkfifo(fifo)
    return regular, link, fifo
