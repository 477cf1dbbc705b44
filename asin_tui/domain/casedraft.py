"""A Seller Support case draft (Markdown) for a listing the wizard could not bring back.

Pure: builds text from the wizard plan (evidence, findings, policy checklists), what the seller
ticked and noted, and the patches sent with Amazon's answers. It never contains credentials:
it is built only from listing data, and anything token-shaped a seller pastes into a note is
redacted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import Diagnosis, WizardStep
from asin_tui.domain.wizard import WizardPlan, enforcement_text, state_text

_SECRET = re.compile(r"(Atzr\|[\w\-|.]+|amzn1\.oa2-cs\.v1\.\w+|amzn1\.application-oa2-client\.\w+)")
_UNSAFE_FILE_CHARS = re.compile(r"[^\w.-]+")


@dataclass(frozen=True, slots=True)
class Submission:
    """One patch submission and Amazon's answer (from the saved progress)."""

    submitted_at: datetime
    mode: str  # VALIDATION_PREVIEW | REAL
    patches: Sequence[Mapping[str, Any]]
    status: str  # VALID | INVALID | ACCEPTED
    submission_id: str | None = None
    issues: tuple[str, ...] = ()  # "code: message"


@dataclass(frozen=True, slots=True)
class ChecklistEntry:
    done: bool
    note: str = ""


def case_filename(sku: str, when: datetime, attempt: int = 1) -> str:
    """``<sku>-<YYYYmmdd-HHMMSS>.md`` with characters unsafe in a file name replaced; a
    later ``attempt`` in the same second gets ``-2``, ``-3``… so no draft is overwritten."""
    safe = _UNSAFE_FILE_CHARS.sub("_", sku).strip("._") or "listing"
    suffix = f"-{attempt}" if attempt > 1 else ""
    return f"{safe}-{when:%Y%m%d-%H%M%S}{suffix}.md"


def build_case_draft(
    plan: WizardPlan,
    *,
    checklist: Mapping[str, ChecklistEntry] | None = None,
    step_notes: Mapping[WizardStep, str] | None = None,
    submissions: Sequence[Submission] = (),
    after: Diagnosis | None = None,
    now: datetime,
) -> str:
    """The Markdown case draft. ``after`` is the diagnosis from the last Verify, if any."""
    sections = [
        _header(plan, now),
        _listing_section(plan),
        _amazon_section(plan, now),
        _diagnosis_section(plan.diagnosis),
        _actions_section(plan, checklist or {}, step_notes or {}, submissions),
        _status_section(after) if after is not None else "",
        _request(plan),
    ]
    text = "\n\n".join(s for s in sections if s) + "\n"
    return _SECRET.sub("[redacted]", text)


def _header(plan: WizardPlan, now: datetime) -> str:
    d, listing = plan.diagnosis, plan.listing
    ident = f"SKU {d.sku}" + (f" / ASIN {d.asin}" if d.asin else "")
    return (
        f"# Seller Support case draft: {ident}\n\n"
        f"Drafted {now:%Y-%m-%d %H:%M} UTC by asin-tui. Review before sending.\n\n"
        f"**Subject:** {listing.item_name or ident}: listing {d.state.value.lower()}, "
        "request for review\n\n"
        "Hello Seller Support,\n\n"
        "the listing below is not available for sale. We have worked through the problems "
        "Amazon reports for it and ask you to review it and tell us what is still needed "
        "to reinstate it."
    )


def _listing_section(plan: WizardPlan) -> str:
    d, listing = plan.diagnosis, plan.listing
    market = marketplace_by_id(d.marketplace_id)
    where = f"{market.country} ({d.marketplace_id})" if market else d.marketplace_id
    rows = [
        ("SKU", d.sku),
        ("ASIN", d.asin or "none"),
        ("Title", listing.item_name),
        ("Marketplace", where),
        ("Product type", listing.product_type),
        ("Condition", listing.condition_type),
        ("Fulfilment", listing.fulfillment_channel),
        ("State", state_text(d)),
    ]
    return "## Listing\n\n" + "\n".join(f"- {k}: {v}" for k, v in rows if v)


def _amazon_section(plan: WizardPlan, now: datetime) -> str:
    lines = []
    for issue in plan.listing.issues_here():
        line = f"- **{issue.code}** ({issue.severity}) {issue.message}"
        if issue.attribute_names:
            line += f" [attributes: {', '.join(issue.attribute_names)}]"
        if issue.enforcement is not None:
            line += f" — {enforcement_text(issue.enforcement, now)}"
        lines.append(line)
    for restriction in plan.evidence.restrictions:
        for reason in restriction.reasons:
            code = f"{reason.reason_code}: " if reason.reason_code else ""
            lines.append(
                f"- Restriction ({restriction.condition_type or 'any'}): {code}{reason.message}"
            )
    account = plan.evidence.account
    if account is not None and account.status != "NORMAL":
        counters = account.counters_text()
        lines.append(f"- Account health: {account.status}" + (f" ({counters})" if counters else ""))
    if not lines:
        return ""
    return "## What Amazon reports\n\n" + "\n".join(lines)


def _diagnosis_section(diagnosis: Diagnosis) -> str:
    if not diagnosis.findings:
        return ""
    lines = [f"- {f.severity.value}: {f.title}. {f.detail}".rstrip() for f in diagnosis.findings]
    return "## Our findings\n\n" + "\n".join(lines)


def _actions_section(
    plan: WizardPlan,
    checklist: Mapping[str, ChecklistEntry],
    step_notes: Mapping[WizardStep, str],
    submissions: Sequence[Submission],
) -> str:
    parts = []
    for case in plan.policy_cases:
        items = []
        for item in case.items:
            entry = checklist.get(item.key, ChecklistEntry(False))
            note = f" — {entry.note.strip()}" if entry.note.strip() else ""
            items.append(f"- [{'x' if entry.done else ' '}] {item.text}{note}")
        parts.append(f"### {case.title}\n\nAppeal path: {case.appeal_path}\n\n" + "\n".join(items))
    notes = [f"- {step.label}: {text.strip()}" for step, text in step_notes.items() if text.strip()]
    if notes:
        parts.append("### Notes\n\n" + "\n".join(notes))
    if submissions:
        parts.append("### Changes submitted\n\n" + "\n".join(_submission(s) for s in submissions))
    if not parts:
        return ""
    return "## What we have done\n\n" + "\n\n".join(parts)


def _submission(sub: Submission) -> str:
    mode = "validation preview" if sub.mode == "VALIDATION_PREVIEW" else "submitted"
    ident = f", submission id {sub.submission_id}" if sub.submission_id else ""
    ops = "; ".join(f"{p.get('op')} {p.get('path')}" for p in sub.patches)
    line = f"- {sub.submitted_at:%Y-%m-%d %H:%M} UTC, {mode} ({ops}): {sub.status}{ident}"
    return "\n".join([line, *(f"  - Amazon: {issue}" for issue in sub.issues)])


def _status_section(after: Diagnosis) -> str:
    lines = [
        f"- State: {state_text(after)}",
        *(f"- Still reported: {f.title}. {f.detail}".rstrip() for f in after.findings),
    ]
    return "## Status after our changes\n\n" + "\n".join(lines)


def _request(plan: WizardPlan) -> str:
    d = plan.diagnosis
    return (
        "## Request\n\n"
        f"Please review SKU {d.sku}"
        + (f" (ASIN {d.asin})" if d.asin else "")
        + " and reinstate it, or tell us exactly which document or change is still missing.\n\n"
        "Thank you."
    )
