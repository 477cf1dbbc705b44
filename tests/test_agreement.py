"""The TUI, `report` and `diagnose` agree on every listing of the demo account (issue 10):
same state, same effective buyable/discoverable, same Amazon status, same findings.

`report --demo --all` syncs the built-in demo account into its cache; the TUI reads that cache
through AccountService (its records and the detail's diagnosis); `diagnose` is run on the raw
SP-API bodies the sync fetched for each SKU (item, FBA inventory, restrictions). `diagnose`
takes no product type schema, catalog item or account health, so its findings are compared
with the engine's on the same three bodies, and its state, buyable, discoverable and Amazon
status with the TUI's and the report's directly."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest

from asin_tui.cli import main
from asin_tui.demo import DemoSettings, open_demo_service
from asin_tui.domain import codes
from asin_tui.domain.diagnosis import diagnose

# the whole demo account through three front ends: `pytest -m 'not slow'` leaves it out
pytestmark = pytest.mark.slow


def _codes(findings) -> list[str]:
    return [f["code"] if isinstance(f, dict) else f.code for f in findings]


def _write(folder: Path, name: str, body: object) -> str:
    path = folder / name
    path.write_text(json.dumps(body), encoding="utf-8")
    return str(path)


def test_tui_report_and_diagnose_agree_on_every_demo_listing(capsys, tmp_path):
    quick = DemoSettings(drift=0.0, time_scale=100.0)  # the demo's Amazon 100x faster: a sync in ms
    assert main(["report", "--demo", "--all", "--format", "json"], demo=quick) in (0, 1)
    report = {row["sku"]: row for row in json.loads(capsys.readouterr().out)["listings"]}
    service = open_demo_service(settings=quick)
    try:
        records = {r.sku: r for r in service.cached_records(all_listings=True)}
        assert set(records) == set(report) and len(records) > 100
        lagging = 0
        for sku, row in report.items():
            record = records[sku]
            tui = (
                record.state.value,
                record.buyable,
                record.discoverable,
                list(record.amazon_status) if record.amazon_status is not None else None,
                _codes(record.findings),
            )
            reported = (
                row["state"],
                row["buyable"],
                row["discoverable"],
                row["amazon_status"],
                _codes(row["findings"]),
            )
            assert reported == tui, sku
            detail = service.diagnosis(sku)  # what the detail screen shows
            assert (detail.state.value, detail.buyable, detail.discoverable) == tui[:3], sku
            assert _codes(detail.findings) == tui[4], sku
            lagging += detail.status_lags

            raw = service._cache.raw_evidence(sku)
            argv = ["diagnose", _write(tmp_path, "item.json", raw.item), "--format", "json"]
            argv += ["--marketplace", service.marketplace_id]  # as the seller's profile says
            if raw.inventory:
                inventory = {"payload": {"inventorySummaries": [raw.inventory]}}
                argv += ["--inventory", _write(tmp_path, "inv.json", inventory)]
            if raw.restrictions:
                restrictions = {"restrictions": raw.restrictions}
                argv += ["--restrictions", _write(tmp_path, "restr.json", restrictions)]
            exit_code = main(argv)
            cli = json.loads(capsys.readouterr().out)
            same_bodies = diagnose(
                replace(service.evidence(sku), requirements=None, catalog=None, account=None)
            )
            assert cli == same_bodies.to_dict(), sku
            assert exit_code == (1 if same_bodies.needs_attention else 0), sku
            assert (cli["buyable"], cli["discoverable"], cli["amazon_status"]) == tui[1:4], sku
            from_catalog = codes.CATALOG_ITEM_REMOVED in tui[4] and not any(
                f.issue_code for f in record.findings if f.code == codes.CATALOG_ITEM_REMOVED
            )
            if not from_catalog:  # a 404 from the catalog is evidence diagnose is not given
                assert cli["state"] == tui[0], sku
        assert lagging == sum(1 for r in records.values() if r.status_lags)
    finally:
        asyncio.run(service.aclose())
