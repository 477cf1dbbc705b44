"""A sync's listings diagnosed and staged in the cache as they come (``SyncStore``), and the
evidence rows they are made of: what a sync fetched for a listing (``raw_evidence``), the last
good answers for what it could not fetch (``with_last_good``), the digest that lets a listing
found unchanged keep its stored diagnosis.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import itertools
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asin_tui.domain.models import AccountHealth, ListingRecord, State
from asin_tui.store.cache import ListingCache, RawEvidence

if TYPE_CHECKING:
    import hashlib

    from asin_tui.domain.evidence import EvidenceGap
    from asin_tui.service import AccountService
    from asin_tui.spapi.sync import SyncedListing


class SyncStore:
    """Diagnoses a sync's listings and stages them in the cache as they come, sync_batch at a time
    in a thread: the event loop (the UI's) does none of that CPU work, and no more than a
    batch of raw answers is held at once (a 100,000-listing sync never has them all)."""

    def __init__(self, service: AccountService) -> None:
        self._service = service
        self._batch: list[tuple[RawEvidence, str | None, tuple[dict, dict] | None]] = []
        self._lock = asyncio.Lock()  # one batch at a time, in order
        self.staged = service._cache.stage_sync()
        self.failed: dict[str, str] = {}  # SKUs unreadable, product types unreadable
        self.answers: dict[str, list[tuple[str, Any, datetime]]] = {
            "restrictions": [],
            "catalog": [],
        }
        self._definitions: dict[str, str] = {}  # product type -> its definition's digest
        self.received = 0  # listings the sync handed over
        self.listings = 0  # of them diagnosed and staged
        self.counts: Counter[State] = Counter()
        self.needs_attention = 0

    async def add(
        self, synced: SyncedListing, product_type: str | None, definition: tuple[dict, dict] | None
    ) -> None:
        self.received += 1
        self._keep_answers(synced)
        self._batch.append((raw_evidence(synced), product_type, definition))
        if len(self._batch) >= self._service.sync_batch:
            await self.flush()

    async def flush(self) -> None:
        batch, self._batch = self._batch, []
        answers, self.answers = self.answers, {"restrictions": [], "catalog": []}
        if batch:
            async with self._lock:
                await asyncio.to_thread(self._write_answers, answers)
                await asyncio.to_thread(self._stage, batch)

    def _keep_answers(self, synced: SyncedListing) -> None:
        """Note the restrictions and catalog answers this sync fetched, for the next syncs."""
        key = synced.restrictions_key
        if key and synced.restrictions is not None and "restrictions" not in synced.reused:
            when = synced.fetched.get("restrictions") or datetime.now(UTC)
            self.answers["restrictions"].append(
                (f"{key[0]}\t{key[1] or ''}", synced.restrictions, when)
            )
        fetched_catalog = synced.catalog is not None or synced.catalog_not_found
        if synced.catalog_key and fetched_catalog and "catalog" not in synced.reused:
            when = synced.fetched.get("catalog") or datetime.now(UTC)
            self.answers["catalog"].append((synced.catalog_key, synced.catalog, when))

    def discard(self) -> None:
        self._batch = []
        self.staged.discard()

    def diagnose_again(self) -> None:
        """Diagnose every staged listing again (with the account health now known)."""
        self.listings, self.needs_attention = 0, 0
        self.counts.clear()
        gate = gate_tag(self._service.account_health())
        kept = list(
            self.staged.kept_raw_batches(self._service.sync_batch)
        )  # found unchanged: not any more
        for raws in itertools.chain(self.staged.raw_batches(self._service.sync_batch), kept):
            raws = [
                dataclasses.replace(raw, digest=f"{(raw.digest or '').partition('/')[0]}/{gate}")
                for raw in raws
            ]
            self._add(self._service._diagnosed(raws, self.failed))

    def _write_answers(self, answers: Mapping[str, list[tuple[str, Any, datetime]]]) -> None:
        """Keep the answers fetched (whether or not this sync is committed: they are true)."""
        for kind, fetched in answers.items():
            self._service._cache.write_lookups(kind, fetched)

    def _stage(self, batch: list[tuple[RawEvidence, str | None, tuple[dict, dict] | None]]) -> None:
        service = self._service
        for _, product_type, definition in batch:
            if product_type and definition and product_type not in service._requirements:
                service._read_product_type(product_type, definition, self.failed)
        cache = service._cache
        cached_types: dict[str, bool] = {}
        raws = []
        for raw, key, definition in batch:
            raw = with_last_good(raw, cache)
            if key and definition is None:  # its definition could not be fetched
                if key not in cached_types:
                    cached_types[key] = cache.product_type(key) is not None
                if not cached_types[key]:  # and no earlier one: its requirements not checked
                    gap = {"call": "getDefinitionsProductType", "error": "could not be fetched"}
                    raw = dataclasses.replace(
                        raw, gaps={**raw.gaps, "product type": {**gap, "as_of": None}}
                    )
            raws.append(raw)
        gate = gate_tag(service.account_health())
        raws = [
            dataclasses.replace(raw, digest=f"{self._content_digest(raw, key, d)}/{gate}")
            for raw, (_, key, d) in zip(raws, batch, strict=True)
        ]
        stored = cache.stored_digests([raw.sku for raw in raws])
        kept = [stored[r.sku][1] for r in raws if r.sku in stored and stored[r.sku][0] == r.digest]
        if kept:  # found as stored: not diagnosed nor written again
            self.staged.keep(record.sku for record in kept)
            self._count(kept)
            skus = {record.sku for record in kept}
            raws = [raw for raw in raws if raw.sku not in skus]
        self._add(service._diagnosed(raws, self.failed))

    def _content_digest(
        self, raw: RawEvidence, key: str | None, definition: tuple[dict, dict] | None
    ) -> str:
        """A digest of what a listing's diagnosis is made from, but the account gate: its
        answers (item, inventory, restrictions, catalog, what is missing and how old), its
        product type's definition, and the rules' own code."""
        if key and definition is not None and key not in self._definitions:
            text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
            self._definitions[key] = _blake2b(text.encode(), digest_size=8).hexdigest()
        if definition is None:
            requirements = "cached"  # the stored definition, or none: a gap says so
        else:
            requirements = self._definitions.get(key, "") if key else ""
        parts = [raw.item, raw.inventory, raw.restrictions, raw.catalog, raw.catalog_not_found,
                 raw.gaps, raw.fetched, key, requirements, _rules_version(), _clock(raw)]  # fmt: skip
        text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return _blake2b(text.encode(errors="surrogatepass"), digest_size=16).hexdigest()

    def _count(self, records: Sequence[ListingRecord]) -> None:
        self.listings += len(records)
        self.counts.update(record.state for record in records)
        self.needs_attention += sum(record.needs_attention for record in records)

    def _add(self, entries: list[tuple[ListingRecord, RawEvidence]]) -> None:
        self.staged.add(entries)
        self._count([record for record, _ in entries])


def _clock(raw: RawEvidence) -> str:
    """The hour, for a listing whose diagnosis reads the time (an enforcement comes into
    force, an exemption runs out, "3 days left"): diagnosed again at least hourly. '' else."""
    issues = raw.item.get("issues")
    timed = isinstance(issues, list) and any(
        isinstance(issue, dict) and issue.get("enforcements") for issue in issues
    )
    return datetime.now(UTC).strftime("%Y-%m-%dT%H") if timed else ""


def _blake2b(data: bytes = b"", *, digest_size: int) -> hashlib.blake2b:
    """hashlib.blake2b, that module imported when first needed (a sync's digests), not by
    every start of the app (~2 ms)."""
    import hashlib

    return hashlib.blake2b(data, digest_size=digest_size)


def gate_tag(health: AccountHealth | None) -> str:
    """The account gate's effect in a listing's digest (see SyncStore._content_digest)."""
    return _blake2b(repr(gate(health)).encode(), digest_size=4).hexdigest()


@functools.cache
def _rules_version() -> str:
    """A digest of the code a diagnosis is made by (the domain rules and the parser): a
    listing stored by another version of asin-tui is diagnosed again."""
    root = Path(__file__).parent.parent  # asin_tui/
    files = sorted([*(root / "domain").rglob("*.py"), root / "spapi" / "parse.py"])
    digest = _blake2b(digest_size=8)
    for file in files:
        with contextlib.suppress(OSError):
            digest.update(file.read_bytes())
    return digest.hexdigest()


def gate(health: AccountHealth | None) -> tuple[Any, ...] | None:
    """What of the account health a diagnosis acts on: a report that changes nothing (none
    → NORMAL) needs no listing diagnosed again."""
    return health.effect if health else None


def raw_evidence(synced: SyncedListing) -> RawEvidence:
    return RawEvidence(
        sku=synced.sku,
        item=synced.item,
        inventory=synced.inventory,
        restrictions=synced.restrictions,
        catalog=synced.catalog,
        catalog_not_found=synced.catalog_not_found,
        gaps={
            section: {"call": call, "error": why, "as_of": None}
            for section, (call, why) in synced.gaps.items()
        },
        fetched={section: moment.isoformat() for section, moment in synced.fetched.items()},
    )


def with_last_good(raw: RawEvidence, cache: ListingCache) -> RawEvidence:
    """Evidence a call could not fetch this time, taken from the cached row where it has it:
    the last good answer, with its age in the gap (``as_of``: when the sync that fetched it
    finished; an answer already kept from further back keeps its own date). What the cache
    does not have either stays out, its gap without a date: "not checked"."""
    if not raw.gaps:
        return raw
    cached = cache.last_good(raw.sku)
    if cached is None:
        return raw
    old, synced_at = cached
    values: dict[str, Any] = {}
    gaps = {section: dict(gap) for section, gap in raw.gaps.items()}
    for section, gap in gaps.items():
        earlier = old.gaps.get(section)
        if not isinstance(earlier, Mapping):
            earlier = None
        if earlier is not None and not moment_of(earlier.get("as_of")):
            continue  # the last sync had nothing good for it either
        if section == "inventory" and old.inventory is not None:
            values["inventory"] = old.inventory
        elif section == "restrictions" and old.restrictions is not None:
            values["restrictions"] = old.restrictions
        elif section == "catalog" and (old.catalog is not None or old.catalog_not_found):
            values.update(catalog=old.catalog, catalog_not_found=old.catalog_not_found)
        else:
            continue
        gap["as_of"] = earlier["as_of"] if earlier else synced_at.astimezone(UTC).isoformat()
    return dataclasses.replace(raw, gaps=gaps, **values)


def evidence_gaps(raw: RawEvidence) -> tuple[EvidenceGap, ...]:
    from asin_tui.domain.evidence import EvidenceGap

    gaps = []
    for section, gap in raw.gaps.items():
        if not isinstance(gap, Mapping):  # a row tampered with: the gap is still a gap
            gap = {}
        gaps.append(
            EvidenceGap(
                section=str(section),
                call=str(gap.get("call") or section),
                error=str(gap.get("error") or "failed"),
                as_of=moment_of(gap.get("as_of")),
            )
        )
    return tuple(gaps)


def moment_of(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
