"""The Seller Support case draft carries the evidence, the checklist and the answers; no secrets."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from asin_tui.domain import codes
from asin_tui.domain.casedraft import ChecklistEntry, Submission, build_case_draft, case_filename
from asin_tui.domain.models import (
    AccountHealth,
    Category,
    Diagnosis,
    Enforcement,
    Evidence,
    Finding,
    Issue,
    Listing,
    Restriction,
    RestrictionReason,
    Severity,
    State,
    WizardStep,
)
from asin_tui.domain.text import unsafe_chars
from asin_tui.domain.wizard import build_plan

US = "ATVPDKIKX0DER"
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def policy_plan():
    issue = Issue(
        "18742",
        "Restricted Products Policy Violation",
        "ERROR",
        attribute_names=("item_name",),
        enforcement=Enforcement(("CATALOG_ITEM_REMOVED",), "NOT_EXEMPT"),
    )
    other_market = Issue("555", "Only in Canada", "ERROR", marketplace_ids=("A2EUQ1WTGCTBG2",))
    listing = Listing(
        sku="POL/1",
        marketplace_id=US,
        asin="B0POLICY1",
        item_name="Laser pointer",
        product_type="LASER_POINTER",
        issues=(issue, other_market),
    )
    restriction = Restriction(US, "new_new", (RestrictionReason("Not eligible", "NOT_ELIGIBLE"),))
    evidence = Evidence(
        listing,
        restrictions=(restriction,),
        account=AccountHealth(US, "AT_RISK", {"restrictedProductPolicyViolations": 1}),
    )
    found = Finding(
        Category.POLICY,
        Severity.ERROR,
        codes.POLICY_VIOLATION,
        "Restricted product",
        "Amazon removed the ASIN (18742).",
        "appeal",
        step=WizardStep.POLICY,
        issue_code="18742",
    )
    diagnosis = Diagnosis("POL/1", "B0POLICY1", US, State.CATALOG_REMOVED, False, False, (found,))
    return build_plan(evidence, diagnosis, now=NOW)


def test_case_draft_contains_evidence_checklist_and_answers():
    plan = policy_plan()
    case = plan.policy_cases[0]
    checklist = {
        case.items[0].key: ChecklistEntry(True, "Read the laser policy, class 2 is allowed"),
        case.items[2].key: ChecklistEntry(False, "asking the supplier for invoices"),
    }
    submission = Submission(
        submitted_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        mode="VALIDATION_PREVIEW",
        patches=[{"op": "replace", "path": "/attributes/item_name", "value": [{"value": "x"}]}],
        status="INVALID",
        submission_id="sub-123",
        issues=("18742: Restricted Products Policy Violation",),
    )
    after = Diagnosis(
        "POL/1", "B0POLICY1", US, State.CATALOG_REMOVED, False, False, plan.diagnosis.findings
    )
    text = build_case_draft(
        plan,
        checklist=checklist,
        step_notes={WizardStep.POLICY: "Called support on 28 Feb", WizardStep.STOCK: "  "},
        submissions=[submission],
        after=after,
        now=NOW,
    )
    assert text.startswith("# Seller Support case draft: SKU POL/1 / ASIN B0POLICY1\n")
    assert "Drafted 2026-03-01 09:30 UTC" in text
    assert (
        "**Subject:** Laser pointer: listing catalog_removed, plan of action and request for review"
    ) in text
    # Amazon's plan-of-action shape: root cause, actions taken, measures, in that order
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Listing",
        "## 1. Root cause",
        "## 2. Actions taken",
        "## 3. Measures to prevent it happening again",
        "## Request",
    ]
    assert "restricted-products and listing policies before it is created" in text
    assert "- Marketplace: United States (ATVPDKIKX0DER)" in text
    assert "- State: Catalog item removed — neither buyable nor discoverable" in text
    assert (
        "- **18742** (ERROR) Restricted Products Policy Violation [attributes: item_name]"
        " — CATALOG_ITEM_REMOVED, in force"
    ) in text
    assert "Only in Canada" not in text, "issues of other marketplaces are left out"
    assert "- Restriction (new_new): NOT_ELIGIBLE: Not eligible" in text
    assert "- Account health: AT_RISK (restricted product policy violations: 1)" in text
    assert "- ERROR: Restricted product. Amazon removed the ASIN (18742)." in text
    assert f"Appeal path: {case.appeal_path}" in text
    assert f"- [x] {case.items[0].text} — Read the laser policy, class 2 is allowed" in text
    assert f"- [ ] {case.items[1].text}\n" in text
    assert f"- [ ] {case.items[2].text} — asking the supplier for invoices" in text
    assert "- Policy compliance: Called support on 28 Feb" in text
    assert "- Stock:" not in text, "blank notes are left out"
    assert (
        "- 2026-03-01 09:00 UTC, validation preview (replace /attributes/item_name): INVALID,"
        " submission id sub-123\n  - Amazon: 18742: Restricted Products Policy Violation"
    ) in text
    assert "### Status after our changes" in text
    assert "Please review SKU POL/1 (ASIN B0POLICY1)" in text


def test_case_draft_without_actions_has_no_empty_sections():
    text = build_case_draft(policy_plan(), now=NOW)
    assert "### Notes" not in text and "### Changes submitted" not in text
    assert "### Status after our changes" not in text
    assert "- [ ]" in text  # the checklist is still there, unticked


def test_secrets_pasted_in_notes_are_redacted():
    plan = policy_plan()
    notes = {
        WizardStep.POLICY: "token Atzr|IwEBIExample-secret.value and amzn1.oa2-cs.v1.abcdef123 oops"
    }
    text = build_case_draft(plan, step_notes=notes, now=NOW)
    assert "Atzr|" not in text and "amzn1.oa2-cs" not in text
    assert text.count("[redacted]") == 2


def test_case_filename_is_safe_and_timed():
    when = NOW.replace(hour=14, minute=5, second=9)
    assert case_filename("POL/1", when) == "POL_1-20260301-140509.md"
    assert case_filename("../..", when) == "listing-20260301-140509.md"
    assert case_filename("MUG-1.blue", when) == "MUG-1.blue-20260301-140509.md"
    assert case_filename("MUG-1", when, attempt=2) == "MUG-1-20260301-140509-2.md"


def test_case_draft_shows_control_and_bidi_characters_escaped():
    """A title or message written by an attacker never puts a raw control character in a
    document people paste, open and cat (issue 8)."""
    plan = policy_plan()
    hostile = "Laser \x1b]0;title\x07 [Military Grade] \u202eevil\x9b2J"
    listing = dataclasses.replace(plan.listing, item_name=hostile)
    evidence = Evidence(listing)
    text = build_case_draft(build_plan(evidence, plan.diagnosis, now=NOW), now=NOW)
    assert unsafe_chars(text) == []
    assert "Laser \\x1b]0;title\\x07 [Military Grade] \\u202eevil\\x9b2J" in text


def test_a_case_file_name_fits_any_file_system_whatever_the_sku():
    """A file name is at most 255 bytes: a SKU of 300 CJK characters (900 bytes) must not
    make the draft impossible to save."""
    from datetime import datetime

    from asin_tui.domain.casedraft import case_filename

    for sku in ["商品" * 150, "A" * 300, "../" * 100, "é" * 200]:
        name = case_filename(sku, datetime(2026, 12, 4, 10, 0, 0), attempt=12)
        assert len(name.encode("utf-8")) <= 255 and "/" not in name and not name.startswith(".")
