"""The sync's fetch policy reads enforcements exactly as the diagnosis does: it skips the
restrictions and catalog calls only when the diagnosis would not need their answer."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from asin_tui.domain.diagnosis import diagnose
from asin_tui.domain.fetch_policy import catalog_removed, unexplained
from asin_tui.domain.models import Evidence, State
from asin_tui.spapi.parse import parse_listing

US = "ATVPDKIKX0DER"
NOW = datetime(2026, 11, 27, tzinfo=UTC)
HEALTHY = json.loads((Path(__file__).parents[1] / "fixtures" / "listing_healthy.json").read_text())


def unbuyable_with(action: str, exemption: dict) -> dict:
    """The healthy listing, not buyable, with one enforcement ``action`` under ``exemption``."""
    body = copy.deepcopy(HEALTHY)
    body["summaries"][0]["status"] = ["DISCOVERABLE"]
    body["issues"] = [
        {
            "code": "18742",
            "message": "Restricted Products Policy Violation",
            "severity": "ERROR",
            "categories": [],
            "enforcements": {"actions": [{"action": action}], "exemption": exemption},
            "marketplaceIds": [US],
        }
    ]
    return body


ENDED = {"status": "EXEMPT_UNTIL_EXPIRY_DATE", "expiryDate": "2026-11-01T00:00:00Z"}
RUNNING = {"status": "EXEMPT_UNTIL_EXPIRY_DATE", "expiryDate": "2026-12-31T00:00:00Z"}


@pytest.mark.parametrize("action", ["LISTING_SUPPRESSED", "CATALOG_ITEM_REMOVED"])
def test_an_enforcement_whose_exemption_ended_explains_the_listing(action):
    """The exemption's date has passed: Amazon applies the action, the diagnosis says so, and
    the sync asks for no restrictions to explain it."""
    listing = parse_listing(unbuyable_with(action, ENDED), US)
    diagnosis = diagnose(Evidence(listing), now=NOW)
    assert diagnosis.state in (State.SUPPRESSED, State.CATALOG_REMOVED)
    assert not unexplained(listing, None, NOW)
    assert catalog_removed(listing, NOW) is (diagnosis.state is State.CATALOG_REMOVED)


@pytest.mark.parametrize("action", ["LISTING_SUPPRESSED", "CATALOG_ITEM_REMOVED"])
def test_an_enforcement_still_exempt_leaves_the_listing_unexplained(action):
    """Still exempt: the action is not what stops the sale, so a gate or the catalog may be,
    and the sync fetches them (the diagnosis has nothing else to go by)."""
    listing = parse_listing(unbuyable_with(action, RUNNING), US)
    diagnosis = diagnose(Evidence(listing), now=NOW)
    assert diagnosis.state not in (State.SUPPRESSED, State.CATALOG_REMOVED)
    assert unexplained(listing, None, NOW)
    assert not catalog_removed(listing, NOW)
