"""How a case ends: the outcomes that fit the evidence, patches still processing, re-checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from asin_tui.domain import codes
from asin_tui.domain.models import (
    Category,
    Diagnosis,
    Enforcement,
    Evidence,
    Finding,
    FulfillmentAvailability,
    InventorySummary,
    Issue,
    Listing,
    Offer,
    Restriction,
    RestrictionLink,
    RestrictionReason,
    Severity,
    State,
    WizardStep,
)
from asin_tui.domain.outcomes import (
    WAIT_FOR,
    OutcomeKind,
    Recheck,
    outcome_options,
    processing,
    recheck,
)
from asin_tui.domain.wizard import build_plan

US = "ATVPDKIKX0DER"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
S = WizardStep


def finding(code, category, step, severity=Severity.ERROR, **kw) -> Finding:
    return Finding(
        category, severity, code, kw.pop("title", code), kw.pop("detail", ""), "", step=step, **kw
    )


def listing(**kw) -> Listing:
    base = dict(
        sku="SKU-1",
        marketplace_id=US,
        asin="B0SKU1",
        product_type="MUG",
        status=frozenset({"DISCOVERABLE"}),
        offers=(Offer(US, "B2C", Decimal("20.00"), "USD"),),
    )
    base.update(kw)
    return Listing(**base)


def plan_for(item: Listing, state: State, *findings: Finding, **evidence):
    diagnosis = Diagnosis(item.sku, item.asin, US, state, item.buyable, item.discoverable, findings)
    return build_plan(Evidence(item, **evidence), diagnosis, now=NOW)


def kinds(options) -> list[OutcomeKind]:
    return [o.kind for o in options]


def test_fba_stock_being_received_waits_instead_of_escalating():
    item = listing(fulfillment=(FulfillmentAvailability("AMAZON_NA", None),))
    inv = InventorySummary("SKU-1", inbound_shipped=30, inbound_receiving=18)
    plan = plan_for(
        item,
        State.INACTIVE,
        finding(codes.OUT_OF_STOCK_FBA, Category.STOCK, S.STOCK),
        inventory=inv,
    )
    options = outcome_options(plan, now=NOW)
    assert kinds(options) == [OutcomeKind.WAITING, OutcomeKind.DELETE, OutcomeKind.LEAVE_INACTIVE]
    waiting = options[0]
    assert waiting.recommended
    assert waiting.wait.what == "Amazon to receive the 48 inbound units (30 shipped, 18 receiving)"
    assert waiting.wait.recheck_at == NOW + WAIT_FOR["inbound"]
    assert OutcomeKind.ESCALATE not in kinds(options), "no appeal path for stock"


def approval_plan():
    link = RestrictionLink("Request approval", "https://sellercentral.amazon.com/hz/approval")
    restriction = Restriction(
        US, None, (RestrictionReason("Approval", "APPROVAL_REQUIRED", (link,)),)
    )
    return plan_for(
        listing(),
        State.INACTIVE,
        finding(codes.APPROVAL_REQUIRED, Category.RESTRICTION, S.POLICY, title="Approval required"),
        restrictions=(restriction,),
    )


def test_an_approval_is_requested_not_escalated():
    plan = approval_plan()
    assert OutcomeKind.ESCALATE not in kinds(outcome_options(plan, now=NOW))
    assert OutcomeKind.WAITING not in kinds(outcome_options(plan, now=NOW)), "not applied yet"
    (case,) = plan.policy_cases
    applied = outcome_options(plan, done={case.items[-1].key}, now=NOW)
    assert applied[0].kind is OutcomeKind.WAITING and applied[0].recommended
    assert applied[0].wait.reason == "approval"
    assert "approval request" in applied[0].wait.what


def test_no_appeal_path_is_retired_not_escalated():
    restriction = Restriction(US, None, (RestrictionReason("Not allowed", "NOT_ELIGIBLE"),))
    plan = plan_for(
        listing(fulfillment=(FulfillmentAvailability("AMAZON_NA", None),)),
        State.INACTIVE,
        finding(codes.NOT_ELIGIBLE, Category.RESTRICTION, S.POLICY, title="Not eligible"),
        restrictions=(restriction,),
        inventory=InventorySummary("SKU-1", fulfillable=7),
    )
    options = outcome_options(plan, now=NOW)
    assert kinds(options) == [OutcomeKind.DELETE, OutcomeKind.LEAVE_INACTIVE]
    assert options[0].recommended
    assert "removal order" in options[0].detail and "7 units" in options[0].detail


def policy_plan():
    issue = Issue(
        "4000",
        "Restricted claim",
        "ERROR",
        enforcement=Enforcement(("LISTING_SUPPRESSED",), "NOT_EXEMPT"),
    )
    return plan_for(
        listing(issues=(issue,)),
        State.SUPPRESSED,
        finding(
            codes.POLICY_VIOLATION, Category.POLICY, S.POLICY, title="Restricted", issue_code="4000"
        ),
    )


def test_a_policy_case_can_be_escalated_and_waits_once_the_appeal_is_sent():
    plan = policy_plan()
    options = outcome_options(plan, now=NOW)
    assert OutcomeKind.ESCALATE in kinds(options)
    assert not any(o.recommended for o in options), "nothing worked through yet"
    (case,) = plan.policy_cases
    worked = {i.key for i in case.items[:-1]}
    assert outcome_options(plan, done=worked, now=NOW)[0].kind is OutcomeKind.ESCALATE
    sent = outcome_options(plan, done=worked | {case.items[-1].key}, now=NOW)
    assert sent[0].kind is OutcomeKind.WAITING and sent[0].wait.reason == "appeal"
    assert sent[0].wait.recheck_at == NOW + WAIT_FOR["appeal"]


def test_a_patch_processing_waits_and_is_never_escalated_meanwhile():
    plan = policy_plan()
    from asin_tui.domain.outcomes import PendingPatch

    pending = PendingPatch(NOW - timedelta(minutes=2), "sub-9")
    options = outcome_options(plan, pending=pending, now=NOW)
    assert options[0].kind is OutcomeKind.WAITING and options[0].recommended
    assert options[0].wait.what == (
        "Amazon to process your change (submitted 11:58 UTC, submission id sub-9)"
    )
    assert OutcomeKind.ESCALATE not in kinds(options)


def test_at_risk_is_the_deadline_and_what_to_do_not_resolved():
    expiry = NOW + timedelta(days=12)
    issue = Issue(
        "18027",
        "Image not compliant",
        "ERROR",
        enforcement=Enforcement(("SEARCH_SUPPRESSED",), "EXEMPT_UNTIL_EXPIRY_DATE", expiry),
    )
    risk = Finding(
        Category.LISTING_FIELDS,
        Severity.WARNING,
        codes.EXEMPTION_EXPIRING,
        "At risk: image",
        "",
        "Replace the main image.",
        step=S.FIELDS,
        issue_code="18027",
    )
    item = listing(status=frozenset({"BUYABLE", "DISCOVERABLE"}), issues=(issue,))
    plan = plan_for(item, State.ACTIVE, risk)
    (option,) = outcome_options(plan, now=NOW)
    assert option.kind is OutcomeKind.AT_RISK and option.deadline == expiry
    assert option.title == "At risk until 2026-03-13"
    assert "before 2026-03-13: Replace the main image." in option.detail


def test_a_listing_back_on_sale_is_resolved():
    item = listing(status=frozenset({"BUYABLE", "DISCOVERABLE"}))
    (option,) = outcome_options(plan_for(item, State.ACTIVE), now=NOW)
    assert option.kind is OutcomeKind.RESOLVED


def test_processing_until_the_listing_shows_the_patch():
    sent = NOW - timedelta(minutes=1)
    patch = [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 25}],
        }
    ]
    old = listing(
        attributes={
            "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]
        },
        last_updated_date=NOW - timedelta(days=3),
    )
    pending = processing(old, [(sent, "sub-1", patch)])
    assert pending is not None and pending.submission_id == "sub-1"
    new = listing(
        attributes={
            "fulfillment_availability": [
                {"fulfillment_channel_code": "DEFAULT", "quantity": 25.0, "lead_time": 2}
            ]
        }
    )
    assert processing(new, [(sent, "sub-1", patch)]) is None
    touched = listing(last_updated_date=NOW)  # Amazon updated it after the submission
    assert processing(touched, [(sent, "sub-1", patch)]) is None
    assert processing(old, []) is None
    day_later = sent + WAIT_FOR["patch"] + timedelta(minutes=1)
    assert processing(old, [(sent, "sub-1", patch)], day_later) is None, (
        "never processed: a verdict"
    )
    delete = [{"op": "delete", "path": "/attributes/color", "value": [{"marketplace_id": US}]}]
    assert processing(listing(attributes={"color": [{"value": "red"}]}), [(sent, None, delete)])
    assert processing(listing(), [(sent, None, delete)]) is None


def diag(state: State, *findings: Finding) -> Diagnosis:
    return Diagnosis("SKU-1", None, US, state, state is State.ACTIVE, True, findings)


def test_recheck_resolves_waits_marks_them_overdue_and_reopens_resolved_ones():
    broken = diag(State.SUPPRESSED, finding(codes.MISSING_IMAGE, Category.LISTING_FIELDS, S.FIELDS))
    due = NOW + timedelta(days=1)
    assert recheck("waiting", due, None, now=NOW) is Recheck.RESOLVED, "left the attention list"
    assert recheck("waiting", due, diag(State.ACTIVE), now=NOW) is Recheck.RESOLVED
    assert recheck("waiting", due, broken, now=NOW) is Recheck.UNCHANGED
    assert recheck("waiting", due, broken, now=due + timedelta(seconds=1)) is Recheck.OVERDUE
    assert recheck("escalated", None, diag(State.ACTIVE), now=NOW) is Recheck.RESOLVED
    assert recheck("resolved", None, broken, now=NOW) is Recheck.REOPENED
    assert recheck("resolved", None, None, now=NOW) is Recheck.UNCHANGED
    assert recheck("retired", None, broken, now=NOW) is Recheck.UNCHANGED
    risky = diag(
        State.ACTIVE,
        finding(codes.EXEMPTION_EXPIRING, Category.LISTING_FIELDS, S.FIELDS, Severity.WARNING),
    )
    assert recheck("at_risk", due, risky, now=NOW) is Recheck.UNCHANGED
    assert recheck("at_risk", due, risky, now=due + timedelta(hours=1)) is Recheck.OVERDUE
    assert recheck("at_risk", due, diag(State.ACTIVE), now=NOW) is Recheck.RESOLVED


def test_an_open_case_whose_change_amazon_accepted_is_resolved_once_back_on_sale():
    """A change sent (the wizard's Apply, a bulk fix) that did not lift everything leaves the
    case open; the sync that finds the listing on sale resolves it. Never sent: left open."""
    broken = diag(State.SUPPRESSED, finding(codes.MISSING_IMAGE, Category.LISTING_FIELDS, S.FIELDS))
    assert recheck("open", None, diag(State.ACTIVE), now=NOW, sent=True) is Recheck.RESOLVED
    assert recheck("open", None, None, now=NOW, sent=True) is Recheck.RESOLVED
    assert recheck("open", None, broken, now=NOW, sent=True) is Recheck.UNCHANGED
    assert recheck("open", None, diag(State.ACTIVE), now=NOW) is Recheck.UNCHANGED
