"""Pilot tests of the wizard's cross-field checks: a quantity that cannot fix the listing, the
MFN inputs shown only with an MFN action, units inbound, a new price outside its band."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input, Select

from asin_tui.domain import codes
from asin_tui.domain.models import (
    Category,
    Diagnosis,
    Evidence,
    Finding,
    FulfillmentAvailability,
    InventorySummary,
    Severity,
    State,
    WizardStep,
)
from asin_tui.domain.wizard import StockAction
from tests.ui.test_wizard import (
    US,
    FakeAccount,
    back_at_fields_with_nothing_sent,
    check_the_wizard,
    enter_in_a_field_goes_on_only_when_the_value_is_valid,
    escape_in_a_field_leaves_the_field_and_keeps_what_was_typed,
    settle,
    submit_needs_a_valid_preview,
)


class FbaAccount(FakeAccount):
    """An FBA mug out of stock at Amazon, six units on their way."""

    def __init__(self) -> None:
        super().__init__()
        self.listing = replace(
            self.listing,
            fulfillment=(FulfillmentAvailability("AMAZON_NA", None),),
            attributes={"fulfillment_availability": [{"fulfillment_channel_code": "AMAZON_NA"}]},
        )

    def evidence(self, sku):
        return Evidence(self.listing, inventory=InventorySummary("MUG-1", inbound_shipped=6))

    def diagnosis(self, sku):
        oos = Finding(
            Category.STOCK,
            Severity.ERROR,
            codes.OUT_OF_STOCK_FBA,
            "Out of stock at Amazon",
            "0 fulfillable units, 6 inbound",
            "wait or switch",
            step=WizardStep.STOCK,
        )
        return Diagnosis(sku, self.listing.asin, US, State.INACTIVE, False, True, (oos,))


def message(screen, field: str) -> str:
    shown = screen.query_one(f"#{field} .field-message")
    return str(shown.render()) if shown.has_class("-shown") else ""


async def test_the_mugs_stock_step_checks_the_quantity_and_its_keys():
    """The out-of-stock mug's Stock step (100x30), its behaviours checked in turn
    (run_checks): what each asserts is its name. Each starts and ends at Stock, the last
    leaves the wizard."""
    await check_the_wizard(
        FakeAccount(),
        (100, 30),
        ("n",),
        zero_units_cannot_restock_an_out_of_stock_listing,
        submit_needs_a_valid_preview,
        enter_in_a_field_goes_on_only_when_the_value_is_valid,
        escape_in_a_field_leaves_the_field_and_keeps_what_was_typed,
    )


async def zero_units_cannot_restock_an_out_of_stock_listing(pilot) -> None:
    """At the mug's Stock step, nothing typed yet; the quantity emptied again after."""
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.STOCK
    assert message(screen, "stock-quantity").startswith("At least 1 unit: the listing is out")
    quantity = screen.query_one("#stock-quantity Input", Input)
    quantity.value = "2"
    await pilot.pause()
    assert message(screen, "stock-quantity") == ""
    quantity.value = ""
    await settle(pilot)


async def fba_listing_shows_mfn_inputs_only_when_switching_and_needs_a_unit(pilot) -> None:
    """At the FBA mug's Stock step, nothing picked yet (one of the checks of test_wizard_polish's
    run of that step); back at Stock after."""
    screen = pilot.app.screen
    account = pilot.app.account
    assert screen.body.state.step is WizardStep.STOCK
    assert not screen.query_one("#stock-mfn").display, "no MFN inputs before an MFN action"
    assert not screen.query_one("#stock-inbound").display
    screen.query_one("#stock-action", Select).value = StockAction.SWITCH_TO_MFN
    await pilot.pause()
    assert screen.query_one("#stock-mfn").display
    inbound = screen.query_one("#stock-inbound")
    assert inbound.display and "6 units are on their way" in str(inbound.render())
    assert message(screen, "stock-quantity").startswith("At least 1 unit: merchant")
    pilot.app.set_focus(None)
    await pilot.press("n")
    await settle(pilot)
    assert screen.body.state.step is WizardStep.APPLY
    assert "Not ready: At least 1 unit" in str(screen.query_one(".patches").render())
    assert account.sent == [], "no patch is built from 0 units"
    await pilot.press("b")
    await settle(pilot)
    assert screen.query_one("#stock-mfn").display, "the action picked is kept"
    screen.query_one("#stock-quantity Input", Input).value = "3"
    await pilot.pause()
    pilot.app.set_focus(None)
    await pilot.press("n")
    await settle(pilot)
    (patch,), preview = account.sent[0]
    assert preview and patch["value"] == [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}]
    await pilot.press("b")  # back at Stock
    await settle(pilot)


async def a_new_price_outside_the_band_is_said_as_you_type_and_not_sent(pilot) -> None:
    """At the suppressed pillowcase's Fields step, nothing sent yet (88.95 USD, allowed
    24.22 – 72.68 USD; one of the checks of test_wizard_safety's walk of its steps); back at
    Fields after."""
    screen = pilot.app.screen
    account = pilot.app.account
    assert screen.body.state.step is WizardStep.FIELDS
    screen.query_one("#price-our_price Input", Input).value = "80"
    await pilot.pause()
    assert message(screen, "price-our_price") == (
        "The price 80.00 USD is above the maximum 72.68 USD: Amazon would not sell at it."
    )
    pilot.app.set_focus(None)
    await pilot.press("n")
    await settle(pilot)
    assert "Not ready: The price 80.00 USD" in str(screen.query_one(".patches").render())
    assert account.sent == []
    await pilot.press("b")
    await settle(pilot)
    screen.query_one("#price-maximum_seller_allowed_price Input", Input).value = "90"
    await pilot.pause()
    assert message(screen, "price-our_price") == ""
    pilot.app.set_focus(None)
    await pilot.press("n")
    await settle(pilot)
    patches, _ = account.sent[0]
    offer = next(p for p in patches if p["path"] == "/attributes/purchasable_offer")["value"][0]
    assert offer["our_price"] == [{"schedule": [{"value_with_tax": 80}]}]
    assert offer["maximum_seller_allowed_price"] == [{"schedule": [{"value_with_tax": 90}]}]
    await back_at_fields_with_nothing_sent(pilot)
