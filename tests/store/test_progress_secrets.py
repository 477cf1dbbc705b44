"""A token or secret pasted into a wizard note never reaches the progress file."""

from __future__ import annotations

import base64
from urllib.parse import quote

from asin_tui.domain.models import WizardStep
from asin_tui.store.cases import CaseRecord, CaseStore, ChecklistTick, Outcome, masked_texts

US = "ATVPDKIKX0DER"
REFRESH = "Atzr|IwEBIPastedRefreshToken0123456789abcdef"
ACCESS = "Atza|IwEBIPastedAccessToken0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef"
OLD_SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c"  # no shape: known from the environment


def test_a_token_pasted_into_a_note_is_saved_masked_and_said(monkeypatch):
    monkeypatch.setenv("LWA_CLIENT_SECRET", OLD_SECRET)
    store = CaseStore("test", US)
    case = CaseRecord(sku="S-1")
    policy = case.steps[WizardStep.POLICY]
    policy.notes = f"asked support; token {REFRESH} and {quote(ACCESS, safe='')}"
    policy.checklist = [
        ChecklistTick("Appeal", note=f"secret {SECRET}"),
        ChecklistTick("Invoice", note="sent on 1 May"),
    ]
    case.steps[WizardStep.STOCK].notes = base64.b64encode(OLD_SECRET.encode()).decode()
    case.set_outcome(Outcome.RETIRED, reason=f"Left inactive: {OLD_SECRET}")
    store.update("S-1", case)

    raw = store.path.read_bytes()
    for wal in store.path.parent.glob(store.path.name + "-*"):
        raw += wal.read_bytes()
    for secret in (REFRESH, ACCESS, SECRET, OLD_SECRET, "IwEBIPasted"):
        assert secret.encode() not in raw
    assert base64.b64encode(OLD_SECRET.encode()) not in raw
    saved = store.get("S-1")
    assert saved.steps[WizardStep.POLICY].notes == (
        "asked support; token [redacted] and [redacted]"
    )
    notes = [item.note for item in saved.steps[WizardStep.POLICY].checklist]
    assert notes == ["secret [redacted]", "sent on 1 May"]  # the rest kept as typed
    assert saved.outcome_reason == "Left inactive: [redacted]"
    assert saved.steps[WizardStep.STOCK].notes == "[redacted]"
    # where the wizard says it masked one: the notes that held one, not the plain note
    assert masked_texts(case) == {"policy", "policy: Appeal", "stock", "outcome_reason"}
    assert masked_texts(saved) == frozenset()
