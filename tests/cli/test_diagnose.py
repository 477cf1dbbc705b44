"""`asin-tui diagnose`: the JSON contract, exit codes, text output and every unreadable input."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from asin_tui.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
FINDING_KEYS = ["category", "severity", "code", "title", "detail", "attributes", "fix"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["diagnose", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def test_json_shape_and_exit_1_for_the_suppressed_sandbox_listing(capsys):
    code, out, err = run(capsys, fixture("listing_sandbox_200.json"), "--format", "json")
    assert (code, err) == (1, "")
    result = json.loads(out)
    assert list(result) == [
        "sku",
        "asin",
        "marketplace_id",
        "state",
        "buyable",
        "discoverable",
        "amazon_status",
        "findings",
        "not_checked",
    ]
    assert (result["sku"], result["asin"], result["marketplace_id"]) == (
        "GM-ZDPI-9B4E",
        "B071VG5N9D",
        "ATVPDKIKX0DER",
    )
    # issue 10: Amazon's status still says BUYABLE, but a LISTING_SUPPRESSED (18155) and a
    # CATALOG_ITEM_REMOVED (18742) enforcement are in force: the effective state says so
    assert (result["state"], result["buyable"], result["discoverable"]) == (
        "SUPPRESSED",
        False,
        False,
    )
    assert result["amazon_status"] == ["BUYABLE"]
    assert result["not_checked"] == [
        "other marketplaces in the body: CA (A2EUQ1WTGCTBG2) (diagnose each with --marketplace)",
        "attributes: the body has no attributes section",
    ]
    assert all(list(f) == FINDING_KEYS for f in result["findings"])
    assert {f["code"] for f in result["findings"]} >= {"POLICY_VIOLATION", "PRICE_CONFLICT"}


def test_healthy_listing_exits_0_with_no_findings(capsys):
    code, out, _ = run(capsys, fixture("listing_healthy.json"), "--format", "json")
    assert code == 0
    assert json.loads(out)["state"] == "ACTIVE" and json.loads(out)["findings"] == []


def test_json_is_the_default_when_stdout_is_not_a_terminal(capsys):
    _, out, _ = run(capsys, fixture("listing_healthy.json"))
    assert json.loads(out)["sku"] == "KITCH-0042-BLK"


def test_subcommand_marketplace_option_by_code_or_id(capsys):
    for value in ("CA", "A2EUQ1WTGCTBG2"):
        code, out, _ = run(capsys, fixture("listing_sandbox_200.json"), "--marketplace", value)
        result = json.loads(out)
        assert (code, result["marketplace_id"], result["state"]) == (
            1,
            "A2EUQ1WTGCTBG2",
            "INACTIVE",
        )


def test_global_marketplace_option_also_applies(capsys):
    code = main(["--marketplace", "CA", "diagnose", fixture("listing_sandbox_200.json")])
    assert code == 1
    assert json.loads(capsys.readouterr().out)["marketplace_id"] == "A2EUQ1WTGCTBG2"


def test_text_format_for_a_person(capsys):
    code, out, _ = run(
        capsys,
        fixture("listing_fba_out_of_stock.json"),
        "--inventory",
        fixture("inventory_fba_out_of_stock.json"),
        "--format",
        "text",
    )
    assert code == 1
    assert out.startswith("2X-7HQM-LP3R  ASIN B0D9RT4WZK  (United States, ATVPDKIKX0DER)\n")
    assert "State: INACTIVE   buyable: no   discoverable: yes" in out
    assert "1. ERROR   FBA out of stock  [STOCK · OUT_OF_STOCK_FBA]" in out
    flat = " ".join(out.split())
    assert "42 units are inbound (24 working, 12 shipped, 6 receiving)" in flat
    assert "Fix: Reactivation wizard → Stock:" in flat
    assert "\x1b[" not in out  # not a terminal: no colour


def test_text_for_a_live_listing(capsys):
    code, out, _ = run(capsys, fixture("listing_healthy.json"), "--format", "text")
    assert code == 0 and "Nothing to fix: the listing is live." in out


def test_listing_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO((FIXTURES / "listing_healthy.json").read_text()))
    code, out, _ = run(capsys, "-")
    assert code == 0 and json.loads(out)["sku"] == "KITCH-0042-BLK"


def test_restrictions_file_adds_the_approval_finding(capsys, tmp_path):
    listing = json.loads((FIXTURES / "listing_healthy.json").read_text())
    listing["summaries"][0]["conditionType"] = "used_acceptable"
    path = tmp_path / "used.json"
    path.write_text(json.dumps(listing))
    code, out, _ = run(
        capsys, str(path), "--restrictions", fixture("restrictions_sandbox_200.json")
    )
    (finding,) = json.loads(out)["findings"]
    assert code == 1 and finding["code"] == "APPROVAL_REQUIRED"
    assert "approvalrequest/restrictions/approve?asin=B0000ASIN1" in finding["fix"]


def test_inventory_for_other_skus_is_ignored(capsys):
    code, out, _ = run(
        capsys,
        fixture("listing_healthy.json"),
        "--inventory",
        fixture("inventory_fba_out_of_stock.json"),
    )
    assert code == 0 and json.loads(out)["findings"] == []


BAD_INPUTS = {
    "missing file": (lambda d: str(d / "nope.json"), "cannot read getListingsItem body"),
    "directory": (lambda d: str(d), "cannot read getListingsItem body"),
    "not json": (lambda d: _write(d, "x.json", "{not json"), "is not JSON"),
    "unterminated string": (
        lambda d: _write(d, "x.json", '{"sku": "A'),
        "is not JSON (Unterminated string starting at line 1 column 9)",
    ),
    "control character": (
        lambda d: _write(d, "x.json", '{"sku": "\x01"}'),
        "is not JSON (Invalid control character at line 1 column 10)",
    ),
    "empty": (lambda d: _write(d, "x.json", ""), "is not JSON"),
    "binary": (lambda d: _write_bytes(d, b"\xff\xfe\x00bad"), "cannot read"),
    "error body": (lambda d: fixture("listing_sandbox_400.json"), "SP-API error response"),
    "bare list error": (
        lambda d: fixture("restrictions_sandbox_400.json"),
        "BAD_REQUEST: Invalid 'asin' provided.",
    ),
    "not a listing": (lambda d: fixture("product_type_kitchen_schema.json"), "missing 'sku'"),
    "a json list": (lambda d: _write(d, "x.json", "[1, 2]"), "expected an object"),
    "deep nesting": (lambda d: _write(d, "x.json", "[" * 100_000), "JSON"),
    "bad field": (
        lambda d: _write(d, "x.json", json.dumps({"sku": "A", "summaries": "oops"})),
        "summaries: expected a list",
    ),
}


def _write(directory: Path, name: str, text: str) -> str:
    path = directory / name
    path.write_text(text)
    return str(path)


def _write_bytes(directory: Path, data: bytes) -> str:
    path = directory / "bin.json"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_unreadable_listing_is_one_line_and_exit_2(capsys, tmp_path, case):
    make, expected = BAD_INPUTS[case]
    code, out, err = run(capsys, make(tmp_path))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("asin-tui: ")
    assert expected in err


@pytest.mark.parametrize(
    ("option", "body", "expected"),
    [
        ("--inventory", "{}", "no 'inventorySummaries'"),
        ("--inventory", '{"errors":[{"code":"QuotaExceeded","message":"slow down"}]}', "slow"),
        ("--restrictions", '"none"', "expected a list"),
        (
            "--restrictions",
            '{"restrictions": [{"marketplaceId": 7, "reasons": [{"message": "x"}]}]}',
            "marketplaceId: expected a string",
        ),
    ],
)
def test_unreadable_side_files_exit_2(capsys, tmp_path, option, body, expected):
    path = _write(tmp_path, "side.json", body)
    code, out, err = run(capsys, fixture("listing_healthy.json"), option, path)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and expected in err


def _offer(**prices) -> dict:
    """A consumer offer of the healthy listing with its band (so prices get compared)."""
    return {
        "marketplace_id": "ATVPDKIKX0DER",
        "minimum_seller_allowed_price": [{"schedule": [{"value_with_tax": 25}]}],
        "our_price": prices["our"],
    }


ODD_ATTRIBUTES = {
    "offer not a list": {"purchasable_offer": 5},
    "price not a list": {
        "purchasable_offer": [{"marketplace_id": "ATVPDKIKX0DER", "our_price": 7}]
    },
    "schedule not a list": {"purchasable_offer": [{"our_price": [{"schedule": 5}]}]},
    "price NaN": {"purchasable_offer": [_offer(our=[{"schedule": [{"value_with_tax": "NaN"}]}])]},
    "price Infinity": {
        "purchasable_offer": [_offer(our=[{"schedule": [{"value_with_tax": math.inf}]}])]
    },
    "parentage not a list": {"parentage_level": 3},
    "fulfillment not a list": {"fulfillment_availability": "DEFAULT"},
}


@pytest.mark.parametrize("case", ODD_ATTRIBUTES, ids=list(ODD_ATTRIBUTES))
def test_attributes_of_an_unexpected_shape_are_skipped(capsys, tmp_path, case):
    """Amazon's attributes are lists of objects; a value of another shape is not read (the
    offer's own price still is), never a traceback."""
    body = json.loads(Path(fixture("listing_healthy.json")).read_text())
    body["attributes"].update(ODD_ATTRIBUTES[case])
    code, out, err = run(capsys, _write(tmp_path, "odd.json", json.dumps(body)), "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["state"] == "ACTIVE"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_quantity_that_is_not_a_finite_number_is_unreadable_input(capsys, tmp_path, number):
    text = Path(fixture("listing_healthy.json")).read_text()
    text = text.replace(
        '"fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": 37}]',
        f'"fulfillmentAvailability": [{{"fulfillmentChannelCode": "DEFAULT", "quantity": {number}}}]',
    )
    assert number in text
    code, out, err = run(capsys, _write(tmp_path, "nan.json", text))
    assert (code, out) == (2, "")
    assert (
        err.count("\n") == 1
        and "fulfillmentAvailability[0].quantity: expected a whole number" in err
    )


def test_a_listing_with_stock_and_a_price_is_not_called_closed(capsys):
    code, out, _ = run(
        capsys, fixture("listing_sandbox_200.json"), "--marketplace", "CA", "--format", "json"
    )
    first = json.loads(out)["findings"][0]
    assert code == 1 and first["title"] == "Not buyable, no reason given by Amazon"
    assert "quantity is 100" in first["detail"] and "130.00 CAD" in first["detail"]
    assert "holiday mode" in first["fix"]


def test_unknown_marketplace_is_a_usage_error(capsys):
    code, _, err = run(capsys, fixture("listing_healthy.json"), "--marketplace", "XX")
    assert code == 2 and "unknown marketplace 'XX'" in err


def test_real_process_bad_input_has_no_traceback(tmp_path):
    bad = _write(tmp_path, "bad.json", '{"sku": 5}')
    result = subprocess.run(
        [sys.executable, "-m", "asin_tui", "diagnose", bad],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("asin-tui: ")
    assert "sku" in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_text_is_the_default_on_a_terminal_with_colour_unless_no_color(monkeypatch):
    for no_color, coloured in ((None, True), ("1", False)):
        if no_color is None:
            monkeypatch.delenv("NO_COLOR", raising=False)
        else:
            monkeypatch.setenv("NO_COLOR", no_color)
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stdout", terminal)
        assert main(["diagnose", fixture("listing_sandbox_200.json")]) == 1
        out = terminal.getvalue()
        assert out.startswith(("GM-ZDPI-9B4E", "\x1b[1mGM-ZDPI-9B4E"))
        assert ("\x1b[31mERROR" in out) is coloured
        assert "Restricted product policy" in out
