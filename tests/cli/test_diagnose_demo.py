"""`asin-tui diagnose --demo SKU` (session 9's walk: `report --demo` lets a new seller try the
report without an account, but `diagnose --demo` was "unrecognized arguments: --demo"): the
demo account's listing is fetched from the simulated SP-API as the app's refresh fetches it
and diagnosed by the same rules, in the same JSON or text as a saved answer's diagnosis."""

from __future__ import annotations

import json

import pytest

from asin_tui.cli import main
from asin_tui.demo import DemoSettings
from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount

QUICK = DemoSettings(drift=0.0, time_scale=1000.0)  # the demo's Amazon, 1000x faster


def demo_sku(cause: str) -> str:
    account = SandboxAccount()  # the demo's account
    return next(s for s in account.search(sort_by="sku") if account.intended_causes(s) == {cause})


@pytest.mark.parametrize("argv", [["diagnose", "--demo"], ["--demo", "diagnose"]])
def test_diagnose_demo_sku_explains_the_demo_listing(capsys, argv):
    sku = demo_sku(codes.MISSING_IMAGE)
    assert main([*argv, sku, "--format", "json"], demo=QUICK) == 1  # needs attention
    out, err = capsys.readouterr()
    found = json.loads(out)
    assert found["sku"] == sku and found["marketplace_id"] == "ATVPDKIKX0DER"
    assert codes.MISSING_IMAGE in {f["code"] for f in found["findings"]}
    assert err == ""


def test_diagnose_demo_says_in_one_line_what_it_cannot_do(capsys):
    assert main(["diagnose", "--demo", "NO-SUCH-SKU"], demo=QUICK) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "the demo account has no listing with SKU NO-SUCH-SKU" in err
    assert "asin-tui report --demo --all lists them" in err
    sku = demo_sku(codes.MISSING_IMAGE)
    assert main(["diagnose", "--demo", sku, "--inventory", "inv.json"], demo=QUICK) == 2
    assert "with --demo the demo account's are asked for" in capsys.readouterr().err
    assert main(["diagnose", "--demo", sku, "--marketplace", "DE"], demo=QUICK) == 2
    assert "the demo account sells in the US marketplace only" in capsys.readouterr().err


def test_diagnose_demo_with_a_cache_folder_that_cannot_be_made_is_one_line(
    capsys, monkeypatch, tmp_path
):
    """As report and watch say it (was: "internal error (NotADirectoryError …)")."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))  # under a file: ENOTDIR
    assert main(["diagnose", "--demo", demo_sku(codes.MISSING_IMAGE)], demo=QUICK) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"asin-tui: Not a directory: {blocker / 'cache'}\n"
