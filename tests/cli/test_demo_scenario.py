"""`--scenario`: the demo and `sandbox serve` in the seller's other situations (vacation)."""

from __future__ import annotations

import json

import pytest

from asin_tui import cli
from asin_tui.cli import main
from asin_tui.commands import sandbox as sandbox_command
from asin_tui.demo import DemoSettings
from asin_tui.domain import codes
from asin_tui.sandbox.account import SCENARIOS
from asin_tui.sandbox.transport import demo_account_path


def test_the_app_names_the_sandboxs_scenarios():
    assert cli.DEMO_SCENARIOS == SCENARIOS


@pytest.mark.parametrize(
    "argv",
    [["--scenario", "vacation"], ["report", "--scenario", "vacation"]],
)
def test_a_scenario_without_the_demo_is_a_usage_error(capsys, argv):
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == "asin-tui: --scenario only applies to --demo"


def test_an_unknown_scenario_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--demo", "--scenario", "holiday"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'holiday'" in err and "'vacation'" in err


@pytest.mark.slow  # a whole demo account synced at Amazon's rates (scaled)
def test_the_vacation_demo_is_one_account_level_cause(capsys):
    """`asin-tui report --demo --scenario vacation`: the many seller-fulfilled listings off
    sale with no issue are told as one account cause, in an account of its own."""
    quick = DemoSettings(drift=0.0, time_scale=1000.0)  # the demo's Amazon, 1000x faster
    code = main(["report", "--demo", "--scenario", "vacation", "--format", "json"], demo=quick)
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert document["profile"] == "demo-vacation"
    (cause,) = [c for c in document["account_causes"] if c["code"] == codes.ACCOUNT_VACATION]
    assert cause["listings"] > 50
    # its fixes are kept apart from the default demo's
    assert demo_account_path("vacation").name == "demo-account-vacation.json"
    assert demo_account_path().name == "demo-account.json"


def test_sandbox_serve_options_pick_the_scenario_and_tidiness():
    parser = cli.build_parser()
    default = sandbox_command.account_for(parser.parse_args(["sandbox", "serve"]))
    assert (default.params.scenario, default.params.tidy) == ("default", False)
    vacation = sandbox_command.account_for(
        parser.parse_args(
            ["sandbox", "serve", "--scenario", "vacation", "--tidy", "--listings", "40"]
        )
    )
    assert (vacation.params.scenario, vacation.params.tidy) == ("vacation", True)
    assert all(r.vacation for r in vacation._records)
    assert not any(r.varied or r.offer_only for r in vacation._records)


def test_progress_of_a_scenario_demo_is_its_own(capsys):
    """`progress --demo --scenario vacation` lists the vacation demo's wizard work, not the
    default demo's."""
    from asin_tui.store.cases import CaseStore

    us = "ATVPDKIKX0DER"
    CaseStore("demo", us).update("DEFAULT-SKU", lambda p: None)
    CaseStore("demo-vacation", us).update("VACATION-SKU", lambda p: None)
    listed = {}
    for scenario in ("default", "vacation"):
        assert main(["progress", "--demo", "--scenario", scenario, "--format", "json"]) == 0
        listed[scenario] = [item["sku"] for item in json.loads(capsys.readouterr().out)]
    assert listed == {"default": ["DEFAULT-SKU"], "vacation": ["VACATION-SKU"]}
