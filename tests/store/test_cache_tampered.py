"""A listing cache whose rows were tampered with (wrong types, bad JSON, NULLs where asin-tui
never writes one, blobs, unknown states): `report --cached` and every read of the service
leave the bad rows out with a one-line warning that names them, never a traceback."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asin_tui.cli import main
from asin_tui.demo import DemoSettings
from asin_tui.service import AccountService, UnknownSku
from asin_tui.spapi.parse import UnreadableBody
from asin_tui.store.cache import ListingCache, cache_path
from tests.conftest import examples

DEMO = ("demo", "ATVPDKIKX0DER")
#: the demo's Amazon 100x faster: a report whose tampered sync row makes it sync again
#: (the cache no longer fresh) syncs in milliseconds
QUICK = DemoSettings(drift=0.0, time_scale=100.0)

#: table -> (its key column or None for a one-row table, the columns that can be tampered)
TABLES = {
    "listings": ("sku", ["sku", "asin", "title", "marketplace_id", "state", "state_rank",
                         "buyable", "discoverable", "findings", "product_type", "quantity",
                         "inbound", "price", "currency", "inactive_since", "main_cause",
                         "amazon_status"]),
    "evidence": ("sku", ["item", "inventory", "restrictions", "catalog", "catalog_not_found",
                         "gaps"]),
    "history": ("sku", ["state", "since"]),
    "sync": (None, ["started_at", "finished_at", "include_all", "complete", "failed",
                    "listings", "missing"]),
    "account_health": (None, ["fetched_at", "document"]),
}  # fmt: skip

JSONISH = [
    "",
    "{",
    "[]",
    "{}",
    "null",
    '"text"',
    "[1, 2]",
    '[["STOCK"]]',
    '[["NOPE", "ERROR", "C", "t", "d", "f", [], null, null]]',
    '[["STOCK", "ERROR", 5, "t", "d", "f", "attrs", null, null]]',
    '{"a": {"b": [1]}}',
    "[" * 3000 + "]" * 3000,
    "2025-01-01",
    "2025-01-01T00:00:00",
    "not a date",
    "NaN",
    "-Infinity",
    "SUPPRESSED",
]
VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.binary(max_size=8),
    st.sampled_from(JSONISH),
)


@pytest.fixture
def tampered_cache(tmp_path):
    """A real demo cache (one synced report), with every NOT NULL dropped from its schema as a
    tampering tool could; returns (its path, a pristine copy to restore from)."""
    assert main(["report", "--demo", "--format", "json"], demo=QUICK) in (0, 1)
    path = cache_path(*DEMO)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA writable_schema = ON")
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("UPDATE sqlite_master SET sql = replace(sql, 'NOT NULL', '') WHERE type='table'")
    conn.execute(f"PRAGMA schema_version = {version + 1}")
    conn.commit()
    conn.close()
    pristine = tmp_path / "pristine.sqlite3"
    shutil.copyfile(path, pristine)
    return path, pristine


def restore(path, pristine) -> None:
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(pristine, path)


def tamper(path, changes) -> None:
    conn = sqlite3.connect(path)
    for table, column, offset, value in changes:
        key, _ = TABLES[table]
        where = ""
        if key is not None:
            where = (
                f" WHERE {key} = (SELECT {key} FROM {table} ORDER BY {key} LIMIT 1 OFFSET {offset})"
            )
        with contextlib.suppress(sqlite3.IntegrityError):  # a duplicate key: not made
            conn.execute(f"UPDATE {table} SET {column} = ?{where}", (value,))
    conn.commit()
    conn.close()


CHANGES = st.lists(
    st.sampled_from(sorted(TABLES)).flatmap(
        lambda table: st.tuples(
            st.just(table),
            st.sampled_from(TABLES[table][1]),
            st.integers(min_value=0, max_value=40),
            VALUES,
        )
    ),
    min_size=1,
    max_size=4,
)


@pytest.mark.slow  # 40 end-to-end reports over a demo cache, a sync among them
def test_report_cached_over_tampered_rows_never_crashes(tampered_cache, capsys):
    path, pristine = tampered_cache

    @settings(max_examples=examples(40))
    @given(changes=CHANGES, fmt=st.sampled_from(["json", "csv", "table"]))
    def report_over(changes, fmt):
        restore(path, pristine)
        tamper(path, changes)
        capsys.readouterr()
        argv = ["report", "--demo", "--cached", "--max-age", "1e9", "--format", fmt]
        code = main(argv, demo=QUICK)
        out, err = capsys.readouterr()
        assert code in (0, 1, 2, 3), err
        assert "Traceback" not in err
        if code != 2 and fmt == "json":
            json.loads(out)
        for line in err.splitlines():
            assert line.startswith("asin-tui: "), line

    report_over()


def test_every_service_read_over_tampered_rows_never_crashes(tampered_cache):
    path, pristine = tampered_cache

    @settings(max_examples=examples(40))
    @given(changes=CHANGES)
    def read_all(changes):
        restore(path, pristine)
        tamper(path, changes)
        service = AccountService(
            profile_name=DEMO[0],
            marketplace_id=DEMO[1],
            seller_id="A2SANDBOX00007",
            client_factory=lambda: None,
            cache=ListingCache(path),
        )
        try:
            records = service.cached_records(all_listings=True)
            service.cached_state_counts(all_listings=True)
            service.last_sync()
            service.account_health()
            cache = service._cache
            for raw in cache.all_raw_evidence():
                cache.history(raw.sku)
                cache.last_good(raw.sku)
            for record in records[:5]:
                # the documented answers for a SKU whose evidence is unusable
                with contextlib.suppress(UnknownSku, UnreadableBody):
                    service.diagnosis(record.sku)
            warning = service.cache_warning
            assert warning is None or "\n" not in warning
        finally:
            service._cache.close()

    read_all()


def test_a_bad_row_is_left_out_and_named(tampered_cache):
    path, _ = tampered_cache
    cache = ListingCache(path)
    everything = cache.load_records(needs_attention_only=False)
    cache.close()
    victim = everything[0].sku
    conn = sqlite3.connect(path)
    conn.execute("UPDATE listings SET findings = '{' WHERE sku = ?", (victim,))
    conn.execute("UPDATE listings SET quantity = 'many' WHERE sku = ?", (everything[1].sku,))
    conn.commit()
    conn.close()
    cache = ListingCache(path)
    records = cache.load_records(needs_attention_only=False)
    assert [r.sku for r in records] == [r.sku for r in everything[2:]]
    named = ", ".join(sorted(f"listing {r.sku}" for r in everything[:2]))
    assert cache.row_warning == (
        f"2 cached rows of {path.name} could not be read and were left out "
        f"({named}); the next sync writes them again"
    )
    cache.close()
