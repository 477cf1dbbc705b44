"""`asin-tui diagnose` on real-shaped SP-API bodies (tests/fixtures/real, issue 10): every body
that holds a listing is diagnosed (never exit 2), classified from enforcements, categories,
attribute names and codes — never from the message's language — and its state agrees with
the enforcements in force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asin_tui.cli import main

REAL = Path(__file__).parents[1] / "fixtures" / "real"


def diagnose_json(capsys, name: str, *options: str) -> tuple[int, object]:
    code = main(["diagnose", str(REAL / name), "--format", "json", *options])
    out, err = capsys.readouterr()
    assert err == ""
    return code, json.loads(out)


def codes_of(result: dict) -> list[str]:
    return [f["code"] for f in result["findings"]]


# (file, exit code, state, buyable, discoverable, finding codes that must be there, absent)
CASES = [
    (
        "search_suppressed_status_lags.json",
        1,
        "SEARCH_SUPPRESSED",
        True,
        False,
        {"INVALID_IMAGE"},
        set(),
    ),
    (
        "listing_suppressed_status_lags.json",
        1,
        "SUPPRESSED",
        False,
        True,
        {"PRICE_CONFLICT"},
        set(),
    ),
    ("exemption_expired.json", 1, "SEARCH_SUPPRESSED", True, False, {"INVALID_IMAGE"}, set()),
    ("exempt_permanently.json", 0, "ACTIVE", True, True, {"POLICY_VIOLATION"}, set()),
    (
        "not_in_catalog_13013_de_no_marketplace.json",
        1,
        "INCOMPLETE",
        False,
        False,
        {"INCOMPLETE_SKU"},
        {"POLICY_VIOLATION"},
    ),
    (
        "put_invalid_8560_13013_fr.json",
        1,
        "INCOMPLETE",
        False,
        False,
        {"PRODUCT_ID_PROBLEM", "NOT_IN_CATALOG"},
        {"POLICY_VIOLATION", "OTHER_ISSUE"},
    ),
    (
        "put_invalid_99022_hazmat_httpdump.json",
        1,
        "INCOMPLETE",
        False,
        False,
        {"INVALID_ATTRIBUTE"},
        {"OTHER_ISSUE"},
    ),
    (
        "put_invalid_attribute_name_singular.json",
        1,
        "INCOMPLETE",
        False,
        False,
        {"INVALID_ATTRIBUTE"},
        {"OTHER_ISSUE"},
    ),
    (
        "catalog_conflict_8541_ja.json",
        1,
        "SUPPRESSED",
        False,
        False,
        {"CATALOG_DATA_CONFLICT"},
        {"CATALOG_ITEM_REMOVED", "POLICY_VIOLATION"},
    ),
    (
        "warnings_only_recommended.json",
        0,
        "ACTIVE",
        True,
        True,
        {"RECOMMENDED_ATTRIBUTE"},
        {"MISSING_ATTRIBUTE"},
    ),
    (
        "no_offers_no_fulfillment.json",
        1,
        "INACTIVE",
        False,
        True,
        set(),
        {"MISSING_PRICE", "LISTING_CLOSED"},
    ),
    ("b2b_offer_price_object.json", 0, "ACTIVE", True, True, set(), {"MISSING_PRICE"}),
    (
        "full_listing_relevant_attributes_warning.json",
        0,
        "ACTIVE",
        True,
        True,
        {"RECOMMENDED_ATTRIBUTE"},
        {"MISSING_ATTRIBUTE", "MISSING_PRICE"},
    ),
    (
        "purchasable_offer_object.json",
        1,
        "SEARCH_SUPPRESSED",
        True,
        False,
        {"OTHER_ISSUE"},
        {"MISSING_PRICE"},
    ),
    (
        "fba_not_buyable_no_inventory.json",
        1,
        "INACTIVE",
        False,
        True,
        {"OTHER_ISSUE"},
        {"LISTING_CLOSED"},
    ),
    (
        "issues_only_no_summaries_fr.json",
        1,
        "SEARCH_SUPPRESSED",
        True,
        False,
        {"INVALID_IMAGE"},
        {"INCOMPLETE_SKU"},
    ),
    (
        "apiresponse_printed_put_invalid.txt",
        1,
        "INCOMPLETE",
        False,
        False,
        {"MISSING_ATTRIBUTE"},
        {"OTHER_ISSUE"},
    ),
]


@pytest.mark.parametrize(
    ("name", "exit_code", "state", "buyable", "discoverable", "present", "absent"),
    CASES,
    ids=[c[0].removesuffix(".json") for c in CASES],
)
def test_real_bodies(capsys, name, exit_code, state, buyable, discoverable, present, absent):
    code, result = diagnose_json(capsys, name)
    assert isinstance(result, dict)
    assert (code, result["state"], result["buyable"], result["discoverable"]) == (
        exit_code,
        state,
        buyable,
        discoverable,
    )
    found = set(codes_of(result))
    assert present <= found and not (absent & found), found


def test_amazon_status_is_shown_beside_the_effective_state(capsys):
    _, result = diagnose_json(capsys, "search_suppressed_status_lags.json")
    assert result["amazon_status"] == ["BUYABLE", "DISCOVERABLE"]
    assert main(["diagnose", str(REAL / "search_suppressed_status_lags.json"), "--format", "text"])
    out = capsys.readouterr().out
    assert "discoverable: no" in out
    assert "Amazon's status still says: BUYABLE, DISCOVERABLE" in out


def test_no_marketplace_is_diagnosed_and_says_what_it_could_not_judge(capsys):
    code, result = diagnose_json(capsys, "not_in_catalog_13013_de_no_marketplace.json")
    assert code == 1 and result["marketplace_id"] is None
    assert any(note.startswith("marketplace:") for note in result["not_checked"])
    (finding,) = result["findings"]
    # the documented meaning of 13013, not an appeal path; Amazon's German text kept as said
    assert "appeal" not in finding["fix"].lower() and "24 hours" in finding["fix"]
    assert "Du erhältst diese Fehlermeldung" in finding["detail"]


def test_marketplace_flag_fills_a_body_that_names_none(capsys):
    code, result = diagnose_json(
        capsys, "not_in_catalog_13013_de_no_marketplace.json", "--marketplace", "DE"
    )
    assert code == 1 and result["marketplace_id"] == "A1PA6795UKMFR9"
    assert not any(note.startswith("marketplace:") for note in result["not_checked"])


def test_attribute_named_whatever_the_shape(capsys):
    _, singular = diagnose_json(capsys, "put_invalid_attribute_name_singular.json")
    (invalid,) = [f for f in singular["findings"] if f["code"] == "INVALID_ATTRIBUTE"]
    assert invalid["attributes"] == ["item_dimensions"] and "item_dimensions" in invalid["title"]
    _, hazmat = diagnose_json(capsys, "put_invalid_99022_hazmat_httpdump.json")
    named = {a for f in hazmat["findings"] for a in f["attributes"]}
    assert named == {"external_product_information", "hazmat"}
    (dg,) = [f for f in hazmat["findings"] if f["attributes"] == ["hazmat"]]
    assert "dangerous goods" in dg["fix"]


def test_submission_answers_are_diagnosed_for_their_sku(capsys):
    code, result = diagnose_json(capsys, "put_invalid_8560_13013_fr.json")
    assert result["sku"] == "GEN-TSHIRT-01" and result["submission_status"] == "INVALID"
    assert result["findings"][0]["title"] == "Submission rejected"
    (product_id,) = [f for f in result["findings"] if f["code"] == "PRODUCT_ID_PROBLEM"]
    assert product_id["attributes"] == ["externally_assigned_product_identifier"]
    assert "GTIN exemption" in product_id["fix"]
    code, accepted = diagnose_json(capsys, "patch_accepted_warning_only_apiresponse.json")
    assert code == 0 and accepted["submission_status"] == "ACCEPTED"
    assert accepted["asin"] == "B07N4M94X4" and accepted["marketplace_id"] == "ATVPDKIKX0DER"
    assert "RECOMMENDED_ATTRIBUTE" in codes_of(accepted)


def test_8541_is_a_data_conflict_whose_fix_does_not_say_copy_blindly(capsys):
    _, result = diagnose_json(capsys, "catalog_conflict_8541_ja.json")
    (conflict,) = [f for f in result["findings"] if f["code"] == "CATALOG_DATA_CONFLICT"]
    assert conflict["attributes"] == ["brand"] and conflict["category"] == "CATALOG"
    assert "product identifier" in conflict["fix"] and "do not copy them blindly" in conflict["fix"]
    assert "removed" not in conflict["title"].lower()


def test_a_recommendation_is_not_called_required(capsys):
    _, result = diagnose_json(capsys, "warnings_only_recommended.json")
    (f,) = result["findings"]
    assert f["severity"] == "INFO" and "required" not in f["title"].lower()
    assert f["attributes"] == ["bullet_point"] and "bullet_point" in f["title"]


def test_absent_sections_are_not_checked_rather_than_findings(capsys):
    _, result = diagnose_json(capsys, "no_offers_no_fulfillment.json")
    notes = " ".join(result["not_checked"])
    assert "price: the body has no offers section" in notes
    assert "stock: the body has no fulfillmentAvailability section" in notes
    (f,) = result["findings"]
    assert "closed" not in f["title"].lower() and "not checked" in f["detail"]


def test_search_page_gives_one_result_per_item(capsys):
    code, results = diagnose_json(capsys, "search_page_two_items.json")
    assert isinstance(results, list) and code == 1
    assert [(r["sku"], r["state"]) for r in results] == [
        ("TC-ZDPI-9B4E", "ACTIVE"),
        ("HW-ZDPI-9B4E", "INACTIVE"),
    ]
    assert codes_of(results[1]) == ["OUT_OF_STOCK_MFN"]
    main(["diagnose", str(REAL / "search_page_two_items.json"), "--format", "text"])
    out = capsys.readouterr().out
    assert out.index("TC-ZDPI-9B4E") < out.index("HW-ZDPI-9B4E")
    assert out.count("State: ") == 2


@pytest.mark.parametrize("restrictions", ["restrictions_empty_object.json"])
def test_empty_restriction_object_means_none(capsys, restrictions):
    code, result = diagnose_json(
        capsys,
        "search_suppressed_status_lags.json",
        "--restrictions",
        str(REAL / restrictions),
    )
    assert code == 1 and not {"APPROVAL_REQUIRED", "NOT_ELIGIBLE"} & set(codes_of(result))


def test_restrictions_are_judged_against_the_listings_own_condition(capsys, tmp_path):
    body = json.loads((REAL / "search_suppressed_status_lags.json").read_text())
    body["issues"] = []
    new = tmp_path / "new.json"
    new.write_text(json.dumps(body))
    restrictions = str(REAL / "restrictions_by_condition.json")
    code, result = diagnose_json(capsys, str(new), "--restrictions", restrictions)
    assert (code, codes_of(result)) == (0, [])  # new_new: neither used condition applies
    body["summaries"][0]["conditionType"] = "used_good"
    used = tmp_path / "used.json"
    used.write_text(json.dumps(body))
    _, result = diagnose_json(capsys, str(used), "--restrictions", restrictions)
    assert codes_of(result) == ["APPROVAL_REQUIRED"]


def test_a_body_without_a_listing_still_exits_2(capsys):
    code = main(["diagnose", str(REAL / "errors_body.json")])
    err = capsys.readouterr().err
    assert code == 2 and "NOT_FOUND" in err and err.count("\n") == 1


def test_a_body_without_summaries_is_not_called_incomplete(capsys):
    """No summaries key (not asked for) is "status not checked", never "no live listing"."""
    _, result = diagnose_json(capsys, "issues_only_no_summaries_fr.json")
    assert result["amazon_status"] is None and result["marketplace_id"] == "A13V1IB3VIYZZH"
    assert any(
        note.startswith("status: the body has no summaries") for note in result["not_checked"]
    )


def test_a_python_printed_apiresponse_is_read_as_literals(capsys, tmp_path):
    _, result = diagnose_json(capsys, "apiresponse_printed_put_invalid.txt")
    assert result["sku"] == "EWP-SATURN-CER-002" and result["submission_status"] == "INVALID"
    # literals only: a printed body that would need code to build is not run, it is refused
    hostile = tmp_path / "hostile.txt"
    hostile.write_text("{'sku': __import__('os').system('echo pwned')}")
    assert main(["diagnose", str(hostile)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "is not JSON" in err and "pwned" not in out + err


def test_a_search_page_with_one_item_is_still_a_list(capsys, tmp_path):
    page = json.loads((REAL / "search_page_two_items.json").read_text())
    page["items"] = page["items"][:1]
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"payload": page}))
    code, results = diagnose_json(capsys, str(path))
    assert code == 0 and [r["sku"] for r in results] == ["TC-ZDPI-9B4E"]


def test_an_item_pasted_without_its_sku_is_still_diagnosed(capsys, tmp_path):
    body = json.loads((REAL / "listing_suppressed_status_lags.json").read_text())
    del body["sku"]
    path = tmp_path / "nosku.json"
    path.write_text(json.dumps(body))
    code, result = diagnose_json(capsys, str(path))
    assert code == 1 and result["state"] == "SUPPRESSED"
    assert result["sku"] == "(no SKU in the body)"


def test_a_price_given_as_one_object_is_read(capsys):
    from decimal import Decimal

    from asin_tui.domain.patches import price_band
    from asin_tui.spapi.parse import parse_listing_bodies

    (listing,) = parse_listing_bodies(
        json.loads((REAL / "purchasable_offer_object.json").read_text()), None
    )
    assert price_band(listing).price == Decimal("29.99")
    (full,) = parse_listing_bodies(
        json.loads((REAL / "full_listing_relevant_attributes_warning.json").read_text()), None
    )
    assert not full.is_offer_only and full.requirements_key == "BICYCLE"


def test_hidden_without_issues_in_the_body_is_not_checked(capsys):
    _, result = diagnose_json(capsys, "purchasable_offer_object.json")
    (hidden,) = result["findings"]
    assert "not in this data" in hidden["title"] and "no reason" not in hidden["detail"]


def test_a_named_profile_gives_the_marketplace_a_body_lacks(capsys):
    import os

    from asin_tui.store import paths

    paths.config_dir().mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text(
        '[profiles.de]\nmarketplace = "DE"\nseller_id = "A2EXAMPLE12345"\n', encoding="utf-8"
    )
    os.chmod(paths.config_file(), 0o600)
    name = str(REAL / "not_in_catalog_13013_de_no_marketplace.json")
    code = main(["--profile", "de", "diagnose", name, "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and result["marketplace_id"] == "A1PA6795UKMFR9"
    assert not any(note.startswith("marketplace:") for note in result["not_checked"])


def test_fba_stock_is_judged_once_the_inventory_is_given(capsys):
    name = "fba_not_buyable_no_inventory.json"
    _, without = diagnose_json(capsys, name)
    assert without["findings"][0]["title"] == "Not buyable; FBA stock not checked"
    inventory = str(REAL.parent / "inventory_fba_out_of_stock.json")
    _, result = diagnose_json(capsys, name, "--inventory", inventory)
    assert codes_of(result)[0] == "OUT_OF_STOCK_FBA"


def test_side_bodies_pasted_inside_apiresponse_dumps_are_read(capsys, tmp_path):
    restrictions = json.loads((REAL / "restrictions_by_condition.json").read_text())
    wrapped = tmp_path / "restr.json"
    wrapped.write_text(json.dumps({"errors": None, "payload": restrictions, "headers": {}}))
    body = json.loads((REAL / "search_suppressed_status_lags.json").read_text())
    body["issues"] = []
    body["summaries"][0]["conditionType"] = "used_good"
    item = tmp_path / "item.json"
    item.write_text(json.dumps(body))
    _, result = diagnose_json(capsys, str(item), "--restrictions", str(wrapped))
    assert codes_of(result) == ["APPROVAL_REQUIRED"]
    inventory = json.loads((REAL.parent / "inventory_fba_out_of_stock.json").read_text())
    dumped = tmp_path / "inv.json"
    dumped.write_text(json.dumps({"body": inventory, "status_code": 200}))
    _, fba = diagnose_json(capsys, "fba_not_buyable_no_inventory.json", "--inventory", str(dumped))
    assert codes_of(fba)[0] == "OUT_OF_STOCK_FBA"


def test_a_body_without_summaries_is_never_said_to_be_live(capsys, tmp_path):
    """Nothing in the body says the listing is buyable: the text must not claim it is live."""
    body = tmp_path / "issues_only.json"
    body.write_text(json.dumps({"sku": "X-1", "issues": []}))
    main(["diagnose", str(body), "--format", "text"])
    out = capsys.readouterr().out
    assert "Nothing to fix: the listing is live" not in out
    assert "Amazon's status: not in this data" in out
    assert "whether the listing is live was not checked" in out
    live = tmp_path / "live.json"
    summary = {"marketplaceId": "ATVPDKIKX0DER", "status": ["BUYABLE", "DISCOVERABLE"]}
    live.write_text(json.dumps({"sku": "X-2", "summaries": [summary], "issues": []}))
    assert main(["diagnose", str(live), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "Nothing to fix: the listing is live." in out and "not in this data" not in out


def test_a_summary_with_a_null_status_is_never_said_to_be_live_nor_not_buyable(capsys, tmp_path):
    """`"status": null` in the summary (the model requires the field): not checked, as no
    summaries section; never "buyable: no", never "the listing is live"."""
    body = tmp_path / "null_status.json"
    summary = {"marketplaceId": "ATVPDKIKX0DER", "asin": "B0X", "status": None}
    body.write_text(json.dumps({"sku": "X-3", "summaries": [summary], "issues": []}))
    main(["diagnose", str(body), "--format", "text"])
    out = capsys.readouterr().out
    assert "buyable: no" not in out and "discoverable: no" not in out
    assert "Nothing to fix: the listing is live" not in out
    assert "Amazon's status: not in this data" in out
    assert "carries no status" in out
