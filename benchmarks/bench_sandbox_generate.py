"""How long the sandbox account takes to generate, and how much memory it holds.

Run: python benchmarks/bench_sandbox_generate.py [LISTINGS ...]   (default: 15000 100000)

For each size it prints the time to generate the account, the time of a first
`search(without_status=["BUYABLE"])` (which derives every listing's status and issues once),
the time to render every item of one 20-item page, and the peak traced memory of
generating and deriving everything.
"""

from __future__ import annotations

import sys
import time
import tracemalloc

from asin_tui.sandbox.account import SandboxAccount

SECTIONS = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability")


def measure(listings: int) -> None:
    start = time.perf_counter()
    account = SandboxAccount(listings=listings)
    generated = time.perf_counter()
    inactive = account.search(without_status=["BUYABLE"])
    searched = time.perf_counter()
    for sku in inactive[:20]:
        account.item(sku, SECTIONS)
    paged = time.perf_counter()
    print(
        f"{listings:>7} listings: generate {generated - start:6.2f} s | "
        f"first status search {searched - generated:6.2f} s ({len(inactive)} not buyable) | "
        f"20 items {1000 * (paged - searched):5.1f} ms | "
        f"peak {peak_memory(listings) / 2**20:6.1f} MiB"
    )


def peak_memory(listings: int) -> int:
    """Peak traced memory of generating the account and deriving every listing (measured in
    a separate run: tracing slows Python down several times)."""
    tracemalloc.start()
    SandboxAccount(listings=listings).search(without_status=["BUYABLE"])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [15_000, 100_000]:
        measure(size)
