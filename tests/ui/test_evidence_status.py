"""The detail header says Amazon's own status when it lags the enforcement in force (issue 10)."""

from __future__ import annotations

from asin_tui.domain.models import ListingRecord, State
from asin_tui.ui.evidence_text import header


def _record(**kw) -> ListingRecord:
    fields = dict(
        sku="GM-ZDPI-9B4E",
        asin="B071VG5N9D",
        title="Luggage",
        marketplace_id="ATVPDKIKX0DER",
        state=State.SEARCH_SUPPRESSED,
        buyable=True,
        discoverable=False,
        amazon_status=("BUYABLE", "DISCOVERABLE"),
    )
    fields.update(kw)
    return ListingRecord(**fields)


def test_a_lagging_status_is_shown_beside_the_state():
    text = header(_record()).plain
    assert "Amazon's status BUYABLE, DISCOVERABLE — it lags the enforcement in force" in text


def test_an_agreeing_status_is_not_repeated():
    agreeing = _record(state=State.ACTIVE, discoverable=True)
    assert "Amazon's status" not in header(agreeing).plain
    assert "Amazon's status" not in header(_record(amazon_status=None)).plain


def test_the_state_meaning_does_not_say_the_state_twice():
    """Session 8's walk: the detail of an inactive listing read "State ○ Inactive — inactive:
    not buyable"."""
    said = {
        State.INACTIVE: "○ Inactive — not buyable",
        State.SUPPRESSED: "✖ Suppressed by Amazon: not buyable",
        State.ACTIVE: "● Active — buyable and discoverable",
        State.INCOMPLETE: "◌ Incomplete — the SKU is not in the catalog",
        State.CATALOG_REMOVED: "⊘ Removed — catalog item removed: the ASIN is gone",
    }
    for state, words in said.items():
        line = header(_record(state=state, amazon_status=None)).plain.splitlines()[2]
        assert line == f"State {words}", line
