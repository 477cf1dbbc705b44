"""Benchmark: saving wizard progress with many SKUs in the file (not a test; run by hand).

    python benchmarks/bench_progress.py [--skus 50 500 2000] [--saves 20] [--closed-share 0.8]

Fills a throwaway progress file with SKUs as the wizard leaves them (notes, a policy checklist,
a draft, a preview and a real submit each), most of them resolved or escalated long ago, then
times what the wizard does on every save: ``CaseStore.update`` of one SKU, and ``get`` when
it opens. Target: a save well under 50 ms whatever the history. The file is filled as the TOML
file earlier versions kept: the first save imports it into the SQLite file (once).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import tomli_w

from asin_tui.domain.models import WizardStep
from asin_tui.store.cases import (
    ARCHIVE_AFTER,
    CaseRecord,
    CaseStore,
    ChecklistTick,
    DraftRecord,
    Outcome,
    PatchMode,
    PatchRecord,
    StepRecord,
    StepStatus,
    _encode,
)

MP = "ATVPDKIKX0DER"
NOW = datetime.now(UTC)


def progress(i: int, rng: random.Random, closed_share: float) -> CaseRecord:
    closed = rng.random() < closed_share
    when = NOW - timedelta(days=rng.randint(91, 700) if closed else rng.randint(0, 30))
    item = CaseRecord(
        sku=f"SKU-{i:06d}",
        current_step=WizardStep.WRAP_UP if closed else WizardStep.POLICY,
        outcome=rng.choice((Outcome.RESOLVED, Outcome.ESCALATED)) if closed else Outcome.OPEN,
        started_at=when - timedelta(hours=2),
        updated_at=when,
    )
    item.steps[WizardStep.STOCK] = StepRecord(
        StepStatus.PASSED, notes="ordered 40 units from the supplier, ETA Friday", updated_at=when
    )
    item.steps[WizardStep.POLICY] = StepRecord(
        StepStatus.NEEDS_ACTION,
        checklist=[
            ChecklistTick(f"[18742] Checklist item {n} with a realistic length of text", n < 2)
            for n in range(4)
        ],
        notes="Appeal sent, case 1234567890",
        updated_at=when,
    )
    item.draft = DraftRecord(stock_action="set_mfn_quantity", mfn_quantity=40, updated_at=when)
    patch = [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 40}],
        }
    ]
    item.patches = [
        PatchRecord(when - timedelta(minutes=2), PatchMode.VALIDATION_PREVIEW, patch, "VALID"),
        PatchRecord(when - timedelta(minutes=1), PatchMode.REAL, patch, "ACCEPTED", "sub-1"),
    ]
    return item


def fill(path: Path, n: int, closed_share: float) -> None:
    """Write the TOML file in one go (as if saved over months), as asin-tui kept it until it
    kept progress in SQLite: the first save imports it."""
    rng = random.Random(n)
    items = {p.sku: p for p in (progress(i, rng, closed_share) for i in range(n))}
    path.write_text(tomli_w.dumps(_encode(items)))


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, max(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skus", type=int, nargs="+", default=[50, 500, 2000])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--closed-share", type=float, default=0.8)
    args = parser.parse_args()
    for n in args.skus:
        with tempfile.TemporaryDirectory() as folder:
            print(f"{n} SKUs ({args.closed_share:.0%} resolved/escalated over 90 days ago):")
            for label, cold, archive in (
                ("every save by another instance, no archive", True, None),
                ("one instance, no archive", False, None),
                ("one instance, archive after 90 days", False, ARCHIVE_AFTER),
                ("another instance each save, archive", True, ARCHIVE_AFTER),
            ):
                bench(Path(folder), n, args, label, cold=cold, archive=archive)


def bench(folder: Path, n: int, args, label: str, *, cold: bool, archive) -> None:
    """Time ``update`` of one SKU; ``cold``: a fresh store each time (nothing cached, as when
    another instance wrote in between)."""
    for old in folder.iterdir():
        old.unlink()
    store = CaseStore("bench", MP, folder, archive_after=archive)
    fill(store.legacy_path, n, args.closed_share)  # a TOML file as earlier versions kept
    size = store.legacy_path.stat().st_size

    def save() -> None:
        saver = CaseStore("bench", MP, folder, archive_after=archive) if cold else store
        saver.update("SKU-000001", lambda p: setattr(p.steps[WizardStep.STOCK], "notes", "x"))

    first, _ = timed(save, 1)  # imports the TOML file; archives what is old
    median, worst = timed(save, args.saves)
    wal = store.path.with_name(store.path.name + "-wal")
    after = store.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    print(
        f"  {label:<44} TOML {size / 1024:>6,.0f} → SQLite {after / 1024:>5,.0f} kB, "
        f"first save {first:>7,.1f} ms, then median {median:>7,.1f} ms (max {worst:,.1f})"
    )


if __name__ == "__main__":
    main()
