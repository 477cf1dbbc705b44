"""The account-level gate end to end in the domain: the sandbox's Account Health document,
parsed as sync parses it, drives the diagnosis (ACCOUNT first) and the wizard's Policy step
(the policy counters, docs/INACTIVE_CAUSES.md rows 8 and 15)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from asin_tui.domain import codes
from asin_tui.domain.diagnosis import diagnose
from asin_tui.domain.models import Category, Evidence, Severity, WizardStep
from asin_tui.domain.wizard import StepStatus, build_plan
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.spapi.parse import LISTING_SECTIONS, parse_account_health, parse_listing

NOW = datetime(2026, 11, 27, 9, tzinfo=UTC)


def gate(status: str):
    """The demo account in ``status``, its parsed AccountHealth, and an evidence builder."""
    account = SandboxAccount(now=NOW, account_status=status)
    market = account.marketplace.marketplace_id
    health = parse_account_health(account.account_health_report(), market)

    def evidence(sku: str) -> Evidence:
        return Evidence(parse_listing(account.item(sku, LISTING_SECTIONS), market), account=health)

    return account, health, evidence


def policy_sku(account: SandboxAccount) -> str:
    return next(s for s in account.search() if codes.POLICY_VIOLATION in account.intended_causes(s))


@pytest.mark.parametrize(
    ("status", "severity", "title"),
    [
        ("AT_RISK", Severity.WARNING, "Account at risk"),
        ("DEACTIVATED", Severity.ERROR, "Account deactivated"),
    ],
)
def test_a_blocked_account_is_said_first_with_its_counters(status, severity, title):
    account, health, evidence = gate(status)
    assert health.policy_counters  # the sandbox's policy listings show in the report
    sku = policy_sku(account)
    first, *rest = diagnose(evidence(sku), now=NOW).findings
    assert (first.category, first.severity, first.title) == (Category.ACCOUNT, severity, title)
    assert f"Policy sections marked BAD: {health.counters_text()}." in first.detail
    assert "listing policy violations: " in first.detail  # in words, not camelCase
    assert any(f.code == codes.POLICY_VIOLATION for f in rest)  # the listing's own cause follows


def test_wizard_policy_step_shows_the_account_counters():
    account, health, evidence = gate("AT_RISK")
    sku = policy_sku(account)
    plan = build_plan(evidence(sku), diagnose(evidence(sku), now=NOW), now=NOW)
    assert WizardStep.POLICY in plan.applicable
    check = next(c for c in plan.step(WizardStep.POLICY).checks if c.label == "Account health")
    assert check.status is StepStatus.NEEDS_ACTION
    assert check.evidence == f"AT_RISK; {health.counters_text()}"
    assert "listing policy violations: " in check.evidence  # in words, not camelCase


def test_normal_account_adds_no_finding_but_the_policy_step_still_shows_bad_counters():
    account, health, evidence = gate("NORMAL")
    assert health.status == "NORMAL" and health.policy_counters
    sku = policy_sku(account)
    diagnosis = diagnose(evidence(sku), now=NOW)
    assert all(f.category is not Category.ACCOUNT for f in diagnosis.findings)
    plan = build_plan(evidence(sku), diagnosis, now=NOW)
    check = next(c for c in plan.step(WizardStep.POLICY).checks if c.label == "Account health")
    assert check.status is StepStatus.NEEDS_ACTION
    assert check.evidence == f"NORMAL; {health.counters_text()}"
