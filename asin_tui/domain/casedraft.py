"""A Seller Support case draft (Markdown) for a listing the wizard could not bring back.

It follows Amazon's plan-of-action shape for appeals and reinstatement requests: the root
cause (our findings and what Amazon reports), the actions taken (checklists, notes, changes
submitted and their answers, the state after them) and the measures that prevent it happening
again (per kind of cause), then the request. Pure: builds text from the wizard plan (evidence,
findings, policy checklists), what the seller ticked and noted, and the patches sent with
Amazon's answers. It never contains credentials:
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
from asin_tui.domain.models import Category, Diagnosis, Severity, WizardStep
from asin_tui.domain.redact import REDACTED, redact
from asin_tui.domain.text import visible
from asin_tui.domain.wizard import WizardPlan, enforcement_text, state_text

#: Not a secret, but nothing Seller Support needs either (tokens: domain.redact).
_APP_ID = re.compile(r"amzn1\.application-oa2-client\.\w+")
_UNSAFE_FILE_CHARS = re.compile(r"[^\w.-]+")


@dataclass(frozen=True, slots=True)
class Submission:
    """One patch submission and Amazon's answer (from the saved case)."""

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
    # at most 60 characters of it: a file name is 255 bytes at most (a CJK SKU: 3 a character)
    safe = _UNSAFE_FILE_CHARS.sub("_", sku).strip("._")[:60].strip("._") or "listing"
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
        _root_cause_section(plan, now),
        _actions_section(plan, checklist or {}, step_notes or {}, submissions, after),
        _measures_section(plan),
        _request(plan),
    ]
    text = "\n\n".join(s for s in sections if s) + "\n"
    # a document for people (pasted, shown, cat): Amazon's text never carries a control char
    return _APP_ID.sub(REDACTED, redact(visible(text, multiline=True)))


def build_group_case_draft(plans: Sequence[WizardPlan], *, cause: str, now: datetime) -> str:
    """One case draft for several listings under the same enforcement (``cause``, in the
    cause view's words): one plan of action, each listing with its root cause, the measures
    once, and one request naming every SKU."""
    skus = ", ".join(p.diagnosis.sku for p in plans)
    head = (
        f"# Seller Support case draft: {len(plans)} listings — {cause}\n\n"
        f"Drafted {now:%Y-%m-%d %H:%M} UTC by asin-tui. Review before sending.\n\n"
        f"**Subject:** {len(plans)} listings not available for sale ({cause}): plan of "
        "action and request for review\n\n"
        "Hello Seller Support,\n\n"
        f"the {len(plans)} listings below are not available for sale for the same reason. "
        "Below is our plan of action: the root cause of each, and the measures we have put "
        "in place so it does not happen again. We ask you to review them together and tell "
        "us what is still needed to reinstate them."
    )
    listings = []
    for number, plan in enumerate(plans, 1):
        parts = [_listing_section(plan), _root_cause_section(plan, now)]
        # each listing's sections one level down, under its own heading
        body = re.sub(r"(?m)^(#+) ", r"#\1 ", "\n\n".join(p for p in parts if p))
        listings.append(f"## Listing {number}: SKU {plan.diagnosis.sku}\n\n{body}")
    request = (
        "## Request\n\n"
        f"Please review SKUs {skus} and reinstate them, or tell us exactly which document or "
        "change is still missing for each.\n\nThank you."
    )
    sections = [head, *listings, _measures_section(plans[0]) if plans else "", request]
    text = "\n\n".join(s for s in sections if s) + "\n"
    return _APP_ID.sub(REDACTED, redact(visible(text, multiline=True)))


def _header(plan: WizardPlan, now: datetime) -> str:
    d, listing = plan.diagnosis, plan.listing
    ident = f"SKU {d.sku}" + (f" / ASIN {d.asin}" if d.asin else "")
    return (
        f"# Seller Support case draft: {ident}\n\n"
        f"Drafted {now:%Y-%m-%d %H:%M} UTC by asin-tui. Review before sending.\n\n"
        f"**Subject:** {listing.item_name or ident}: listing {d.state.value.lower()}, "
        "plan of action and request for review\n\n"
        "Hello Seller Support,\n\n"
        "the listing below is not available for sale. Below is our plan of action: the root "
        "cause, the actions we have taken and the measures we have put in place so it does "
        "not happen again. We ask you to review it and tell us what is still needed to "
        "reinstate it."
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


def _root_cause_section(plan: WizardPlan, now: datetime) -> str:
    parts = [p for p in (_diagnosis_part(plan.diagnosis), _amazon_part(plan, now)) if p]
    if not parts:
        return ""
    return "## 1. Root cause\n\n" + "\n\n".join(parts)


def _amazon_part(plan: WizardPlan, now: datetime) -> str:
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
    return "### What Amazon reports\n\n" + "\n".join(lines)


def _diagnosis_part(diagnosis: Diagnosis) -> str:
    if not diagnosis.findings:
        return ""
    lines = [f"- {f.severity.value}: {f.title}. {f.detail}".rstrip() for f in diagnosis.findings]
    return "### What we found\n\n" + "\n".join(lines)


def _actions_section(
    plan: WizardPlan,
    checklist: Mapping[str, ChecklistEntry],
    step_notes: Mapping[WizardStep, str],
    submissions: Sequence[Submission],
    after: Diagnosis | None,
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
    if after is not None:
        parts.append(_status_part(after))
    if not parts:
        return ""
    return "## 2. Actions taken\n\n" + "\n\n".join(parts)


def _submission(sub: Submission) -> str:
    mode = "validation preview" if sub.mode == "VALIDATION_PREVIEW" else "submitted"
    ident = f", submission id {sub.submission_id}" if sub.submission_id else ""
    ops = "; ".join(f"{p.get('op')} {p.get('path')}" for p in sub.patches)
    line = f"- {sub.submitted_at:%Y-%m-%d %H:%M} UTC, {mode} ({ops}): {sub.status}{ident}"
    return "\n".join([line, *(f"  - Amazon: {issue}" for issue in sub.issues)])


def _status_part(after: Diagnosis) -> str:
    lines = [
        f"- State: {state_text(after)}",
        *(f"- Still reported: {f.title}. {f.detail}".rstrip() for f in after.findings),
    ]
    return "### Status after our changes\n\n" + "\n".join(lines)


#: What a seller puts in place so each kind of cause does not come back (Amazon asks a plan
#: of action for these "measures to prevent recurrence").
_MEASURES = {
    Category.POLICY: (
        "Every new listing is checked against Amazon's restricted-products and listing "
        "policies before it is created; claims, content and images are reviewed by a second "
        "person."
    ),
    Category.RESTRICTION: (
        "Before listing a brand, category or condition we check Amazon's listing "
        "restrictions (Add a Product) and apply for approval first."
    ),
    Category.CATALOG: (
        "Product identifiers (GTIN/UPC) are verified against GS1 before listing, and we list "
        "only against ASINs that match the product exactly."
    ),
    Category.LISTING_FIELDS: (
        "Listings are validated against the product type's requirements before they are "
        "submitted (patchListingsItem VALIDATION_PREVIEW), and the listing-quality reports "
        "are reviewed weekly."
    ),
    Category.PRICING: (
        "Prices are checked against our minimum and maximum allowed prices before each "
        "change, and price changes are reviewed daily."
    ),
    Category.STOCK: (
        "Stock levels are reviewed daily; replenishment is sent before the available "
        "quantity runs out."
    ),
    Category.ACCOUNT: (
        "Account Health is reviewed every day and every notification is answered within 48 hours."
    ),
    Category.OTHER: "The listing's status in Seller Central is reviewed after every change.",
}


def _measures_section(plan: WizardPlan) -> str:
    seen: list[Category] = []
    for finding in plan.diagnosis.findings:
        if finding.severity is not Severity.INFO and finding.category not in seen:
            seen.append(finding.category)
    if not seen:
        return ""
    lines = [f"- {_MEASURES[category]}" for category in seen]
    return "## 3. Measures to prevent it happening again\n\n" + "\n".join(lines)


def _request(plan: WizardPlan) -> str:
    d = plan.diagnosis
    return (
        "## Request\n\n"
        f"Please review SKU {d.sku}"
        + (f" (ASIN {d.asin})" if d.asin else "")
        + " and reinstate it, or tell us exactly which document or change is still missing.\n\n"
        "Thank you."
    )
