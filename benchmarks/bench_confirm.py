"""Benchmark: the bulk wizard's send confirmation against the batch size (not a test).

    python benchmarks/bench_confirm.py [--sizes 20,500,2000] [--repeat 3] [--heap]

The real app's stylesheet, 120×40, headless; for each size a batch of that many VALID rows
(one change each, "Set quantity to 25 (was N)") and its confirmation as the bulk screen builds
it (ui/screens/bulk.py ``batch_confirmation``; in a tree without it — the code before — one
line per listing's change, as that code built it). For each: the CPU time of the app's thread
from push_screen until the dialog is drawn (two refreshes), and from Escape until it is gone;
``--heap``: the Python heap's peak while it opens (tracemalloc on: slower, so CPU times are
only comparable between runs with the same flag). Goal: flat in the batch size. Run it from
the tree to measure (``cd`` there: it imports ``asin_tui`` from the current directory).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

from textual.app import App
from textual.widgets import Static

from asin_tui.bulk import RowResult
from asin_tui.domain.bulk import RowOutcome
from asin_tui.ui import app as app_module
from asin_tui.ui.screens import bulk as bulk_module
from asin_tui.ui.screens.confirm import Confirmation, SendConfirmScreen

US = "ATVPDKIKX0DER"


class BareApp(App):
    """A screen of text under the dialog, styled with the app's stylesheet."""

    CSS_PATH = Path(inspect.getfile(app_module.AsinTuiApp)).with_name(
        app_module.AsinTuiApp.CSS_PATH
    )

    def compose(self):
        yield Static("\n".join(f"row {n}" for n in range(40)))


def confirmation(valid: list[RowResult]) -> Confirmation:
    build = getattr(bulk_module, "batch_confirmation", None)
    if build is not None:
        return build(valid, 0, marketplace_id=US)
    skus = [r.sku for r in valid]  # the code before: one line per listing's change
    return Confirmation(
        title=f"Send these changes to Amazon? {len(valid)} listings",
        sku=", ".join(skus[:12]) + f" and {len(skus) - 12} more",
        marketplace="United States (US, ATVPDKIKX0DER)",
        changes=[f"{r.sku}: {change}" for r in valid for change in r.changes],
        action=f"Send {len(valid)}",
        sku_label="SKUs",
    )


async def measure(sizes: list[int], repeat: int, heap: bool) -> None:
    app = BareApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for rows in sizes:
            valid = [
                RowResult(
                    f"SKU-{n:05d}",
                    changes=[f"Set quantity to 25 (was {n % 3})"],
                    preview="VALID",
                    outcome=RowOutcome.VALID,
                )
                for n in range(rows)
            ]
            opened, closed, peaks = [], [], []
            for _ in range(repeat):
                gc.collect()
                if heap:
                    tracemalloc.start()
                started = time.thread_time()
                app.push_screen(SendConfirmScreen(confirmation(valid)))
                await pilot.pause()
                await pilot.pause()
                opened.append(time.thread_time() - started)
                if heap:
                    peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
                started = time.thread_time()
                await pilot.press("escape")
                await pilot.pause()
                await pilot.pause()
                closed.append(time.thread_time() - started)
                if heap:
                    tracemalloc.stop()
            line = (
                f"{rows:>6} rows: open {min(opened) * 1000:7.1f} ms CPU (min of {repeat}), "
                f"close {min(closed) * 1000:6.1f} ms CPU"
            )
            if heap:
                line += f", heap peak while open {min(peaks):5.2f} MB"
            print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20,500,2000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--heap", action="store_true")
    args = parser.parse_args()
    print(f"{Path.cwd()}; load {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}")
    asyncio.run(measure([int(n) for n in args.sizes.split(",")], args.repeat, args.heap))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
