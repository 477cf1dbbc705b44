"""Keymaps: every key has a binding id, the config's [keymap] remaps it, help shows it."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

import asin_tui.ui
from asin_tui import cli
from asin_tui.store import paths
from asin_tui.store.config import display_path
from asin_tui.store.keymap import BINDING_IDS
from asin_tui.ui.app import AsinTuiApp, make_app
from asin_tui.ui.screens.help import HelpScreen
from asin_tui.ui.widgets.filter_input import FilterInput
from tests.ui.conftest import settle
from tests.ui.fakes import progress_of

PROFILE = '[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'


def ui_bindings() -> list[tuple[str, Binding]]:
    """(class name, Binding) of every class in asin_tui.ui that declares BINDINGS."""
    for module in pkgutil.walk_packages(asin_tui.ui.__path__, "asin_tui.ui."):
        importlib.import_module(module.name)
    found = []
    pending = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("asin_tui.ui.") and "BINDINGS" in vars(cls):
            found += [(cls.__name__, b) for b in cls.BINDINGS if isinstance(b, Binding)]
    return found


def test_every_binding_has_a_known_id_and_every_id_a_binding():
    bindings = ui_bindings()
    assert {name for name, _ in bindings} >= {"ListScreen", "DetailScreen", "WizardScreen"}
    ids = [b.id for _, b in bindings]
    assert None not in ids, [(name, b.key) for name, b in bindings if b.id is None]
    assert len(ids) == len(set(ids))  # one id, one binding
    assert set(ids) == set(BINDING_IDS)


def help_keys(app) -> dict[str, str]:
    """The help screen's rows: description -> the keys shown for it (a row's wrapped lines,
    indented under its description, are not rows)."""
    rows = {}
    for line in str(app.screen.query_one("#help-keys").render()).splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            keys, description = re.split(r"\s{2,}", line.strip(), maxsplit=1)
            rows[description.split(" — ")[0]] = keys
    return rows


async def test_remapped_keys_act_and_the_help_shows_them(service):
    keymap = {"list.filter": "f", "list.sync": "ctrl+r,f5", "app.help": "f1"}
    app = make_app(lambda: service, case_labels_loader=progress_of, keymap=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        keys = help_keys(app)
        assert (keys["Filter"], keys["Sync"], keys["Help"]) == ("f", "^r f5", "f1")
        assert keys["Sort"] == "s"  # not remapped: its own key
        await pilot.press("escape")
        await pilot.press("slash")  # the old key does nothing now
        assert not isinstance(app.focused, FilterInput)
        await pilot.press("f")
        assert isinstance(app.focused, FilterInput)
        await pilot.press("escape", "f5")
        await settle(pilot)
        assert service.synced == 2  # on start, then f5


@pytest.fixture
def started(monkeypatch):
    apps: list[AsinTuiApp] = []
    monkeypatch.setattr(AsinTuiApp, "run", lambda self, *a, **k: apps.append(self))
    return apps


def write_config(text: str) -> None:
    paths.config_dir().mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text(text, encoding="utf-8")


@pytest.mark.parametrize("argv", [[], ["--demo"]])
def test_the_config_keymap_reaches_the_app(started, argv):
    write_config(PROFILE + '[keymap]\n"list.filter" = "f"\n')
    assert cli.main(argv) == 0
    assert started[0].user_keymap == {"list.filter": "f"}


def test_demo_without_config_has_the_default_keys(started):
    assert cli.main(["--demo"]) == 0
    assert started[0].user_keymap == {}


BROKEN_KEYMAP_ERROR = (
    "{path}, line 5: keymap.\"list.fliter\": unknown binding id (did you mean 'list.filter'?)"
)


def test_broken_keymap_is_one_line_exit_2_before_the_app(started, capsys):
    write_config(PROFILE + '[keymap]\n"list.fliter" = "f"\n')
    assert cli.main([]) == 2
    error = BROKEN_KEYMAP_ERROR.format(path=display_path(paths.config_file()))
    assert capsys.readouterr().err == f"asin-tui: {error}\n"
    assert not started


def test_a_broken_config_never_blocks_the_demo(started, capsys):
    """The demo needs no config: a broken one is named on stderr and the demo opens."""
    write_config(PROFILE + '[keymap]\n"list.fliter" = "f"\n')
    assert cli.main(["--demo"]) == 0
    error = BROKEN_KEYMAP_ERROR.format(path=display_path(paths.config_file()))
    assert capsys.readouterr().err == f"asin-tui: config ignored for the demo: {error}\n"
    assert started and started[0].user_keymap == {}
