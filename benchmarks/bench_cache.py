"""Benchmark: the listing cache with 100,000 listings (not a test; run by hand).

    python benchmarks/bench_cache.py [--listings 100000] [--attention-share 0.33]

Writes one synthetic sync into a throwaway cache (records with realistic findings and raw JSON
of a typical size), then times what the TUI does at start: `load_records` for the
needs-attention view and for every listing. Target: well under 1 s for 100,000 rows.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from asin_tui.domain.models import Category, Finding, ListingRecord, Severity, State, WizardStep
from asin_tui.store.cache import ListingCache, RawEvidence, SyncInfo

MP = "ATVPDKIKX0DER"
PROBLEM_STATES = (State.INACTIVE, State.SUPPRESSED, State.SEARCH_SUPPRESSED, State.INCOMPLETE)


def synthetic(
    n: int, attention_share: float, seed: int = 1
) -> list[tuple[ListingRecord, RawEvidence]]:
    rng = random.Random(seed)
    entries = []
    for i in range(n):
        sku = f"SKU-{i:07d}"
        problem = rng.random() < attention_share
        state = rng.choice(PROBLEM_STATES) if problem else State.ACTIVE
        quantity = rng.randint(0, 40)
        findings = (
            (
                Finding(
                    Category.STOCK,
                    Severity.ERROR,
                    "OUT_OF_STOCK_MFN",
                    "Out of stock",
                    f"Merchant-fulfilled quantity is 0; {quantity} units were sold last month.",
                    "Reactivation wizard → Stock: set the quantity",
                    ("fulfillment_availability",),
                    WizardStep.STOCK,
                ),
            )
            if problem
            else ()
        )
        record = ListingRecord(
            sku=sku,
            asin=f"B0{i:08d}",
            title=f"Handmade ceramic figurine no. {i} — glazed, 12 cm, gift boxed",
            marketplace_id=MP,
            state=state,
            buyable=state is State.ACTIVE,
            discoverable=state is not State.SUPPRESSED,
            findings=findings,
            product_type="FIGURINE",
            condition_type="new_new",
            fulfillment_channel="MFN",
            quantity=quantity,
            price=Decimal(rng.randint(500, 9999)) / 100,
            currency="USD",
        )
        item = {
            "sku": sku,
            "summaries": [{"marketplaceId": MP, "asin": record.asin, "itemName": record.title}],
            "attributes": {"brand": [{"value": "Acme", "marketplace_id": MP}]},
            "issues": [],
        }
        entries.append((record, RawEvidence(sku=sku, item=item)))
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--attention-share", type=float, default=0.33)
    args = parser.parse_args()

    entries = synthetic(args.listings, args.attention_share)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        cache = ListingCache(Path(tmp) / "bench.sqlite3")
        started = time.perf_counter()
        cache.write_sync(
            entries,
            product_types={},
            info=SyncInfo(now - timedelta(minutes=5), now, True, True, {}, len(entries)),
        )
        print(f"write_sync {len(entries):,} listings: {time.perf_counter() - started:.2f} s")
        cache.close()

        for attention_only in (True, False):
            cache = ListingCache(Path(tmp) / "bench.sqlite3")  # a cold start, as the TUI has
            started = time.perf_counter()
            records = cache.load_records(needs_attention_only=attention_only)
            elapsed = time.perf_counter() - started
            label = "needs attention" if attention_only else "all listings"
            print(f"load_records ({label}): {len(records):,} rows in {elapsed * 1000:.0f} ms")
            cache.close()


if __name__ == "__main__":
    main()
