"""How a wizard case ends: the outcomes that fit the evidence, and the re-check of the ones
that wait.

Pure: no Textual, no network, no files. ``outcome_options`` lists what Wrap up offers for one
listing — resolved; waiting on Amazon (a patch processing, inbound stock being received, an
approval requested, an appeal or documents submitted) with what is awaited and a re-check date;
escalate (only where an appeal or reinstatement path exists); retire (delete the offer, or leave
it inactive with a reason); at risk (the deadline and what to do before it). ``processing``
tells whether Amazon has applied an accepted patch yet. ``recheck`` is what a sync concludes
about a saved outcome from the listing's diagnosis now. docs/OUTCOMES.md gives the sources.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from asin_tui.domain import codes
from asin_tui.domain.models import Diagnosis, Listing, Severity, State, WizardStep
from asin_tui.domain.moments import age
from asin_tui.domain.wizard import REMOVAL_ORDER, WizardPlan, fix_step

#: How long each wait may take before the re-check calls it overdue. Amazon processes a
#: listing submission asynchronously, usually within minutes (Listings Items API,
#: patchListingsItem: "ACCEPTED" means queued); FBA receiving takes days once a shipment is
#: delivered; approval requests and appeals are answered in days.
WAIT_FOR = {
    "patch": timedelta(days=1),
    "inbound": timedelta(days=14),
    "approval": timedelta(days=7),
    "appeal": timedelta(days=7),
}


PROCESSING = "Amazon to process your change"  # how a wait for an accepted patch starts


class OutcomeKind(StrEnum):
    RESOLVED = "resolved"
    WAITING = "waiting"
    AT_RISK = "at_risk"
    ESCALATE = "escalate"
    DELETE = "delete"  # retire: deleteListingsItem
    LEAVE_INACTIVE = "leave_inactive"  # retire: keep the SKU, not for sale, with a reason


@dataclass(frozen=True, slots=True)
class Wait:
    """What a waiting case waits for, and when to call it overdue."""

    reason: str  # patch | inbound | approval | appeal
    what: str  # "Amazon to process the change submitted 14:02 (submission id …)"
    recheck_at: datetime


@dataclass(frozen=True, slots=True)
class OutcomeOption:
    kind: OutcomeKind
    title: str
    detail: str
    recommended: bool = False
    wait: Wait | None = None
    deadline: datetime | None = None  # at risk: when the exemption ends


@dataclass(frozen=True, slots=True)
class PendingPatch:
    """A real patch Amazon ACCEPTED and has not applied to the listing yet."""

    submitted_at: datetime
    submission_id: str | None

    def text(self) -> str:
        ident = f", submission id {self.submission_id}" if self.submission_id else ""
        return f"submitted {self.submitted_at:%H:%M} UTC{ident}"


# --------------------------------------------------------------------------- processing


def processing(
    listing: Listing,
    accepted: Sequence[tuple[datetime, str | None, Sequence[Mapping[str, Any]]]],
    now: datetime | None = None,
) -> PendingPatch | None:
    """The latest ACCEPTED real patch (submitted_at, submission_id, patches) the listing does
    not show yet: its values are not in the attributes and Amazon has not updated the listing
    since it was sent. None when every accepted patch shows (or none was sent), and once a
    patch is older than WAIT_FOR["patch"] at ``now`` (Amazon dropped it: the listing as it
    is gets its verdict)."""
    if not accepted:
        return None
    submitted_at, submission_id, patches = max(accepted, key=lambda a: a[0])
    if now is not None and age(submitted_at, now) > WAIT_FOR["patch"]:
        return None  # (one "sent" later than now: the clock was set back; domain.moments)
    updated = listing.last_updated_date
    if updated is not None and updated >= submitted_at:
        return None
    if all(_shows(listing, op) for op in patches):
        return None
    return PendingPatch(submitted_at, submission_id)


def _shows(listing: Listing, op: Mapping[str, Any]) -> bool:
    """Whether the listing's attributes already carry what one patch operation sets."""
    name = str(op.get("path", "")).removeprefix("/attributes/")
    current = listing.attributes.get(name)
    here = [
        e
        for e in current or []
        if isinstance(e, Mapping)
        and e.get("marketplace_id", listing.marketplace_id) in (listing.marketplace_id, None)
    ]
    if op.get("op") == "delete":
        return not here
    wanted = op.get("value")
    if not isinstance(wanted, list):
        return False
    return all(any(_contains(have, want) for have in here) for want in wanted)


def _contains(have: Any, want: Any) -> bool:
    """``want`` is found in ``have``: every key of an object, every item of a list (numbers
    compared by value: 29.9 == 29.90)."""
    if isinstance(want, Mapping):
        return isinstance(have, Mapping) and all(
            k in have and _contains(have[k], v) for k, v in want.items()
        )
    if isinstance(want, list):
        return isinstance(have, list) and all(any(_contains(h, w) for h in have) for w in want)
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        try:
            return Decimal(str(have)) == Decimal(str(want))
        except ArithmeticError:
            return False
    return have == want


# --------------------------------------------------------------------------- options


#: Policy cases with a path to Amazon (appeal, reinstatement, a Seller Support case): their
#: last checklist item is sending it, and only they can be escalated.
APPEAL_KINDS = frozenset({"restricted", "documents", "content", "catalog", "account"})


def outcome_options(
    plan: WizardPlan,
    *,
    after: Diagnosis | None = None,
    pending: PendingPatch | None = None,
    done: Collection[str] = (),
    patched: bool = False,
    now: datetime,
) -> tuple[OutcomeOption, ...]:
    """What Wrap up offers, the recommended one first.

    ``after``: the diagnosis from the last Verify (else the plan's); ``pending``: a patch
    Amazon is still processing; ``done``: the checklist item keys ticked; ``patched``: a real
    patch was accepted and has been applied (a fix that did not lift the problem)."""
    diagnosis = after or plan.diagnosis
    if not diagnosis.needs_attention:
        if diagnosis.at_risk:
            return (_at_risk(plan, diagnosis, now),)
        return (OutcomeOption(OutcomeKind.RESOLVED, "Resolved", "The listing is back on sale."),)
    waits = tuple(_waits(plan, diagnosis, pending, done, now))
    options = [
        OutcomeOption(
            OutcomeKind.WAITING,
            "Waiting on Amazon",
            f"Waiting for {w.what}; re-checked on every sync, overdue after "
            f"{w.recheck_at:%Y-%m-%d %H:%M} UTC.",
            wait=w,
        )
        for w in waits
    ]
    escalation = _escalation(plan, diagnosis, done, patched)
    if escalation and not pending:
        options.append(
            OutcomeOption(OutcomeKind.ESCALATE, "Escalate to Seller Support", escalation)
        )
    options += _retire(plan, diagnosis)
    return _recommend(options, plan, done)


def _waits(
    plan: WizardPlan,
    diagnosis: Diagnosis,
    pending: PendingPatch | None,
    done: Collection[str],
    now: datetime,
) -> Iterable[Wait]:
    if pending is not None:
        yield Wait(
            "patch",
            f"{PROCESSING} ({pending.text()})",
            pending.submitted_at + WAIT_FOR["patch"],
        )
    inv = plan.evidence.inventory
    codes_now = {f.code for f in diagnosis.findings}
    if inv is not None and codes.OUT_OF_STOCK_FBA in codes_now:
        on_the_way = inv.inbound_shipped + inv.inbound_receiving
        if on_the_way:
            yield Wait(
                "inbound",
                f"Amazon to receive the {on_the_way} inbound units "
                f"({inv.inbound_shipped} shipped, {inv.inbound_receiving} receiving)",
                now + WAIT_FOR["inbound"],
            )
    for case in plan.policy_cases:
        if not case.items or case.items[-1].key not in done:
            continue
        if case.kind == "approval":
            yield Wait(
                "approval",
                f"Amazon's answer to your approval request ({case.title})",
                now + WAIT_FOR["approval"],
            )
        elif case.kind in APPEAL_KINDS:
            what = "documents" if case.kind == "documents" else "appeal"
            yield Wait(
                "appeal",
                f"Amazon's answer to your {what} ({case.title})",
                now + WAIT_FOR["appeal"],
            )


def _escalation(
    plan: WizardPlan, diagnosis: Diagnosis, done: Collection[str], patched: bool
) -> str:
    """Why a Seller Support case fits ('' when no appeal or reinstatement path exists)."""
    paths = [c for c in plan.policy_cases if c.kind in APPEAL_KINDS]
    if paths:
        return (
            "A plan-of-action case draft (root cause, actions taken, measures to prevent it) "
            f"for: {', '.join(c.title for c in paths)}. Appeal path: {paths[0].appeal_path}."
        )
    fields_left = any(fix_step(f) is WizardStep.FIELDS for f in diagnosis.findings)
    if patched and fields_left and diagnosis.state is State.SUPPRESSED:
        return (
            "Amazon applied your fix and still suppresses the listing: a case draft asking "
            "Seller Support to review it, with the changes made."
        )
    return ""


def _retire(plan: WizardPlan, diagnosis: Diagnosis) -> list[OutcomeOption]:
    inv = plan.evidence.inventory
    units = (inv.fulfillable + inv.inbound_total + inv.unfulfillable_total) if inv else 0
    removal = (
        f" The {units} units at Amazon stay there: create a removal order ({REMOVAL_ORDER})."
        if units
        else ""
    )
    return [
        OutcomeOption(
            OutcomeKind.DELETE,
            "Retire: delete the offer",
            f"Delete SKU {diagnosis.sku} from your listings (deleteListingsItem), after a "
            f"confirmation.{removal}",
        ),
        OutcomeOption(
            OutcomeKind.LEAVE_INACTIVE,
            "Won't fix: leave it inactive",
            "Keep the SKU as it is, not for sale, with your reason (no re-check)." + removal,
        ),
    ]


def _recommend(
    options: list[OutcomeOption], plan: WizardPlan, done: Collection[str]
) -> tuple[OutcomeOption, ...]:
    """Mark the one that fits best and put it first: a wait in progress; else a case where an
    appeal path exists and its checklist is worked through; else deleting an offer Amazon
    allows no path for."""
    kinds = {c.kind for c in plan.policy_cases}

    def fits(option: OutcomeOption) -> bool:
        if option.kind is OutcomeKind.WAITING:
            return True
        if option.kind is OutcomeKind.ESCALATE:
            items = [i.key for c in plan.policy_cases if c.kind in APPEAL_KINDS for i in c.items]
            return bool(items) and all(k in done for k in items[:-1])
        return option.kind is OutcomeKind.DELETE and "not_eligible" in kinds

    best = next((o for o in options if fits(o)), None)
    if best is None:
        return tuple(options)
    marked = OutcomeOption(best.kind, best.title, best.detail, True, best.wait, best.deadline)
    return (marked, *(o for o in options if o is not best))


def _at_risk(plan: WizardPlan, diagnosis: Diagnosis, now: datetime) -> OutcomeOption:
    """Live for now: the deadline (the earliest exemption that ends) and what to do before."""
    deadlines = [
        issue.enforcement.exemption_expiry
        for issue in plan.listing.issues_here()
        if issue.enforcement is not None
        and issue.enforcement.exemption_status == "EXEMPT_UNTIL_EXPIRY_DATE"
        and issue.enforcement.exemption_expiry is not None
        and issue.enforcement.exemption_expiry > now
    ]
    deadline = min(deadlines) if deadlines else None
    todo = [f.fix or f.title for f in diagnosis.findings if f.severity is Severity.WARNING]
    when = f"before {deadline:%Y-%m-%d}" if deadline else "before Amazon enforces it"
    return OutcomeOption(
        OutcomeKind.AT_RISK,
        "At risk" + (f" until {deadline:%Y-%m-%d}" if deadline else ""),
        f"On sale now. To do {when}: " + " ".join(todo),
        recommended=True,
        deadline=deadline,
    )


# --------------------------------------------------------------------------- re-check


class Recheck(StrEnum):
    UNCHANGED = "unchanged"
    RESOLVED = "resolved"  # back on sale while waiting / escalated / at risk
    OVERDUE = "overdue"  # still not back after the re-check date
    REOPENED = "reopened"  # resolved earlier, not on sale again


#: The saved outcomes a sync re-checks, by what they hope for.
WATCHED = frozenset({"waiting", "at_risk", "escalated"})


def recheck(
    outcome: str,
    due: datetime | None,
    current: Diagnosis | None,
    *,
    now: datetime,
    sent: bool = False,
) -> Recheck:
    """What a sync concludes about a saved outcome (``Outcome`` values) from the listing's
    diagnosis now (``current``; None: a complete sync no longer lists it as needing
    attention, so it is on sale). ``sent``: a change was sent for it and Amazon accepted it
    (the wizard's Apply, a bulk fix): an open case is then resolved once back on sale too."""
    needs = current is not None and current.needs_attention
    if outcome == "resolved":
        return Recheck.REOPENED if needs else Recheck.UNCHANGED
    if outcome == "open" and sent:
        return Recheck.UNCHANGED if needs else Recheck.RESOLVED
    if outcome not in WATCHED:
        return Recheck.UNCHANGED
    still = needs or (outcome == "at_risk" and current is not None and current.at_risk)
    if not still:
        return Recheck.RESOLVED
    if due is not None and now > due:
        return Recheck.OVERDUE
    return Recheck.UNCHANGED
