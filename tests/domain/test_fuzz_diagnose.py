"""Fuzzing `diagnose`: getListingsItem bodies built from the shapes of Amazon's official model
(and the test fixtures), mutated like a broken or hostile answer, with inventory, restrictions
and catalog bodies mutated too. Property: parsing raises nothing but MalformedResponse (the
documented "not a usable response", exit 2), and what parses is diagnosed without an error into
a well-formed result that every output (JSON, text, report row, CSV, table) can show.

Bounded for CI (a few seconds, the same examples on every run: tests/conftest.py's profile);
HYPOTHESIS_PROFILE=explore searches longer and afresh."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial

from hypothesis import event, given, settings
from hypothesis import strategies as st

from asin_tui.commands.diagnose import render_text
from asin_tui.domain.diagnosis import diagnose
from asin_tui.domain.models import Diagnosis, Evidence, Finding, ListingRecord, State
from asin_tui.render import render_csv, render_json, render_table
from asin_tui.spapi.parse import (
    UnreadableBody,
    parse_catalog_item,
    parse_inventory_summaries,
    parse_listing_bodies,
    parse_product_type,
    parse_restrictions,
)
from tests.bodies import FIXTURES, fixture, from_model, mutated
from tests.conftest import MODELS_DIR, examples

US = "ATVPDKIKX0DER"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
LISTING_FIXTURES = sorted(
    p.relative_to(FIXTURES).as_posix()
    for p in [*FIXTURES.glob("listing_*.json"), *FIXTURES.glob("real/*.json")]
    if not p.name.startswith("restrictions")  # getListingsRestrictions bodies: fuzzed below
)
REQUIREMENTS = parse_product_type(
    fixture("product_type_kitchen_definition.json"), fixture("product_type_kitchen_schema.json")
)


def listing_bodies() -> st.SearchStrategy:
    """Mutated fixtures, and mutated Items shaped by the official model where it is present
    (without it, the fixtures alone: the test still runs)."""
    bodies = st.sampled_from(LISTING_FIXTURES).map(fixture)
    model_file = MODELS_DIR / "listingsItems_2021-08-01.json"
    if model_file.is_file():
        model = json.loads(model_file.read_text(encoding="utf-8"))
        bodies = st.one_of(bodies, from_model(model["definitions"], "Item"))
    return mutated(bodies)


def parsed(parse, body):
    """What ``parse`` makes of ``body``: None for the documented MalformedResponse."""
    try:
        return parse(body)
    except UnreadableBody:
        return None


def check_well_formed(result: Diagnosis) -> None:
    assert isinstance(result.state, State)
    assert isinstance(result.buyable, bool) and isinstance(result.discoverable, bool)
    for finding in result.findings:
        assert isinstance(finding, Finding)
        assert finding.title and isinstance(finding.title, str)
        assert isinstance(finding.detail, str) and isinstance(finding.fix, str)
        assert all(isinstance(a, str) for a in finding.attributes)
    json.dumps(result.to_dict(), allow_nan=False)  # the `diagnose --format json` document


def test_diagnose_never_crashes_on_model_shaped_or_mutated_bodies():
    inventory = mutated(st.just(fixture("inventory_fba_out_of_stock.json")))
    restrictions = mutated(st.just(fixture("restrictions_sandbox_200.json")))
    catalog = mutated(st.just(fixture("catalog_item_sandbox_200.json")))

    @settings(max_examples=examples(300))
    @given(
        body=listing_bodies(),
        marketplace=st.sampled_from([None, US, "A1PA6795UKMFR9"]),
        inventory=st.none() | inventory,
        restrictions=st.none() | restrictions,
        catalog=st.none() | catalog,
        requirements=st.sampled_from([None, REQUIREMENTS]),
    )
    def property(body, marketplace, inventory, restrictions, catalog, requirements):
        listings = parsed(lambda b: parse_listing_bodies(b, marketplace), body)
        event("listing body: " + ("malformed" if listings is None else "diagnosed"))
        if listings is None:
            return
        summaries = parsed(parse_inventory_summaries, inventory) if inventory else None
        records = []
        for listing in listings:
            mp = listing.marketplace_id
            gates = parsed(partial(parse_restrictions, marketplace_id=mp), restrictions)
            item = parsed(partial(parse_catalog_item, marketplace_id=mp), catalog)
            evidence = Evidence(
                listing,
                inventory=next(iter(summaries or ()), None),
                restrictions=tuple(gates or ()) if restrictions else (),
                requirements=requirements,
                catalog=item if catalog else None,
            )
            result = diagnose(evidence, now=NOW)
            check_well_formed(result)
            assert render_text(result, colour=True, width=60).endswith("\n")
            records.append(ListingRecord.build(evidence, result))
        json.loads(render_json(records, "fuzz", US, None))
        render_csv(records)
        render_table(records, None, width=100)

    property()
