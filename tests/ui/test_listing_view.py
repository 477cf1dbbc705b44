"""The list's model: filter, state, sort, counts (pure, no Textual)."""

from __future__ import annotations

from dataclasses import replace

from asin_tui.domain.models import State, sort_key
from asin_tui.ui.listing_view import COLUMN_KEYS, ListingView
from asin_tui.ui.widgets.listing_table import CAUSE_MAX, fit_cell, plan_layout
from tests.ui.fakes import make_records


def skus(view: ListingView) -> list[str]:
    return [r.sku for r in view.shown()]


def test_default_order_is_reports_order():
    records = make_records()
    view = ListingView(list(reversed(records)))
    assert skus(view) == [r.sku for r in sorted(records, key=sort_key)]


def test_filter_matches_sku_asin_title_and_cause_case_insensitively():
    view = ListingView(make_records())
    for query, field in (
        ("sku-001", "sku"),
        ("b0test002", "asin"),
        ("MUG", "title"),
        ("out of stock", "main_cause"),
    ):
        view.set_query(query)
        assert view.shown(), query
        assert all(query.lower() in str(getattr(r, field)).lower() for r in view.shown())


def test_narrowing_then_widening_the_query_gives_the_same_rows_as_fresh():
    records = make_records()
    view = ListingView(records)
    for step in ("c", "ce", "cer", "ce", "", "bamboo"):
        view.set_query(step)
        assert skus(view) == skus(ListingView(records) if not step else _fresh(records, step))


def _fresh(records, query):
    view = ListingView(records)
    view.set_query(query)
    return view


def test_state_selection_and_counts_follow_the_query():
    view = ListingView(make_records())
    view.set_query("bamboo")
    view.set_state(State.INACTIVE)
    assert view.shown() and all(r.state is State.INACTIVE for r in view.shown())
    assert all("bamboo" in r.title.lower() for r in view.shown())
    assert view.counts[State.INACTIVE] == len(view)
    assert sum(view.counts.values()) == len(_fresh(make_records(), "bamboo"))
    view.set_state(None)
    assert len(view) == sum(view.counts.values())


def test_sort_by_price_and_reverse_keep_missing_values_last():
    records = make_records()
    records[0] = records[0].__class__(**{**_fields(records[0]), "price": None})
    view = ListingView(records)
    view.set_sort("price")
    prices = [r.price for r in view.shown()]
    assert prices[-1] is None
    assert prices[:-1] == sorted(prices[:-1])
    view.toggle_reverse()
    assert [r.price for r in view.shown()][1:] == sorted(prices[:-1], reverse=True)


def test_sort_by_cause_puts_its_numbers_in_order_of_value():
    """'Price below min 445.86' before '… 62.72' read as text; a seller sorting the causes
    expects the amounts (and days of cover) from the least."""
    briefs = [
        "Price below min 445.86",
        "At risk: 10 days of cover (MFN)",
        "Price below min 62.72",
        "Price below min 1,200.00",
        "At risk: 2 days of cover (FBA)",
        "Missing: brand",
        "Price below min 161.17",
    ]
    base = make_records(len(briefs))
    records = [
        base[0].__class__(
            **{
                **_fields(base[0]),
                "sku": f"S{i}",
                "findings": (replace(base[0].findings[0], brief=brief),),
            }
        )
        for i, brief in enumerate(briefs)
    ]
    view = ListingView(records)
    view.set_sort("cause")
    assert [r.main_brief for r in view.shown()] == [
        "At risk: 2 days of cover (FBA)",
        "At risk: 10 days of cover (MFN)",
        "Missing: brand",
        "Price below min 62.72",
        "Price below min 161.17",
        "Price below min 445.86",
        "Price below min 1,200.00",
    ]


def _fields(record):
    return {name: getattr(record, name) for name in record.__slots__}


def test_cycle_sort_walks_every_column_and_wraps():
    view = ListingView(make_records())
    seen = [view.sort_column]
    for _ in range(9):
        view.cycle_sort()
        seen.append(view.sort_column)
    assert seen[0] == seen[-1] == "state"
    assert len(set(seen)) == 9


def test_progress_column_shows_the_wizard_step():
    view = ListingView(make_records(), {"SKU-0000": "Listing fields"})
    from asin_tui.ui.listing_view import column

    record = next(r for r in view.shown() if r.sku == "SKU-0000")
    assert view.cell(column("wizard"), record) == "Listing fields"


def test_layout_at_80_columns_keeps_sku_and_cause_whole_and_marks_what_it_hides():
    narrow = plan_layout(78, sku_width=17, cause_width=38)
    assert narrow.keys[:3] == ("state", "sku", "cause")
    widths = dict(zip(narrow.keys, (w for _, w in narrow), strict=True))
    assert (widths["sku"], widths["cause"]) == (17, 38)  # never cut
    assert sum(w + 1 for _, w in narrow) <= 78
    # nothing dropped: what is not shown is named as hidden to the right
    assert set(narrow.keys) | set(narrow.hidden_right) == set(COLUMN_KEYS)
    assert narrow.hidden_right and not narrow.hidden_left
    assert narrow.keys[3] == "stock"  # the first scrolling column: what sellers check first


def test_scrolling_the_columns_reaches_every_one_and_keeps_the_pinned():
    seen, offset = set(), 0
    while True:
        layout = plan_layout(78, sku_width=17, cause_width=38, offset=offset)
        assert layout.keys[:3] == ("state", "sku", "cause")
        assert len(layout.hidden_left) == offset
        seen |= set(layout.keys)
        if not layout.hidden_right:
            break
        offset += 1
    assert seen == set(COLUMN_KEYS)


def test_the_sorted_column_is_pinned_so_the_sort_is_always_visible():
    for key in COLUMN_KEYS:
        layout = plan_layout(78, sku_width=17, cause_width=38, sort_key=key, offset=5)
        assert key in layout.keys[: layout.pinned]


def test_a_wide_terminal_shows_every_column_and_the_state_in_words():
    wide = plan_layout(158, sku_width=14, cause_width=29)
    assert set(wide.keys) == set(COLUMN_KEYS)
    assert not (wide.hidden_left or wide.hidden_right)
    assert dict(zip(wide.keys, (w for _, w in wide), strict=True))["state"] == 12
    assert sum(w + 1 for _, w in wide) == 158  # the title takes the rest
    at_120 = plan_layout(118, sku_width=14, cause_width=29)
    assert "title" in at_120.keys and sum(w + 1 for _, w in at_120) == 118


def test_a_very_long_cause_is_cut_at_the_cap_and_a_tiny_terminal_cuts_it_to_fit():
    layout = plan_layout(78, sku_width=14, cause_width=60)
    assert dict(zip(layout.keys, (w for _, w in layout), strict=True))["cause"] == CAUSE_MAX
    tiny = plan_layout(40, sku_width=14, cause_width=38)
    assert sum(w + 1 for _, w in tiny) <= 40 and tiny.keys == ("state", "sku", "cause")


def test_fit_cell_pads_crops_and_aligns():
    assert fit_cell("abc", 5) == "abc  "
    assert fit_cell("abc", 5, align_right=True) == "  abc"
    assert fit_cell("abcdefgh", 5) == "abcd…"
    assert fit_cell("✖ Suppressed", 2) == "✖ "


def test_the_at_risk_views_longest_cause_is_whole_at_80_columns():
    """ "At risk until 2027-01-14: compliance documents required" (55) was cut at 46."""
    cause = "At risk until 2027-01-14: compliance documents required"
    layout = plan_layout(78, sku_width=12, cause_width=len(cause))
    assert dict(zip(layout.keys, (w for _, w in layout), strict=True))["cause"] == len(cause)


def test_a_cause_too_long_for_any_column_beside_it_gives_way_once_scrolled_right():
    """The At risk view at 80 columns: "At risk until 2027-01-14: compliance documents
    required" (55) left no room for a single column after it; the header said → and → showed
    nothing, nor did any further press (stock, price, since… never reachable). Scrolled right,
    the cause now gives way to the columns after it, its end marked scrolled off (←); not
    scrolled, it is whole as before."""
    at_rest = plan_layout(78, sku_width=14, cause_width=55)
    assert dict(zip(at_rest.keys, (w for _, w in at_rest), strict=True))["cause"] == 55
    assert at_rest.keys == ("state", "sku", "cause") and at_rest.hidden_right
    seen, offset = set(), 1
    while True:
        layout = plan_layout(78, sku_width=14, cause_width=55, offset=offset)
        assert layout.keys[:3] == ("state", "sku", "cause")
        assert len(layout.keys) > layout.pinned, f"→ {offset}: no column shown"
        assert layout.hidden_left, "← marks what is scrolled off"
        assert sum(w + 1 for _, w in layout) <= 78
        seen |= set(layout.keys[layout.pinned :])
        if not layout.hidden_right:
            break
        offset += 1
        assert offset < 12
    assert seen == set(COLUMN_KEYS) - {"state", "sku", "cause"}


def test_the_listings_at_risk_are_counted_through_the_filter_when_they_are_rows():
    """The counts bar's "R At risk N" under a filter: the filter's count when every listing
    at risk is a row here (the At risk view, All listings), None when one is not (the
    Needs attention view: the filter cannot be judged for it)."""
    records = make_records()
    view = ListingView(records)
    picked = [r.sku for r in records[:6]]
    assert view.matched_of(picked) == 6  # no filter: all of them
    view.set_query("bamboo")
    view.set_state(State.INACTIVE)
    expected = sum(1 for r in records[:6] if "bamboo" in r.title.lower())
    assert 0 < expected < 6
    assert view.matched_of(picked) == expected  # whatever the state key
    assert view.matched_of([*picked, "NOT-A-ROW"]) is None
