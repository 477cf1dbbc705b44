"""Both sides against Amazon's models, never against each other.

The client (asin_tui.spapi) paces itself and asks for data with its own tables; the sandbox
(asin_tui.sandbox) enforces and answers with its own. Each table is read here against the
official models (the "Usage Plans" table in each operation's description, the parameters'
enums), so a wrong table fails even when both sides copied the same mistake.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from asin_tui.domain import codes
from asin_tui.domain import marketplaces as client_marketplaces
from asin_tui.sandbox import marketplaces as sandbox_marketplaces
from asin_tui.sandbox import truth
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.http import handlers_catalog, handlers_listings
from asin_tui.sandbox.ratelimit import USAGE_PLANS
from asin_tui.spapi import client as spapi_client
from asin_tui.spapi.parse import LISTING_SECTIONS
from asin_tui.spapi.ratelimit import PUBLISHED_PLANS

# "| Plan type | Rate (requests per second) | Burst |" then "|Default| 5 | 10 |", or the older
# "| Rate (requests per second) | Burst |" then "| 5 | 10 |".
_PLAN = re.compile(
    r"Rate \(requests per second\)\s*\|\s*Burst\s*\|\s*\n\s*\|[-\s|]+\n"
    r"\s*\|\s*(?:Default\s*\|\s*)?([\d.]+)\s*\|\s*(\d+)\s*\|"
)


def _operations(models_dir: Path) -> dict[str, dict]:
    found = {}
    for path in sorted(models_dir.glob("*.json")):
        for methods in json.loads(path.read_text()).get("paths", {}).values():
            for op in methods.values():
                if isinstance(op, dict) and "operationId" in op:
                    found[op["operationId"]] = op
    return found


def model_plans(models_dir: Path) -> dict[str, tuple[float, int]]:
    """(rate, burst) of every operation whose description prints a usage plan."""
    plans = {}
    for name, op in _operations(models_dir).items():
        match = _PLAN.search(op.get("description", ""))
        if match:
            plans[name] = (float(match[1]), int(match[2]))
    return plans


def model_enum(models_dir: Path, operation: str, parameter: str) -> frozenset[str]:
    (param,) = [
        p for p in _operations(models_dir)[operation]["parameters"] if p.get("name") == parameter
    ]
    return frozenset(param.get("items", param).get("enum", ()))


def test_the_plan_parser_reads_both_table_layouts(models_dir):
    plans = model_plans(models_dir)
    assert plans["getDefinitionsProductType"] == (5.0, 10)  # "|Default| 5 | 10 |"
    assert plans["createReport"] == (0.0167, 15)  # "| 0.0167 | 15 |"


#: Operations whose model is not among the local models (the Notifications API's,
#: notifications-api-model/notifications.json in amzn/selling-partner-api-models on GitHub):
#: their usage plan as that model's descriptions print it ("| 1 | 5 |").
NOT_IN_LOCAL_MODELS = {
    "createDestination": (1.0, 5),
    "getDestinations": (1.0, 5),
    "createSubscription": (1.0, 5),
    "getSubscription": (1.0, 5),
}


def test_the_sandbox_enforces_amazons_published_plans(models_dir):
    plans = {**NOT_IN_LOCAL_MODELS, **model_plans(models_dir)}
    for operation, plan in USAGE_PLANS.items():
        assert operation in plans, f"{operation}: no published plan to check it against"
        assert (plan.rate, plan.burst) == plans[operation], operation


def test_the_client_paces_itself_by_amazons_published_plans(models_dir):
    plans = model_plans(models_dir)
    for operation, plan in PUBLISHED_PLANS.items():
        assert (plan.rate, plan.burst) == plans[operation], operation


def test_every_operation_the_sandbox_serves_has_a_plan():
    app = SandboxApp(SandboxAccount(listings=1))
    assert app.operations <= USAGE_PLANS.keys()


def test_included_data_sections_are_the_models_on_both_sides(models_dir):
    enum = model_enum(models_dir, "getListingsItem", "includedData")
    assert model_enum(models_dir, "searchListingsItems", "includedData") == enum
    assert enum == handlers_listings.LISTINGS_INCLUDED_DATA
    assert set(LISTING_SECTIONS) == enum
    assert set(spapi_client.LISTING_DATA) <= enum
    patch = model_enum(models_dir, "patchListingsItem", "includedData")
    assert patch == handlers_listings.PATCH_INCLUDED_DATA
    catalog = model_enum(models_dir, "getCatalogItem", "includedData")
    assert catalog == handlers_catalog.CATALOG_INCLUDED_DATA


@pytest.mark.parametrize(
    ("operation", "parameter", "table"),
    [
        ("searchListingsItems", "identifiersType", handlers_listings.IDENTIFIER_TYPES),
        ("searchListingsItems", "withStatus", handlers_listings.LISTING_STATUSES),
        ("searchListingsItems", "withIssueSeverity", handlers_listings.ISSUE_SEVERITIES),
        ("getListingsRestrictions", "conditionType", handlers_listings.CONDITION_TYPES),
        ("searchCatalogItems", "identifiersType", handlers_catalog.IDENTIFIER_TYPES),
    ],
)
def test_the_sandbox_checks_parameters_against_the_models_enums(
    models_dir, operation, parameter, table
):
    assert table == model_enum(models_dir, operation, parameter)


def test_the_two_marketplace_tables_agree_on_amazons_facts():
    """Two readings of Amazon's marketplace-ids and endpoints pages: no model holds them, so
    the check is that the independent copies agree (a typo in either fails)."""
    for code, mine in sandbox_marketplaces.MARKETPLACES.items():
        theirs = client_marketplaces.MARKETPLACES[code]
        assert (mine.marketplace_id, mine.currency, mine.region, mine.language_tag) == (
            theirs.marketplace_id,
            theirs.currency,
            theirs.region,
            theirs.language_tag,
        ), code
        assert (mine.endpoint, mine.aws_region, mine.fba_channel_code) == (
            theirs.endpoint,
            theirs.aws_region,
            theirs.fba_channel_code,
        ), code


def test_the_sandboxs_ground_truth_names_causes_the_engine_knows():
    assert truth.ALL <= codes.ALL
