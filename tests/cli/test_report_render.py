"""`asin-tui report` output formats, from records (no network): the contract scripts rely on."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from asin_tui.commands.report import ProgressBar
from asin_tui.domain.models import (
    AccountHealth,
    Category,
    Finding,
    ListingRecord,
    Severity,
    State,
)
from asin_tui.render import CSV_COLUMNS, render
from asin_tui.store.cache import SyncInfo

SINCE = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)
SYNC = SyncInfo(SINCE, SINCE, include_all=False, complete=True)


def finding(code: str, title: str, severity=Severity.ERROR) -> Finding:
    return Finding(Category.STOCK, severity, code, title, f"detail of {code}", f"fix {code}")


RECORDS = [
    ListingRecord(
        sku="MUG-RED-01",
        asin="B0ABCDEFGH",
        title="A red ceramic mug, " + "very long title words " * 8,
        marketplace_id="ATVPDKIKX0DER",
        state=State.SUPPRESSED,
        buyable=False,
        discoverable=False,
        findings=(
            finding("MISSING_ATTRIBUTE", "Missing required attribute: brand"),
            finding("OUT_OF_STOCK_MFN", "Out of stock", Severity.WARNING),
        ),
        fulfillment_channel="MFN",
        quantity=0,
        price=Decimal("12.50"),
        currency="USD",
        inactive_since=SINCE,
        amazon_status=("BUYABLE", "DISCOVERABLE"),  # lags the suppression in force
    ),
    ListingRecord(
        sku='FBA, "quoted"',
        asin=None,
        title="Boxed set",
        marketplace_id="ATVPDKIKX0DER",
        state=State.INACTIVE,
        buyable=False,
        discoverable=True,
        findings=(finding("OUT_OF_STOCK_FBA", "Out of stock (FBA)"),),
        fulfillment_channel="FBA",
        quantity=0,
        inbound=24,
    ),
]


def _render(fmt: str, records=RECORDS, width: int = 120, account=None) -> str:
    return render(
        fmt,
        records,
        profile="main",
        marketplace_id="ATVPDKIKX0DER",
        last_sync=SYNC,
        account=account,
        width=width,
    )


AT_RISK = AccountHealth(
    "ATVPDKIKX0DER",
    "AT_RISK",
    {"listingPolicyViolations": 2, "documentRequests": 6},
    as_of=SINCE,
)


def test_json_has_the_documented_shape_and_one_object_per_listing():
    doc = json.loads(_render("json"))
    assert {"generated_at", "profile", "marketplace_id", "counts", "listings"} <= set(doc)
    assert doc["profile"] == "main" and doc["marketplace_id"] == "ATVPDKIKX0DER"
    assert datetime.fromisoformat(doc["generated_at"]).tzinfo is not None
    assert doc["counts"]["SUPPRESSED"] == 1 and doc["counts"]["INACTIVE"] == 1
    assert doc["counts"]["ACTIVE"] == 0 and set(doc["counts"]) == {s.value for s in State}
    first = doc["listings"][0]
    assert first == RECORDS[0].to_report_dict()
    assert first["price"] == "12.50" and first["inactive_since"] == SINCE.isoformat()
    assert (first["buyable"], first["amazon_status"]) == (False, ["BUYABLE", "DISCOVERABLE"])
    assert [f["code"] for f in first["findings"]] == ["MISSING_ATTRIBUTE", "OUT_OF_STOCK_MFN"]
    assert set(first["findings"][0]) == {
        "category", "severity", "code", "title", "detail", "attributes", "fix"
    }  # fmt: skip
    assert doc["last_sync"]["complete"] is True


def test_csv_has_the_header_and_one_row_per_listing_quoted_safely():
    rows = list(csv.reader(io.StringIO(_render("csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + len(RECORDS)
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["sku"] == "MUG-RED-01" and first["state"] == "SUPPRESSED"
    assert first["main_cause"] == "Missing required attribute: brand"
    assert first["severity"] == "ERROR" and first["price"] == "12.50"
    assert first["finding_codes"] == "MISSING_ATTRIBUTE;OUT_OF_STOCK_MFN"
    assert first["inactive_since"] == SINCE.isoformat()
    # issue 10: the effective buyable/discoverable, and Amazon's own (lagging) status beside
    assert (first["buyable"], first["discoverable"]) == ("no", "no")
    assert first["amazon_status"] == "BUYABLE DISCOVERABLE"
    second = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert second["sku"] == 'FBA, "quoted"' and second["asin"] == "" and second["price"] == ""


def test_table_fits_the_width_truncates_titles_and_counts_in_a_footer():
    for width in (100, 120, 160):
        lines = _render("table", width=width).splitlines()
        assert all(len(line) <= width for line in lines), width
    wide = _render("table", width=160).splitlines()
    assert wide[0].split() == ["STATE", "SKU", "ASIN", "TITLE", "CAUSE", "STOCK", "PRICE", "SINCE"]
    assert wide[1].split()[:3] == ["SUPPRESSED", "MUG-RED-01", "B0ABCDEFGH"]
    assert "Missing required attribute: brand" in wide[1] and "2026-02-03" in wide[1]
    assert "0 +24" in wide[2]  # FBA: fulfillable, then inbound, said under the table
    assert wide[3].startswith("STOCK +N: N more units on their way to Amazon's warehouses")
    assert "2 listings, 2 need attention (SUPPRESSED 1, INACTIVE 1)" in wide[-1]
    narrow = _render("table", width=100).splitlines()
    assert {"STATE", "SKU", "TITLE", "CAUSE"} <= set(narrow[0].split())
    assert "SINCE" not in narrow[0]  # optional columns make room at 100 columns
    assert "A red ceramic" in narrow[1] and "…" in narrow[1]  # long titles truncated
    assert narrow[-2].startswith("2 listings, 2 need attention")


def _cause_width(header: str) -> int:
    start = header.index("CAUSE")
    following = [header.index(h) for h in ("STOCK", "PRICE", "SINCE") if h in header]
    return min(following, default=len(header)) - start


@pytest.mark.parametrize("width", [100, 120, 160])
def test_the_cause_gets_room_to_be_read(width):
    """A triage reads the cause first: 30 cells or more, SINCE and ASIN dropped before it
    is squeezed."""
    records = [
        dataclasses.replace(
            RECORDS[0],
            state=State.SEARCH_SUPPRESSED,
            findings=(finding("MISSING_ATTRIBUTE", "Missing required attribute: size"),),
        )
    ]
    lines = _render("table", records, width=width).splitlines()
    assert all(len(line) <= width for line in lines)
    assert _cause_width(lines[0]) >= 30
    assert "Missing required attribute: size " in lines[1]  # whole, not cut
    if width == 120:
        assert "SINCE" not in lines[0] and "ASIN" in lines[0]


def test_a_cause_too_long_for_its_column_is_its_short_form_not_a_cut():
    """At 80 columns "Missing required attribute: bullet_point" cut to the column lost the
    attribute ("…: bull…"): the table shows the list's short form, the attribute whole."""
    long = "Missing required attribute: bullet_point"
    records = [
        dataclasses.replace(
            RECORDS[0],
            findings=(
                dataclasses.replace(
                    finding("MISSING_ATTRIBUTE", long), brief="Missing: bullet_point"
                ),
            ),
        )
    ]
    narrow = _render("table", records, width=80).splitlines()
    assert all(len(line) <= 80 for line in narrow)
    assert _cause_width(narrow[0]) < len(long)
    assert "Missing: bullet_point " in narrow[1] and "bull…" not in narrow[1]
    wide = _render("table", records, width=160).splitlines()
    assert f"{long} " in wide[1]  # room for it: in full
    assert json.loads(_render("json", records))["listings"][0]["findings"][0]["title"] == long


def test_at_80_columns_the_title_makes_room_for_the_cause():
    """An 80-column terminal, a SEARCH_SUPPRESSED state and demo-length SKUs: the title goes
    before the cause is squeezed under 30 cells (it read 'Missing: bullet_p…')."""
    records = [
        dataclasses.replace(
            RECORDS[0],
            sku="BEDB-1864-WHT",
            state=State.SEARCH_SUPPRESSED,
            findings=(
                dataclasses.replace(
                    finding("MISSING_ATTRIBUTE", "Missing required attribute: bullet_point"),
                    brief="Missing: bullet_point",
                ),
            ),
        ),
        dataclasses.replace(RECORDS[1], quantity=256, inbound=48),
    ]
    lines = _render("table", records, width=80).splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].split() == ["STATE", "SKU", "CAUSE", "STOCK"]
    assert _cause_width(lines[0]) >= 30
    assert "Missing: bullet_point " in lines[1] and lines[2].endswith("256 +48")
    wide = _render("table", records, width=100).splitlines()
    assert "TITLE" in wide[0], "at 100 columns the title has room"


def test_the_footer_counts_at_risk_listings_apart():
    at_risk = dataclasses.replace(
        RECORDS[0],
        sku="LIVE-1",
        state=State.ACTIVE,
        buyable=True,
        discoverable=True,
        findings=(finding("EXEMPTION_EXPIRING", "Exemption ends soon", Severity.WARNING),),
    )
    footer = _render("table", [*RECORDS, at_risk], width=200).splitlines()[-1]
    assert footer.startswith("3 listings, 2 need attention, 1 at risk (")


def test_an_empty_report_still_has_its_shape():
    assert json.loads(_render("json", []))["listings"] == []
    assert _render("csv", []).splitlines() == [",".join(CSV_COLUMNS)]
    assert "0 listings, 0 need attention" in _render("table", [])


def test_json_carries_the_account_health_gate():
    assert json.loads(_render("json"))["account_health"] is None  # never fetched
    doc = json.loads(_render("json", account=AT_RISK))
    assert doc["account_health"] == {
        "status": "AT_RISK",
        "policy_counters": {"listingPolicyViolations": 2, "documentRequests": 6},
        "as_of": SINCE.isoformat(),
    }


def test_table_footer_says_when_the_account_is_not_normal():
    normal = AccountHealth("ATVPDKIKX0DER", "NORMAL", {"documentRequests": 6}, as_of=SINCE)
    assert "ACCOUNT" not in _render("table", account=normal)
    wide = _render("table", width=200, account=AT_RISK).splitlines()
    assert wide[-1] == (
        "ACCOUNT AT_RISK: resolve it in Seller Central → Account Health before fixing listings "
        "(BAD: listing policy violations: 2, document requests: 6) · Account Health report of "
        "2026-02-03 04:05 UTC"
    )
    assert wide[-2].startswith("2 listings, 2 need attention")
    narrow = _render("table", width=80, account=AT_RISK).splitlines()
    assert all(len(line) <= 80 for line in narrow)
    assert "ACCOUNT AT_RISK" in "\n".join(narrow)


def test_the_progress_bar_redraws_one_line_with_what_the_sync_is_doing():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(SimpleNamespace(phase="search", done=3, total=12, message="Searching: page 3 of ~12"))
    bar(SimpleNamespace(phase="catalog", done=0, total=None, message="Throttled, waiting 2 s"))
    bar.clear()
    first, second, cleared = stream.getvalue().split("\r")[1:]
    assert first.endswith("[######..................] Searching: page 3 of ~12")
    assert second == "\x1b[2KThrottled, waiting 2 s"  # no bar without a total
    assert "\n" not in stream.getvalue() and cleared == "\x1b[2K"


def _held(i: int) -> ListingRecord:
    return ListingRecord(
        sku=f"HOLIDAY-{i:03d}",
        asin=None,
        title="Mug",
        marketplace_id="ATVPDKIKX0DER",
        state=State.INACTIVE,
        buyable=False,
        discoverable=True,
        findings=(finding("LISTING_CLOSED", "Not buyable, no reason given by Amazon"),),
        fulfillment_channel="MFN",
        quantity=6,
        price=Decimal("9.99"),
        currency="USD",
    )


def test_holiday_mode_is_one_account_cause_in_json_and_under_the_table():
    """Issue 10: 40 in-stock MFN listings unbuyable with no issue are said once, as one
    account-level cause (the listings keep their own rows)."""
    held = [_held(i) for i in range(40)]
    doc = json.loads(_render("json", held))
    (cause,) = doc["account_causes"]
    assert (cause["code"], cause["listings"]) == ("ACCOUNT_VACATION", 40)
    assert len(doc["listings"]) == 40 and doc["counts"]["INACTIVE"] == 40
    table = " ".join(_render("table", held, width=120).split())
    assert table.count("ACCOUNT: 40 merchant-fulfilled listings") == 1
    assert json.loads(_render("json"))["account_causes"] == []


def test_a_columns_wider_than_any_terminal_is_a_table_of_bounded_width():
    """$COLUMNS is the table's width in a pipe and at a terminal (shutil reads it first):
    99999999999 made Rich pad each line to it, MemoryError (an internal error); 2**31 ran
    for minutes. The table is at most MAX_TABLE_WIDTH wide, every column whole."""
    from asin_tui.render import MAX_TABLE_WIDTH

    out = _render("table", width=10**11)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= MAX_TABLE_WIDTH
    assert lines[0].split() == _render("table", width=MAX_TABLE_WIDTH).splitlines()[0].split()
    assert "…" not in lines[1]  # nothing cut
