"""Benchmark: the TUI's ASIN list with 100,000 listings (not a test; run by hand).

    python benchmarks/bench_tui.py [--listings 100000] [--source cache|sandbox|synthetic]
                                   [--cache PATH] [--size 120x40]

``--source cache`` (the default) measures the app as a seller starts it: a fresh process
opens a real 100,000-listing SQLite cache through ``AccountService`` (no sync) and the clock
runs from the process's start (interpreter, imports, cache read) to the first listing row
drawn, against a fresh process running a bare Textual app. The cache is written once, from
the sandbox seller account (every listing's item and FBA inventory parsed and diagnosed as a
sync would), at ``--cache`` (kept for the next run). It also measures the `a` toggle (needs
attention → every listing: first repaint and every row loaded) and the first sort (`s`).

``--source sandbox|synthetic`` builds the rows in memory and hands them to the app on an
in-memory account (no cache read, no imports counted: the UI alone).

Both modes run the real app headless (``run_test``) and measure:

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
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Static

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# asin_tui is imported where it is used: the bare app's process must not pay for it, and the
# cache mode's process pays for exactly what `asin-tui` imports.
if TYPE_CHECKING:
    from asin_tui.domain.models import ListingRecord
    from asin_tui.ui.widgets.listing_table import ListingTable

QUERY = "classic dog"
MARKETPLACE_ID = "ATVPDKIKX0DER"


# --------------------------------------------------------------------------- the rows
def sandbox_records(listings: int) -> list[ListingRecord]:
    """Every sandbox listing, parsed and diagnosed like a sync does (slow for 100k: minutes)."""
    from asin_tui.domain.models import sort_key

    return sorted((record for record, _ in sandbox_entries(listings)), key=sort_key)


def sandbox_entries(listings: int):
    """(record, raw evidence) per sandbox listing: its item and FBA inventory summary, parsed
    and diagnosed as a sync does (minutes for 100k; a generator, so the raw JSON goes as soon
    as it is used)."""
    from asin_tui.domain.diagnosis import diagnose
    from asin_tui.domain.models import Evidence, ListingRecord
    from asin_tui.sandbox.account import SandboxAccount
    from asin_tui.spapi import parse
    from asin_tui.store.cache import RawEvidence

    account = SandboxAccount(listings=listings)
    market = account.marketplace.marketplace_id
    sections = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability")
    for sku in account.search():
        item = account.item(sku, sections)
        summaries = account.inventory_summaries([sku], details=True)
        inventory = summaries[0] if summaries else None
        listing = parse.parse_listing(item, market)
        parsed = parse.parse_inventory_summaries([inventory]) if inventory else []
        evidence = Evidence(listing=listing, inventory=parsed[0] if parsed else None)
        raw = RawEvidence(sku=sku, item=item, inventory=inventory)
        yield ListingRecord.build(evidence, diagnose(evidence)), raw


def write_sandbox_cache(path: Path, listings: int) -> int:
    """Write the sandbox account's listings into a listing cache at ``path``, as one
    complete every-listing sync; returns how many need attention."""
    from asin_tui.store.cache import ListingCache, SyncInfo

    entries = list(sandbox_entries(listings))
    now = datetime.now(UTC)
    cache = ListingCache(path)
    info = SyncInfo(now - timedelta(minutes=5), now, True, True, {}, len(entries))
    cache.write_sync(entries, product_types={}, info=info)
    cache.close()
    return sum(record.listed_by_default for record, _ in entries)


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
    from asin_tui.domain.models import Category, Finding, ListingRecord, Severity, State, sort_key

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
    cache_warning = None

    def __init__(self, records: list[ListingRecord]) -> None:
        self.records = records

    def cached_records(
        self, *, all_listings: bool, limit: int | None = None
    ) -> list[ListingRecord]:
        return self.records[:limit]

    def cached_record_batches(self, *, all_listings: bool, size: int = 5000):
        for start in range(0, len(self.records), size):
            yield self.records[start : start + size]

    def cached_state_counts(self, *, all_listings: bool):
        return Counter(r.state for r in self.records)

    def last_sync(self):
        return None

    def last_full_sync(self):
        return None

    def account_health(self):
        return None

    def account_health_pending(self):
        return None

    async def connect(self) -> None:
        pass

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
                self.at = time.monotonic()
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
    """Seconds from now to a bare Textual app's first widget drawn (its own time base:
    ``time.monotonic``, comparable across processes)."""
    probe = FirstPaint(Static, "render", lambda widget: True)
    async with Bare().run_test(size=size) as pilot:
        await until(lambda: probe.at is not None, pilot)
    probe.restore()
    return probe.at


async def repaint_time(
    pilot,
    table: ListingTable,
    act: Callable[[], object],
    ready: Callable[[], bool] = lambda: True,
) -> float:
    """Time from an input until every visible row of the table was drawn again (only lines
    drawn once ``ready()`` holds count: e.g. once the new rows are in)."""
    from asin_tui.ui.widgets.listing_table import ListingTable

    drawn: set[int] = set()
    original = ListingTable.render_line

    def render_line(widget, y):
        if ready():
            drawn.add(y)
        return original(widget, y)

    ListingTable.render_line = render_line
    try:
        start = time.monotonic()
        await act()
        await until(
            lambda: ready() and len(drawn) >= min(table.size.height, len(table.view) + 1), pilot
        )
        return time.monotonic() - start
    finally:
        ListingTable.render_line = original


async def filter_and_scroll(app: App, pilot, table: ListingTable) -> dict[str, object]:
    """Type the query into the `/` box key by key, clear it, then page down ten times."""
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
    return {"keys": keys, "shown": shown, "pages": pages, "rows": len(table.view.records)}


def first_row_probe():
    from asin_tui.ui.widgets.listing_table import ListingTable

    return FirstPaint(ListingTable, "render_line", lambda widget, y: y >= 1 and len(widget.view))


async def measure_app(records: list[ListingRecord], size: tuple[int, int]) -> dict[str, object]:
    from asin_tui.ui.app import make_app
    from asin_tui.ui.widgets.listing_table import ListingTable

    account = MemoryAccount(records)
    app = make_app(lambda: account, sync_on_start=False)
    probe = first_row_probe()
    start = time.monotonic()
    async with app.run_test(size=size) as pilot:
        await until(lambda: probe.at is not None, pilot)
        first_paint = probe.at - start
        probe.restore()
        table = app.screen.query_one(ListingTable)
        await app.workers.wait_for_complete()  # the filter index, built after the first paint
        result = await filter_and_scroll(app, pilot, table)
    return {"first_paint": first_paint, **result}


# --------------------------------------------------------------------------- the cache mode
def offline():
    raise RuntimeError("the benchmark never syncs")


def cached_service(path: Path):
    """The account service `asin-tui` opens on the cache at ``path`` (never syncing)."""
    from asin_tui.service import AccountService
    from asin_tui.store.cache import ListingCache

    return AccountService(
        profile_name="bench",
        marketplace_id=MARKETPLACE_ID,
        seller_id="A2BENCH",
        client_factory=offline,
        cache=ListingCache(path),
    )


async def measure_cached_app(path: Path, size: tuple[int, int]) -> dict[str, object]:
    """The real app on the cache at ``path``: imports as `asin-tui` does, AccountService,
    the saved wizard progress; monotonic timestamps (the parent knows when we started)."""
    from asin_tui.commands import tui  # noqa: F401  what `asin-tui` imports before starting
    from asin_tui.ui.app import make_app
    from asin_tui.ui.case_labels import saved_case_labels
    from asin_tui.ui.widgets.listing_table import ListingTable

    imported = time.monotonic()
    service = cached_service(path)
    app = make_app(lambda: service, case_labels_loader=saved_case_labels, sync_on_start=False)
    probe = first_row_probe()
    async with app.run_test(size=size) as pilot:
        await until(lambda: probe.at is not None, pilot)
        probe.restore()
        await app.workers.wait_for_complete()  # the rest of the rows, the filter index
        loaded = time.monotonic()
        table = app.screen.query_one(ListingTable)
        attention = len(table.view.records)

        # `a`: needs attention → every listing
        before = table.view.records
        toggle_start = time.monotonic()
        toggle = await repaint_time(
            pilot, table, lambda: type_key(app, "a"), lambda: table.view.records is not before
        )
        await app.workers.wait_for_complete()
        toggle_all = time.monotonic() - toggle_start

        result = await filter_and_scroll(app, pilot, table)

        # the first sort of a column (SKU) over every listing
        sort = await repaint_time(
            pilot, table, lambda: type_key(app, "s"), lambda: table.view.sort_column == "sku"
        )
    return {
        "imported": imported,
        "first_row": probe.at,
        "loaded": loaded,
        "attention": attention,
        "toggle": toggle,
        "toggle_all": toggle_all,
        "sort": sort,
        "peak_rss": rss_mb("VmHWM"),
        **result,
    }


def list_bytes(screen) -> dict[str, float]:
    """MB of the objects the list holds (gc's referents, each object counted once: types,
    modules, functions and enum members left out): what the view shows, and each scope
    kept, alone and together (what they share counted once)."""
    import enum
    import types

    skip = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, enum.Enum)

    def walk(roots: list[object], seen: set[int]) -> int:
        total, stack = 0, list(roots)
        while stack:
            obj = stack.pop()
            if id(obj) in seen or isinstance(obj, skip):
                continue
            seen.add(id(obj))
            total += sys.getsizeof(obj)
            stack.extend(gc.get_referents(obj))
        return total

    view = screen.view
    shown = [view.records, view._index, view._orders, view.rows, view._states]
    kept = getattr(screen, "_kept", {})
    mb = 1 << 20
    result = {"view": walk(shown, set()) / mb}
    for show_all, message in kept.items():
        parts = [message.records, message.index, message.orders]
        result["kept_all" if show_all else "kept_attention"] = walk(parts, set()) / mb
    everything = shown + [[m.records, m.index, m.orders] for m in kept.values()]
    result["together"] = walk(everything, set()) / mb
    return result


async def settle() -> None:
    """Let rows handed to the list's freeing thread (if it has one) go, then collect."""
    for _ in range(100):
        await asyncio.sleep(0.05)
        with contextlib.suppress(ImportError, AttributeError):
            from asin_tui.ui.screens import list_screen

            if not list_screen._DISPOSAL._queue.empty():
                continue
        break
    await asyncio.sleep(0.3)
    gc.collect()


async def measure_scopes_memory(path: Path, size: tuple[int, int], heap: bool) -> dict:
    """The app on the cache at ``path``: memory after the start (needs attention), after
    `a` (every listing), after `a` again; ``heap``: tracemalloc's traced heap (slower)."""
    import tracemalloc

    from asin_tui.commands import tui  # noqa: F401
    from asin_tui.ui.app import make_app
    from asin_tui.ui.widgets.listing_table import ListingTable

    service = cached_service(path)
    gc.collect()
    if heap:
        tracemalloc.start()
    phases: dict[str, dict[str, float]] = {}

    def note(phase: str, screen, seconds: float) -> None:
        figures = {"rss": rss_mb("VmRSS"), "seconds": seconds, "rows": len(screen.view.records)}
        if heap:
            figures["heap"] = tracemalloc.get_traced_memory()[0] / (1 << 20)
        else:
            figures.update(list_bytes(screen))
        phases[phase] = figures

    note_before = {"rss": rss_mb("VmRSS")}
    if heap:
        note_before["heap"] = tracemalloc.get_traced_memory()[0] / (1 << 20)
    phases["before"] = note_before
    app = make_app(lambda: service, sync_on_start=False)
    started = time.monotonic()
    async with app.run_test(size=size) as pilot:
        table = app.screen.query_one(ListingTable)
        await until(lambda: len(table.view.records) > 0, pilot)
        await app.workers.wait_for_complete()
        loaded = time.monotonic() - started
        await settle()
        note("start", app.screen, loaded)
        for phase in ("a", "a again"):
            before = table.view.records
            began = time.monotonic()
            await type_key(app, "a")
            await until(lambda b=before: table.view.records is not b, pilot)
            await app.workers.wait_for_complete()
            await until(lambda: app.screen.rows_complete, pilot)
            took = time.monotonic() - began
            await settle()
            note(phase, app.screen, took)
    return phases


def child(kind: str, path: str, size: tuple[int, int]) -> None:
    """One fresh process's measurement, as a JSON line on stdout."""
    if kind == "bare":
        result = {"first_row": asyncio.run(bare_first_paint(size))}
    elif kind in ("scopes", "scopes-heap"):
        result = asyncio.run(measure_scopes_memory(Path(path), size, kind == "scopes-heap"))
    else:
        result = asyncio.run(measure_cached_app(Path(path), size))
    print(json.dumps(result))


def run_child(kind: str, path: Path, size: str, code: str | None = None) -> dict[str, object]:
    """Start a fresh process; its monotonic timestamps become seconds since it started."""
    with tempfile.TemporaryDirectory() as home:  # no user config, progress or cache
        env = {
            **os.environ,
            **{k: f"{home}/{k}" for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")},
        }
        started = time.monotonic()
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--cache", str(path), "--size", size]
            + (["--code", code] if code else []),
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    for key in ("imported", "first_row", "loaded"):
        if key in result:
            result[key] -= started
    return result


def cache_mode(args: argparse.Namespace) -> None:
    path = Path(
        args.cache or Path(tempfile.gettempdir()) / f"asin-tui-bench-{args.listings}.sqlite3"
    )
    if not path.exists():
        built = time.perf_counter()
        with ProcessPoolExecutor(max_workers=1) as pool:
            attention = pool.submit(write_sandbox_cache, path, args.listings).result()
        print(
            f"wrote {path}: {args.listings:,} sandbox listings, {attention:,} needing attention,"
            f" in {time.perf_counter() - built:.0f} s"
        )
    bares, apps = [], []
    for _ in range(args.runs):
        bares.append(run_child("bare", path, args.size)["first_row"])
        apps.append(run_child("app", path, args.size))
    median = statistics.median
    bare = median(bares)
    ms = 1000

    def figure(key: str) -> float:
        return median(float(run[key]) for run in apps) * ms

    keys = [k for run in apps for k in run["keys"]]
    pages = [p for run in apps for p in run["pages"]]
    first = figure("first_row")
    print(
        f"cache {path}, terminal {args.size}, Textual headless (run_test), median of {args.runs} runs"
    )
    print(f"process start → first widget, bare Textual app : {bare * ms:7.0f} ms")
    print(
        f"process start → first row, asin-tui            : {first:7.0f} ms  (+{first - bare * ms:.0f} ms over bare)"
    )
    print(f"process start → asin-tui imported             : {figure('imported'):7.0f} ms")
    print(
        f"process start → every row loaded and indexed   : {figure('loaded'):7.0f} ms"
        f"  ({apps[0]['attention']:,} rows)"
    )
    print(f"`a` → first repaint with every listing         : {figure('toggle'):7.0f} ms")
    print(
        f"`a` → every row loaded and indexed             : {figure('toggle_all'):7.0f} ms"
        f"  ({apps[0]['rows']:,} rows)"
    )
    print(
        f"filter keystroke → repaint (every listing)     : median {median(keys) * ms:.1f} ms,"
        f" max {max(keys) * ms:.1f} ms  ({apps[0]['shown']:,} rows left)"
    )
    print(
        f"page down → repaint                            : median {median(pages) * ms:.1f} ms, max {max(pages) * ms:.1f} ms"
    )
    print(f"first sort (`s`, SKU) → repaint                : {figure('sort'):7.0f} ms")
    print(
        f"peak RSS of the app's process                  : {max(run['peak_rss'] for run in apps):7.0f} MB"
    )


def memory_mode(args: argparse.Namespace) -> None:
    built = time.perf_counter()
    build = sandbox_records if args.source == "sandbox" else synthetic_records
    # Built in a child process: the sandbox's own memory must not count as the UI's.
    with ProcessPoolExecutor(max_workers=1) as pool:
        records = pool.submit(build, args.listings).result()
    gc.collect()
    rows_rss = rss_mb("VmRSS")
    reset_peak_rss()  # the peak from here on is the UI's, not the row building's
    print(f"{len(records):,} {args.source} rows built in {time.perf_counter() - built:.1f} s")

    start = time.monotonic()
    bare = asyncio.run(bare_first_paint(args.size_tuple)) - start
    result = asyncio.run(measure_app(records, args.size_tuple))
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


def scopes_memory_mode(args: argparse.Namespace) -> None:
    """Memory of the list's two scopes (--scopes-memory): RSS and the list's objects in one
    fresh process, tracemalloc's heap in another (it slows the reads), per checkout."""
    path = Path(
        args.cache or Path(tempfile.gettempdir()) / f"asin-tui-bench-{args.listings}.sqlite3"
    )
    if not path.exists():
        write_sandbox_cache(path, args.listings)
    for code in args.code or [None]:
        where = code or str(Path(__file__).resolve().parent.parent)
        for run in range(args.runs):
            plain = run_child("scopes", path, args.size, code)
            heap = run_child("scopes-heap", path, args.size, code)
            print(f"{where} (run {run + 1}), cache {path}")
            print(
                f"  {'phase':9} {'rows':>7} {'took s':>7} {'RSS MB':>7} {'heap MB':>8}"
                f" {'view MB':>8} {'kept attention':>15} {'kept all':>9} {'together':>9}"
            )
            for phase, figures in plain.items():
                heap_mb = heap.get(phase, {}).get("heap", float("nan"))
                rows = figures.get("rows")
                print(
                    f"  {phase:9} {rows if rows is not None else '':>7}"
                    f" {figures.get('seconds', float('nan')):7.2f} {figures['rss']:7.1f}"
                    f" {heap_mb:8.1f} {figures.get('view', float('nan')):8.1f}"
                    f" {figures.get('kept_attention', 0.0):15.1f}"
                    f" {figures.get('kept_all', 0.0):9.1f}"
                    f" {figures.get('together', float('nan')):9.1f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--source", choices=("cache", "sandbox", "synthetic"), default="cache")
    parser.add_argument("--cache", help="the cache file (cache mode; written when missing)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes (cache mode)")
    parser.add_argument("--size", default="120x40")
    parser.add_argument(
        "--scopes-memory",
        action="store_true",
        help="memory of the list's scopes: after the start, after `a`, after `a` again",
    )
    parser.add_argument(
        "--code",
        action="append",
        help="--scopes-memory: the checkout whose asin_tui to run (repeatable; default this one)",
    )
    parser.add_argument(
        "--child", choices=("bare", "app", "scopes", "scopes-heap"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    args.size_tuple = tuple(int(n) for n in args.size.split("x"))
    if args.child:
        if args.code:
            sys.path.insert(0, args.code[0])
        child(args.child, args.cache, args.size_tuple)
    elif args.scopes_memory:
        scopes_memory_mode(args)
    elif args.source == "cache":
        cache_mode(args)
    else:
        memory_mode(args)


if __name__ == "__main__":
    main()
