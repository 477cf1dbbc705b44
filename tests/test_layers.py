"""Layers stay apart: the domain is pure, the SP-API layer and the store know no widgets.

Each check imports a layer in a fresh interpreter and looks at what got loaded, so an
indirect import (a helper importing a helper importing textual) is caught too."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAIN = [
    "asin_tui.domain.models",
    "asin_tui.domain.diagnosis",
    "asin_tui.domain.wizard",
    "asin_tui.domain.patches",
    "asin_tui.domain.casedraft",
    "asin_tui.domain.marketplaces",
    "asin_tui.domain.bulk",
]
HEADLESS = [
    "asin_tui.spapi.client",
    "asin_tui.spapi.sync",
    "asin_tui.spapi.parse",
    "asin_tui.store.cache",
    "asin_tui.store.config",
    "asin_tui.store.progress",
    "asin_tui.service",
    "asin_tui.bulk",
    "asin_tui.sandbox.account",
    "asin_tui.sandbox.app",
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
    assert not loaded & {"textual", "httpx", "sp_api", "sqlite3", "rich"}, loaded


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_layers_know_no_widgets(module):
    assert "textual" not in _loaded_after_import([module])
