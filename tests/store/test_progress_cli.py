"""`asin-tui progress`: open and escalated triage work (--all: resolved too) as a table or
JSON, for a profile or the demo; the progress file is only read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from asin_tui.cli import main
from asin_tui.domain.models import WizardStep
from asin_tui.store import paths
from asin_tui.store.cases import (
    CaseRecord,
    CaseStore,
    ChecklistTick,
    Outcome,
    StepRecord,
    StepStatus,
)

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def save(profile: str, marketplace_id: str, *items: CaseRecord) -> None:
    store = CaseStore(profile, marketplace_id)
    for item in items:
        store.update(item.sku, item)


def demo_items() -> list[CaseRecord]:
    stock = CaseRecord(
        sku="MUG-RED-12oz",
        current_step=WizardStep.STOCK,
        started_at=T0,
        updated_at=T0 + timedelta(minutes=5),
    )
    stock.steps[WizardStep.STOCK] = StepRecord(
        StepStatus.NEEDS_ACTION,
        notes="ordered 40 units from the supplier\nETA Friday",
        updated_at=T0,
    )
    policy = CaseRecord(
        sku="LAMP-01", current_step=WizardStep.POLICY, started_at=T0, updated_at=T0 + timedelta(1)
    )
    policy.steps[WizardStep.POLICY] = StepRecord(
        StepStatus.NEEDS_ACTION,
        checklist=[ChecklistTick("Upload the UL certificate " + "x" * 80, note="x" * 80)],
        updated_at=T0,
    )
    done = CaseRecord(sku="DONE-1", outcome=Outcome.RESOLVED, updated_at=T0 + timedelta(2))
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
        "Triage work, profile demo, US (ATVPDKIKX0DER): 2 open SKUs\n"
        "\n"
        "SKU           STEP               OUTCOME  UPDATED (UTC)     LAST NOTE\n"
        f"LAMP-01       Policy compliance  open     2025-05-02 09:00  {'x' * 59}…\n"
        "MUG-RED-12oz  Stock              open     2025-05-01 09:05  "
        "ordered 40 units from the supplier…\n"
    )


NO_DETAILS = {
    "waiting_for": "",
    "recheck_at": None,
    "overdue": False,
    "reason": "",
    "checked_at": None,
    "check_note": "",
}


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
            **NO_DETAILS,
        },
        {
            "sku": "MUG-RED-12oz",
            "step": "stock",
            "outcome": "open",
            "updated_at": "2025-05-01T09:05:00+00:00",
            "last_note": "ordered 40 units from the supplier\nETA Friday",
            **NO_DETAILS,
        },
    ]


def test_nothing_open(capsys):
    assert run(capsys, "progress", "--demo") == (
        0,
        "No open, waiting or escalated triage work (profile demo, US (ATVPDKIKX0DER)).\n",
        "",
    )
    assert run(capsys, "progress", "--demo", "--format", "json") == (0, "[]\n", "")


def test_profile_and_marketplace_choose_the_file(capsys):
    write_config(
        '[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'
        '[profiles.eu]\nmarketplace = "DE"\nseller_id = "A2EXAMPLE12345"\n'
    )
    save("main", US, CaseRecord(sku="US-ONLY"))
    save("eu", DE, CaseRecord(sku="DE-ONLY"))
    save("main", DE, CaseRecord(sku="MAIN-IN-DE"))

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
    store = CaseStore("demo", US)
    store.legacy_path.parent.mkdir(parents=True)
    store.legacy_path.write_text("schema_version = [\n")
    code, out, err = run(capsys, "progress", "--demo")
    assert code == 0
    assert out.startswith("No open, waiting or escalated triage work")
    assert err.startswith("asin-tui: warning: Saved progress in ")
    assert "left as it is" in err
    assert store.legacy_path.read_text() == "schema_version = [\n", (
        "a read-only command moves nothing"
    )


def test_a_newer_progress_file_is_reported_not_moved(capsys):
    store = CaseStore("demo", US)
    store.legacy_path.parent.mkdir(parents=True)
    store.legacy_path.write_text("schema_version = 7\n")
    code, out, err = run(capsys, "progress", "--demo")
    assert code == 0 and out.startswith("No open, waiting or escalated triage work")
    assert "newer asin-tui, schema_version 7" in err and "left as it is" in err
    assert [p.name for p in store.path.parent.glob("*")] == [store.legacy_path.name]


def test_escalated_skus_are_listed_as_waiting_and_all_adds_the_resolved(capsys):
    recent = datetime.now(UTC) - timedelta(days=3)
    escalated = CaseRecord(
        sku="CASE-1",
        current_step=WizardStep.WRAP_UP,
        outcome=Outcome.ESCALATED,
        started_at=recent,
        updated_at=recent,
    )
    save("demo", US, *demo_items(), escalated)  # DONE-1 dates from 2025: archived
    code, out, _ = run(capsys, "progress", "--demo")
    assert code == 0
    assert out.splitlines()[0] == (
        "Triage work, profile demo, US (ATVPDKIKX0DER): 2 open SKUs, "
        "1 escalated SKU (waiting on Seller Support)"
    )
    rows = {line.split()[0]: line for line in out.splitlines()[3:]}
    assert set(rows) == {"CASE-1", "LAMP-01", "MUG-RED-12oz"}
    assert "Wrap up" in rows["CASE-1"] and "escalated" in rows["CASE-1"]
    code, out, _ = run(capsys, "progress", "--demo", "--all", "--format", "json")
    outcomes = {item["sku"]: item["outcome"] for item in json.loads(out)}
    assert outcomes == {
        "CASE-1": "escalated",
        "LAMP-01": "open",
        "MUG-RED-12oz": "open",
        "DONE-1": "resolved",
    }


def test_every_outcome_is_counted_with_what_it_waits_for_and_overdue_waits_said(capsys):
    now = datetime.now(UTC)
    recent = now - timedelta(days=1)

    def item(sku: str, outcome: Outcome, **details) -> CaseRecord:
        progress = CaseRecord(sku=sku, current_step=WizardStep.WRAP_UP, updated_at=recent)
        progress.set_outcome(outcome, **details)
        progress.updated_at = recent
        return progress

    save(
        "demo",
        US,
        item(
            "INBOUND-1",
            Outcome.WAITING,
            waiting_for="Amazon to receive the 48 inbound units",
            recheck_at=now + timedelta(days=13),
        ),
        item(
            "PATCH-1",
            Outcome.WAITING,
            waiting_for="Amazon to process your change",
            recheck_at=now - timedelta(hours=2),
        ),
        item(
            "RISK-1",
            Outcome.AT_RISK,
            waiting_for="Replace the image",
            recheck_at=now + timedelta(days=5),
        ),
        item("GONE-1", Outcome.RETIRED, reason="Discontinued by the supplier"),
        item("OK-1", Outcome.RESOLVED, resolved_state="ACTIVE"),
    )
    code, out, _ = run(capsys, "progress", "--demo", "--all")
    assert code == 0
    assert out.splitlines()[0] == (
        "Triage work, profile demo, US (ATVPDKIKX0DER): 2 waiting SKUs (on Amazon; 1 overdue), "
        "1 at-risk SKU, 1 retired SKU, 1 resolved SKU"
    )
    rows = {line.split()[0]: line for line in out.splitlines()[3:]}
    assert "waiting, overdue" in rows["PATCH-1"]
    assert "Amazon to receive the 48 inbound units; re-check by " in rows["INBOUND-1"]
    assert "waiting, overdue" not in rows["INBOUND-1"]
    assert "at risk" in rows["RISK-1"] and "until " in rows["RISK-1"]
    assert "Discontinued by the supplier" in rows["GONE-1"]
    code, out, _ = run(capsys, "progress", "--demo")
    assert {line.split()[0] for line in out.splitlines()[3:]} == {"INBOUND-1", "PATCH-1", "RISK-1"}
    listed = {
        i["sku"]: i for i in json.loads(run(capsys, "progress", "--demo", "--format", "json")[1])
    }
    assert listed["PATCH-1"]["overdue"] and not listed["INBOUND-1"]["overdue"]
    assert listed["INBOUND-1"]["waiting_for"] == "Amazon to receive the 48 inbound units"
