"""The batch engine: validate, apply and verify one set of values per listing, resumably.

The API the bulk wizard (TUI) and ``asin-tui fix`` use; headless (no Textual), meant for
workers. One run over the listings of an ``AccountService``::

    engine = BulkFix(service, progress=callback)      # callback(BulkProgress): counts, ETA
    rows = [BulkRow("SKU-1", {"quantity": "12"}), BulkRow("SKU-2", {"brand": "Acme"})]
    results = await engine.validate(rows)            # every row: local check, then
                                                     # patchListingsItem VALIDATION_PREVIEW
    ready = [r for r in results if r.valid]          # confirm these with the seller first
    results = await engine.apply(ready)              # submit, then verify each listing
    await engine.recheck(results, wait=30)           # optional: wait for Amazon to process

**Rows.** A ``BulkRow`` names the SKU and its values by column (``quantity``,
``handling_time``, ``price`` or an attribute of the product type schema) as text; '' leaves a
value. Each row is checked against the schema and made into patches by the wizard's own
code (``domain.bulk.draft_row`` → ``domain.wizard.draft_patches``); a row the schema rejects
or whose values cannot fix the listing is INVALID without a call. ``BulkFix.check`` does that
local part alone (a file can be refused before anything is sent).

**Calls.** Rows run ``concurrency`` at a time through the client's rate limiter (the
published patchListingsItem plan, 5/s burst 5), so a batch goes at Amazon's rate and no
faster. A row whose call still fails after the client's retries is tried again up to
``row_tries`` times, a little later; then it is reported FAILED with the reason — never
dropped. Results come back in the order of the rows; only compact results are kept (no raw
answers), and plans are built as rows are taken, so memory does not grow with the raw data.

**Resuming.** Every real submit is saved in the wizard's case store (store/cases.py)
as SUBMITTING *before* the call — right as its request is about to leave, its rate token
had (the client's ``on_send``: rows waiting for Amazon's rate are not "sent") — and settled with Amazon's answer (status, submission id)
after it — in the same save as what the listing's re-read then found (two saves a row: the
states a resume needs) — so a batch killed at any point (a crash, Ctrl-C, a lost SSH session) can be run
again with the same rows: a row whose same patches Amazon already ACCEPTED is not sent again
(its submission id is reported); a row caught between the call and the save is re-read with
getListingsItem first — if the listing shows the change it is settled as accepted, if it
does not and the submit is recent (Amazon may still be processing it: ``resend_after``) it is
HELD, not sent; only an older one that never showed is sent again. A submit that gets no
answer in the run itself (a timeout, a 5xx: Amazon may have taken it) is never resent blind,
by the client or here: the listing is re-read at once and the row settled if it shows the
change; otherwise (or when that re-read fails too) it is saved as NO_ANSWER and HELD, and the
next run goes through the same re-read before any resend. A row whose every try Amazon
refused with 429 (THROTTLED: none processed) is sent again by the next run without a
re-read; that resend, like any, is saved as SUBMITTING (with its own time) before the call.

**Verify.** Each accepted row is re-read at once (one getListingsItem, ``service.reread``);
Amazon applies a patch later, so a listing that does not show it yet is WAITING on Amazon,
saved as the wizard's "waiting on Amazon" outcome (``domain.outcomes``) that every sync
re-checks; one back on sale is FIXED (resolved), one processed that still needs attention
NOT_FIXED (its main cause). ``recheck`` looks again at the waiting ones until they settle.
"""

from __future__ import annotations

import asyncio
import copy
import csv
import functools
import io
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol, TextIO, TypeVar

from asin_tui.domain.bulk import SKU, RowDraft, RowOutcome, draft_row
from asin_tui.domain.change_words import all_unchanged
from asin_tui.domain.models import MAX_SKU, Diagnosis, Evidence, StepStatus, WizardStep
from asin_tui.domain.outcomes import (
    PROCESSING,
    WAIT_FOR,
    OutcomeKind,
    PendingPatch,
    outcome_options,
    processing,
)
from asin_tui.domain.text import quoted, quoted_short, value_controls, visible
from asin_tui.domain.wizard import build_plan
from asin_tui.render import spreadsheet_value
from asin_tui.service import SubmissionResult, UnknownSku
from asin_tui.spapi.errors import AuthError, SpApiError, Throttled
from asin_tui.spapi.ratelimit import PUBLISHED_PLANS
from asin_tui.store.atomic import FileTooLarge, NotRegularFile, read_regular_file
from asin_tui.store.cases import (
    NO_ANSWER,
    SUBMITTING,
    CaseRecord,
    CaseStore,
    CaseStoreError,
    ClaimedElsewhere,
    Outcome,
    PatchMode,
    PatchRecord,
    claim_of,
    issue_record,
    same_record,
    same_submit,
)

__all__ = [
    "NO_ANSWER",
    "BadCsv",
    "BulkFix",
    "BulkProgress",
    "BulkRow",
    "CsvTable",
    "RowOutcome",
    "RowResult",
    "read_csv",
]

#: How long a submit without a recorded answer may still be processing at Amazon (which
#: applies patches within minutes): until then a resumed batch holds it rather than resend.
RESEND_AFTER = timedelta(minutes=15)
#: PatchRecord.status of a real submit Amazon refused with 429 on every try: never processed.
THROTTLED = "THROTTLED"
ROW_TRIES = 3  # calls a row gets (each with the client's own retries) before it is FAILED
ROW_PAUSE = 5.0  # seconds (Amazon time) before a row that gave up is tried again
CONCURRENCY = 10
RECHECK_EVERY = 5.0  # seconds between looks at listings Amazon is still processing

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class BulkRow:
    """One listing's values: column → text ('' leaves it); ``line``: where it came from (a
    CSV line, a grid row) for messages."""

    sku: str
    values: Mapping[str, str]
    line: int | None = None


class RowResult:
    """What became of one row. ``preview``: Amazon's VALIDATION_PREVIEW answer (VALID /
    INVALID; None when the row was refused before any call or the call failed).

    Compact, so a batch's memory stays flat in its rows (a caller keeps one per row, the
    bulk grid for the whole session): slots, the row's patches and issues kept as compact
    JSON text (read back as lists of dicts on each access: each a new copy, the caller's to
    change), its changes as a tuple of strings; no request or response is kept."""

    __slots__ = (
        "_issues",
        "_patches",
        "changes",
        "line",
        "outcome",
        "preview",
        "reason",
        "resumed",
        "sku",
        "state_after",
        "submission_id",
        "submitted",
    )

    def __init__(
        self,
        sku: str,
        line: int | None = None,
        *,
        patches: Sequence[Mapping[str, Any]] = (),
        changes: Sequence[str] = (),
        preview: str | None = None,
        issues: Sequence[Mapping[str, Any]] = (),
        submitted: bool = False,
        submission_id: str | None = None,
        state_after: str | None = None,
        outcome: RowOutcome = RowOutcome.INVALID,
        reason: str = "",  # why it failed, is held or is not fixed; what a re-check found
        resumed: bool = False,  # an earlier run had submitted it: not sent again
    ) -> None:
        self.sku, self.line = sku, line
        self.patches = patches
        self.changes: tuple[str, ...] = tuple(changes)  # the patches in words (change_words)
        self.preview = preview
        self.issues = issues
        self.submitted, self.submission_id = submitted, submission_id
        self.state_after = state_after
        self.outcome, self.reason, self.resumed = outcome, reason, resumed

    @property
    def patches(self) -> list[dict[str, Any]]:
        return _unpacked(self._patches)

    @patches.setter
    def patches(self, value: Sequence[Mapping[str, Any]]) -> None:
        self._patches = _packed(value)

    @property
    def issues(self) -> list[dict[str, Any]]:
        return _unpacked(self._issues)

    @issues.setter
    def issues(self, value: Sequence[Mapping[str, Any]]) -> None:
        self._issues = _packed(value)

    def add_issue(self, issue: Mapping[str, Any]) -> None:
        self.issues = [*self.issues, issue]

    @property
    def valid(self) -> bool:
        """Amazon's preview said VALID: the row may be submitted."""
        return self.preview == "VALID" and bool(self._patches)

    @property
    def unchanged(self) -> bool:
        """Every change sets the value the listing holds already ("Set quantity to 5 (was
        5)"): sending it changes nothing, so apply does not send it (an earlier submit of
        it is still resumed and verified)."""
        return all_unchanged(self.changes)

    def as_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "patches": self.patches,
            "changes": list(self.changes),
            "preview": self.preview,
            "issues": self.issues,
            "submitted": self.submitted,
            "submission_id": self.submission_id,
            "state_after": self.state_after,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "resumed": self.resumed,
        }

    def __repr__(self) -> str:
        return f"RowResult({self.sku!r}, line={self.line}, outcome={self.outcome.value})"


def _packed(items: Sequence[Mapping[str, Any]]) -> str:
    """A list of JSON objects as compact JSON text ('' for none)."""
    return json.dumps(list(items), separators=(",", ":"), ensure_ascii=False) if items else ""


def _unpacked(text: str) -> list[dict[str, Any]]:
    return json.loads(text) if text else []


@dataclass(frozen=True, slots=True)
class BulkProgress:
    """Where a phase stands: ``done`` of ``total`` rows, the outcomes so far, and how long
    the rest should take (None until it can be told)."""

    phase: str  # "validate" | "apply" | "recheck"
    done: int
    total: int
    counts: Mapping[RowOutcome, int]
    elapsed: float
    eta_seconds: float | None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def message(self) -> str:
        """'Validating 120 of 500: 118 valid, 2 invalid; about 1 min 16 s left'."""
        counts = ", ".join(
            f"{n} {outcome.value.replace('_', ' ')}" for outcome, n in self.counts.items() if n
        )
        if self.eta_seconds is None or self.done >= self.total:
            left = ""  # no estimate yet, or every row done ('about 0 s left' said nothing)
        elif round(self.eta_seconds) < 1:
            left = "; almost done"
        else:
            left = f"; about {duration_text(self.eta_seconds)} left"
        verb = PHASE_WORDS.get(self.phase, self.phase)
        waiting = self.counts.get(RowOutcome.WAITING, 0)
        if self.phase == "recheck" and self.done == self.total and waiting:
            left = f"; {waiting} still processing at Amazon: looking again in a few seconds"
        return f"{verb} {self.done} of {self.total}" + (f": {counts}" if counts else "") + left


PHASE_WORDS = {"validate": "Validating", "apply": "Submitting", "recheck": "Re-checking"}


def duration_text(seconds: float) -> str:
    """'45 s', '3 min 20 s', '1 h 5 min'."""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


ProgressCallback = Callable[[BulkProgress], None]


class BulkService(Protocol):
    """What a batch needs of the account service (``service.AccountService``; the UI's
    ``ListingService`` has it all, so the bulk screens hand theirs on)."""

    profile_name: str
    marketplace_id: str

    def evidence(self, sku: str) -> Evidence: ...

    def diagnosis(self, sku: str) -> Diagnosis: ...

    async def patch(
        self,
        sku: str,
        patches: Sequence[Mapping[str, Any]],
        *,
        preview: bool,
        on_send: Callable[[], Awaitable[None]] | None = None,
    ) -> SubmissionResult: ...

    async def reread(self, sku: str) -> tuple[Evidence, Diagnosis]: ...


class BulkFix:
    """One batch over the listings of ``service`` (see the module docstring)."""

    def __init__(
        self,
        service: BulkService,
        *,
        store: CaseStore | None = None,
        progress: ProgressCallback | None = None,
        concurrency: int = CONCURRENCY,
        row_tries: int = ROW_TRIES,
        row_pause: float | None = None,
        resend_after: timedelta = RESEND_AFTER,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        time_scale: float = 1.0,
    ) -> None:
        self.service = service
        self.store = store or CaseStore(service.profile_name, service.marketplace_id)
        self._progress = progress
        self.concurrency = max(1, concurrency)
        self.row_tries = max(1, row_tries)
        self.row_pause = (ROW_PAUSE if row_pause is None else row_pause) / time_scale
        self.recheck_every = RECHECK_EVERY / time_scale
        self.resend_after = resend_after
        self._now = now
        self._local = asyncio.Lock()  # one case-store / cache write at a time

    # ------------------------------------------------------------------ local check

    def check(self, row: BulkRow) -> RowDraft:
        """The row against the cached listing and its schema, no call: its patches, or
        ``rejected`` (column → why the schema refuses the value) / ``problems``. UnknownSku
        when the SKU is not in the local cache."""
        evidence = self.service.evidence(row.sku)
        plan = build_plan(evidence, self.service.diagnosis(row.sku))
        return draft_row(plan, row.values)

    # ------------------------------------------------------------------ phases

    async def validate(self, rows: Iterable[BulkRow]) -> list[RowResult]:
        """Check every row locally, then with patchListingsItem VALIDATION_PREVIEW (nothing
        is written). ``rows`` is consumed as the batch goes (a generator is fine)."""
        items = list(rows) if not isinstance(rows, Sequence) else rows
        return await self._each("validate", items, self._validate_row)

    async def apply(self, results: Iterable[RowResult]) -> list[RowResult]:
        """Submit the rows Amazon's preview found VALID (others are returned as they are, and
        so is a row that changes nothing, RowResult.unchanged, unless it resumes an earlier
        submit),
        each saved in the case store before and after its call, then verify each."""
        items = list(results)
        return await self._each("apply", items, self._apply_row)

    async def recheck(self, results: Sequence[RowResult], *, wait: float) -> list[RowResult]:
        """Look again at the rows WAITING on Amazon every RECHECK_EVERY seconds until none
        waits or ``wait`` seconds have passed (0: once, at once)."""
        deadline = time.monotonic() + wait
        waiting = [r for r in results if r.outcome is RowOutcome.WAITING]
        while waiting:
            await self._each("recheck", waiting, self._verify)
            waiting = [r for r in results if r.outcome is RowOutcome.WAITING]
            if not waiting or time.monotonic() + self.recheck_every > deadline:
                break  # settled (no pause for nothing), or out of time
            await asyncio.sleep(self.recheck_every)
        return list(results)

    # ------------------------------------------------------------------ one row

    async def _validate_row(self, row: BulkRow) -> RowResult:
        result = RowResult(row.sku, row.line)
        try:
            drafted = self.check(row)
        except UnknownSku as exc:
            return _refused(result, str(exc), "sku")
        except SpApiError as exc:  # the cached listing cannot be read
            return _refused(result, str(exc), "sku")
        result.patches, result.changes = drafted.patches, tuple(drafted.changes)
        if drafted.rejected:
            for column, why in drafted.rejected.items():
                _refused(result, f"{column}: {why}", column)
            return result
        if drafted.problems:
            for why in drafted.problems:
                _refused(result, why)
            return result
        answer = await self._call(
            result, lambda: self.service.patch(row.sku, result.patches, preview=True)
        )
        if answer is None:
            return result
        result.preview = answer.status
        result.issues = [issue_record(i) for i in answer.issues]
        result.outcome = RowOutcome.VALID if answer.status == "VALID" else RowOutcome.INVALID
        return result

    async def _apply_row(self, result: RowResult) -> RowResult:
        if not result.valid:
            return result
        try:
            saved = await self._locally(self.store.get, result.sku)
        except CaseStoreError as exc:
            return _failed(result, f"progress cannot be read, nothing sent: {exc}")
        earlier = same_submit(saved, result.patches)
        if result.unchanged and (earlier is None or earlier.status == THROTTLED):
            return result  # the listing holds these values already: sending changes nothing
        record: PatchRecord | None = None
        if earlier is not None and earlier.status == "ACCEPTED":
            result.submitted, result.submission_id = True, earlier.submission_id
            result.resumed = True
            return await self._verify(result, saved=saved)
        if earlier is not None and earlier.status in (SUBMITTING, NO_ANSWER):
            landed = await self._landed(result, earlier)
            if landed is None:
                return result  # could not be re-read: FAILED, with the reason
            if landed:
                return await self._verify(result)
            if self._now() - earlier.submitted_at < self.resend_after:
                result.outcome = RowOutcome.HELD
                result.reason = (
                    f"an earlier run sent this change at {earlier.submitted_at:%H:%M} UTC and "
                    "got no answer; the listing does not show it yet (Amazon may still be "
                    "processing it): not sent again; run again after "
                    f"{earlier.submitted_at + self.resend_after:%H:%M} UTC to resend it"
                )
                return result
            record = earlier  # never landed: this submit replaces it
        elif earlier is not None and earlier.status == THROTTLED:
            record = earlier  # Amazon refused every try (429): nothing to look for; replaced
        return await self._submit(result, record, saved)

    async def _submit(
        self, result: RowResult, record: PatchRecord | None, saved: CaseRecord | None
    ) -> RowResult:
        """Send the row's patches: saved as SUBMITTING first, then — once Amazon answered and
        the listing was re-read — Amazon's answer and how the listing stands in ONE save (a
        batch killed in between finds SUBMITTING and re-reads the listing: nothing is sent
        twice). Two saves a row: the two states a resume needs. ``record``: an earlier run's
        record of the same submit (THROTTLED, or one that never landed) that this send
        replaces — saved as SUBMITTING with this send's time before the call like any other,
        so a kill between the resend and its answer is re-read, and held while Amazon may
        still be processing it, not resent. ``saved``: the SKU's case as read before (its
        earlier accepted submits)."""
        sku = result.sku
        earlier = record
        record = PatchRecord(self._now(), PatchMode.REAL, result.patches, SUBMITTING)
        known = [*(saved.patches if saved is not None else ()), *([earlier] if earlier else [])]
        submitting = self._submitting(sku, record, earlier, known)
        refused_only = True  # every failed try was a 429: Amazon processed none of them
        for attempt in range(1, self.row_tries + 1):
            try:
                answer = await self.service.patch(
                    sku, result.patches, preview=False, on_send=submitting
                )
            except ClaimedElsewhere as exc:  # the other run's send: this one never left
                result.outcome = RowOutcome.HELD
                result.reason = (
                    f"{exc.words()} while this run was on its way to: not sent again (its "
                    "answer is in that run's output and in `asin-tui progress`)"
                )
                return result
            except CaseStoreError as exc:  # the SUBMITTING save failed: the call never left
                return _failed(result, f"progress cannot be saved, nothing sent: {exc}")
            except AuthError:
                raise  # nothing was sent: the record stays SUBMITTING, a rerun re-checks it
            except SpApiError as exc:
                reason = str(exc)
                if exc.unanswered:  # Amazon may have it: never sent again blind
                    return await self._unanswered(result, record, reason)
                if not isinstance(exc, Throttled):
                    refused_only = False
                if attempt < self.row_tries:
                    await asyncio.sleep(self.row_pause * attempt)
                    continue
                record.status = THROTTLED if refused_only else NO_ANSWER
                record.issues = [{"code": record.status, "message": reason, "severity": "ERROR"}]
                await self._save_record(sku, record, quiet=True, replacing=earlier)
                return _failed(
                    result,
                    f"no answer from Amazon after {attempt} tries: {reason}; run the batch "
                    "again to send it (the listing is re-read first)",
                )
            break
        if answer.status not in ("ACCEPTED", "INVALID"):  # a status a submit never has
            # (a proxy's or a broken answer): Amazon may have taken it, as without an answer
            return await self._unanswered(result, record, "Amazon's answer has no known status")
        record.status, record.submission_id = answer.status, answer.submission_id
        record.issues = [issue_record(i) for i in answer.issues]
        result.issues = record.issues or result.issues
        if not answer.ok:
            await self._save_record(sku, record, quiet=True, replacing=earlier)
            result.outcome, result.reason = RowOutcome.INVALID, "Amazon refused the submit"
            return result
        result.submitted, result.submission_id = True, answer.submission_id
        return await self._verify(result, saved=saved, sent=record)

    def _submitting(
        self,
        sku: str,
        record: PatchRecord,
        earlier: PatchRecord | None,
        known: Sequence[PatchRecord],
    ) -> Callable[[], Awaitable[None]]:
        """What the client awaits right before the real submit leaves (its rate token had):
        ``record`` saved as SUBMITTING, with that moment as its time, once. Saved then rather
        than when the row is taken: rows wait there for Amazon's rate (``concurrency`` at a
        time), and a batch killed meanwhile left each of them "sent, no answer" — held from
        a resend for ``resend_after`` although none had left. The save runs on this engine's
        loop (the client calls from the service's own). ``known``: the SKU's records this
        run read before (see :meth:`_save_record`'s ``claim``)."""
        loop = asyncio.get_running_loop()
        saved = False

        async def save() -> None:
            nonlocal saved
            if saved:
                return
            record.submitted_at = self._now()
            await self._save_record(sku, record, replacing=earlier, claim=known)
            saved = True

        async def submitting() -> None:
            if asyncio.get_running_loop() is loop:
                await save()
                return
            saving = save()
            try:
                future = asyncio.run_coroutine_threadsafe(saving, loop)
            except RuntimeError:  # the engine's loop is gone (the process ending): not sent
                saving.close()
                raise
            await asyncio.wrap_future(future)

        return submitting

    async def _unanswered(self, result: RowResult, record: PatchRecord, reason: str) -> RowResult:
        """A submit Amazon may have taken without answering (a timeout, a 5xx): the listing
        is re-read at once; when it shows the change the row is settled, else whether
        Amazon has it is unknown — saved as NO_ANSWER and HELD, not sent again: the next run
        re-reads the listing first and resends only when it never showed within
        ``resend_after`` (Amazon applies an accepted patch within minutes)."""
        unread: list[str] = []
        landed = await self._landed(result, record, quiet=True, why=unread)
        if landed:
            return await self._verify(result)
        record.status = NO_ANSWER
        record.issues = [{"code": NO_ANSWER, "message": reason, "severity": "ERROR"}]
        problem = await self._save_record(result.sku, record, quiet=True)
        seen = (
            f"the listing could not be re-read ({unread[0]})"
            if unread
            else "the listing does not show the change yet"
        )
        result.outcome = RowOutcome.HELD
        result.reason = (
            f"sent, no answer from Amazon ({reason}); {seen}: whether Amazon took it is "
            "unknown, so it is not sent again now; run the batch again to re-check it "
            "(re-read first; resent only if it has not shown by "
            f"{record.submitted_at + self.resend_after:%H:%M} UTC)"
        )
        if problem:
            result.reason += f"; {problem}"
        return result

    async def _landed(
        self,
        result: RowResult,
        record: PatchRecord,
        *,
        quiet: bool = False,
        why: list[str] | None = None,
    ) -> bool | None:
        """Whether a submit with no recorded answer shows on the listing (re-read with
        getListingsItem); settled as ACCEPTED when it does. None when it cannot be read
        (the row FAILED with the reason, unless ``quiet``: then the reason goes in ``why``)."""
        try:
            evidence, _ = await self.service.reread(result.sku)
        except SpApiError as exc:
            if quiet:
                if why is not None:
                    why.append(str(exc))
                return None
            _failed(
                result,
                f"could not re-read the listing to see whether an earlier submit landed: {exc}",
            )
            return None
        accepted = [(record.submitted_at, record.submission_id, record.patches)]
        if processing(evidence.listing, accepted) is not None:
            return False
        record.status = "ACCEPTED"
        record.issues = [
            {
                "code": "NO_ANSWER_RECORDED",
                "message": "the answer was not recorded; the listing shows the change",
                "severity": "INFO",
            }
        ]
        await self._save_record(result.sku, record, quiet=True, sent=result)
        result.submitted, result.submission_id, result.resumed = True, record.submission_id, True
        return True

    async def _verify(
        self,
        result: RowResult,
        *,
        saved: CaseRecord | Literal[False] | None = False,
        sent: PatchRecord | None = None,
    ) -> RowResult:
        """Re-read the listing once: FIXED, WAITING on Amazon (not processed yet) or
        NOT_FIXED, saved as the wizard's outcome for the SKU. ``saved``: the SKU's case as
        last read or saved by this run (False: read it); ``sent``: the submit Amazon has
        just accepted, not saved yet — saved with the outcome, in one transaction."""
        if saved is False:
            saved = await self._saved(result.sku)
        accepted = _accepted(saved, sent)
        set_outcome = functools.partial(self._set_outcome, result, sent=sent)
        try:
            evidence, diagnosis = await self.service.reread(result.sku)
        except SpApiError as exc:
            result.outcome = RowOutcome.WAITING
            result.reason = f"submitted; not re-checked ({exc}): the next sync re-checks it"
            if accepted:  # waiting on Amazon as far as anyone knows: every sync re-checks it
                await set_outcome(Outcome.WAITING, **_sent_wait(accepted))
            return result
        result.state_after = diagnosis.state.value
        pending = processing(evidence.listing, accepted)
        checked = f"re-checked {self._now():%Y-%m-%d %H:%M} UTC"
        if pending is not None and diagnosis.needs_attention:
            result.outcome = RowOutcome.WAITING
            wait = _patch_wait(evidence, diagnosis, pending, self._now())
            result.reason = f"waiting for {wait.what}" if wait else "waiting on Amazon"
            details = (
                {"waiting_for": wait.what, "recheck_at": wait.recheck_at}
                if wait is not None
                else _sent_wait(accepted)
            )
            await set_outcome(Outcome.WAITING, **details)
            return result
        if not diagnosis.needs_attention:
            result.outcome, result.reason = RowOutcome.FIXED, ""
            await set_outcome(
                Outcome.RESOLVED,
                verified=(StepStatus.PASSED, f"Back on sale ({diagnosis.state.value}; {checked})"),
                resolved_state=diagnosis.state.value,
            )
            return result
        result.outcome = RowOutcome.NOT_FIXED
        main = diagnosis.findings[0].title if diagnosis.findings else diagnosis.state.value
        result.reason = f"applied; still {diagnosis.state.value}: {main}"
        note = f"Change applied; still {diagnosis.state.value}: {main} ({checked})"
        await set_outcome(Outcome.OPEN, verified=(StepStatus.NEEDS_ACTION, visible(note)))
        return result

    async def _saved(self, sku: str) -> CaseRecord | None:
        """The SKU's saved case (None: none, or it cannot be read)."""
        try:
            return await self._locally(self.store.get, sku)
        except CaseStoreError:
            return None

    # ------------------------------------------------------------------ helpers

    async def _call(
        self, result: RowResult, send: Callable[[], Awaitable[SubmissionResult]]
    ) -> SubmissionResult | None:
        """A preview call, tried again (row_tries) when it gives up; None when it failed
        (``result`` says why)."""
        for attempt in range(1, self.row_tries + 1):
            try:
                return await send()
            except AuthError:
                raise  # no row can go through: the batch stops, the seller fixes credentials
            except SpApiError as exc:
                if attempt == self.row_tries or not exc.retryable:
                    _failed(result, f"no answer from Amazon after {attempt} tries: {exc}")
                    return None
                await asyncio.sleep(self.row_pause * attempt)
        return None

    async def _locally(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        async with self._local:
            return await asyncio.to_thread(function, *args, **kwargs)

    async def _save_record(
        self,
        sku: str,
        record: PatchRecord,
        *,
        quiet: bool = False,
        sent: RowResult | None = None,
        replacing: PatchRecord | None = None,
        claim: Sequence[PatchRecord] | None = None,
    ) -> str:
        """Put ``record`` (new, or changed: found by when it was sent) in the SKU's saved
        progress, in place of ``replacing`` (an earlier record of the same submit, sent
        again); ``sent``: see :meth:`_put_record`. Raises CaseStoreError unless ``quiet``
        (then returns what went wrong). ``claim``: the SUBMITTING save right before the
        send, with the SKU's records this run read before; in the same transaction, a
        submit of the same change that another asin-tui saved since (none of them) raises
        ClaimedElsewhere."""

        def put(case: CaseRecord) -> None:
            if claim is not None:
                other = claim_of(case, record.patches, claim)
                if other is not None:
                    raise ClaimedElsewhere(other)
            self._put_record(case, record, sent, replacing)

        try:
            await self._locally(self.store.update, sku, put)
        except CaseStoreError as exc:
            if not quiet:
                raise
            return f"progress not saved: {exc}"
        return ""

    def _put_record(
        self,
        case: CaseRecord,
        record: PatchRecord,
        sent: RowResult | None,
        replacing: PatchRecord | None = None,
    ) -> None:
        """``record`` into ``case`` (replacing the one sent at the same time, and
        ``replacing``); ``sent``: the row whose submit Amazon ACCEPTED, noted as the wizard
        notes its own (Apply passed, what was sent; the case now at Verify)."""
        gone = [record, *([replacing] if replacing is not None else [])]
        kept = [r for r in case.patches if not any(same_record(r, g) for g in gone)]
        case.patches = [*kept, copy.deepcopy(record)]
        if sent is not None and record.status == "ACCEPTED":
            ident = f", submission id {record.submission_id}" if record.submission_id else ""
            changes = "; ".join(sent.changes) or "the change"
            step = case.steps[WizardStep.APPLY]
            step.status, step.updated_at = StepStatus.PASSED, self._now()
            step.notes = visible(
                f"Bulk fix sent: {changes} ({record.submitted_at:%Y-%m-%d %H:%M} UTC{ident})"
            )
            case.current_step = WizardStep.VERIFY

    async def _set_outcome(
        self,
        result: RowResult,
        outcome: Outcome,
        *,
        verified: tuple[StepStatus, str] | None = None,
        sent: PatchRecord | None = None,
        **details: Any,
    ) -> None:
        """Save how the row's listing stands (``verified``: the Verify step's status and
        note, as the wizard's Verify leaves them); ``sent``: the submit Amazon just answered,
        saved in the same transaction (one save: its answer and what it did)."""

        def change(case: CaseRecord) -> None:
            if sent is not None:
                self._put_record(case, sent, result)
            if verified is not None:
                step = case.steps[WizardStep.VERIFY]
                step.status, step.notes = verified
                step.updated_at = self._now()
                case.current_step = WizardStep.VERIFY
            if outcome is Outcome.OPEN and case.outcome is not Outcome.WAITING:
                return  # an open case stays open (a sync closes it once back on sale)
            case.set_outcome(outcome, **details)

        try:
            await self._locally(self.store.update, result.sku, change)
        except CaseStoreError as exc:
            result.reason = "; ".join(filter(None, (result.reason, f"progress not saved: {exc}")))

    async def _each(
        self, phase: str, items: Sequence[T], work: Callable[[T], Awaitable[RowResult]]
    ) -> list[RowResult]:
        """``work`` on every item, ``concurrency`` at a time; results in the items' order."""
        results: list[RowResult | None] = [None] * len(items)
        counts: Counter[RowOutcome] = Counter()
        started = time.monotonic()
        done = 0
        queue = iter(enumerate(items))

        def report() -> None:
            if self._progress is not None:
                elapsed = time.monotonic() - started
                self._progress(
                    BulkProgress(
                        phase,
                        done,
                        len(items),
                        dict(counts),
                        elapsed,
                        _eta(done, len(items), elapsed),
                    )
                )

        async def worker() -> None:
            nonlocal done
            for index, item in queue:
                result = await work(item)
                results[index] = result
                done += 1
                counts[result.outcome] += 1
                report()

        report()
        async with asyncio.TaskGroup() as group:
            for _ in range(min(self.concurrency, len(items)) or 0):
                group.create_task(worker())
        return [r for r in results if r is not None]


def _eta(done: int, total: int, elapsed: float) -> float | None:
    """The seconds the rest of a phase should take: at the pace so far, and never less than
    Amazon's rate allows for the calls left (patchListingsItem, one a row)."""
    left = total - done
    if left <= 0:
        return 0.0
    floor = left / PUBLISHED_PLANS["patchListingsItem"].rate
    if done < 5:
        return floor
    return max(floor, elapsed / done * left)


def _accepted(
    saved: CaseRecord | None, sent: PatchRecord | None = None
) -> list[tuple[datetime, str | None, Any]]:
    """The SKU's real submits Amazon ACCEPTED (``saved``'s, and ``sent``, not saved yet):
    (when, submission id, patches)."""
    records = [
        r for r in (saved.patches if saved else []) if sent is None or not same_record(r, sent)
    ]
    return [
        (r.submitted_at, r.submission_id, r.patches)
        for r in [*records, *([sent] if sent is not None else [])]
        if r.mode is PatchMode.REAL and r.status == "ACCEPTED"
    ]


def _sent_wait(accepted: Sequence[tuple[datetime, str | None, Any]]) -> dict[str, Any]:
    """The wizard's 'waiting on Amazon' for the latest accepted submit, when the listing could
    not tell (not re-read, or no wait offered): waiting_for and when it is overdue."""
    submitted_at, submission_id, _ = max(accepted, key=lambda a: a[0])
    pending = PendingPatch(submitted_at, submission_id)
    return {
        "waiting_for": f"{PROCESSING} ({pending.text()})",
        "recheck_at": submitted_at + WAIT_FOR["patch"],
    }


def _patch_wait(evidence: Evidence, diagnosis: Diagnosis, pending: Any, now: datetime) -> Any:
    """The wizard's 'waiting on Amazon' for a patch still processing (domain.outcomes)."""
    plan = build_plan(evidence, diagnosis, now=now)
    options = outcome_options(plan, after=diagnosis, pending=pending, now=now)
    return next(
        (
            o.wait
            for o in options
            if o.kind is OutcomeKind.WAITING and o.wait is not None and o.wait.reason == "patch"
        ),
        None,
    )


LOCAL_CHECK = "LOCAL_CHECK"  # the code of an issue found before any call


def _refused(result: RowResult, why: str, column: str | None = None) -> RowResult:
    result.add_issue(
        {
            "code": LOCAL_CHECK,
            "message": why,
            "severity": "ERROR",
            "attributeNames": [column] if column else [],
        }
    )
    result.outcome = RowOutcome.INVALID
    return result


def _failed(result: RowResult, why: str) -> RowResult:
    result.outcome, result.reason = RowOutcome.FAILED, why
    return result


# ---------------------------------------------------------------------- the values CSV

MAX_NAMED = 20  # file errors listed before "and N more"
#: The largest values CSV read (bytes): a row is tens of bytes, so this is about a million
#: rows, far above any seller's catalogue; a bigger file is not one (a log, /dev/zero).
MAX_CSV_BYTES = 64 << 20


class BadCsv(ValueError):
    """A values CSV cannot be used; the message names every line and column at fault."""


@dataclass(frozen=True, slots=True)
class CsvTable:
    path: Path
    columns: tuple[str, ...]  # the value columns (without sku), as in the header
    rows: tuple[BulkRow, ...]


def read_csv(path: Path) -> CsvTable:
    """The rows of a values CSV (``asin-tui fix``'s, the bulk wizard's) (BOM, CRLF and spreadsheet-defused cells understood); BadCsv
    for a file that cannot be a batch (no sku column, a duplicate column or SKU, a row with
    more cells than the header)."""
    name = visible(str(path))
    try:  # a FIFO, /dev/zero, a log file picked by mistake: one line, never a hang
        data = read_regular_file(path, limit=MAX_CSV_BYTES)
    except (NotRegularFile, FileTooLarge) as exc:
        raise BadCsv(f"{name}: {exc.strerror}: not a values CSV") from None
    except OSError as exc:  # missing, not allowed, an I/O error: said as the system says it
        raise BadCsv(f"{name}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
        del data
        records = _records(io.StringIO(text, newline=""))
    except UnicodeDecodeError as exc:
        raise BadCsv(f"{name}: not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise BadCsv(f"{name}: not a readable CSV: {exc}") from None
    if not records:
        raise BadCsv(f"{name}: empty file: the first line must be the header (sku,…)")
    header_line, header = records[0]
    header = [cell.strip() for cell in header]
    errors: list[str] = []
    if SKU not in header:
        raise BadCsv(f"{name} line {header_line}: the header has no 'sku' column")
    seen: set[str] = set()
    for index, column in enumerate(header, 1):
        if not column:
            errors.append(f"line {header_line}, column {index}: the header cell is empty")
        elif column in seen:
            errors.append(f"line {header_line}, column {quoted_short(column)}: given twice")
        seen.add(column)
    rows: list[BulkRow] = []
    skus: dict[str, int] = {}
    for line, cells in records[1:]:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) > len(header):
            errors.append(f"line {line}: {len(cells)} cells, the header has {len(header)} columns")
            continue
        cells = [spreadsheet_value(cell) for cell in cells] + [""] * (len(header) - len(cells))
        values = dict(zip(header, cells, strict=True))
        sku = values.pop(SKU).strip()
        if not sku:
            errors.append(f"line {line}, column 'sku': empty")
            continue
        if len(sku) > MAX_SKU:  # no listing has it; sent, a URL Amazon's gateway refuses
            errors.append(
                f"line {line}, column 'sku': {quoted(sku[:MAX_SKU])}… has {len(sku)} "
                f"characters: an Amazon SKU has at most {MAX_SKU}"
            )
            continue
        if sku in skus:
            errors.append(
                f"line {line}, column 'sku': {quoted(sku)} is on line {skus[sku]} already"
            )
            continue
        skus[sku] = line
        for column, value in values.items():
            if found := value_controls(value):  # the SKU is Amazon's: any it has is found
                errors.append(
                    f"line {line}, column {quoted_short(column)}: {quoted_short(value)}: holds "
                    f"{visible(found[0])}, a control character no listing value has"
                )
        rows.append(BulkRow(sku, values, line))
    if errors:
        raise BadCsv(errors_text(name, errors))
    if not rows:
        raise BadCsv(f"{name}: no rows under the header: nothing to fix")
    return CsvTable(path, tuple(c for c in header if c != SKU), tuple(rows))


def _records(handle: TextIO) -> list[tuple[int, list[str]]]:
    """(first line number, cells) of each CSV record."""
    reader = csv.reader(handle, strict=True)
    found = []
    start = 1
    for cells in reader:
        found.append((start, cells))
        start = reader.line_num + 1
    return found


def errors_text(name: str, errors: Sequence[str]) -> str:
    more = len(errors) - MAX_NAMED
    shown = "; ".join(errors[:MAX_NAMED]) + (f"; and {more} more" if more > 0 else "")
    return f"{name}: {shown}; nothing was sent"
