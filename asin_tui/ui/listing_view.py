"""The in-memory model behind the ASIN list: records, the columns, filter, state and sort.

Pure (no Textual), built for 100,000 rows: the search keys are lowercased once, a filter is one
pass over an index array (narrowing from the previous result while the query only grows), and
each column's sort order is computed once and cached. What costs time over 100,000 rows (the
:class:`RowIndex` of search keys and SKUs, a column's :func:`sort_order`) can be built off the
UI thread and handed in. The table widget reads ``rows`` and renders only what is on screen.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.cells import cell_len

from asin_tui.domain import codes
from asin_tui.domain.models import ListingRecord, State, sort_key
from asin_tui.domain.text import visible
from asin_tui.ui.presentation import STATE_LOOKS, price_text, short_date_text, stock_text
from asin_tui.ui.timing import utc_now

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

    from asin_tui.domain.causes import CauseKey

CaseLabelMap = Mapping[str, str]  # SKU -> its wizard case's label (the step it was left at)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    #: the cell's text: (record, case labels, the year dates are shown relative to)
    cell: Callable[[ListingRecord, CaseLabelMap, int], str]
    sort_key: Callable[[ListingRecord, CaseLabelMap], SupportsRichComparison]
    width: int  # fixed width in cells; the title column takes what is left
    align_right: bool = False


def _text_key(text: str | None) -> tuple[bool, str]:
    """Empty values sort last whatever the direction of the text."""
    return (not text, (text or "").lower())


_NUMBERS = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)", re.ASCII)  # '1,200.00' as amount_text


@lru_cache(maxsize=4096)  # an account's causes repeat: 100,000 rows hold a few hundred
def _cause_key(text: str) -> tuple[bool, tuple[str | Decimal, ...]]:
    """A cause in reading order, its numbers by value: 'Price below min 62.72' before
    '… 161.17', 'At risk: 2 days of cover' before '… 10 days …' (as text, '1' < '6' put them
    the other way round). Empty causes last, as :func:`_text_key`'s."""
    parts = _NUMBERS.split(text.lower())  # text, number, text, …: a number always at odd places
    return (
        not text,
        tuple(Decimal(p.replace(",", "")) if i % 2 else p for i, p in enumerate(parts)),
    )


def _number_key(value: Decimal | int | None) -> tuple[bool, Decimal | int]:
    return (value is None, value if value is not None else 0)


#: Marks before a main cause when the last sync could not fetch some evidence behind it (the
#: detail screen says which call failed and when the answer shown is from).
NOT_CHECKED_MARK = "?"  # something was not checked: the diagnosis may be missing a cause
STALE_MARK = "~"  # some evidence is the last good answer of an earlier sync


def cause_text(r: ListingRecord) -> str:
    """The Main cause cell: the main cause, marked when evidence behind it is missing or old."""
    found = {f.code for f in r.findings}
    if r.main_code == codes.EVIDENCE_NOT_CHECKED or not found & _GAP_CODES:
        return r.main_brief
    mark = NOT_CHECKED_MARK if codes.EVIDENCE_NOT_CHECKED in found else STALE_MARK
    return f"{mark} {r.main_brief}"


_GAP_CODES = frozenset({codes.EVIDENCE_NOT_CHECKED, codes.EVIDENCE_STALE})


#: In display order: the pinned columns (state, SKU, main cause), then the ones that make
#: way on a narrow terminal (the table scrolls them sideways); the title takes the width
#: that is left.
COLUMNS: tuple[Column, ...] = (
    Column(
        "state",
        "State",
        lambda r, p, year: STATE_LOOKS[r.state].text,
        lambda r, p: sort_key(r),  # ListingRecord has the .state/.sku that sort_key reads
        12,
    ),
    Column("sku", "SKU", lambda r, p, year: r.sku, lambda r, p: r.sku, 14),
    Column(
        "cause",
        "Main cause",
        lambda r, p, year: cause_text(r),
        lambda r, p: _cause_key(r.main_brief),
        26,
    ),
    Column(
        "stock",
        "Stock",
        lambda r, p, year: stock_text(r),
        lambda r, p: _number_key(r.quantity),
        7,
        align_right=True,
    ),
    Column(
        "price",
        "Price",
        lambda r, p, year: price_text(r.price),
        lambda r, p: _number_key(r.price),
        9,
        align_right=True,
    ),
    Column(
        "since",
        "Since",
        lambda r, p, year: short_date_text(r.inactive_since, year),
        lambda r, p: (r.inactive_since is None, r.inactive_since or 0),
        8,  # "Nov 2025"
    ),
    Column(
        "wizard",
        "Wizard",
        lambda r, p, year: p.get(r.sku, ""),
        lambda r, p: _text_key(p.get(r.sku)),
        10,
    ),
    Column("title", "Title", lambda r, p, year: r.title, lambda r, p: _text_key(r.title), 0),
    Column("asin", "ASIN", lambda r, p, year: r.asin or "—", lambda r, p: _text_key(r.asin), 10),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
_BY_KEY = {c.key: c for c in COLUMNS}


def column(key: str) -> Column:
    return _BY_KEY[key]


def search_keys(records: Sequence[ListingRecord]) -> list[str]:
    """One lowercase string per record: SKU, ASIN, title and main cause, in its words and in
    its brief (what `/` searches)."""
    return [search_key(r) for r in records]


def search_key(r: ListingRecord) -> str:
    """One record's :func:`search_keys` string."""
    return f"{r.sku}\n{r.asin or ''}\n{r.title}\n{r.main_cause}\n{r.main_brief}".lower()


@dataclass(frozen=True, slots=True)
class RowIndex:
    """What the filter and the cursor look up, per record, and how wide the SKUs and main
    causes are: about 0.2 s for 100,000 rows, so the list builds it (:func:`index_rows`) off
    the UI thread with the records."""

    keys: list[str]  # search_keys()
    by_sku: dict[str, int]  # SKU -> index into the records
    sku_width: int = 0  # cells of the longest SKU
    cause_width: int = 0  # cells of the longest main cause (brief)


def _widest(texts: Iterable[str]) -> int:
    """Cells of the widest text as the table shows it (control characters spelled out by
    domain.text.visible); printable ASCII, nearly every SKU, is its own length."""
    return max(
        (len(t) if t.isascii() and t.isprintable() else cell_len(visible(t)) for t in texts),
        default=0,
    )


def index_rows(
    records: Sequence[ListingRecord],
    shared: tuple[Sequence[ListingRecord], RowIndex] | None = None,
) -> RowIndex:
    """``shared``: another scope's records and index; a record that is the same object as
    one of them (:func:`share_records`) takes its search key from there, not a copy."""
    if shared is None:
        keys = search_keys(records)
    else:
        theirs, index = shared
        at = index.by_sku
        keys = [
            index.keys[j] if (j := at.get(r.sku)) is not None and theirs[j] is r else search_key(r)
            for r in records
        ]
    return RowIndex(
        keys,
        {r.sku: i for i, r in enumerate(records)},
        sku_width=_widest(r.sku for r in records),
        # the cause depends on the findings alone, shared between rows read from the cache
        cause_width=_widest({cause_text(r) for r in {id(r.findings): r for r in records}.values()}),
    )


def share_records(
    records: list[ListingRecord], theirs: Sequence[ListingRecord], index: RowIndex
) -> list[ListingRecord]:
    """``records`` with each one equal to one of ``theirs`` (another scope's, indexed by
    ``index``) replaced by that object: the needs-attention scope's listings are among every
    listing's, and both kept would otherwise hold two decoded copies of each."""
    at = index.by_sku
    for i, r in enumerate(records):
        j = at.get(r.sku)
        if j is not None and (same := theirs[j]) is not r and same == r:
            records[i] = same
    return records


def sort_order(
    records: Sequence[ListingRecord], column_key: str, labels: CaseLabelMap
) -> list[int]:
    """Record indexes in ascending order of the column (a stable sort: ties keep report
    order). Up to 0.3 s for 100,000 rows: the list computes a new one off the UI thread."""
    key = column(column_key).sort_key
    return sorted(range(len(records)), key=lambda i: key(records[i], labels))


class ListingView:
    """Which records are shown, in which order. ``rows`` holds indexes into ``records``.
    ``clock``: what time it is (UiTiming.clock); the cells' dates are shown relative to its
    year as of the last ``set_records``."""

    def __init__(
        self,
        records: Sequence[ListingRecord] = (),
        labels: CaseLabelMap | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._clock = clock
        self.this_year = clock().year
        self.query = ""
        self.state: State | None = None
        self.sort_column = "state"
        self.reverse = False
        self.records: list[ListingRecord] = []
        self.case_labels: CaseLabelMap = {}
        self.rows: list[int] = []
        self.counts: Counter[State] = Counter()
        self._matches: list[int] = []  # after the query, before the state: what counts count
        self._index: RowIndex | None = None
        self._states: list[State] = []
        self._orders: dict[str, list[int]] = {}
        #: the SKUs marked for a bulk action (space, `*`); kept across filters and syncs
        self.marked: set[str] = set()
        #: one cause's listings only (the cause view's Enter): its words and record indexes
        self.cause: CauseKey | None = None
        self._cause_rows: frozenset[int] | None = None
        self.set_records(records, labels)

    # ------------------------------------------------------------------ changes
    def set_records(
        self,
        records: Sequence[ListingRecord],
        labels: CaseLabelMap | None = None,
        *,
        in_report_order: bool = False,
        index: RowIndex | None = None,
        orders: Mapping[str, list[int]] | None = None,
    ) -> None:
        """Replace the data (after a sync or the attention toggle); keeps query, state, sort.
        ``in_report_order``: the records already come sorted by models.sort_key. ``index``
        and ``orders`` (column -> :func:`sort_order`): built off the UI thread for these
        records (else built here when first needed)."""
        self.records = list(records)
        self.case_labels = dict(labels or {})
        self.this_year = self._clock().year
        self._index = index
        self._states = [r.state for r in self.records]
        self._orders = dict(orders or {})
        self.cause, self._cause_rows = None, None  # its indexes were for the old records
        if in_report_order:
            self._orders["state"] = list(range(len(self.records)))
        self._refilter(narrow=False)

    def set_query(self, query: str) -> None:
        query = query.strip().lower()
        if query == self.query:
            return
        narrow = query.startswith(self.query)
        self.query = query
        self._refilter(narrow=narrow)

    def set_state(self, state: State | None) -> None:
        self.state = state
        self._select_state()

    def set_cause(self, cause: CauseKey | None, rows: Sequence[int] = ()) -> None:
        """Show only the records at ``rows`` (one cause's listings, from
        domain.causes.count_causes over these records), or every record again (None)."""
        self.cause = cause
        self._cause_rows = None if cause is None else frozenset(rows)
        self._refilter(narrow=False)

    # ------------------------------------------------------------------ marks
    def toggle_mark(self, row: int) -> None:
        sku = self.record(row).sku
        if sku in self.marked:
            self.marked.discard(sku)
        else:
            self.marked.add(sku)

    def mark_shown(self) -> int:
        """Mark every record shown; how many were not marked yet."""
        before = len(self.marked)
        self.marked.update(self.records[i].sku for i in self.rows)
        return len(self.marked) - before

    def marked_count(self) -> int:
        """How many of the loaded records are marked (a mark on a listing that left the
        scope, e.g. fixed since, is kept but not counted)."""
        by_sku = self._row_index().by_sku
        return sum(1 for sku in self.marked if sku in by_sku)

    def matched_of(self, skus: Iterable[str]) -> int | None:
        """How many of ``skus`` the filter (query and cause) keeps, whatever the state key;
        None when some of them are not among the records (another view's listings, or
        rows not loaded yet): the filter cannot be judged for those."""
        index = self._row_index()
        rows = [index.by_sku.get(sku) for sku in skus]
        if None in rows:
            return None
        query, within = self.query, self._cause_rows
        return sum(
            1
            for i in rows
            if i is not None
            and (not query or query in index.keys[i])
            and (within is None or i in within)
        )

    def marked_records(self) -> list[ListingRecord]:
        """The marked records among the loaded ones, in display order when shown."""
        marked = self.marked
        return [r for r in self.records if r.sku in marked]

    def set_sort(self, column_key: str, reverse: bool = False) -> None:
        """Order by the column (computing its order here if no :meth:`adopt_order` brought it)."""
        self.sort_column = column(column_key).key
        self.reverse = reverse
        self._refilter(narrow=False)

    def next_column(self, after: str | None = None) -> str:
        """The column after ``after`` (default: the one sorted by): what ``s`` sorts by next."""
        index = COLUMN_KEYS.index(after or self.sort_column)
        return COLUMN_KEYS[(index + 1) % len(COLUMN_KEYS)]

    def cycle_sort(self) -> None:
        """Next column, ascending (``s``)."""
        self.set_sort(self.next_column())

    def toggle_reverse(self) -> None:
        self.set_sort(self.sort_column, not self.reverse)

    def has_order(self, column_key: str) -> bool:
        """Whether sorting by the column is immediate (its order is known)."""
        return column_key in self._orders

    def adopt_order(
        self,
        records: Sequence[ListingRecord],
        labels: CaseLabelMap,
        column_key: str,
        order: list[int],
    ) -> bool:
        """Take a column's :func:`sort_order` computed elsewhere, if it is still for our
        records and case labels; False when they changed meanwhile."""
        if records is not self.records or labels is not self.case_labels:
            return False
        self._orders[column_key] = order
        return True

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self.rows)

    def record(self, row: int) -> ListingRecord:
        return self.records[self.rows[row]]

    def row_of(self, sku: str) -> int | None:
        """Where the SKU is shown (None: it is not)."""
        index = self._row_index().by_sku.get(sku)
        if index is None:
            return None
        try:
            return self.rows.index(index)
        except ValueError:  # filtered out
            return None

    def shown(self) -> list[ListingRecord]:
        """The records on display, in display order (what export writes)."""
        return [self.records[i] for i in self.rows]

    def cell(self, col: Column, record: ListingRecord) -> str:
        return col.cell(record, self.case_labels, self.this_year)

    def content_widths(self) -> tuple[int, int]:
        """(longest SKU, longest main cause) over every record, in cells: the table sizes
        those two columns to show them whole."""
        index = self._row_index()
        return index.sku_width, index.cause_width

    # ------------------------------------------------------------------ internals
    def _order(self) -> list[int]:
        order = self._orders.get(self.sort_column)
        if order is None:
            order = sort_order(self.records, self.sort_column, self.case_labels)
            self._orders[self.sort_column] = order
        return order[::-1] if self.reverse else order

    def _row_index(self) -> RowIndex:
        if self._index is None:
            self._index = index_rows(self.records)
        return self._index

    def _refilter(self, *, narrow: bool) -> None:
        if not self.query:
            self._matches = self._order()
        else:
            keys, query = self._row_index().keys, self.query
            source = self._matches if narrow else self._order()
            self._matches = [i for i in source if query in keys[i]]
        if self._cause_rows is not None:
            within = self._cause_rows
            self._matches = [i for i in self._matches if i in within]
        self.counts = Counter(map(self._states.__getitem__, self._matches))
        self._select_state()

    def _select_state(self) -> None:
        if self.state is None:
            self.rows = self._matches
        else:
            states, state = self._states, self.state
            self.rows = [i for i in self._matches if states[i] is state]
