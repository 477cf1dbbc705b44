"""`asin-tui progress`: open triage work as a table or JSON, for a profile or the demo."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from asin_tui.cli import main
from asin_tui.domain.models import WizardStep
from asin_tui.store import paths
from asin_tui.store.progress import (
    ChecklistItem,
    Outcome,
    ProgressStore,
    SkuProgress,
    StepProgress,
    StepStatus,
)

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def save(profile: str, marketplace_id: str, *items: SkuProgress) -> None:
    store = ProgressStore(profile, marketplace_id)
    for item in items:
        store.update(item.sku, item)


def demo_items() -> list[SkuProgress]:
    stock = SkuProgress(
        sku="MUG-RED-12oz",
        current_step=WizardStep.STOCK,
        started_at=T0,
        updated_at=T0 + timedelta(minutes=5),
    )
    stock.steps[WizardStep.STOCK] = StepProgress(
        StepStatus.NEEDS_ACTION,
        notes="ordered 40 units from the supplier\nETA Friday",
        updated_at=T0,
    )
    policy = SkuProgress(
        sku="LAMP-01", current_step=WizardStep.POLICY, started_at=T0, updated_at=T0 + timedelta(1)
    )
    policy.steps[WizardStep.POLICY] = StepProgress(
        StepStatus.NEEDS_ACTION,
        checklist=[ChecklistItem("Upload the UL certificate " + "x" * 80, note="x" * 80)],
        updated_at=T0,
    )
    done = SkuProgress(sku="DONE-1", outcome=Outcome.RESOLVED, updated_at=T0 + timedelta(2))
    return [stock, policy, done]


def write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_demo_table_lists_open_work_newest_first(capsys):
    save("demo", US, *demo_items())
    code, out, err = run(capsys, "progress", "--demo")
    assert (code, err) == (0, "")
    assert out == (
        "Open triage work, profile demo, US (ATVPDKIKX0DER): 2 open SKUs\n"
        "\n"
        "SKU           STEP               OUTCOME  UPDATED (UTC)     LAST NOTE\n"
        f"LAMP-01       Policy compliance  open     2025-05-02 09:00  {'x' * 59}…\n"
        "MUG-RED-12oz  Stock              open     2025-05-01 09:05  "
        "ordered 40 units from the supplier…\n"
    )


def test_json_output(capsys):
    save("demo", US, *demo_items())
    code, out, _ = run(capsys, "--demo", "progress", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {
            "sku": "LAMP-01",
            "step": "policy",
            "outcome": "open",
            "updated_at": "2025-05-02T09:00:00+00:00",
            "last_note": "x" * 80,
        },
        {
            "sku": "MUG-RED-12oz",
            "step": "stock",
            "outcome": "open",
            "updated_at": "2025-05-01T09:05:00+00:00",
            "last_note": "ordered 40 units from the supplier\nETA Friday",
        },
    ]


def test_nothing_open(capsys):
    assert run(capsys, "progress", "--demo") == (
        0,
        "No open triage work (profile demo, US (ATVPDKIKX0DER)).\n",
        "",
    )
    assert run(capsys, "progress", "--demo", "--format", "json") == (0, "[]\n", "")


def test_profile_and_marketplace_choose_the_file(capsys):
    write_config(
        '[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'
        '[profiles.eu]\nmarketplace = "DE"\nseller_id = "A2EXAMPLE12345"\n'
    )
    save("main", US, SkuProgress(sku="US-ONLY"))
    save("eu", DE, SkuProgress(sku="DE-ONLY"))
    save("main", DE, SkuProgress(sku="MAIN-IN-DE"))

    def skus(*argv: str) -> list[str]:
        code, out, _ = run(capsys, "progress", "--format", "json", *argv)
        assert code == 0
        return [item["sku"] for item in json.loads(out)]

    assert skus() == ["US-ONLY"]  # the first profile and its marketplace
    assert skus("--profile", "eu") == ["DE-ONLY"]
    assert skus("--marketplace", "DE") == ["MAIN-IN-DE"]
    assert skus("--marketplace", DE, "--profile", "main") == ["MAIN-IN-DE"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["progress"], "no config file; create one with `asin-tui config init` (or try --demo)"),
        (["--demo", "progress", "--profile", "main"], "use either --demo or --profile, not both"),
        (["progress", "--demo", "--marketplace", "XX"], "--marketplace: unknown marketplace 'XX'"),
    ],
)
def test_usage_problems_are_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("asin-tui: ") and message in err
    assert err.count("\n") == 1


def test_a_corrupt_progress_file_is_reported_and_kept(capsys):
    store = ProgressStore("demo", US)
    store.path.parent.mkdir(parents=True)
    store.path.write_text("schema_version = [\n")
    code, out, err = run(capsys, "progress", "--demo")
    assert code == 0
    assert out.startswith("No open triage work")
    assert err.startswith("asin-tui: warning: Saved progress in ")
    (kept,) = store.path.parent.glob(f"demo-{US}.corrupt-*.toml")
    assert kept.read_text() == "schema_version = [\n"
    assert kept.name in err
