"""The reactivation wizard's saved cases: one SQLite file per profile and marketplace.

``cases_dir()/<profile>-<marketplace_id>.sqlite`` holds one row per seller SKU (see
:class:`CaseStore`: a save costs the same however many SKUs are saved, a bulk batch saves each
listing as it goes). A row's ``record`` is the SKU's table in the schema below (schema_version
2; kept as JSON, its times as ISO 8601 text), the one earlier asin-tui versions wrote as one TOML
file,
``cases_dir()/<profile>-<marketplace_id>.toml``, which is imported on first use (version 1
files, which have no outcome details, are read as they are)::

    schema_version = 2

    [skus."SKU-1"]                     # one table per seller SKU (quoted as TOML needs)
    current_step = "stock"             # a WizardStep value
    outcome = "waiting"                # open | waiting | at_risk | escalated | retired | resolved
    started_at = 2025-05-01T09:00:00+00:00
    updated_at = 2025-05-01T09:12:00+00:00
    case_draft_path = "/home/…/case.md" # optional
    outcome_at = 2025-05-01T09:12:00+00:00   # optional, like every key below: when it was set
    waiting_for = "Amazon to receive …"  # waiting: what; at_risk: what to do before the deadline
    recheck_at = 2025-05-15T09:12:00+00:00   # waiting: overdue after it; at_risk: the deadline
    outcome_reason = "discontinued"    # retired: why (or what was deleted)
    resolved_state = "ACTIVE"          # resolved: the state it was resolved in
    checked_at = 2025-05-02T07:00:00+00:00   # the last sync that re-checked it
    check_note = "resolved: back on sale"    # what that re-check found

    [skus."SKU-1".steps.stock]         # a WizardStep; untouched (pending) steps are left out
    status = "needs_action"            # passed | needs_action | not_applicable | pending
    notes = "ordered 40 units"         # optional, like every key below with a default
    updated_at = 2025-05-01T09:12:00+00:00   # optional: absent until the step is touched

    [[skus."SKU-1".steps.policy.checklist]]
    item = "Upload the safety data sheet"
    done = true
    note = "sent on 1 May"
    updated_at = 2025-05-01T09:11:00+00:00   # optional: when it was last ticked or noted

    [skus."SKU-1".draft]               # optional: what was typed and not sent yet
    stock_action = "set_mfn_quantity"  # optional, like every key of the draft
    mfn_quantity = 40
    handling_time = 2
    price = "31.00"                    # decimal text: price, minimum, maximum
    updated_at = 2025-05-01T09:12:00+00:00

    [skus."SKU-1".draft.attributes]   # attribute name → the text as typed
    color = "Rot"

    [[skus."SKU-1".patches]]           # every patch sent, with Amazon's answer
    submitted_at = 2025-05-01T09:10:00+00:00
    mode = "VALIDATION_PREVIEW"        # VALIDATION_PREVIEW | REAL
    patches = '[{"op": "replace", …}]' # the JSON Patch document, as JSON text
    status = "VALID"                   # Amazon's status: VALID | INVALID | ACCEPTED, or
                                       # SUBMITTING while the call is on its way
    submission_id = "…"                # optional
    issues = '[]'                      # Amazon's issues, as JSON text

It never holds a secret. Saves are SQLite transactions (see :class:`CaseStore`: atomic, merged
with what another app instance saved, durable once returned); a file or a SKU's record that
cannot be used is set aside and reported as a :class:`CaseStoreWarning`, never overwritten.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import sqlite3
import threading
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn, TypeGuard, TypeVar

from asin_tui.domain.models import Issue, StepStatus, WizardStep
from asin_tui.domain.redact import redact
from asin_tui.domain.text import quoted, visible
from asin_tui.store import paths
from asin_tui.store.atomic import (
    PRIVATE_FILE,
    FileTooLarge,
    NotRegularFile,
    check_own_file,
    check_regular_file,
    ensure_private_dir,
    fsync_dir,
    json_nesting,
    make_private,
    make_private_files,
    read_regular_file,
)
from asin_tui.store.cache import (
    _REASONS,  # SQLite's errors in a seller's words
    connect_read_only,
    enable_wal,
)
from asin_tui.store.cache import _kind as _sqlite_kind
from asin_tui.store.config import display_path

#: The largest earlier TOML case file read (a case takes ~1 KB: tens of thousands fit; read
#: and parsed at ~25 MB/s). A larger one (damaged, or not a case file) is set aside with one
#: line, never read into memory whole, as the config file (store/config.py MAX_CONFIG_BYTES).
MAX_LEGACY_BYTES = 64 << 20
SCHEMA_VERSION = 2  # of a SKU's table (the TOML schema above), and of the earlier TOML files
DB_VERSION = 1  # of the case file (SQLite's user_version)
LOCK_TIMEOUT = 5.0  # seconds to wait for another instance to finish its write
ARCHIVE_AFTER = timedelta(days=90)  # a resolved/escalated SKU untouched this long is archived

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class Outcome(StrEnum):
    OPEN = "open"
    WAITING = "waiting"  # on Amazon: a patch processing, inbound stock, an approval, an appeal
    AT_RISK = "at_risk"  # on sale until a deadline, with something to do before it
    ESCALATED = "escalated"  # a Seller Support case drafted
    RETIRED = "retired"  # won't fix: deleted, or left inactive with a reason
    RESOLVED = "resolved"


#: Outcomes that are done with: archived once untouched for ARCHIVE_AFTER (waiting and at-risk
#: cases are re-checked by every sync, so they stay in the main file).
SETTLED = frozenset({Outcome.RESOLVED, Outcome.ESCALATED, Outcome.RETIRED})


class PatchMode(StrEnum):
    VALIDATION_PREVIEW = "VALIDATION_PREVIEW"
    REAL = "REAL"
    DELETE = "DELETE"  # deleteListingsItem (retire): no patches, Amazon's answer


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ChecklistTick:
    """One thing to do for a policy issue (a document to prepare, an appeal step)."""

    item: str
    done: bool = False
    note: str = ""
    updated_at: datetime | None = None  # when it was last ticked or noted (merging picks it)

    def set(self, *, done: bool | None = None, note: str | None = None) -> None:
        """Tick/untick it or change its note, stamped now."""
        if done is not None:
            self.done = done
        if note is not None:
            self.note = note
        self.updated_at = utcnow()


@dataclass
class StepRecord:
    status: StepStatus = StepStatus.PENDING
    notes: str = ""
    checklist: list[ChecklistTick] = field(default_factory=list)
    updated_at: datetime | None = None


@dataclass
class PatchRecord:
    """A patchListingsItem call and Amazon's answer."""

    submitted_at: datetime
    mode: PatchMode
    patches: list[dict[str, Any]]  # the JSON Patch operations sent
    status: str  # Amazon's answer: VALID | INVALID | ACCEPTED
    submission_id: str | None = None
    issues: list[dict[str, Any]] = field(default_factory=list)  # Amazon's issues, as sent


SUBMITTING = "SUBMITTING"  # PatchRecord.status of a real submit whose answer is not in yet
NO_ANSWER = "NO_ANSWER"  # PatchRecord.status of a real submit whose call failed (landed or not)
#: The statuses of a real submit that may have reached Amazon (on its way, unanswered, taken).
MAY_HAVE_LANDED = (SUBMITTING, NO_ANSWER, "ACCEPTED")


def same_record(a: PatchRecord, b: PatchRecord) -> bool:
    """The same submit (as the store finds it: when it was sent, and how)."""
    return a.submitted_at == b.submitted_at and a.mode is b.mode


def same_submit(saved: CaseRecord | None, patches: list[dict[str, Any]]) -> PatchRecord | None:
    """The latest real submit of these patches in the saved case: the same paths and values,
    whether each was an ``add`` or a ``replace`` (the draft adds an attribute the listing
    lacks and replaces one it has: once Amazon applied an ``add``, the same row run again
    drafts a ``replace`` of the same value — the change already accepted, not a new one)."""
    if saved is None:
        return None
    wanted = _effect(patches)
    same = [r for r in saved.patches if r.mode is PatchMode.REAL and _effect(r.patches) == wanted]
    return same[-1] if same else None


def _effect(patches: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``patches`` with ``add`` read as ``replace``: what the listing holds after either."""
    return [{**p, "op": "replace"} if p.get("op") == "add" else dict(p) for p in patches]


class ClaimedElsewhere(Exception):
    """Another asin-tui (a second `fix`, the app's bulk grid or wizard) saved a submit of
    the same change after this one read the SKU's progress: it is sending, or sent, it."""

    def __init__(self, claim: PatchRecord) -> None:
        super().__init__(claim.status)
        self.claim = claim

    def words(self) -> str:
        return f"another asin-tui sent this change at {self.claim.submitted_at:%H:%M} UTC"


def claim_of(
    case: CaseRecord, patches: list[dict[str, Any]], known: Sequence[PatchRecord]
) -> PatchRecord | None:
    """Read inside the write transaction that saves a SUBMITTING record, right before its
    send: a real submit of the same change in the stored ``case`` that may have reached
    Amazon and is none of ``known`` (the records this sender read before, by time) — the
    claim of another asin-tui sending the same change at once; None when there is none.
    Any such record, not only the last in the list: the list's order is the merge's, not
    the time's (a save of the sender's own copy may have put its records after the other's)."""
    wanted = _effect(patches)
    for other in reversed(case.patches):
        if (
            other.mode is PatchMode.REAL
            and other.status in MAY_HAVE_LANDED
            and _effect(other.patches) == wanted
            and not any(same_record(other, mine) for mine in known)
        ):
            return other
    return None


def issue_record(issue: Issue) -> dict[str, Any]:
    """An issue of Amazon's answer as a PatchRecord keeps it."""
    return {
        "code": issue.code,
        "message": issue.message,
        "severity": issue.severity,
        "attributeNames": list(issue.attribute_names),
    }


@dataclass
class DraftRecord:
    """What the user typed in the Stock and Listing-fields steps and has not sent yet.

    Kept as typed (attribute values and prices as text): the wizard validates it again
    against the schema when it resumes."""

    stock_action: str | None = None
    mfn_quantity: int | None = None
    handling_time: int | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    price: str | None = None
    minimum: str | None = None
    maximum: str | None = None
    updated_at: datetime | None = None


def _all_steps() -> dict[WizardStep, StepRecord]:
    return {step: StepRecord() for step in WizardStep}


@dataclass
class CaseRecord:
    """Where the wizard stands for one SKU."""

    sku: str
    current_step: WizardStep = WizardStep.OVERVIEW
    steps: dict[WizardStep, StepRecord] = field(default_factory=_all_steps)
    patches: list[PatchRecord] = field(default_factory=list)
    outcome: Outcome = Outcome.OPEN
    case_draft_path: str | None = None
    draft: DraftRecord | None = None
    started_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    outcome_at: datetime | None = None
    waiting_for: str = ""
    recheck_at: datetime | None = None
    outcome_reason: str = ""
    resolved_state: str = ""
    checked_at: datetime | None = None
    check_note: str = ""

    def set_outcome(
        self,
        outcome: Outcome,
        *,
        waiting_for: str = "",
        recheck_at: datetime | None = None,
        reason: str = "",
        resolved_state: str = "",
    ) -> None:
        """Record how the case stands now (the details of an earlier outcome are dropped)."""
        self.outcome = outcome
        self.outcome_at = utcnow()
        self.waiting_for, self.recheck_at = waiting_for, recheck_at
        self.outcome_reason, self.resolved_state = reason, resolved_state
        self.check_note = ""
        self.touch()

    def overdue(self, now: datetime | None = None) -> bool:
        """A wait past its re-check date, or an at-risk deadline passed."""
        return (
            self.outcome in (Outcome.WAITING, Outcome.AT_RISK)
            and self.recheck_at is not None
            and (now or utcnow()) > self.recheck_at
        )

    def touch(self) -> None:
        """Mark the case as changed now (the store keeps the latest change per SKU)."""
        self.updated_at = utcnow()

    def last_note(self) -> str:
        """The notes of the step touched last, else the last checklist note, else ""."""
        touched = sorted(
            ((s.updated_at, n) for n, s in enumerate(self.steps.values()) if s.updated_at),
        )
        steps = list(self.steps.values())
        for step in (steps[n] for _, n in reversed(touched)):
            notes = [step.notes, *(item.note for item in reversed(step.checklist))]
            if found := next((n for n in notes if n.strip()), None):
                return found
        return ""


_Stamped = TypeVar("_Stamped", StepRecord, ChecklistTick, DraftRecord)


def merge(first: CaseRecord, second: CaseRecord) -> CaseRecord:
    """Two copies of one SKU's case (on disk, in an app) → one that loses neither's work.

    Each step comes from the copy that touched it last, its checklist items are a union by
    label (each item from where it was ticked or noted last); patches are a union keyed by
    when they were sent (a settled answer beats its SUBMITTING placeholder); the draft is
    the one typed last; where the wizard stands (step, outcome, case draft) is the newer copy's.
    """
    newer, older = (first, second) if first.updated_at > second.updated_at else (second, first)
    return CaseRecord(
        sku=newer.sku,
        current_step=newer.current_step,
        steps={step: _merge_step(newer.steps[step], older.steps[step]) for step in WizardStep},
        patches=_merge_patches(older.patches, newer.patches),
        outcome=newer.outcome,
        case_draft_path=newer.case_draft_path,
        draft=_later_draft(newer.draft, older.draft),
        started_at=min(newer.started_at, older.started_at),
        updated_at=newer.updated_at,
        **{key: getattr(newer, key) for key in _OUTCOME_DETAILS},
    )


def _changed_later(first: _Stamped, second: _Stamped) -> bool:
    """Whether ``second`` was changed after ``first`` (a stamp beats none; a tie keeps first)."""
    return second.updated_at is not None and (
        first.updated_at is None or second.updated_at > first.updated_at
    )


def _later_draft(newer: DraftRecord | None, older: DraftRecord | None) -> DraftRecord | None:
    if newer is None or older is None:
        return newer or older
    return older if _changed_later(newer, older) else newer


def _merge_step(newer: StepRecord, older: StepRecord) -> StepRecord:
    step, other = (older, newer) if _changed_later(newer, older) else (newer, older)
    items = {item.item: item for item in other.checklist}
    for item in step.checklist:
        known = items.get(item.item)
        if known is None or not _changed_later(item, known):
            items[item.item] = item
    return StepRecord(
        status=step.status,
        notes=step.notes,
        checklist=list(items.values()),
        updated_at=step.updated_at,
    )


def _merge_patches(older: list[PatchRecord], newer: list[PatchRecord]) -> list[PatchRecord]:
    merged: dict[tuple[datetime, PatchMode], PatchRecord] = {}
    for record in (*older, *newer):
        key = (record.submitted_at, record.mode)
        known = merged.get(key)
        if known is None or known.status == SUBMITTING or record.status != SUBMITTING:
            merged[key] = record
    return sorted(merged.values(), key=lambda r: r.submitted_at)


class CaseStoreError(Exception):
    """Progress could not be saved or read (a one-line message for the user)."""


class CaseStoreLocked(CaseStoreError):
    """Another asin-tui holds the case file's write lock for too long."""


class CaseStoreWarning(UserWarning):
    """A case file (or one SKU's saved progress) could not be used: moved aside, unless
    the store is read-only; ``str()`` is the message to show the user."""

    def __init__(self, message: str, moved_to: Path | None) -> None:
        super().__init__(message)
        self.moved_to = moved_to


#: The case file's tables: ``cases`` (the SKUs worked on), ``archive`` (settled ones
#: untouched for ``archive_after``: their history) and ``set_aside`` (a SKU's saved text that
#: could not be read, kept when new progress replaced it). ``record`` is the SKU's table of
#: the schema above as JSON (:func:`_sku_text`; rows the first SQLite files kept as TOML text
#: are read too); ``outcome`` and ``updated_at`` (UTC, fixed width: it sorts) copy the
#: record's, so a query can pick SKUs without reading every record.
_TABLES = """
CREATE TABLE cases (
    sku TEXT PRIMARY KEY, outcome TEXT NOT NULL, updated_at TEXT NOT NULL, record TEXT NOT NULL
);
CREATE INDEX cases_by_outcome ON cases (outcome, updated_at);
CREATE TABLE archive (
    sku TEXT PRIMARY KEY, outcome TEXT NOT NULL, updated_at TEXT NOT NULL, record TEXT NOT NULL
);
CREATE TABLE set_aside (
    sku TEXT NOT NULL, kept_at TEXT NOT NULL, record TEXT NOT NULL, reason TEXT NOT NULL
);
"""
_CASES, _ARCHIVE = "cases", "archive"


class _Unusable(Exception):
    """The case file is not one this asin-tui can use: ``kind`` corrupt | newer."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


class CaseStore:
    """The saved cases of one profile in one marketplace: one SQLite file,
    ``cases_dir()/<profile>-<marketplace_id>.sqlite`` (0600, in a 0700 folder).

    Each SKU is one row, read and written on its own, so saving one listing's progress costs
    the same whatever the number of SKUs saved (a bulk batch of thousands saves each row as
    it goes): a write is one SQLite transaction (read-merge-write under SQLite's write lock,
    so two app instances never lose each other's updates: a whole ``CaseRecord`` is merged
    field by field into what is stored, see :func:`merge`), committed to the write-ahead log
    with an fsync before it returns (synchronous=FULL): a crash, a kill or a lost SSH session
    keeps every save that returned, and one cut short is rolled back whole, never half a
    record. The store holds nothing in memory between calls.

    Resolved, escalated and retired SKUs untouched for ``archive_after`` move, on a save, to
    the ``archive`` table (:meth:`archived`; :meth:`get` still finds them).
    A case file of an earlier asin-tui (``<profile>-<marketplace_id>.toml`` and its
    ``.archive.toml``, the TOML schema above) is imported on first use, merged SKU by SKU, and
    kept as ``<name>.imported-<UTC time>.toml``. A file that cannot be used (not a database,
    damaged, a newer asin-tui's) is moved aside as ``<name>.corrupt-<UTC time>.<ext>`` /
    ``<name>.newer-…``, what can still be read of it is carried over, and it is reported as a
    :class:`CaseStoreWarning`, never overwritten; one SKU whose saved text cannot be read is
    reported and skipped, the others are used. A ``read_only`` store (``asin-tui progress``)
    never writes, imports nor moves a file: what it cannot use is only reported.
    """

    def __init__(
        self,
        profile: str,
        marketplace_id: str,
        dir: Path | None = None,
        *,
        lock_timeout: float = LOCK_TIMEOUT,
        read_only: bool = False,
        archive_after: timedelta | None = ARCHIVE_AFTER,
    ) -> None:
        for label, name in (("profile", profile), ("marketplace id", marketplace_id)):
            if not _SAFE_NAME.fullmatch(name):
                raise ValueError(f"{label} {name!r}: use letters, digits, '-' and '_' only")
        self.path = paths.case_file(profile, marketplace_id, dir)
        self.legacy_path = paths.legacy_case_file(profile, marketplace_id, dir)
        self.legacy_archive_path = self.legacy_path.with_name(
            f"{self.legacy_path.stem}.archive.toml"
        )
        self.lock_timeout = lock_timeout
        self.read_only = read_only
        self.archive_after = archive_after
        self._warnings: list[CaseStoreWarning] = []
        self._reported: set[tuple[str, str]] = set()  # (table, sku) of unreadable rows told
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()  # one connection, used from workers' threads
        self._legacy_pending = False  # an earlier TOML file that could not be imported yet
        self._told_pending = False

    def close(self) -> None:
        """Close the file (a later call opens it again)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def load(self) -> dict[str, CaseRecord]:
        """Every SKU's case (empty if none saved yet), by SKU; archived SKUs are not in it."""
        return self._select(_CASES)

    def load_headers(self) -> dict[str, CaseRecord]:
        """As :meth:`load`, each case without its steps, patches and draft (left at their
        defaults): where each stands (step, outcome and its details), read several times
        faster — the list's Wizard column at every start, thousands of SKUs after big batches."""
        return self._select(_CASES, headers=True)

    def archived(self) -> dict[str, CaseRecord]:
        """The SKUs moved to the archive (their history)."""
        return self._select(_ARCHIVE)

    def get(self, sku: str) -> CaseRecord | None:
        """One SKU's case, from the archive when it was moved there (its history)."""
        for table in (_CASES, _ARCHIVE):
            found = self._select(table, sku=sku).get(sku)
            if found is not None:
                return found
        return None

    def update(
        self,
        sku: str,
        change: Callable[[CaseRecord], CaseRecord | None] | CaseRecord,
        *,
        check: Callable[[CaseRecord | None], None] | None = None,
    ) -> CaseRecord:
        """Save one SKU's case; returns what is now stored (the caller's to keep).

        ``change`` is either a function, given the SKU's case as it is stored (or a fresh
        one) to modify in place or replace, after which ``updated_at`` is set to now; or a
        whole ``CaseRecord``, merged field by field with the stored one (:func:`merge`).
        It runs inside the write transaction, so other instances' changes are never lost.
        ``check`` is given the stored case (None: none yet) first, in the same transaction:
        what it raises saves nothing and is raised (a claim of another asin-tui's).
        """
        if self.read_only:
            raise CaseStoreError(f"{display_path(self.path)}: opened read-only, not saved")
        with self._writing() as conn:
            stored = self._stored(conn, _CASES, sku)
            if check is not None:
                check(stored)
            if isinstance(change, CaseRecord):
                result = merge(stored, change) if stored else copy.deepcopy(change)
            else:
                current = stored or CaseRecord(sku=sku)
                result = change(current) or current
                result.touch()
            if result.sku != sku:
                raise ValueError(f"progress for {result.sku!r} cannot be saved as {sku!r}")
            _put(conn, _CASES, result)
            self._archive_old(conn)
        return result

    def open_items(self) -> list[CaseRecord]:
        """SKUs whose outcome is still open, most recently updated first."""
        return self.items({Outcome.OPEN})

    def items(
        self, outcomes: frozenset[Outcome] | set[Outcome], *, with_archive: bool = False
    ) -> list[CaseRecord]:
        """SKUs with one of ``outcomes``, most recently updated first; ``with_archive``:
        the archived ones too (the main table's copy wins)."""
        found = self._select(_CASES, outcomes=outcomes)
        if with_archive:
            found = {**self._select(_ARCHIVE, outcomes=outcomes), **found}
        return sorted(found.values(), key=lambda p: p.updated_at, reverse=True)

    def take_warnings(self) -> list[CaseStoreWarning]:
        """What could not be used since the last call (the UI shows each message once)."""
        taken, self._warnings = self._warnings, []
        return taken

    # ------------------------------------------------------------------ reading

    def _select(
        self,
        table: str,
        *,
        sku: str | None = None,
        outcomes: frozenset[Outcome] | set[Outcome] | None = None,
        headers: bool = False,
    ) -> dict[str, CaseRecord]:
        """The decoded rows of ``table`` (one SKU's, or those with one of ``outcomes``; only
        their ``headers``: see load_headers), by SKU; a row that cannot be read is reported
        once and left out."""
        query = f"SELECT sku, record FROM {table}"  # our own table names only
        params: tuple[str, ...] = ()
        if sku is not None:
            query, params = f"{query} WHERE sku = ?", (sku,)
        elif outcomes is not None:
            values = sorted(o.value for o in outcomes)
            query = f"{query} WHERE outcome IN ({', '.join('?' * len(values))})"
            params = tuple(values)
        if self.read_only:
            return self._read_only(table, query + " ORDER BY sku", params, sku, outcomes)
        with self._reading() as conn:
            rows = conn.execute(query + " ORDER BY sku", params).fetchall()
            found = {
                name: case
                for name, text in rows
                if (case := self._decoded(conn, table, name, text, headers=headers)) is not None
            }
            if self._legacy_pending:
                return self._with_legacy(found, table, sku, outcomes)
            return found

    def _decoded(
        self,
        conn: sqlite3.Connection | None,
        table: str,
        sku: str,
        text: str,
        *,
        headers: bool = False,
    ) -> CaseRecord | None:
        """One stored row as a CaseRecord (``headers``: without its steps, patches and
        draft); None (reported once) when it cannot be read."""
        try:
            data = _record_data(text)
            if headers:
                data = {k: v for k, v in data.items() if k not in _BODY}
            return _decode_sku(sku, data)
        except (tomllib.TOMLDecodeError, _Corrupt, RecursionError, ValueError) as exc:
            reason = (
                "arrays or tables nested too deeply" if isinstance(exc, RecursionError) else exc
            )
            if (table, sku) not in self._reported:
                self._reported.add((table, sku))
                self._warnings.append(
                    CaseStoreWarning(
                        f"Saved progress of {quoted(sku)} in {display_path(self.path)} could "
                        f"not be used ({visible(str(reason))}); "
                        + (
                            "it was left as it is."
                            if conn is None
                            else "it is skipped (kept as it is until new progress is saved "
                            "for it, then kept aside in the file)."
                        ),
                        None,
                    )
                )
            return None

    def _stored(self, conn: sqlite3.Connection, table: str, sku: str) -> CaseRecord | None:
        """One SKU's row, inside a write about to replace it: a row that cannot be read is
        copied to ``set_aside`` first (nothing saved is ever dropped)."""
        query = f"SELECT record FROM {table} WHERE sku = ?"
        row = conn.execute(query, (sku,)).fetchone()
        if row is None:
            return None
        stored = self._decoded(conn, table, sku, row[0])
        if stored is None:
            conn.execute(
                "INSERT INTO set_aside VALUES (?, ?, ?, ?)",
                (sku, _stamp_text(utcnow()), row[0], f"unreadable, in {table}"),
            )
        return stored

    def _read_only(
        self,
        table: str,
        query: str,
        params: tuple[str, ...],
        sku: str | None,
        outcomes: frozenset[Outcome] | set[Outcome] | None,
    ) -> dict[str, CaseRecord]:
        """A read-only store's rows: the file's (opened read-only; one it cannot use is only
        reported), merged with an earlier asin-tui's TOML file not imported yet. Files an
        older asin-tui left others could read are made private all the same (their content
        untouched: only the permissions tighten)."""
        found: dict[str, CaseRecord] = {}
        folder = self.path.parent
        make_private(folder)
        with contextlib.suppress(OSError):  # every profile's progress and the copies kept
            for path in folder.iterdir():
                make_private(path)
        if self.path.exists() or self.path.is_symlink():
            try:
                conn = _connect_read_only(self.path)
            except _Unusable as exc:
                self._report(self.path, exc.kind, str(exc), move_aside=False)
                conn = None
            except sqlite3.DatabaseError as exc:
                raise self._error("cannot read", exc) from None
            if conn is not None:
                try:
                    rows = conn.execute(query, params).fetchall()
                except sqlite3.DatabaseError as exc:
                    raise self._error("cannot read", exc) from None
                finally:
                    conn.close()
                for name, text in rows:
                    if (case := self._decoded(None, table, name, text)) is not None:
                        found[name] = case
        return self._with_legacy(found, table, sku, outcomes)

    def _with_legacy(
        self,
        found: dict[str, CaseRecord],
        table: str,
        sku: str | None,
        outcomes: frozenset[Outcome] | set[Outcome] | None,
    ) -> dict[str, CaseRecord]:
        """``found`` merged with what an earlier asin-tui's TOML file holds (not imported
        yet: a read-only store, or an import that could not be saved)."""
        legacy = self.legacy_path if table == _CASES else self.legacy_archive_path
        if legacy.exists() or legacy.is_symlink():
            for name, case in self._parse(legacy, move_aside=False).items():
                if (sku is None or name == sku) and (outcomes is None or case.outcome in outcomes):
                    found[name] = merge(found[name], case) if name in found else case
        return dict(sorted(found.items()))

    # ------------------------------------------------------------------ the file

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._open()
            except sqlite3.DatabaseError as exc:
                self._failed(exc, "cannot read")

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: SQLite's write lock, waited for up to
        ``lock_timeout``), committed when the block ends, rolled back whole when it raises."""
        with self._lock:
            conn = self._open()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                self._failed(exc, "cannot save")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.DatabaseError):
                    self._failed(exc, "cannot save")
                raise

    def _failed(self, exc: sqlite3.DatabaseError, action: str) -> NoReturn:
        """A SQLite error as a one-line CaseStoreError; a file found damaged is closed, so
        the next call sets it aside (and carries over what can be read)."""
        kind = _sqlite_kind(exc)
        if kind in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            raise CaseStoreLocked(
                f"{display_path(self.path)} is busy: another asin-tui is saving progress; "
                "try again in a moment"
            ) from None
        if kind in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
            self.close()
            self._set_aside_damaged(str(exc))
            raise CaseStoreError(
                f"{display_path(self.path)}: {action}: the file is damaged ({exc}); it was set "
                "aside, try again"
            ) from None
        raise self._error(action, exc) from None

    def _open(self) -> sqlite3.Connection:
        """The connection (opened and the schema made on first use); an earlier asin-tui's
        TOML file, when there is one, imported; a file that cannot be used is moved aside and
        a new one started."""
        if self._conn is not None:
            self._import_legacy()  # an earlier asin-tui still running may write it again
            return self._conn
        try:
            self._conn = self._connect()
        except _Unusable as exc:
            moved = self._report(self.path, exc.kind, str(exc), move_aside=True)
            try:
                self._conn = self._connect()
            except _Unusable as again:  # a fresh file it just made: cannot happen but said
                raise self._error("cannot open", again) from None
            if moved is not None:
                self._salvage(moved)
        self._import_legacy()
        return self._conn

    def _connect(self) -> sqlite3.Connection:
        try:
            ensure_private_dir(self.path.parent)
            _create_private(self.path)
        except NotRegularFile as exc:
            raise _Unusable("corrupt", exc.strerror or str(exc)) from None
        except OSError as exc:
            raise self._error("cannot open", exc) from None
        try:
            return _connect(self.path, self.lock_timeout)
        except sqlite3.DatabaseError as exc:
            kind = _sqlite_kind(exc)
            if kind in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
                raise _Unusable("corrupt", str(exc)) from None
            self._failed(exc, "cannot open")

    def _set_aside_damaged(self, reason: str) -> None:
        with contextlib.suppress(CaseStoreError):
            moved = self._report(self.path, "corrupt", reason, move_aside=True)
            if moved is not None:
                with contextlib.suppress(_Unusable):
                    self._conn = self._connect()
                    self._salvage(moved)
                    self._import_legacy()

    def _salvage(self, moved: Path) -> None:
        """Carry over what can still be read of a file set aside (a damaged file often
        still gives most of its rows)."""
        for table in (_CASES, _ARCHIVE):
            rows: list[tuple[str, str]] = []
            with contextlib.suppress(sqlite3.Error, _Unusable, OSError):
                conn = _connect_read_only(moved)
                if conn is None:
                    return
                try:
                    for row in conn.execute(f"SELECT sku, record FROM {table}"):
                        rows.append(row)
                finally:
                    conn.close()
            cases = [c for sku, text in rows if (c := self._decoded(None, table, sku, text))]
            if cases:
                self._merge_in(table, cases)

    def _import_legacy(self) -> None:
        """An earlier asin-tui's TOML files (main and archive), merged into the tables and
        then renamed ``<name>.imported-<UTC time>.toml`` (kept: nothing is deleted)."""
        self._legacy_pending = False
        for path, table in ((self.legacy_path, _CASES), (self.legacy_archive_path, _ARCHIVE)):
            if not (path.exists() or path.is_symlink()):
                continue
            try:
                items = self._parse(path)  # an unusable one is moved aside and reported
                if items:
                    self._merge_in(table, list(items.values()))
                if path.exists():
                    self._move(path, "imported")
            except CaseStoreError as exc:  # a full disk: the file stays, read as it is
                self._legacy_pending = True
                if not self._told_pending:  # one line, for the file and its archive
                    self._told_pending = True
                    self._warnings.append(
                        CaseStoreWarning(
                            f"Saved progress in {display_path(path)} not moved into "
                            f"{self.path.name} yet ({exc}); it is kept as it is and read "
                            "from there until it can be.",
                            None,
                        )
                    )

    def _merge_in(self, table: str, cases: list[CaseRecord]) -> None:
        assert self._conn is not None
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for case in cases:
                    stored = self._stored(conn, table, case.sku)
                    _put(conn, table, merge(stored, case) if stored else case)
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            self._failed(exc, "cannot save")

    def _archive_old(self, conn: sqlite3.Connection) -> None:
        """Move resolved/escalated/retired SKUs untouched for ``archive_after`` to the
        archive table (merged with what it holds)."""
        if self.archive_after is None:
            return
        cutoff = _stamp_text(utcnow() - self.archive_after)
        settled = sorted(o.value for o in SETTLED)
        rows = conn.execute(
            "SELECT sku, record FROM cases WHERE outcome IN (?, ?, ?) AND updated_at < ?",
            (*settled, cutoff),
        ).fetchall()
        for sku, text in rows:
            case = self._decoded(conn, _CASES, sku, text)
            if case is None:
                continue
            old = self._stored(conn, _ARCHIVE, sku)
            _put(conn, _ARCHIVE, merge(old, case) if old else case)
            conn.execute("DELETE FROM cases WHERE sku = ?", (sku,))

    # ------------------------------------------------------------------ earlier TOML files

    def _parse(self, path: Path, *, move_aside: bool | None = None) -> dict[str, CaseRecord]:
        """A TOML case file's SKUs (empty if there is none); an unusable file is set aside,
        or only reported when ``move_aside`` is False (default: unless read-only)."""
        move_aside = not self.read_only if move_aside is None else move_aside
        try:
            raw = read_regular_file(path, limit=MAX_LEGACY_BYTES)
        except FileNotFoundError:
            return {}
        except (NotRegularFile, FileTooLarge) as exc:
            self._report(path, "corrupt", exc.strerror or str(exc), move_aside)
            return {}
        except OSError as exc:
            raise self._error("cannot read", exc, path) from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            self._report(path, "corrupt", f"not valid TOML: {exc}", move_aside)
            return {}
        except RecursionError:
            reason = "not valid TOML: arrays or tables nested too deeply"
            self._report(path, "corrupt", reason, move_aside)
            return {}
        version = data.get("schema_version")
        if _is_int(version) and version > SCHEMA_VERSION:
            reason = f"written by a newer asin-tui, schema_version {version}"
            self._report(path, "newer", reason, move_aside)
            return {}
        try:
            return _decode(data)
        except _Corrupt as exc:
            self._report(path, "corrupt", str(exc), move_aside)
            return {}

    def _report(self, path: Path, kind: str, reason: str, move_aside: bool) -> Path | None:
        """Move an unusable file out of the way (or, read-only, leave it) and keep a
        warning; where it went (None: left)."""
        where = f"Saved progress in {display_path(path)} could not be used ({reason})"
        if not move_aside:
            self._warnings.append(CaseStoreWarning(f"{where}; it was left as it is.", None))
            return None
        target = self._move(path, kind)
        self._warnings.append(
            CaseStoreWarning(
                f"{where}; it was kept as {target.name} and progress starts afresh.",
                moved_to=target,
            )
        )
        return target

    def _move(self, path: Path, kind: str) -> Path:
        """Rename ``path`` to ``<stem>.<kind>-<UTC time>[-n]<suffix>`` beside it (a SQLite
        file with its write-ahead log, which holds saves not yet in the file itself)."""
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.stem}.{kind}-{stamp}{path.suffix}")
        counter = 1
        while target.exists():
            counter += 1
            target = path.with_name(f"{path.stem}.{kind}-{stamp}-{counter}{path.suffix}")
        try:
            os.replace(path, target)
            if path == self.path:
                wal = path.with_name(path.name + "-wal")
                if wal.exists():
                    os.replace(wal, target.with_name(target.name + "-wal"))
                path.with_name(path.name + "-shm").unlink(missing_ok=True)
        except OSError as exc:
            raise self._error("cannot move aside", exc, path) from None
        make_private(target)  # account data: 0600 even if the file was made by hand
        fsync_dir(path.parent)
        return target

    def _error(self, action: str, exc: Exception, path: Path | None = None) -> CaseStoreError:
        where = display_path(path or self.path)
        if isinstance(exc, sqlite3.Error):
            kind = _sqlite_kind(exc)
            return CaseStoreError(f"{where}: {action}: {_REASONS.get(kind or '', exc)}")
        if isinstance(exc, OSError):
            return CaseStoreError(f"{where}: {action}: {exc.strerror or exc}")
        return CaseStoreError(f"{where}: {action}: {exc}")


# ---------------------------------------------------------------------- SQLite


def _create_private(path: Path) -> None:
    """Create the file 0600 before SQLite opens it (its -wal and -shm take its mode); an
    existing one must be a regular file (a FIFO would hang SQLite) and is made private."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE))
    check_own_file(path)  # a symbolic link is never followed: set aside as a FIFO is
    make_private_files(path)


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    """A read-write connection: write-ahead log, every commit fsynced, the tables made."""
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        enable_wal(conn, timeout)
        conn.execute("PRAGMA synchronous=FULL")  # a save that returned survives a power cut
        if _checked_version(conn) is None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if _checked_version(conn) is None:  # another process may have won the race
                    for statement in _TABLES.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {DB_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
    except BaseException:
        conn.close()
        raise
    return conn


def _connect_read_only(path: Path) -> sqlite3.Connection | None:
    """Open the file only to read it (cache.connect_read_only); None for an empty one;
    _Unusable when it is not a case file."""
    try:
        check_regular_file(path)
    except NotRegularFile as exc:
        raise _Unusable("corrupt", exc.strerror or str(exc)) from None

    def progress(conn: sqlite3.Connection) -> bool:
        try:
            return _checked_version(conn) is not None  # None: created, never written
        except sqlite3.DatabaseError as exc:
            if _sqlite_kind(exc) in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
                raise _Unusable("corrupt", str(exc)) from None
            raise

    return connect_read_only(path, progress)


def _checked_version(conn: sqlite3.Connection) -> int | None:
    """The file's version (None: an empty file, no tables yet); _Unusable when it is not
    an asin-tui case file or a newer asin-tui wrote it."""
    # One statement, so one snapshot: read apart, another process making the file could commit
    # its tables and version between the two reads (no tables, then the version), and this
    # process would set a good file aside as damaged (and lose what the other then wrote).
    version, names = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " (SELECT group_concat(name, ',') FROM sqlite_master WHERE type = 'table')"
    ).fetchone()
    tables = set(names.split(",")) if names else set()
    if not tables and not version:
        return None
    if version > DB_VERSION:
        raise _Unusable("newer", f"written by a newer asin-tui, version {version}")
    if version != DB_VERSION or not {_CASES, _ARCHIVE, "set_aside"} <= tables:
        raise _Unusable("corrupt", "not an asin-tui progress file")
    return int(version)


def _stamp_text(moment: datetime) -> str:
    """A time as the ``updated_at`` column keeps it: UTC, fixed width (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _put(conn: sqlite3.Connection, table: str, case: CaseRecord) -> None:
    """Store one SKU's case (its row replaced)."""
    conn.execute(
        f"INSERT OR REPLACE INTO {table} (sku, outcome, updated_at, record) VALUES (?, ?, ?, ?)",
        (case.sku, case.outcome.value, _stamp_text(case.updated_at), _sku_text(case)),
    )


def _sku_text(case: CaseRecord) -> str:
    """One SKU's case as its table of the schema above, as JSON (the ``record`` column; its
    times ISO 8601 text): read 50 times faster than the same table as TOML, which matters to
    every read of thousands of SKUs (the list's Wizard column at start, each sync's re-check).
    What the seller typed is kept as :func:`saved_text` has it: never a secret."""
    table = _encode_sku(case, _keeper(case))
    return json.dumps(table, ensure_ascii=False, separators=(",", ":"), default=_iso)


def typed_texts(case: CaseRecord) -> dict[str, str]:
    """What the seller typed into a case, by where it is (each step's notes, each checklist
    item's note, why a listing stays inactive): the text a pasted secret can be in."""
    texts = {"outcome_reason": case.outcome_reason}
    for name, step in case.steps.items():
        texts[name.value] = step.notes
        texts |= {f"{name.value}: {item.item}": item.note for item in step.checklist}
    return {where: text for where, text in texts.items() if text}


def saved_text(text: str, secrets: Sequence[str | None] | None = None) -> str:
    """``text`` as a progress file keeps it: every LWA token and client secret masked as
    ``[redacted]`` (``domain.redact``: tokens and secrets by their shape, and ``secrets``, by
    default the ones the environment and the config hold, in every encoding they travel in).
    Secrets never reach a progress file, even pasted into a note."""
    if not text:
        return text
    if secrets is None:
        from asin_tui.store.crash import known_secrets  # reads the config: only for typed text

        secrets = known_secrets()
    return redact(text, secrets)


def masked_texts(case: CaseRecord) -> frozenset[str]:
    """Where the seller typed something into ``case`` that is saved with a secret masked
    (the keys of :func:`typed_texts`), so the wizard can say so."""
    keep = _keeper(case)
    return frozenset(where for where, text in typed_texts(case).items() if keep(text) != text)


def _keeper(case: CaseRecord) -> Callable[[str], str]:
    """:func:`saved_text` with the known secrets read once, and only when the case holds
    typed text (a bulk batch's thousands of saves read no config)."""
    if not typed_texts(case):
        return saved_text
    from asin_tui.store.crash import known_secrets

    secrets = known_secrets()
    return lambda text: saved_text(text, secrets)


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not part of a saved case")


def _record_data(text: str) -> dict[str, Any]:
    """A ``record`` column's table: JSON (its times read back as datetimes), or TOML text
    (rows the first SQLite files kept)."""
    if not text.startswith("{"):
        return tomllib.loads(text)
    data = json.loads(text)
    if not isinstance(data, dict):
        raise _Corrupt("expected a JSON object")
    _times(
        data,
        ("started_at", "updated_at", *(k for k, t in _OUTCOME_DETAILS.items() if t is datetime)),
    )
    for step in _dicts(data.get("steps"), values=True):
        _times(step, ("updated_at",))
        for item in _dicts(step.get("checklist")):
            _times(item, ("updated_at",))
    for draft in _dicts([data.get("draft")]):
        _times(draft, ("updated_at",))
    for patch in _dicts(data.get("patches")):
        _times(patch, ("submitted_at",))
    return data


def _dicts(value: object, *, values: bool = False) -> list[dict[str, Any]]:
    """The tables in a list (or, ``values``, a table's values); nothing for another shape (the
    strict decoder then says what is wrong)."""
    if values:
        value = list(value.values()) if isinstance(value, dict) else []
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _times(table: dict[str, Any], keys: tuple[str, ...]) -> None:
    """ISO 8601 text at ``keys`` as datetimes (text that is none is left: 'expected datetime')."""
    for key in keys:
        value = table.get(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                table[key] = datetime.fromisoformat(value)


# ---------------------------------------------------------------------- encoding


def _encode(items: dict[str, CaseRecord]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "skus": {sku: _encode_sku(items[sku], _keeper(items[sku])) for sku in sorted(items)},
    }


def _encode_sku(case: CaseRecord, keep: Callable[[str], str]) -> dict[str, Any]:
    table: dict[str, Any] = {
        "current_step": case.current_step.value,
        "outcome": case.outcome.value,
        "started_at": case.started_at,
        "updated_at": case.updated_at,
    }
    if case.case_draft_path:
        table["case_draft_path"] = case.case_draft_path
    for key in _OUTCOME_DETAILS:
        if value := getattr(case, key):
            table[key] = keep(value) if key == "outcome_reason" else value
    steps = {step.value: _encode_step(case.steps[step], keep) for step in WizardStep}
    if touched := {name: step for name, step in steps.items() if step != _UNTOUCHED_STEP}:
        table["steps"] = touched
    if case.patches:
        table["patches"] = [_encode_patch(patch) for patch in case.patches]
    if case.draft is not None:
        table["draft"] = _encode_draft(case.draft)
    return table


def _encode_step(step: StepRecord, keep: Callable[[str], str]) -> dict[str, Any]:
    """A step's table; the keys left at their defaults are left out."""
    table: dict[str, Any] = {"status": step.status.value}
    if step.notes:
        table["notes"] = keep(step.notes)
    if step.updated_at:
        table["updated_at"] = step.updated_at
    if step.checklist:
        table["checklist"] = [_encode_item(item, keep) for item in step.checklist]
    return table


def _encode_item(item: ChecklistTick, keep: Callable[[str], str]) -> dict[str, Any]:
    table: dict[str, Any] = {"item": item.item, "done": item.done, "note": keep(item.note)}
    if item.updated_at:
        table["updated_at"] = item.updated_at
    return table


def _encode_draft(draft: DraftRecord) -> dict[str, Any]:
    """The draft's table: only the keys that are set."""
    table = {key: getattr(draft, key) for key in _DRAFT_SCALARS if getattr(draft, key) is not None}
    if draft.attributes:
        table["attributes"] = dict(draft.attributes)
    if draft.updated_at:
        table["updated_at"] = draft.updated_at
    return table


_UNTOUCHED_STEP = _encode_step(StepRecord(), saved_text)


def _encode_patch(patch: PatchRecord) -> dict[str, Any]:
    table: dict[str, Any] = {
        "submitted_at": patch.submitted_at,
        "mode": patch.mode.value,
        "patches": json.dumps(patch.patches, ensure_ascii=False),
        "status": patch.status,
        "issues": json.dumps(patch.issues, ensure_ascii=False),
    }
    if patch.submission_id:
        table["submission_id"] = patch.submission_id
    return table


# ---------------------------------------------------------------------- decoding


class _Corrupt(ValueError):
    """The file parses as TOML but does not follow the schema; the message says where."""


_Value = TypeVar("_Value")
_REQUIRED: Any = object()


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


#: Deepest JSON a saved patch or issue list may hold: Amazon's are a few levels deep, and a
#: hand-made deeper one would break copying and writing the progress (RecursionError).
MAX_JSON_NESTING = 64


class _Table:
    """A TOML table read strictly: every key known, every value of its type."""

    def __init__(self, data: object, where: str, keys: tuple[str, ...] | None) -> None:
        """``keys``: the keys allowed (None: any, e.g. attribute names)."""
        if not isinstance(data, dict):
            raise _Corrupt(f"{where}: expected a table")
        if keys is not None and (unknown := sorted(set(data) - set(keys))):
            raise _Corrupt(f"{where}: unknown key {unknown[0]!r}")
        self.data, self.where = data, where

    def get(self, key: str, kind: type[_Value], default: Any = _REQUIRED) -> _Value:
        if key not in self.data:
            if default is _REQUIRED:
                raise _Corrupt(f"{self.where}.{key}: missing")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise _Corrupt(f"{self.where}.{key}: expected {kind.__name__}")
        return value

    def enum(self, key: str, kind: type[_Value]) -> _Value:
        value = self.get(key, str)
        try:
            return kind(value)  # type: ignore[call-arg]  # kind is an Enum class: it takes its value
        except ValueError:
            raise _Corrupt(f"{self.where}.{key}: unknown value {value!r}") from None

    def time(self, key: str, default: Any = _REQUIRED) -> datetime:
        value = self.get(key, datetime, default)
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)  # a hand-edited local time: read as UTC

    def json_list(self, key: str) -> list[dict[str, Any]]:
        try:
            value = json.loads(self.get(key, str))
        except (json.JSONDecodeError, RecursionError):
            raise _Corrupt(f"{self.where}.{key}: not JSON") from None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise _Corrupt(f"{self.where}.{key}: expected a JSON list of objects")
        if json_nesting(value, MAX_JSON_NESTING) > MAX_JSON_NESTING:
            raise _Corrupt(f"{self.where}.{key}: JSON nested too deeply")
        return value

    def array(self, key: str) -> list[Any]:
        return self.get(key, list, [])


def _decode(data: dict[str, Any]) -> dict[str, CaseRecord]:
    root = _Table(data, "file", ("schema_version", "skus"))
    version = root.get("schema_version", int)
    if version < 1:
        raise _Corrupt(f"schema_version: unknown version {version}")
    skus = root.get("skus", dict, {})
    return {sku: _decode_sku(sku, table) for sku, table in skus.items()}


#: The optional keys that say how a case stands (set with ``CaseRecord.set_outcome``).
_OUTCOME_DETAILS: dict[str, type] = {
    "outcome_at": datetime,
    "waiting_for": str,
    "recheck_at": datetime,
    "outcome_reason": str,
    "resolved_state": str,
    "checked_at": datetime,
    "check_note": str,
}
#: A SKU's tables that load_headers leaves out.
_BODY = frozenset({"steps", "patches", "draft"})
_SKU_KEYS = (
    "current_step",
    "outcome",
    "started_at",
    "updated_at",
    "case_draft_path",
    "steps",
    "patches",
    "draft",
    *_OUTCOME_DETAILS,
)
_DRAFT_SCALARS: dict[str, type] = {
    "stock_action": str,
    "mfn_quantity": int,
    "handling_time": int,
    "price": str,
    "minimum": str,
    "maximum": str,
}


def _decode_sku(sku: str, data: object) -> CaseRecord:
    table = _Table(data, f"skus.{json.dumps(sku, ensure_ascii=False)}", _SKU_KEYS)
    steps_table = _Table(
        table.get("steps", dict, {}), f"{table.where}.steps", tuple(s.value for s in WizardStep)
    )
    steps = _all_steps()
    for name, step in steps_table.data.items():
        steps[WizardStep(name)] = _decode_step(step, f"{steps_table.where}.{name}")
    patches = table.array("patches")
    details: dict[str, Any] = {
        key: table.time(key, None) if kind is datetime else table.get(key, kind, "")
        for key, kind in _OUTCOME_DETAILS.items()
    }
    return CaseRecord(
        sku=sku,
        current_step=table.enum("current_step", WizardStep),
        steps=steps,
        patches=[_decode_patch(p, f"{table.where}.patches[{i}]") for i, p in enumerate(patches)],
        outcome=table.enum("outcome", Outcome),
        case_draft_path=table.get("case_draft_path", str, None),
        draft=_decode_draft(table.data["draft"], f"{table.where}.draft")
        if "draft" in table.data
        else None,
        started_at=table.time("started_at"),
        updated_at=table.time("updated_at"),
        **details,
    )


def _decode_step(data: object, where: str) -> StepRecord:
    table = _Table(data, where, ("status", "notes", "updated_at", "checklist"))
    checklist = []
    for i, entry in enumerate(table.array("checklist")):
        item = _Table(entry, f"{where}.checklist[{i}]", ("item", "done", "note", "updated_at"))
        checklist.append(
            ChecklistTick(
                item.get("item", str),
                item.get("done", bool),
                item.get("note", str, ""),
                item.time("updated_at", None),
            )
        )
    return StepRecord(
        status=table.enum("status", StepStatus),
        notes=table.get("notes", str, ""),
        checklist=checklist,
        updated_at=table.time("updated_at", None),
    )


def _decode_draft(data: object, where: str) -> DraftRecord:
    table = _Table(data, where, (*_DRAFT_SCALARS, "attributes", "updated_at"))
    attributes = _Table(table.get("attributes", dict, {}), f"{where}.attributes", None)
    values = {name: attributes.get(name, str) for name in attributes.data}
    return DraftRecord(
        **{key: table.get(key, kind, None) for key, kind in _DRAFT_SCALARS.items()},
        attributes=values,
        updated_at=table.time("updated_at", None),
    )


def _decode_patch(data: object, where: str) -> PatchRecord:
    table = _Table(
        data, where, ("submitted_at", "mode", "patches", "status", "submission_id", "issues")
    )
    return PatchRecord(
        submitted_at=table.time("submitted_at"),
        mode=table.enum("mode", PatchMode),
        patches=table.json_list("patches"),
        status=table.get("status", str),
        submission_id=table.get("submission_id", str, None),
        issues=table.json_list("issues"),
    )
