"""Hostile listing text never reaches a terminal raw (issue 8 item 1), in every command.

The sandbox serves the hostile-strings scenario (sandbox/hostile.py: escape sequences, OSC 52,
OSC 0, a cut sequence, C1, U+202E, markup, long text in SKUs, titles, attributes, issue and
restriction messages) and one more title arrives through a real ACCEPTED patch sent by the
client. Every command's output is then checked for raw control, C1 and bidi characters.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys
from datetime import UTC, datetime

import pytest

from asin_tui.cli import main
from asin_tui.domain.models import WizardStep
from asin_tui.domain.text import unsafe_chars, visible
from asin_tui.sandbox import hostile
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.service import AccountService
from asin_tui.store import paths
from asin_tui.store.cases import CaseRecord, CaseStore, StepRecord, StepStatus
from asin_tui.store.config import load_config
from tests.cli.test_report import TIME_SCALE, served_sandbox, use_sandbox_profile

US = "ATVPDKIKX0DER"
PATCHED_TITLE = "Patched [@click=app.quit]x[/] \x1b]0;patched-title\x07 \u202eevil \x9b2J"


class Terminal(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def served():
    account = SandboxAccount(seed=5, listings=60, hostile=True)
    with served_sandbox(account) as base_url:
        yield account, base_url


@pytest.fixture
def profile(served, monkeypatch):
    account, base_url = served
    use_sandbox_profile(monkeypatch, "h", account.seller_id, base_url)
    return account


def hostile_skus(account: SandboxAccount) -> list[str]:
    return [sku for sku in account.search() if sku.startswith("HOSTILE-")]


def assert_safe(*outputs: str) -> None:
    for text in outputs:
        assert "Traceback" not in text
        assert unsafe_chars(text) == [], text


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), time_scale=TIME_SCALE)
    out, err = capsys.readouterr()
    return code, out, err


async def send_hostile_title(service: AccountService, title: str) -> str:
    """Sync, then send ``title`` as the item_name of a listing needing attention with a real
    patchListingsItem through the client; the sandbox ACCEPTS it. Returns that SKU."""
    await service.sync(include_all=False)
    sku = next(r.sku for r in service.cached_records(all_listings=False) if "HOSTILE" not in r.sku)
    patch = {
        "op": "replace",
        "path": "/attributes/item_name",
        "value": [{"value": title, "language_tag": "en_US", "marketplace_id": US}],
    }
    result = await service.patch(sku, [patch], preview=False)
    assert result.status == "ACCEPTED"
    return sku


async def patch_a_title() -> str:
    service = AccountService.for_profile(load_config().profile("h"), time_scale=TIME_SCALE)
    try:
        return await send_hostile_title(service, PATCHED_TITLE)
    finally:
        await service.aclose()


def test_the_fixture_really_serves_hostile_text(profile) -> None:
    skus = hostile_skus(profile)
    assert len(skus) == len(hostile.LISTINGS)
    items = [profile.item(sku, ["attributes", "issues"]) for sku in skus]
    messages = [issue["message"] for item in items for issue in item["issues"]]
    assert messages and all(hostile.QUOTED in message for message in messages)
    titles = {item["attributes"]["item_name"][0]["value"] for item in items}
    assert titles == {title for _, title in hostile.LISTINGS}


def test_report_table_shows_hostile_text_visibly(capsys, profile, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # wide enough that no title is cut
    patched = asyncio.run(patch_a_title())
    code, out, err = run(capsys, "report", "--profile", "h", "--format", "table")
    assert code == 1
    assert_safe(out, err)
    assert "HOSTILE-ESC\\x1b[2J" in out  # shown, not emitted
    assert "Phone Case [Military Grade]" in out  # literal text kept
    assert patched in out and "Patched [@click=app.quit]x[/] \\x1b]0;patched-title\\x07" in out
    rows = [line for line in out.splitlines() if "HOSTILE-" in line]
    assert len(rows) == len(hostile.LISTINGS)  # no value faked or swallowed a row


def test_report_json_is_the_same_data_with_no_raw_character(capsys, profile) -> None:
    code, out, err = run(capsys, "report", "--profile", "h", "--format", "json")
    assert code == 1
    assert_safe(out, err)
    listings = {item["sku"]: item for item in json.loads(out)["listings"]}
    sku, title = hostile.LISTINGS[3]  # C1 and U+202E: json.dumps would pass them raw
    assert listings[sku]["title"] == title  # the data itself is unchanged
    assert "\\u202e" in out and "\\u009b" in out


def test_report_csv_keeps_data_in_a_file_but_not_on_a_terminal(
    capsys, profile, tmp_path, monkeypatch
) -> None:
    target = tmp_path / "out.csv"
    run(capsys, "report", "--profile", "h", "--format", "csv", "--output", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    skus = {row["sku"].lstrip("'") for row in rows}
    assert set(hostile_skus(profile)) <= skus  # the file keeps the data
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    code = main(["report", "--profile", "h", "--format", "csv", "--cached"], time_scale=TIME_SCALE)
    assert code == 1
    shown = terminal.getvalue()
    assert_safe(shown)
    assert "HOSTILE-OSC52\\x1b]52;c;" in shown
    assert len(list(csv.reader(io.StringIO(shown)))) == len(rows) + 1


def test_sync_warnings_and_errors_on_stderr_are_safe(capsys, profile) -> None:
    code, out, err = run(capsys, "report", "--profile", "no\x1b]0;such\x07profile")
    assert code == 2
    assert_safe(out, err)
    assert "no\\x1b]0;such\\x07profile" in err


@pytest.mark.parametrize("which", range(len(hostile.LISTINGS)))
def test_diagnose_text_and_json_are_safe(capsys, profile, tmp_path, which) -> None:
    sku = hostile.LISTINGS[which][0]
    body = profile.item(
        sku, ["summaries", "attributes", "issues", "offers", "fulfillmentAvailability"]
    )
    asin = next(i["value"] for i in body["attributes"]["externally_assigned_product_identifier"])
    asin = body["summaries"][0]["asin"] if body["summaries"] else asin
    restrictions = {"restrictions": profile.restrictions(asin, None)}
    source, gates = tmp_path / "item.json", tmp_path / "restrictions.json"
    source.write_text(json.dumps(body), encoding="utf-8")
    gates.write_text(json.dumps(restrictions), encoding="utf-8")
    argv = ("diagnose", str(source), "--restrictions", str(gates))
    code, out, err = run(capsys, *argv, "--format", "text")
    assert code == 1
    assert_safe(out, err)
    assert visible(sku) in out
    quoted = body["issues"] or restrictions["restrictions"]
    assert not quoted or "[Military Grade] [/]" in " ".join(out.split())
    code, out, err = run(capsys, *argv, "--format", "json")
    assert_safe(out, err)
    assert json.loads(out)["sku"] == sku


def test_diagnose_error_lines_are_safe(capsys, tmp_path) -> None:
    source = tmp_path / "x\x1b]0;t\x07.json"
    code, out, err = run(capsys, "diagnose", str(source))
    assert code == 2
    assert_safe(out, err)


def test_progress_table_and_json_are_safe(capsys, profile) -> None:
    item = CaseRecord(sku=hostile.LISTINGS[1][0], current_step=WizardStep.POLICY)
    item.steps[WizardStep.POLICY] = StepRecord(
        StepStatus.NEEDS_ACTION,
        notes=hostile.DESCRIPTION + "\r\nsecond line",
        updated_at=datetime.now(UTC),
    )
    CaseStore("h", US).update(item.sku, item)
    code, out, err = run(capsys, "progress", "--profile", "h")
    assert code == 0
    assert_safe(out, err)
    assert "HOSTILE-OSC52\\x1b]52;c;" in out and "Line one\\x1b[2J" in out
    code, out, err = run(capsys, "progress", "--profile", "h", "--format", "json")
    assert_safe(out, err)
    assert json.loads(out)[0]["sku"] == item.sku


def write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def test_config_show_is_safe(capsys) -> None:
    write_config(
        '[profiles.evil]\nmarketplace = "US"\nseller_id = "A2X"\n'
        'endpoint = "http://127.0.0.1:1/\\u009b2J\\u001b]0;title\\u0007\\u202e"\n'
    )
    code, out, err = run(capsys, "config", "show")
    assert code == 0
    assert_safe(out, err)
    assert "http://127.0.0.1:1/\\x9b2J\\x1b]0;title\\x07\\u202e" in out
    write_config('[profiles."evil\\u001b]0;title\\u0007"]\nmarketplace = "US"\n')
    code, out, err = run(capsys, "config", "show")
    assert code == 2
    assert_safe(out, err)
    assert 'profiles."evil\\x1b]0;title\\x07"' in err


def test_a_lone_surrogate_neither_crashes_nor_reaches_the_terminal(capsys, profile, tmp_path):
    """JSON can carry "\\ud800": stdout's UTF-8 encoder would raise on it raw."""
    body = profile.item(hostile.LISTINGS[0][0], ["summaries", "attributes", "issues", "offers"])
    body["sku"] = "SUR\ud800X"
    source = tmp_path / "item.json"
    source.write_text(json.dumps(body), encoding="utf-8")
    for fmt in ("json", "text"):
        code, out, err = run(capsys, "diagnose", str(source), "--format", fmt)
        assert code == 1
        assert_safe(out, err)
        assert "SUR\\ud800X" in out
        out.encode("utf-8")
