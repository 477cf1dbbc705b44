"""The reactivation wizard's saved cases: one TOML file per profile and marketplace.

``cases_dir()/<profile>-<marketplace_id>.toml`` (schema_version 2; version 1 files, which
have no outcome details, are read as they are)::

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

It never holds a secret. Writes are atomic and made under an advisory lock (store/filelock.py:
on ``<file>.lock``) as read-merge-write, so two app instances never lose each other's
updates: a whole ``CaseRecord`` is merged field by field into what is on disk (see
:func:`merge`). A file that cannot be read (bad TOML, wrong types) or that a newer asin-tui wrote
is moved aside to ``<name>.corrupt-<UTC time>.toml`` / ``<name>.newer-<UTC time>.toml``
and reported as a :class:`CaseStoreWarning`, never overwritten.
"""

from __future__ import annotations

import copy
import glob
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeGuard, TypeVar

import tomli_w

from asin_tui.domain.models import Issue, StepStatus, WizardStep
from asin_tui.store import paths
from asin_tui.store.atomic import (
    NotRegularFile,
    atomic_write_text,
    ensure_private_dir,
    fsync_dir,
    json_nesting,
    read_regular_file,
)
from asin_tui.store.config import display_path
from asin_tui.store.filelock import exclusive_lock

SCHEMA_VERSION = 2
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
    """Another asin-tui holds the case file's lock for too long."""


class CaseStoreWarning(UserWarning):
    """A case file could not be used (and was moved aside, unless the store is read-only);
    ``str()`` is the message to show the user."""

    def __init__(self, message: str, moved_to: Path | None) -> None:
        super().__init__(message)
        self.moved_to = moved_to


@dataclass
class _Cached:
    """The file as this store last read or wrote it: reused while nobody else wrote since."""

    stamp: tuple[int, int, int] | None  # inode, size, mtime (ns); None: no file
    items: dict[str, CaseRecord]
    chunks: dict[str, str] = field(default_factory=dict)  # each SKU's TOML, as written


class CaseStore:
    """The saved cases of one profile in one marketplace.

    Resolved and escalated SKUs untouched for ``archive_after`` are moved, on the next save,
    to ``<name>.archive.toml`` (same schema), so the file read and written on every save
    stays small. The store keeps what it last read or wrote and reuses it while the file's
    stamp is unchanged (another instance's write changes it), and re-encodes only the SKU
    being saved. A ``read_only`` store (``asin-tui progress``) takes no lock and never moves
    a file aside: an unusable file is only reported.
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
        self.archive_path = self.path.with_name(f"{self.path.stem}.archive.toml")
        self.lock_timeout = lock_timeout
        self.read_only = read_only
        self.archive_after = archive_after
        self._warnings: list[CaseStoreWarning] = []
        self._cache: _Cached | None = None

    def load(self) -> dict[str, CaseRecord]:
        """Every SKU's case (empty if none saved yet); archived SKUs are not in it."""
        if self.read_only:
            return self._parse(self.path)
        if self._stamp(self.path) is None:
            # nothing saved yet: nothing to read or set aside, so no lock to take (its
            # library costs every start of the app a few ms, for a file most accounts lack)
            return {}
        with self._locked():
            items = self._read()
            return copy.deepcopy({sku: items[sku] for sku in sorted(items)})

    def archived(self) -> dict[str, CaseRecord]:
        """The SKUs moved to the archive file (read only: a bad archive is only reported)."""
        return self._parse(self.archive_path, move_aside=False)

    def get(self, sku: str) -> CaseRecord | None:
        """One SKU's case, from the archive when it was moved there (its history)."""
        if self.read_only:
            found = self.load().get(sku)
        else:
            with self._locked():
                found = copy.deepcopy(self._read().get(sku))
        return found if found is not None else self.archived().get(sku)

    def update(
        self, sku: str, change: Callable[[CaseRecord], CaseRecord | None] | CaseRecord
    ) -> CaseRecord:
        """Save one SKU's case; returns what is now stored.

        ``change`` is either a function, given the SKU's case as it is on disk (or a
        fresh one) to modify in place or replace, after which ``updated_at`` is set to now;
        or a whole ``CaseRecord``, merged field by field with the one on disk (:func:`merge`).
        The file is re-read under the lock, so other SKUs (and other instances' changes)
        are kept.
        """
        if self.read_only:
            raise CaseStoreError(f"{display_path(self.path)}: opened read-only, not saved")
        with self._locked():
            items = self._read()
            stored = items.get(sku)
            try:
                if isinstance(change, CaseRecord):
                    result = merge(stored, change) if stored else copy.deepcopy(change)
                else:
                    current = copy.deepcopy(stored) if stored else CaseRecord(sku=sku)
                    result = change(current) or current
                    result.touch()
                if result.sku != sku:
                    raise ValueError(f"progress for {result.sku!r} cannot be saved as {sku!r}")
            except BaseException:
                self._cache = None  # ``change`` may have left the cached copy half changed
                raise
            items[sku] = result
            self._write(items, changed=sku)
            return copy.deepcopy(result)

    def open_items(self) -> list[CaseRecord]:
        """SKUs whose outcome is still open, most recently updated first."""
        return self.items({Outcome.OPEN})

    def items(
        self, outcomes: frozenset[Outcome] | set[Outcome], *, with_archive: bool = False
    ) -> list[CaseRecord]:
        """SKUs with one of ``outcomes``, most recently updated first; ``with_archive``:
        the archived ones too (the main file's copy wins)."""
        found = {**self.archived(), **self.load()} if with_archive else self.load()
        items = [p for p in found.values() if p.outcome in outcomes]
        return sorted(items, key=lambda p: p.updated_at, reverse=True)

    def take_warnings(self) -> list[CaseStoreWarning]:
        """Files moved aside since the last call (the UI shows each message once)."""
        taken, self._warnings = self._warnings, []
        return taken

    # ------------------------------------------------------------------ file access

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with ExitStack() as stack:
            try:
                ensure_private_dir(self.path.parent)
                stack.enter_context(exclusive_lock(self.path, self.lock_timeout))
            except TimeoutError:  # before OSError: TimeoutError is one
                raise CaseStoreLocked(
                    f"{display_path(self.path)} is busy: another asin-tui is saving "
                    "progress; try again in a moment"
                ) from None
            except OSError as exc:
                raise self._error("cannot open", exc) from None
            yield

    def _read(self) -> dict[str, CaseRecord]:
        """The main file's SKUs (under the lock): what this store last read or wrote while
        the file is unchanged, else parsed afresh."""
        stamp = self._stamp(self.path)
        if self._cache is None or self._cache.stamp != stamp:
            items = self._parse(self.path) if stamp is not None else {}
            self._cache = _Cached(self._stamp(self.path), items)
        return self._cache.items

    def _stamp(self, path: Path) -> tuple[int, int, int] | None:
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._error("cannot read", exc, path) from None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _parse(self, path: Path, *, move_aside: bool | None = None) -> dict[str, CaseRecord]:
        """A case file's SKUs (empty if there is none); an unusable file is set aside,
        or only reported when ``move_aside`` is False (default: unless read-only)."""
        move_aside = not self.read_only if move_aside is None else move_aside
        try:
            raw = read_regular_file(path)
        except FileNotFoundError:
            return {}
        except NotRegularFile as exc:
            return self._unusable(path, "corrupt", exc.strerror or str(exc), move_aside)
        except OSError as exc:
            raise self._error("cannot read", exc, path) from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            return self._unusable(path, "corrupt", f"not valid TOML: {exc}", move_aside)
        except RecursionError:
            reason = "not valid TOML: arrays or tables nested too deeply"
            return self._unusable(path, "corrupt", reason, move_aside)
        version = data.get("schema_version")
        if _is_int(version) and version > SCHEMA_VERSION:
            reason = f"written by a newer asin-tui, schema_version {version}"
            return self._unusable(path, "newer", reason, move_aside)
        try:
            return _decode(data)
        except _Corrupt as exc:
            return self._unusable(path, "corrupt", str(exc), move_aside)

    def _write(self, items: dict[str, CaseRecord], *, changed: str) -> None:
        """Write ``items`` (SKUs old enough go to the archive first); only ``changed`` and
        SKUs not encoded yet are encoded, the others' text is reused."""
        chunks = self._cache.chunks if self._cache and self._cache.items is items else {}
        chunks.pop(changed, None)
        try:
            self._archive_old(items, chunks)
            # Under the lock, a temp file of ours can only be left by a writer that died.
            for stale in self.path.parent.glob(f".{glob.escape(self.path.name)}.*.tmp"):
                stale.unlink(missing_ok=True)
            for sku in items.keys() - chunks.keys():
                chunks[sku] = tomli_w.dumps({"skus": {sku: _encode_sku(items[sku])}})
            text = f"schema_version = {SCHEMA_VERSION}\n" + "".join(
                f"\n{chunks[sku]}" for sku in sorted(items)
            )
            atomic_write_text(self.path, text)
            self._cache = _Cached(self._stamp(self.path), items, chunks)
        except OSError as exc:
            self._cache = None
            raise self._error("cannot save", exc) from None

    def _archive_old(self, items: dict[str, CaseRecord], chunks: dict[str, str]) -> None:
        """Move resolved/escalated SKUs untouched for ``archive_after`` to the archive file
        (merged with what it holds), out of ``items``."""
        if self.archive_after is None:
            return
        cutoff = utcnow() - self.archive_after
        old = [sku for sku, p in items.items() if p.outcome in SETTLED and p.updated_at < cutoff]
        if not old:
            return
        archive = self._parse(self.archive_path)
        for sku in old:
            case = items.pop(sku)
            chunks.pop(sku, None)
            archive[sku] = merge(archive[sku], case) if sku in archive else case
        atomic_write_text(self.archive_path, tomli_w.dumps(_encode(archive)))

    def _unusable(
        self, path: Path, kind: str, reason: str, move_aside: bool
    ) -> dict[str, CaseRecord]:
        """Move an unusable file out of the way (or, read-only, leave it), keep a warning,
        and start empty."""
        where = f"Saved progress in {display_path(path)} could not be used ({reason})"
        if not move_aside:
            self._warnings.append(CaseStoreWarning(f"{where}; it was left as it is.", None))
            return {}
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.stem}.{kind}-{stamp}.toml")
        counter = 1
        while target.exists():
            counter += 1
            target = path.with_name(f"{path.stem}.{kind}-{stamp}-{counter}.toml")
        try:
            os.replace(path, target)
        except OSError as exc:
            raise self._error("cannot move aside", exc, path) from None
        fsync_dir(path.parent)
        self._warnings.append(
            CaseStoreWarning(
                f"{where}; it was kept as {target.name} and progress starts afresh.",
                moved_to=target,
            )
        )
        return {}

    def _error(self, action: str, exc: OSError, path: Path | None = None) -> CaseStoreError:
        where = display_path(path or self.path)
        return CaseStoreError(f"{where}: {action}: {exc.strerror or exc}")


# ---------------------------------------------------------------------- encoding


def _encode(items: dict[str, CaseRecord]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "skus": {sku: _encode_sku(items[sku]) for sku in sorted(items)},
    }


def _encode_sku(case: CaseRecord) -> dict[str, Any]:
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
            table[key] = value
    steps = {step.value: _encode_step(case.steps[step]) for step in WizardStep}
    if touched := {name: step for name, step in steps.items() if step != _UNTOUCHED_STEP}:
        table["steps"] = touched
    if case.patches:
        table["patches"] = [_encode_patch(patch) for patch in case.patches]
    if case.draft is not None:
        table["draft"] = _encode_draft(case.draft)
    return table


def _encode_step(step: StepRecord) -> dict[str, Any]:
    """A step's table; the keys left at their defaults are left out."""
    table: dict[str, Any] = {"status": step.status.value}
    if step.notes:
        table["notes"] = step.notes
    if step.updated_at:
        table["updated_at"] = step.updated_at
    if step.checklist:
        table["checklist"] = [_encode_item(item) for item in step.checklist]
    return table


def _encode_item(item: ChecklistTick) -> dict[str, Any]:
    table: dict[str, Any] = {"item": item.item, "done": item.done, "note": item.note}
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


_UNTOUCHED_STEP = _encode_step(StepRecord())


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
