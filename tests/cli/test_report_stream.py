"""`report --format json|csv` streamed from the cache a batch at a time: the same document the
whole-list renderer gave (the documented shape, key order, incomplete-sync fields)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from asin_tui.domain.account import account_causes
from asin_tui.domain.models import (
    AccountHealth,
    Category,
    Finding,
    ListingRecord,
    Severity,
    State,
    WizardStep,
)
from asin_tui.render import render_csv, stream_csv, stream_json
from asin_tui.store.cache import ListingCache, RawEvidence, SyncInfo

MP = "ATVPDKIKX0DER"
NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
HOSTILE = '=HYPERLINK("x") \x1b[31m\u202e évêque \x85 \U0001f600 "q", \\ \n line'


def _finding(code: str, title: str, severity: Severity, *attributes: str) -> Finding:
    return Finding(
        Category.STOCK, severity, code, title, f"detail {title}", f"fix {code}", attributes,
        WizardStep.STOCK, None, "brief",
    )  # fmt: skip


def _records() -> list[ListingRecord]:
    closed = _finding("LISTING_CLOSED", "Closed", Severity.ERROR)
    records = []
    for i in range(23):
        state = (State.INACTIVE, State.SUPPRESSED, State.ACTIVE, State.SEARCH_SUPPRESSED)[i % 4]
        findings = {
            0: (closed,),
            1: (
                _finding("MISSING_ATTRIBUTE", HOSTILE, Severity.ERROR, "brand", "color"),
                _finding("OUT_OF_STOCK_MFN", "Out", Severity.WARNING),
            ),
            2: (),
            3: (_finding("EXPIRING", "Exemption ends", Severity.WARNING),),
        }[i % 4]
        records.append(
            ListingRecord(
                sku=f"SKU-{i:03d}" if i != 5 else "-" + HOSTILE,
                asin=f"B0{i:08d}" if i % 3 else None,
                title=HOSTILE if i % 2 else f"Mug {i}",
                marketplace_id=MP,
                state=state,
                buyable=state in (State.ACTIVE, State.SEARCH_SUPPRESSED),
                discoverable=state is not State.SUPPRESSED,
                findings=findings,
                product_type="MUG",
                condition_type="new_new",
                fulfillment_channel="MFN" if i % 4 == 0 else ("FBA", None)[i % 2],
                quantity=(7, 0, None, -3)[i % 4],
                inbound=None,
                price=(Decimal("12.50"), None, Decimal("1E+2"))[i % 3],
                currency="USD" if i % 3 != 1 else None,
                amazon_status=(("BUYABLE",), None, ())[i % 3],
            )
        )
    return records


def _cache(tmp_path, records) -> ListingCache:
    cache = ListingCache(tmp_path / "c.sqlite3")
    info = SyncInfo(
        NOW, NOW, include_all=True, complete=False,
        failed={"search: not buyable": "throttled; up to 20 listings not fetched", "SKU-1": "x"},
        listings=len(records), missing={"search: not buyable": 20},
    )  # fmt: skip
    cache.write_sync(
        [(r, RawEvidence(sku=r.sku, item={"sku": r.sku})) for r in records],
        product_types={},
        info=info,
    )
    return cache


def _old_document(records, last_sync, account) -> dict:
    """The document as the whole-list renderer built it (the README's contract)."""
    counts = {state.value: 0 for state in State}
    for r in records:
        counts[r.state.value] += 1
    return {
        "generated_at": None,
        "profile": "p",
        "marketplace_id": MP,
        "account_health": {
            "status": account.status,
            "policy_counters": dict(account.policy_counters),
            "as_of": account.as_of.isoformat(),
        },
        "account_causes": [c.to_dict() for c in account_causes(records)],
        "counts": counts,
        "listings": [r.to_report_dict() for r in records],
        "last_sync": {
            "finished_at": last_sync.finished_at.isoformat(),
            "include_all": last_sync.include_all,
            "complete": last_sync.complete,
            "listings_complete": not last_sync.listings_incomplete,
            "failed": dict(last_sync.failed),
            "missing": dict(last_sync.missing),
        },
    }


def test_streamed_json_is_the_old_document_in_batches(tmp_path):
    cache = _cache(tmp_path, _records())
    every = cache.load_records(needs_attention_only=False)
    account = AccountHealth(
        marketplace_id=MP, status="AT_RISK", policy_counters={"x": 2}, as_of=NOW
    )
    last_sync = cache.last_sync()
    pieces = list(
        stream_json(
            cache.record_batches(needs_attention_only=False, size=4),  # 6 batches
            profile="p",
            marketplace_id=MP,
            last_sync=last_sync,
            account=account,
            counts={s.value: n for s, n in _counts(cache).items()},
            causes=account_causes(cache.records_where_unexplained_mfn(needs_attention_only=False)),
        )
    )
    assert len(pieces) > 3  # written as it is read, not as one string
    text = "".join(pieces)
    document = json.loads(text)
    assert list(document) == list(_old_document(every, last_sync, account))  # key order
    document["generated_at"] = None
    assert document == _old_document(every, last_sync, account)
    assert document["last_sync"]["listings_complete"] is False
    assert document["last_sync"]["missing"] == {"search: not buyable": 20}
    assert [item["sku"] for item in document["listings"]] == [r.sku for r in every]
    # the same text as json.dumps(indent=2) with C1/bidi characters escaped, none raw
    assert "\u202e" not in text and "\x85" not in text and "\x1b" not in text
    expected = json.dumps(_old_document(every, last_sync, account), indent=2, ensure_ascii=False)
    body = text[text.index('"profile"') :]
    assert json.loads("{" + body) == json.loads("{" + expected[expected.index('"profile"') :])


def test_streamed_json_with_no_listings_and_no_sync(tmp_path):
    text = "".join(
        stream_json(
            [], profile="p", marketplace_id=MP, last_sync=None, account=None,
            counts={s.value: 0 for s in State}, causes=(),
        )
    )  # fmt: skip
    document = json.loads(text)
    assert document["listings"] == [] and document["last_sync"] is None
    assert document["account_health"] is None and document["account_causes"] == []


def test_streamed_csv_is_the_whole_list_csv(tmp_path):
    cache = _cache(tmp_path, _records())
    every = cache.load_records(needs_attention_only=True)
    batches = cache.record_batches(needs_attention_only=True, size=5)
    assert "".join(stream_csv(batches)) == render_csv(every)
    assert "\n'-=HYPERLINK" in render_csv(every) or "\n\"'-=HYPERLINK" in render_csv(every)


def test_the_account_cause_comes_from_the_few_rows_that_can_show_it(tmp_path):
    records = _records()
    cache = _cache(tmp_path, records)
    every = cache.load_records(needs_attention_only=False)
    candidates = cache.records_where_unexplained_mfn(needs_attention_only=False)
    assert account_causes(every)  # enough in-stock MFN listings closed with no reason
    assert account_causes(candidates) == account_causes(every)
    assert len(candidates) < len(every)


def _counts(cache: ListingCache) -> dict[State, int]:
    counts = dict.fromkeys(State, 0)
    counts.update(cache.state_counts(needs_attention_only=False))
    return counts


def test_the_json_scan_finds_every_unsafe_character():
    """json_for_terminal scans only for the characters outside its safe class: every code
    point is in it exactly when is_unsafe_char says it is safe (surrogates are unsafe)."""
    import re

    from asin_tui.domain import text

    every = "".join(map(chr, range(0xA0, 0x110000)))  # each code point from U+00A0 on, once
    outside = {0xA0 + m.start() for m in re.finditer(f"[^{text._SAFE_FROM_A0}]", every)}
    unsafe = text.is_unsafe_char.__wrapped__  # its answers without its 4,096-entry cache
    said_unsafe = {
        cp for cp, char in enumerate(every, 0xA0) if 0xD800 <= cp <= 0xDFFF or unsafe(char)
    }
    wrong = sorted(outside ^ said_unsafe)  # where the class and is_unsafe_char disagree
    assert wrong == []
    assert (
        text.json_for_terminal('"\u202e\x85\x7f\u00e9\u200d"')
        == '"\\u202e\\u0085\\u007f\u00e9\u200d"'
    )
