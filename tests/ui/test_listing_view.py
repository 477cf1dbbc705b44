"""The list's model: filter, state, sort, counts (pure, no Textual)."""

from __future__ import annotations

from asin_tui.domain.models import State, sort_key
from asin_tui.ui.listing_view import ListingView
from asin_tui.ui.widgets.listing_table import fit_cell, plan_layout
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
    assert view.cell(column("progress"), record) == "Listing fields"


def test_layout_fits_80_columns_and_shows_everything_at_120():
    narrow = plan_layout(78)
    assert sum(w + 1 for _, w in narrow) == 78
    assert {c.key for c, _ in narrow} >= {"state", "sku", "asin", "title", "cause", "stock"}
    wide = plan_layout(118)
    assert [c.key for c, _ in wide] == [
        "state",
        "sku",
        "asin",
        "title",
        "cause",
        "stock",
        "price",
        "since",
        "progress",
    ]
    assert sum(w + 1 for _, w in wide) == 118


def test_fit_cell_pads_crops_and_aligns():
    assert fit_cell("abc", 5) == "abc  "
    assert fit_cell("abc", 5, align_right=True) == "  abc"
    assert fit_cell("abcdefgh", 5) == "abcd…"
    assert fit_cell("✖ Suppressed", 2) == "✖ "
