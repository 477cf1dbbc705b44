"""The SQLite listing cache: round trip, order, history ("inactive since"), pruning, corruption."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from asin_tui.domain.models import Category, Finding, ListingRecord, Severity, State, WizardStep
from asin_tui.store import paths
from asin_tui.store.cache import ListingCache, RawEvidence, SyncInfo, cache_path

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MP = "ATVPDKIKX0DER"

OUT_OF_STOCK = Finding(
    category=Category.STOCK,
    severity=Severity.ERROR,
    code="OUT_OF_STOCK_MFN",
    title="Out of stock",
    detail="Quantity is 0 — “Fulfilled by merchant”.",
    fix="Reactivation wizard → Stock: set the quantity",
    attributes=("fulfillment_availability",),
    step=WizardStep.STOCK,
    issue_code=None,
)
SUPPRESSED = Finding(
    category=Category.LISTING_FIELDS,
    severity=Severity.ERROR,
    code="MISSING_ATTRIBUTE",
    title="Missing required attribute",
    detail="brand is required",
    fix="Reactivation wizard → Listing fields",
    attributes=("brand",),
    step=WizardStep.FIELDS,
    issue_code="90220",
)


def record(sku: str, state: State, **kw) -> ListingRecord:
    findings = {
        State.ACTIVE: (),
        State.INACTIVE: (OUT_OF_STOCK,),
        State.SUPPRESSED: (SUPPRESSED,),
    }.get(state, (SUPPRESSED,))
    fields = dict(
        sku=sku,
        asin="B0TEST" + sku[-4:].rjust(4, "0"),
        title=f"Title of {sku}",
        marketplace_id=MP,
        state=state,
        buyable=state is State.ACTIVE,
        discoverable=state in (State.ACTIVE, State.INACTIVE),
        findings=findings,
        product_type="FIGURINE",
        condition_type="new_new",
        fulfillment_channel="MFN",
        quantity=0 if state is State.INACTIVE else 5,
        inbound=None,
        price=Decimal("19.99"),
        currency="USD",
    )
    fields.update(kw)
    return ListingRecord(**fields)


def raw(sku: str, **kw) -> RawEvidence:
    return RawEvidence(sku=sku, item={"sku": sku, "summaries": [{"marketplaceId": MP}]}, **kw)


def info(at: datetime, *, complete=True, include_all=False, failed=None) -> SyncInfo:
    return SyncInfo(
        started_at=at - timedelta(seconds=30),
        finished_at=at,
        include_all=include_all,
        complete=complete,
        failed=failed or {},
        listings=0,
    )


def sync(cache: ListingCache, at: datetime, records: list[ListingRecord], **kw) -> None:
    cache.write_sync([(r, raw(r.sku)) for r in records], product_types={}, info=info(at, **kw))


def alter(path, statement: str) -> None:
    """Change a closed cache file behind the cache's back."""
    conn = sqlite3.connect(path)
    conn.execute(statement)
    conn.commit()
    conn.close()


@pytest.fixture
def cache():
    c = ListingCache.for_account("main", MP)
    yield c
    c.close()


def test_lives_in_the_user_cache_dir_per_profile_and_marketplace(cache):
    assert cache.path == paths.cache_dir() / f"main-{MP}.sqlite3"
    assert cache_path("other", "A1PA6795UKMFR9").name == "other-A1PA6795UKMFR9.sqlite3"
    assert cache.path.exists()
    mode = sqlite3.connect(cache.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_round_trip_of_records_raw_evidence_product_types_and_sync_info(cache):
    fba = record(
        "FBA-0001",
        State.INACTIVE,
        fulfillment_channel="FBA",
        quantity=0,
        inbound=12,
        price=None,
        currency=None,
        asin=None,
        title="Ünïcode “title”",
    )
    evidence = RawEvidence(
        sku="FBA-0001",
        item={"sku": "FBA-0001", "issues": [{"code": "1", "message": "m"}]},
        inventory={"sellerSku": "FBA-0001", "inventoryDetails": {"fulfillableQuantity": 0}},
        restrictions=[{"marketplaceId": MP, "reasons": []}],
        catalog=None,
        catalog_not_found=True,
    )
    definition, schema = {"productType": "FIGURINE"}, {"required": ["brand"]}
    sync_info = SyncInfo(
        started_at=T0 - timedelta(minutes=1),
        finished_at=T0,
        include_all=True,
        complete=False,
        failed={"SKU-X": "HTTP 500 after 6 tries"},
        listings=1,
    )
    cache.write_sync(
        [(fba, evidence)], product_types={"FIGURINE": (definition, schema)}, info=sync_info
    )

    reopened = ListingCache(cache.path)
    [stored] = reopened.load_records(needs_attention_only=False)
    assert stored == ListingRecord(**{**_fields(fba), "inactive_since": T0})
    assert stored.findings[0].step is WizardStep.STOCK
    assert reopened.raw_evidence("FBA-0001") == evidence
    assert reopened.raw_evidence("NOPE") is None
    assert reopened.product_type("FIGURINE") == (definition, schema)
    assert reopened.product_type("SOFA") is None
    assert reopened.last_sync() == sync_info
    assert reopened.warning is None
    reopened.close()


def test_amazon_status_round_trips_beside_the_effective_state(cache):
    """Issue 10: a search-suppressed listing whose Amazon status still says DISCOVERABLE keeps
    both (the effective state and what Amazon's status said); no summary stays None."""
    lagging = record(
        "LAG-0001",
        State.SEARCH_SUPPRESSED,
        buyable=True,
        discoverable=False,
        amazon_status=("BUYABLE", "DISCOVERABLE"),
    )
    incomplete = record("INC-0001", State.INCOMPLETE, buyable=False, amazon_status=None)
    cache.write_sync(
        [(lagging, raw("LAG-0001")), (incomplete, raw("INC-0001"))],
        product_types={},
        info=info(T0),
    )
    stored = {r.sku: r for r in ListingCache(cache.path).load_records(needs_attention_only=False)}
    assert stored["LAG-0001"].amazon_status == ("BUYABLE", "DISCOVERABLE")
    assert stored["LAG-0001"].status_lags and not stored["INC-0001"].status_lags
    assert stored["INC-0001"].amazon_status is None


def _fields(r: ListingRecord) -> dict:
    return {name: getattr(r, name) for name in ListingRecord.__slots__}


def test_an_empty_cache_has_no_records_and_no_last_sync(cache):
    assert cache.load_records(needs_attention_only=False) == []
    assert cache.last_sync() is None


def test_records_come_most_severe_state_first_then_sku_and_can_be_filtered(cache):
    records = [
        record("B-2", State.ACTIVE),
        record("A-1", State.INACTIVE),
        record("C-3", State.SUPPRESSED),
        record("A-0", State.SUPPRESSED),
        record("Z-9", State.VARIATION_PARENT, findings=()),
        record("a-5", State.INACTIVE),
    ]
    sync(cache, T0, records, include_all=True)
    everything = [r.sku for r in cache.load_records(needs_attention_only=False)]
    expected = sorted(records, key=lambda r: (r.state.rank, r.sku))
    assert everything == [r.sku for r in expected]
    assert everything[:2] == ["A-0", "C-3"]
    attention = [r.sku for r in cache.load_records(needs_attention_only=True)]
    assert attention == ["A-0", "C-3", "A-1", "a-5"]


def test_state_counts_count_the_rows_of_each_scope_without_reading_them(cache):
    assert cache.state_counts(needs_attention_only=True) == {}
    at_risk = dataclasses.replace(OUT_OF_STOCK, severity=Severity.WARNING)
    records = [
        record("A-1", State.INACTIVE),
        record("A-2", State.INACTIVE),
        record("S-1", State.SUPPRESSED),
        record("OK-1", State.ACTIVE),
        record("OK-2", State.ACTIVE, findings=(at_risk,)),  # live, but listed by default
        record("P-1", State.VARIATION_PARENT, findings=()),
    ]
    sync(cache, T0, records, include_all=True)
    for attention_only in (True, False):
        rows = cache.load_records(needs_attention_only=attention_only)
        expected = Counter(r.state for r in rows)
        assert cache.state_counts(needs_attention_only=attention_only) == expected
    assert cache.state_counts(needs_attention_only=True) == {
        State.SUPPRESSED: 1,
        State.INACTIVE: 2,
        State.ACTIVE: 1,
    }


def test_inactive_since_is_the_first_sync_that_saw_the_current_state(cache):
    t1, t2, t3, t4, t5 = (T0 + timedelta(days=d) for d in range(5))
    sync(cache, t1, [record("S1", State.INACTIVE)])
    sync(cache, t2, [record("S1", State.INACTIVE)])
    assert cache.record("S1").inactive_since == t1  # still the same state: unchanged

    sync(cache, t3, [record("S1", State.SUPPRESSED)])
    assert cache.record("S1").inactive_since == t3  # a new state starts a new period

    sync(cache, t4, [record("S1", State.ACTIVE)], include_all=True)
    assert cache.record("S1").inactive_since is None

    sync(cache, t5, [record("S1", State.INACTIVE)])
    assert cache.record("S1").inactive_since == t5
    assert [entry[:2] for entry in cache.history("S1")] == [
        (State.INACTIVE, t1),
        (State.SUPPRESSED, t3),
        (State.ACTIVE, t4),
        (State.INACTIVE, t5),
    ]


def test_history_keeps_the_main_cause_each_state_was_entered_with(cache):
    t1, t2, t3 = T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    sync(cache, t1, [record("S1", State.INACTIVE)])
    sync(cache, t2, [record("S1", State.SUPPRESSED)])
    sync(cache, t3, [])  # no longer needs attention: back on sale, no cause
    assert cache.history("S1") == [
        (State.INACTIVE, t1, OUT_OF_STOCK.title),
        (State.SUPPRESSED, t2, SUPPRESSED.title),
        (State.ACTIVE, t3, ""),
    ]


def test_a_complete_attention_sync_drops_resolved_skus_and_notes_them_active(cache):
    t1, t2, t3 = T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    sync(cache, t1, [record("OK", State.ACTIVE), record("FIXED", State.INACTIVE)], include_all=True)
    sync(cache, t2, [])  # needs-attention scope: FIXED no longer returned
    assert [r.sku for r in cache.load_records(needs_attention_only=False)] == ["OK"]
    assert cache.history("FIXED")[-1][:2] == (State.ACTIVE, t2)

    sync(cache, t3, [record("FIXED", State.INACTIVE)])  # broke again later
    assert cache.record("FIXED").inactive_since == t3


def test_an_incomplete_sync_keeps_what_it_could_not_fetch(cache):
    sync(cache, T0, [record("A", State.INACTIVE), record("B", State.SUPPRESSED)])
    later = T0 + timedelta(hours=1)
    sync(cache, later, [record("A", State.INACTIVE)], complete=False, failed={"B": "timeout"})
    assert {r.sku for r in cache.load_records(needs_attention_only=True)} == {"A", "B"}
    assert cache.record("B").inactive_since == T0
    assert cache.last_sync().failed == {"B": "timeout"}
    assert cache.last_sync().complete is False


def test_a_complete_all_listings_sync_forgets_skus_that_no_longer_exist(cache):
    sync(
        cache, T0, [record("GONE", State.ACTIVE), record("STAYS", State.INACTIVE)], include_all=True
    )
    sync(cache, T0 + timedelta(days=1), [record("STAYS", State.INACTIVE)], include_all=True)
    assert [r.sku for r in cache.load_records(needs_attention_only=False)] == ["STAYS"]
    assert cache.raw_evidence("GONE") is None
    assert cache.history("GONE") == []


def test_write_listing_updates_one_row_and_its_history(cache):
    sync(cache, T0, [record("A", State.INACTIVE), record("B", State.SUPPRESSED)])
    fixed_at = T0 + timedelta(minutes=5)
    stored = cache.write_listing(record("A", State.ACTIVE), raw("A"), observed_at=fixed_at)
    assert stored.state is State.ACTIVE and stored.inactive_since is None
    assert cache.history("A")[-1][:2] == (State.ACTIVE, fixed_at)
    assert [r.sku for r in cache.load_records(needs_attention_only=True)] == ["B"]


def test_a_second_instance_sees_committed_writes(cache):
    other = ListingCache(cache.path)
    sync(cache, T0, [record("A", State.INACTIVE)])
    assert [r.sku for r in other.load_records(needs_attention_only=True)] == ["A"]
    other.close()


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["garbage", "truncated-sqlite"],
)
def test_a_corrupt_file_is_moved_aside_and_rebuilt_with_a_warning(content):
    path = cache_path("main", MP)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    cache = ListingCache(path)
    assert cache.warning and str(path) in cache.warning and "moved" in cache.warning
    aside = list(path.parent.glob(f"{path.name}.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content  # nothing lost
    sync(cache, T0, [record("A", State.INACTIVE)])
    assert [r.sku for r in cache.load_records(needs_attention_only=True)] == ["A"]
    cache.close()


def test_a_cache_from_another_schema_version_is_moved_aside(cache):
    sync(cache, T0, [record("A", State.INACTIVE)])
    cache.close()
    alter(cache.path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    reopened = ListingCache(cache.path)
    assert reopened.warning and "version 99" in reopened.warning
    assert reopened.load_records(needs_attention_only=False) == []
    reopened.close()


def test_a_foreign_sqlite_file_is_not_taken_for_a_cache():
    path = cache_path("main", MP)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    cache = ListingCache(path)
    assert cache.warning and "not an asin-tui cache" in cache.warning
    cache.close()


HEALTH = {"accountStatuses": [{"marketplaceId": MP, "status": "AT_RISK"}], "performanceMetrics": []}


def test_the_last_account_health_document_is_kept_until_a_sync_brings_a_new_one(cache):
    assert cache.account_health() is None
    cache.write_sync([], product_types={}, info=info(T0), account_health=HEALTH)
    assert cache.account_health() == (HEALTH, T0)
    later = T0 + timedelta(hours=1)
    cache.write_sync([], product_types={}, info=info(later, failed={"account health": "503"}))
    assert cache.account_health() == (HEALTH, T0)  # the fetch failed: the last one stays
    normal = {"accountStatuses": [{"marketplaceId": MP, "status": "NORMAL"}]}
    cache.write_sync([], product_types={}, info=info(later), account_health=normal)
    assert cache.account_health() == (normal, later)
    other = ListingCache.for_account("other", MP)
    assert other.account_health() is None  # per profile (and marketplace)
    other.close()


def test_a_cache_written_before_account_health_gains_the_table(cache):
    sync(cache, T0, [record("A", State.INACTIVE)])
    cache.close()
    alter(cache.path, "DROP TABLE account_health")
    reopened = ListingCache(cache.path)
    assert reopened.warning is None and reopened.account_health() is None
    assert [r.sku for r in reopened.load_records(needs_attention_only=False)] == ["A"]
    reopened.write_sync([], product_types={}, info=info(T0), account_health=HEALTH)
    assert reopened.account_health() == (HEALTH, T0)
    reopened.close()


def test_a_pending_account_health_request_lasts_until_a_sync_or_a_look_settles_it(cache):
    assert cache.account_health_request() is None
    requested = ("50000000001", T0)
    cache.write_sync([], product_types={}, info=info(T0), account_health_request=requested)
    assert cache.account_health_request() == requested
    reopened = ListingCache(cache.path)
    assert reopened.account_health_request() == requested  # survives a restart
    reopened.close()
    cache.write_sync([], product_types={}, info=info(T0), account_health_request=requested)
    assert cache.account_health_request() == requested
    later = T0 + timedelta(minutes=5)
    cache.write_account_health(HEALTH, fetched_at=later, request=None)  # a look found it DONE
    assert cache.account_health() == (HEALTH, later) and cache.account_health_request() is None


def test_a_look_at_the_account_health_diagnoses_the_cached_listings_again(cache):
    sync(cache, T0, [record("A", State.INACTIVE), record("B", State.ACTIVE)])
    assert [r.sku for r in cache.all_raw_evidence()] == ["A", "B"]
    assert cache.all_raw_evidence()[0] == raw("A")
    later = T0 + timedelta(minutes=5)
    suppressed = record("A", State.SUPPRESSED)
    cache.write_account_health(
        HEALTH, fetched_at=later, request=None, entries=[(suppressed, raw("A"))]
    )
    stored = cache.record("A")
    assert stored.state is State.SUPPRESSED and stored.inactive_since == later
    assert cache.history("A")[-1][:2] == (State.SUPPRESSED, later)
    assert cache.record("B").state is State.ACTIVE  # not given: as it was
    pending = ("50000000002", later)
    cache.write_account_health(None, fetched_at=later, request=pending)  # still pending
    assert cache.account_health() == (HEALTH, later) and cache.account_health_request() == pending


def test_a_staged_sync_is_invisible_until_committed_and_discarding_it_keeps_the_cache(cache):
    sync(cache, T0, [record("OLD-1", State.INACTIVE)])
    before = cache.load_records(needs_attention_only=False)

    staged = cache.stage_sync()
    staged.add([(record("NEW-1", State.SUPPRESSED), raw("NEW-1"))])
    staged.add([(record("NEW-2", State.INACTIVE), raw("NEW-2"))])
    assert cache.load_records(needs_attention_only=False) == before  # readers see the old
    staged.discard()
    staged.add([(record("NEW-3", State.INACTIVE), raw("NEW-3"))])  # too late: ignored
    assert cache.load_records(needs_attention_only=False) == before

    later = T0 + timedelta(hours=1)
    staged = cache.stage_sync()
    for sku in ("NEW-1", "OLD-1"):  # one batch each
        staged.add([(record(sku, State.INACTIVE), raw(sku))])
    assert [[r.sku for r in batch] for batch in staged.raw_batches(1)] == [["NEW-1"], ["OLD-1"]]
    staged.commit(product_types={}, info=info(later))
    rows = {r.sku: r for r in cache.load_records(needs_attention_only=False)}
    assert set(rows) == {"NEW-1", "OLD-1"}
    assert rows["OLD-1"].inactive_since == T0  # still inactive since the first sync
    assert rows["NEW-1"].inactive_since == later
    assert cache.raw_evidence("NEW-1") == raw("NEW-1")


def test_the_first_rows_come_in_report_order(cache):
    records = [record(f"SKU-{n}", state) for n, state in enumerate(State)]
    sync(cache, T0, records, include_all=True)
    every = cache.load_records(needs_attention_only=False)
    assert cache.load_records(needs_attention_only=False, limit=3) == every[:3]
    assert len(every) == len(State)


def test_a_findings_brief_round_trips_and_rows_from_before_briefs_read_without_one(cache):
    missing = dataclasses.replace(SUPPRESSED, brief="Missing: brand")
    sync(cache, T0, [record("SKU-1", State.SUPPRESSED, findings=(missing,))])
    [loaded] = cache.load_records(needs_attention_only=True)
    assert loaded.findings[0].brief == "Missing: brand" and loaded.main_brief == "Missing: brand"
    cache.close()
    # a row written before findings had a brief: nine fields, the title stands in
    alter(cache.path, "UPDATE listings SET findings = json_remove(findings, '$[0][9]')")
    reopened = ListingCache(cache.path)
    [old] = reopened.load_records(needs_attention_only=True)
    assert old.findings[0].brief == "" and old.main_brief == SUPPRESSED.title
    reopened.close()


def test_the_last_full_sync_is_a_complete_sync_of_every_listing(cache):
    assert cache.last_full_sync() is None
    sync(cache, T0, [record("SKU-1", State.SUPPRESSED)])
    assert cache.last_full_sync() is None  # needs attention only
    sync(cache, T0 + timedelta(hours=1), [record("SKU-1", State.ACTIVE)], include_all=True,
         complete=False)  # fmt: skip
    assert cache.last_full_sync() is None  # some listings could not be fetched
    sync(cache, T0 + timedelta(hours=2), [record("SKU-1", State.ACTIVE)], include_all=True)
    assert cache.last_full_sync() == T0 + timedelta(hours=2)
    sync(cache, T0 + timedelta(hours=3), [record("SKU-1", State.SUPPRESSED)])
    assert cache.last_full_sync() == T0 + timedelta(hours=2)


def test_the_last_quantity_above_zero_is_kept_through_syncs_that_see_it_out_of_stock(cache):
    """What the bulk wizard and the Stock step suggest for a listing now out of stock: the
    last MFN quantity above 0 a sync (or a re-read) saw, and when — not FBA quantities, not
    a 0, and gone with a listing that no longer exists."""
    sync(cache, T0, [record("A", State.ACTIVE, quantity=12), record("F", State.ACTIVE)])
    later = T0 + timedelta(hours=2)
    fba = record("F", State.ACTIVE, fulfillment_channel="AFN", quantity=40)
    sync(cache, later, [record("A", State.INACTIVE), fba, record("B", State.INACTIVE)])
    assert cache.record("A").quantity == 0
    assert cache.last_quantity("A") == (12, T0)  # the 0 seen later does not replace it
    assert cache.last_quantity("B") is None  # never seen above 0
    assert cache.last_quantity("F") == (5, T0)  # its FBA units are no MFN quantity
    restocked = T0 + timedelta(hours=3)
    cache.write_listing(record("A", State.ACTIVE, quantity=3), raw("A"), observed_at=restocked)
    assert cache.last_quantity("A") == (3, restocked)  # a re-read counts too
    staged = cache.stage_sync()  # a staged sync (the app's) keeps them the same way
    staged.add([(record("B", State.ACTIVE, quantity=7), raw("B"))])
    staged.commit(product_types={}, info=info(restocked, complete=False))
    assert cache.last_quantity("B") == (7, restocked)
    cache.forget("A")
    assert cache.last_quantity("A") is None
    sync(cache, restocked, [fba], include_all=True)  # B no longer exists
    assert cache.last_quantity("B") is None


def test_a_cache_from_before_the_last_quantities_starts_them_from_its_listings(cache):
    sync(cache, T0, [record("A", State.ACTIVE, quantity=9), record("B", State.INACTIVE)])
    cache.close()
    alter(cache.path, "DROP TABLE last_quantity")
    reopened = ListingCache(cache.path)
    assert reopened.warning is None
    assert reopened.last_quantity("A") == (9, T0) and reopened.last_quantity("B") is None
    sync(reopened, T0 + timedelta(hours=1), [record("A", State.INACTIVE)])
    assert reopened.last_quantity("A") == (9, T0)
    reopened.close()


@pytest.mark.parametrize("mfn_quantity", [0, 2, 5])
def test_at_risk_candidates_hold_every_at_risk_row_without_reading_every_row(cache, mfn_quantity):
    from dataclasses import replace as changed

    from asin_tui.domain.events import Thresholds
    from asin_tui.domain.looks import is_at_risk

    warning = changed(SUPPRESSED, severity=Severity.WARNING, code="EXEMPTION_EXPIRING")
    records = [
        record("LIVE-PLENTY", State.ACTIVE, quantity=50),
        record("LIVE-LOW", State.ACTIVE, quantity=2),
        record("LIVE-ONE", State.ACTIVE, quantity=1),
        record("LIVE-NONE-LEFT", State.ACTIVE, quantity=0),
        record("LIVE-FBA-LOW", State.ACTIVE, quantity=1, fulfillment_channel="FBA"),
        record("LIVE-WARNED", State.ACTIVE, findings=(warning,)),
        record("LIVE-ERROR", State.ACTIVE, findings=(SUPPRESSED,)),
        record("OFF", State.INACTIVE),
        record("OFF-WARNED", State.SUPPRESSED, findings=(SUPPRESSED, warning), quantity=1),
    ]
    sync(cache, T0, records, include_all=True)
    thresholds = Thresholds(mfn_quantity=mfn_quantity)
    every_row = [
        r.sku for r in cache.load_records(needs_attention_only=False) if is_at_risk(r, thresholds)
    ]
    candidates = cache.at_risk_candidates(mfn_quantity)
    assert [r.sku for r in candidates if is_at_risk(r, thresholds)] == every_row
    assert "LIVE-PLENTY" not in {r.sku for r in candidates}  # filtered in SQL
    assert "LIVE-WARNED" in every_row
    assert ("LIVE-LOW" in every_row) is (mfn_quantity >= 2)


def test_a_new_cache_another_process_is_writing_is_waited_for(tmp_path):
    # A second asin-tui (a sync child, a `report`) opens the cache while another is writing the
    # new file, not yet in write-ahead-log mode: SQLite refuses the switch to WAL at once
    # without its busy handler; the open waits for the lock instead of failing.
    path = tmp_path / "main-ATVPDKIKX0DER.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE making (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO making VALUES (1)")
    released = threading.Timer(0.3, other.execute, ("COMMIT",))
    released.start()
    try:
        records = ListingCache(path).load_records(needs_attention_only=False)
    finally:
        released.join()
        other.close()
    assert list(records) == []
