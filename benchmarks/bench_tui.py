"""Benchmark: the TUI's ASIN list with 100,000 listings (not a test; run by hand).

    python benchmarks/bench_tui.py [--listings 100000] [--source sandbox|synthetic] [--size 120x40]

Builds the rows (from the sandbox seller account: every listing's item parsed and diagnosed
exactly as a sync would, or synthetic rows), then runs the real app headless (``run_test``)
on an in-memory account and measures:

- first paint: app start → the first listing row drawn, against a bare Textual app's
  start → its first widget drawn (the goal: within 0.3 s of the bare app);
- filter keystroke → repaint: one key typed into the `/` box until the visible rows are
  drawn again (goal < 50 ms), for each key of a typical query;
- scrolling a page (PageDown) → repaint;
- peak RSS of the process (goal < 300 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Static

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asin_tui.domain.models import (
    Category,
    Finding,
    ListingRecord,
    Severity,
    State,
    sort_key,
)
from asin_tui.ui.app import make_app
from asin_tui.ui.widgets.listing_table import ListingTable

QUERY = "classic dog"


# --------------------------------------------------------------------------- the rows
def sandbox_records(listings: int) -> list[ListingRecord]:
    """Every sandbox listing, parsed and diagnosed like a sync does (slow for 100k: minutes)."""
    from asin_tui.domain.diagnosis import diagnose
    from asin_tui.domain.models import Evidence
    from asin_tui.sandbox.account import SandboxAccount
    from asin_tui.spapi import parse

    account = SandboxAccount(listings=listings)
    market = account.marketplace.marketplace_id
    sections = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability")
    records = []
    for sku in account.search():
        listing = parse.parse_listing(account.item(sku, sections), market)
        evidence = Evidence(listing=listing)
        records.append(ListingRecord.build(evidence, diagnose(evidence)))
    return sorted(records, key=sort_key)


_WORDS = [
    "classic",
    "dog",
    "bamboo",
    "ceramic",
    "steel",
    "mug",
    "lamp",
    "board",
    "bottle",
    "mat",
    "sign",
    "blanket",
    "desk",
    "cabinet",
    "sofa",
]
_CAUSES = ("Out of stock", "Missing required attribute", "Price outside band", "Policy issue")


def synthetic_records(listings: int, seed: int = 3) -> list[ListingRecord]:
    rng = random.Random(seed)
    states = list(State)
    since = datetime(2026, 1, 1, tzinfo=UTC)
    records = []
    for i in range(listings):
        state = rng.choice(states)
        finding = Finding(Category.STOCK, Severity.ERROR, "X", rng.choice(_CAUSES), "detail", "fix")
        records.append(
            ListingRecord(
                sku=f"SKU-{i:07d}",
                asin=f"B0{rng.randrange(16**8):08X}",
                title=" ".join(rng.choice(_WORDS) for _ in range(6)).title(),
                marketplace_id="ATVPDKIKX0DER",
                state=state,
                buyable=False,
                discoverable=True,
                findings=() if state is State.ACTIVE else (finding,),
                fulfillment_channel=rng.choice(("MFN", "FBA")),
                quantity=rng.randint(0, 50),
                price=Decimal(rng.randint(100, 20000)) / 100,
                currency="USD",
                inactive_since=since + timedelta(days=rng.randint(0, 300)),
            )
        )
    return sorted(records, key=sort_key)


class MemoryAccount:
    """The account service over rows already in memory (the cache's load time is
    bench_cache.py's business; this measures the UI)."""

    profile_name, marketplace_id, seller_id = "bench", "ATVPDKIKX0DER", "A2BENCH"

    def __init__(self, records: list[ListingRecord]) -> None:
        self.records = records

    def cached_records(self, *, all_listings: bool) -> list[ListingRecord]:
        return self.records

    def last_sync(self):
        return None

    def account_health(self):
        return None

    def account_health_pending(self):
        return None

    async def aclose(self) -> None:
        pass


def rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


# --------------------------------------------------------------------------- timing
class FirstPaint:
    """Patches a render method to note when it first drew what ``ready`` accepts."""

    def __init__(self, cls: type, method: str, ready: Callable[..., bool]) -> None:
        self.at: float | None = None
        original = getattr(cls, method)

        def wrapper(widget, *args):
            result = original(widget, *args)
            if self.at is None and ready(widget, *args):
                self.at = time.perf_counter()
            return result

        self.cls, self.method, self.original = cls, method, original
        setattr(cls, method, wrapper)

    def restore(self) -> None:
        setattr(self.cls, self.method, self.original)


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Static("hello")


async def until(condition: Callable[[], bool], pilot) -> None:
    """Poll without Pilot's idle waits (they sleep whole ticks and would be measured)."""
    while not condition():
        await asyncio.sleep(0.0005)


async def type_key(app: App, key: str) -> None:
    """Deliver one key as the terminal driver would (Pilot.press also waits for idle)."""
    char = " " if key == "space" else key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def bare_first_paint(size: tuple[int, int]) -> float:
    probe = FirstPaint(Static, "render", lambda widget: True)
    start = time.perf_counter()
    async with Bare().run_test(size=size) as pilot:
        await until(lambda: probe.at is not None, pilot)
    probe.restore()
    return probe.at - start


async def repaint_time(pilot, table: ListingTable, act: Callable[[], object]) -> float:
    """Time from an input until every visible row of the table was drawn again."""
    drawn: set[int] = set()
    original = ListingTable.render_line

    def render_line(widget, y):
        drawn.add(y)
        return original(widget, y)

    ListingTable.render_line = render_line
    try:
        start = time.perf_counter()
        await act()
        rows = min(table.size.height, len(table.view) + 1)
        await until(lambda: len(drawn) >= rows, pilot)
        return time.perf_counter() - start
    finally:
        ListingTable.render_line = original


async def measure_app(records: list[ListingRecord], size: tuple[int, int]) -> dict[str, object]:
    account = MemoryAccount(records)
    app = make_app(lambda: account, sync_on_start=False)
    probe = FirstPaint(ListingTable, "render_line", lambda widget, y: y >= 1 and len(widget.view))
    start = time.perf_counter()
    async with app.run_test(size=size) as pilot:
        await until(lambda: probe.at is not None, pilot)
        first_paint = probe.at - start
        probe.restore()
        table = app.screen.query_one(ListingTable)
        await app.workers.wait_for_complete()  # the filter index, built after the first paint
        await pilot.press("slash")
        keys = []
        for char in QUERY:
            key = "space" if char == " " else char
            keys.append(await repaint_time(pilot, table, lambda k=key: type_key(app, k)))
            await pilot.pause()
        shown = len(table.view)
        await pilot.press("enter")
        app.screen.action_clear_filter()
        await pilot.pause()
        pages = []
        for _ in range(10):
            pages.append(await repaint_time(pilot, table, lambda: type_key(app, "pagedown")))
            await pilot.pause()
    return {"first_paint": first_paint, "keys": keys, "shown": shown, "pages": pages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--source", choices=("sandbox", "synthetic"), default="sandbox")
    parser.add_argument("--size", default="120x40")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))

    built = time.perf_counter()
    build = sandbox_records if args.source == "sandbox" else synthetic_records
    # Built in a child process: the sandbox's own memory must not count as the UI's.
    with ProcessPoolExecutor(max_workers=1) as pool:
        records = pool.submit(build, args.listings).result()
    gc.collect()
    rows_rss = rss_mb("VmRSS")
    reset_peak_rss()  # the peak from here on is the UI's, not the row building's
    print(f"{len(records):,} {args.source} rows built in {time.perf_counter() - built:.1f} s")

    bare = asyncio.run(bare_first_paint(size))
    result = asyncio.run(measure_app(records, size))
    peak = rss_mb("VmHWM")
    keys, pages = result["keys"], result["pages"]
    ms = 1000
    print(f"terminal {args.size}, Textual headless (run_test)")
    print(f"first paint, bare Textual app : {bare * ms:7.1f} ms")
    print(
        f"first paint, asin-tui list     : {result['first_paint'] * ms:7.1f} ms"
        f"  (+{(result['first_paint'] - bare) * ms:.1f} ms over bare)"
    )
    print(
        f"filter keystroke → repaint     : median {statistics.median(keys) * ms:.1f} ms,"
        f" max {max(keys) * ms:.1f} ms  (query {QUERY!r}, {result['shown']:,} rows left)"
    )
    print("  per key (ms)                 : " + " ".join(f"{k * ms:.0f}" for k in keys))
    print(
        f"page down → repaint            : median {statistics.median(pages) * ms:.1f} ms,"
        f" max {max(pages) * ms:.1f} ms"
    )
    print(
        f"peak RSS while the app ran      : {peak:7.0f} MB  (process with the rows before: "
        f"{rows_rss:.0f} MB)"
    )


if __name__ == "__main__":
    main()
