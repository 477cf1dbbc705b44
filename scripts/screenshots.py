"""Make screenshots/*.svg of the real app on the demo account: list, detail, help, At risk,
welcome, wizard, cause view and bulk grid, "since you last looked".

    python scripts/screenshots.py [--out screenshots] [--size 120x40] [--only bulk-grid ...]
                                  [--png]

``--png``: each shot written is also drawn as NAME.png by ``rsvg-convert`` (librsvg; a PNG
shows the same on every README viewer, where an SVG's web font may not load).

Runs headless against a fresh demo account in throwaway config/cache/data folders (your own
asin-tui state is never read or touched), waits for the first sync, then saves each screen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def isolate(home: Path) -> None:
    """Point every asin-tui folder (platformdirs reads XDG_*) at a throwaway home."""
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        path = home / var.lower()
        path.mkdir()
        os.environ[var] = str(path)
    os.environ["HOME"] = str(home)


ONLY: set[str] = set()  # --only: the shots to write (empty: all)
PNG: list[bool] = [False]  # --png: a PNG beside each SVG written


async def shoot(app, size, out: Path, shots: list[tuple[str, Callable[..., Awaitable]]]) -> None:
    if ONLY and not ONLY & {name for name, _ in shots}:
        return  # none of these is asked for: the app is not even started
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        for name, step in shots:
            await step(pilot)
            await settled(pilot)
            if ONLY and name not in ONLY:
                continue
            app.save_screenshot(filename=f"{name}.svg", path=str(out))
            print(f"wrote {out / name}.svg")
            if PNG[0]:
                svg, png = out / f"{name}.svg", out / f"{name}.png"
                subprocess.run(["rsvg-convert", "-o", str(png), str(svg)], check=True)
                print(f"wrote {png}")


async def settled(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _still():
    from asin_tui.demo import DemoSettings

    return DemoSettings(drift=0.0)  # the demo without its drift: the same pictures at any hour


def press(*keys: str) -> Callable[..., Awaitable]:
    async def step(pilot) -> None:
        await pilot.press(*keys)

    return step


async def main(out: Path, size: tuple[int, int]) -> None:
    from asin_tui.demo import open_demo_service
    from asin_tui.ui.app import make_app
    from asin_tui.ui.case_labels import saved_case_labels

    def demo():
        return open_demo_service(reset=True, settings=_still())

    app = make_app(demo, case_labels_loader=saved_case_labels)
    await shoot(
        app,
        size,
        out,
        [
            ("list", press()),
            ("list-filtered", press("slash", *"stock", "enter")),
            ("detail", press("enter")),
            ("help", press("escape", "question_mark")),
            # listings on sale now that will not stay so: the date or the stock left first
            ("at-risk", press("escape", "escape", "R")),  # help closed, the filter cleared
        ],
    )
    await shoot(make_app(None, demo_factory=demo), size, out, [("welcome", press())])
    await shoot(make_app(demo, case_labels_loader=saved_case_labels), size, out, wizard_shots())
    await shoot(make_app(demo, case_labels_loader=saved_case_labels), size, out, bulk_shots())
    await since_shots(size, out)


# ------------------------------------------------------------------ since you last looked
async def since_shots(size, out: Path) -> None:
    """ "Since you last looked": a first session on a fresh demo (its look is noted), then
    the seller restocks a sold-out listing and sells out a live one outside asin-tui
    (through the demo's Amazon, as Seller Central would), then the next session's banner and
    `n`'s view of those two listings."""
    if ONLY and "since" not in ONLY:
        return
    from asin_tui.demo import open_demo_service
    from asin_tui.ui.app import make_app
    from asin_tui.ui.case_labels import saved_case_labels

    first = make_app(
        lambda: open_demo_service(reset=True, settings=_still()),
        case_labels_loader=saved_case_labels,
    )
    async with first.run_test(size=size) as pilot:
        for _ in range(3):  # the start-up sync, its reload, the look
            await settled(pilot)
    sold_out, live = demo_skus()
    set_quantity(sold_out, 40)
    set_quantity(live, 0)
    kept = make_app(
        lambda: open_demo_service(settings=_still()), case_labels_loader=saved_case_labels
    )
    await shoot(kept, size, out, [("since", chain(settled, settled, press("n")))])


def demo_skus() -> tuple[str, str]:
    """A sold-out merchant-fulfilled demo listing, and a live one with nothing wrong."""
    from asin_tui.sandbox.transport import demo_app

    account = demo_app().account
    skus = account.search(sort_by="sku", sort_order="ASC")
    sold_out = next(s for s in skus if account.intended_causes(s) == {"OUT_OF_STOCK_MFN"})
    for sku in skus:
        offers = account.item(sku, ["fulfillmentAvailability"]).get("fulfillmentAvailability")
        mfn = offers and offers[0].get("fulfillmentChannelCode") == "DEFAULT"
        if mfn and not account.intended_causes(sku) and offers[0].get("quantity"):
            return sold_out, sku
    raise SystemExit("the demo has no live merchant-fulfilled listing")


def set_quantity(sku: str, quantity: int) -> None:
    """The seller changes a merchant-fulfilled quantity outside asin-tui: a real, ACCEPTED
    patchListingsItem to the demo's Amazon (saved with the demo account)."""
    import httpx

    from asin_tui.demo import DEMO_ENDPOINT
    from asin_tui.sandbox.app import (
        SANDBOX_CLIENT_ID,
        SANDBOX_CLIENT_SECRET,
        SANDBOX_REFRESH_TOKEN,
        TOKEN_PATH,
    )
    from asin_tui.sandbox.transport import SandboxTransport, demo_app

    app = demo_app(patch_delay=0)
    account = app.account
    product_type = account.item(sku, ["summaries"])["summaries"][0]["productType"]
    patch = {
        "op": "replace",
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }
    with httpx.Client(transport=SandboxTransport(app), base_url=DEMO_ENDPOINT) as client:
        token = client.post(
            TOKEN_PATH,
            data={
                "grant_type": "refresh_token",
                "client_id": SANDBOX_CLIENT_ID,
                "client_secret": SANDBOX_CLIENT_SECRET,
                "refresh_token": SANDBOX_REFRESH_TOKEN,
            },
        ).json()["access_token"]
        answer = client.patch(
            f"/listings/2021-08-01/items/{account.seller_id}/{sku}",
            params={"marketplaceIds": account.marketplace.marketplace_id},
            json={"productType": product_type, "patches": [patch]},
            headers={"x-amz-access-token": token},
        ).json()
    if answer.get("status") != "ACCEPTED":
        raise SystemExit(f"the demo did not take the change to {sku}: {answer}")


# ------------------------------------------------------------------ bulk fix (issue 13)
def bulk_shots() -> list[tuple[str, Callable[..., Awaitable]]]:
    """The cause view, then the bulk grid for the out-of-stock listings: a quantity typed
    and filled down, a handling time for all, validated with Amazon (each row's answer); its
    one send confirmation."""

    async def highlight(pilot) -> None:
        from textual.widgets import OptionList

        causes = pilot.app.screen
        causes.query_one(OptionList).highlighted = next(
            i for i, c in enumerate(causes.causes) if c.label == "Out of stock"
        )

    async def fill(pilot) -> None:
        from asin_tui.ui.widgets.bulk_grid import BulkGrid

        grid = pilot.app.screen.query_one(BulkGrid)
        for column, value, spread in (("quantity", "24", "d"), ("handling_time", "2", "a")):
            grid.move_cursor(row=0, column=list(grid.columns).index(column))
            await pilot.press("enter", *value, "enter", spread)
            await settled(pilot)
        await pilot.press("p")

    return [
        ("causes", chain(press("v"), highlight)),
        ("bulk-grid", chain(press("b"), fill)),
        ("bulk-confirm", press("s")),  # each change once with its count, every listing below
    ]


# ------------------------------------------------------------------ wizard (reactivation wizard helper)
WIZARD_CAUSES = {"OUT_OF_STOCK_MFN", "MISSING_ATTRIBUTE"}  # one listing that shows both fixes
POLICY_CAUSES = {"APPROVAL_REQUIRED"}  # a policy case no patch fixes: checklist, outcomes
SAMPLE_VALUES = {"integer": "2", "number": "2"}  # anything else: text


def wizard_shots() -> list[tuple[str, Callable[..., Awaitable]]]:
    """The wizard on a demo listing that is out of stock and lacks a required attribute:
    overview, stock (a quantity typed), listing fields (the value typed), apply (Amazon's
    answer to the validation preview), verify (Amazon still processing the real submit, then
    applied), wrap up; then on a listing that needs approval: policy (an item ticked and
    noted), wrap up (the outcomes that fit, to pick from)."""

    def open_wizard(causes: set[str]) -> Callable[..., Awaitable]:
        async def step(pilot) -> None:
            records = pilot.app.service.cached_records(all_listings=False)
            sku = next(r.sku for r in records if {f.code for f in r.findings} == causes)
            await pilot.press("slash")
            pilot.app.focused.value = sku  # the filter, emptied of an earlier SKU
            await pilot.press("enter", "w")

        return step

    async def tick_and_note(pilot) -> None:
        from textual.widgets import Checkbox, Input

        screen = pilot.app.screen
        pilot.app.set_focus(screen.query(Checkbox).first())
        await pilot.press("space")
        screen.query_one("#note-0-0", Input).value = "Requirements read: invoices from 2 suppliers"
        pilot.app.set_focus(None)

    async def processed(pilot) -> None:
        """Wait out the demo's processing delay, then Verify's own re-check (its timer's)."""
        from asin_tui.sandbox.transport import DEMO_PATCH_DELAY

        await asyncio.sleep(DEMO_PATCH_DELAY + 0.5)
        pilot.app.screen.body.auto_recheck()  # the wizard body's timer's re-check, now

    async def type_quantity(pilot) -> None:
        pilot.app.screen.query_one("#stock-quantity Input").value = "24"

    async def fill_field(pilot) -> None:
        from textual.widgets import Input, Select, TextArea

        from asin_tui.ui.widgets.wizard_fields import TypedField

        field = pilot.app.screen.query(TypedField).first()
        value = SAMPLE_VALUES.get(field.spec.value_type, "Solid beech wood, oiled by hand.")
        if field.spec.enum:
            field.query_one(Select).value = field.spec.enum[0]
        elif field.query(TextArea):
            field.query_one(TextArea).text = value
        else:
            field.query_one(Input).value = value
        pilot.app.set_focus(None)  # out of the field: n is Next again

    return [
        ("wizard-overview", open_wizard(WIZARD_CAUSES)),
        ("wizard-stock", chain(press("n"), type_quantity)),  # the quantity has the focus
        ("wizard-fields", chain(press("enter"), fill_field)),
        ("wizard-apply", press("n")),
        ("wizard-confirm", press("s")),  # the changes in words; only ctrl+s sends
        # Amazon applies the patch a few seconds later: Verify says it is processing it
        ("wizard-verify-processing", chain(press("ctrl+s"), press("n"))),
        ("wizard-verify", processed),
        ("wizard-wrap-up", press("n")),
        (
            "wizard-policy",
            chain(press("escape"), open_wizard(POLICY_CAUSES), press("n"), tick_and_note),
        ),
        # Listing fields (the condition: out of its drop-down), Apply, Verify, then the
        # outcomes that fit, to pick from
        ("wizard-wrap-up-outcomes", chain(press("n"), press("escape"), press("n", "n", "n"))),
    ]


def chain(*steps: Callable[..., Awaitable]) -> Callable[..., Awaitable]:
    async def step(pilot) -> None:
        for each in steps:
            await each(pilot)
            await settled(pilot)

    return step


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME", help="these shots only")
    parser.add_argument("--png", action="store_true", help="a PNG of each too (rsvg-convert)")
    args = parser.parse_args()
    ONLY.update(args.only)
    if args.png and shutil.which("rsvg-convert") is None:
        sys.exit("--png needs rsvg-convert (librsvg2-bin) on PATH")
    PNG[0] = args.png
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="asin-tui-shots-") as home:
        isolate(Path(home))
        args.out.mkdir(parents=True, exist_ok=True)
        width, height = (int(n) for n in args.size.split("x"))
        asyncio.run(main(args.out.resolve(), (width, height)))
