"""Causes across many listings: what the cause view counts and what the bulk wizard fixes.

Pure: no Textual, no I/O. Each finding of a listing that needs attention is one *cause* named
in the list's brief words ("Missing: brand", "Out of stock", "Price above max"), one per
attribute for findings about attributes (a listing missing brand and color counts under both)
and without the per-listing amount of a price conflict, so that listings sharing a cause fall
under one name. Evidence gaps ("not checked") and notes (INFO findings) are never causes.

:func:`count_causes` groups records by cause, most listings first, keeping the records'
indexes so the list can show one cause's listings at once (100,000 rows: one pass).
:func:`bulk_columns` says which values a patch needs for a cause the bulk wizard can fix
(quantity and handling time, the price, an attribute of the schema); :func:`bulk_action`
names the bulk action of a cause that no patch fixes (approval links, one case draft, a
removal-order list).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC

from asin_tui.domain import codes
from asin_tui.domain import patches as P
from asin_tui.domain.bulk import HANDLING_TIME, PRICE, QUANTITY, column_spec
from asin_tui.domain.models import (
    Evidence,
    Finding,
    LastQuantity,
    Listing,
    ListingRecord,
    Severity,
    State,
)

#: Findings that are about evidence, not the listing: never a cause.
_NOT_CAUSES = frozenset({codes.EVIDENCE_NOT_CHECKED, codes.EVIDENCE_STALE})
#: Findings about named attributes: one cause per attribute, in these words.
_PER_ATTRIBUTE = {
    codes.MISSING_ATTRIBUTE: "Missing",
    codes.INVALID_ATTRIBUTE: "Invalid",
    codes.CATALOG_DATA_CONFLICT: "Conflicts with ASIN",
}
_PRICE_WORDS = ("Price above max", "Price below min")  # patches.PriceBand.conflict_brief


@dataclass(frozen=True, slots=True)
class CauseKey:
    """One cause: the finding code and the words shown ("Missing: brand")."""

    code: str
    label: str
    attribute: str | None = None  # the attribute it is about (per-attribute causes)


@dataclass(slots=True)
class CauseCount:
    key: CauseKey
    rows: list[int] = field(default_factory=list)  # indexes of the records it blocks

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def label(self) -> str:
        return self.key.label


def finding_causes(finding: Finding) -> list[CauseKey]:
    """The causes one finding stands for (none for an evidence gap or a note)."""
    if finding.code in _NOT_CAUSES or finding.severity is Severity.INFO:
        return []
    word = _PER_ATTRIBUTE.get(finding.code)
    if word is not None and finding.attributes:
        return [CauseKey(finding.code, f"{word}: {a}", a) for a in finding.attributes]
    label = finding.short_title
    if finding.code == codes.PRICE_CONFLICT:
        label = next((w for w in _PRICE_WORDS if label.startswith(w)), finding.title)
    return [CauseKey(finding.code, label)]


def record_causes(record: ListingRecord) -> list[CauseKey]:
    """The causes of one listing, each once, main cause first."""
    seen: dict[CauseKey, None] = {}
    for finding in record.findings:
        for key in finding_causes(finding):
            seen.setdefault(key, None)
    return list(seen)


def count_causes(records: Sequence[ListingRecord]) -> list[CauseCount]:
    """Every cause among ``records`` with the indexes of the records it blocks, the cause
    blocking most listings first (then by name)."""
    found: dict[CauseKey, CauseCount] = {}
    known: dict[tuple[Finding, ...], list[CauseKey]] = {}  # many listings share findings
    for index, record in enumerate(records):
        if record.state is State.VARIATION_PARENT:
            continue  # never buyable by design: none of its findings blocks a sale
        keys = known.get(record.findings)
        if keys is None:
            keys = known[record.findings] = record_causes(record)
        for key in keys:
            group = found.get(key)
            if group is None:
                group = found[key] = CauseCount(key)
            group.rows.append(index)
    return sorted(found.values(), key=lambda c: (-c.count, c.label.lower()))


def shared_causes(records: Sequence[ListingRecord]) -> list[CauseKey]:
    """The causes every one of ``records`` has, in the first record's order."""
    if not records:
        return []
    shared = record_causes(records[0])
    for record in records[1:]:
        theirs = set(record_causes(record))
        shared = [k for k in shared if k in theirs]
    return shared


# ---------------------------------------------------------------------- what fixes them

_OFFER_COLUMNS = {
    codes.OUT_OF_STOCK_MFN: (QUANTITY, HANDLING_TIME),
    codes.PRICE_CONFLICT: (PRICE,),
    codes.MISSING_PRICE: (PRICE,),
}


def bulk_columns(key: CauseKey) -> tuple[str, ...]:
    """The values the bulk wizard asks for to fix ``key`` with a patch (the columns of
    ``asin-tui fix``'s CSV); () when no patch fixes it."""
    if key.code in _OFFER_COLUMNS:
        return _OFFER_COLUMNS[key.code]
    if key.code in (codes.MISSING_ATTRIBUTE, codes.INVALID_ATTRIBUTE) and key.attribute:
        return (key.attribute,)
    return ()


#: Findings that follow from the listing's other causes and lift with them: FBA units are
#: stranded because the offer is not buyable (Amazon's advice: fix the listing's cause).
_CONSEQUENCES = frozenset({codes.STRANDED_FBA})
#: Findings a grid's patch lifts along with its own cause: a listing left incomplete (its
#: submission failed) is completed by the required attributes it lacked — any other missing
#: one is a finding of its own, counted.
_LIFTED_WITH = {codes.INCOMPLETE_SKU: frozenset({codes.MISSING_ATTRIBUTE, codes.INVALID_ATTRIBUTE})}


def other_blockers(findings: Sequence[Finding], fixing: CauseKey) -> list[str]:
    """What else keeps a listing off sale once the patch for ``fixing`` is applied: the
    causes of its ERROR findings (those that block a sale) that the bulk grid of ``fixing``
    does not fill in, in words, main cause first ([]: the patch alone can bring it back).
    An out-of-stock listing that also violates a policy stays suppressed after a restock;
    stranded FBA stock is not another cause (it is sold again once the offer is buyable), nor
    an incomplete listing for a grid of its missing attributes."""
    fills = set(bulk_columns(fixing))
    others: dict[str, None] = {}
    for finding in findings:
        if finding.severity is not Severity.ERROR or finding.code in _CONSEQUENCES:
            continue  # a warning or a note, or what the fix lifts with it
        if fixing.code in _LIFTED_WITH.get(finding.code, ()):
            continue
        for key in finding_causes(finding):
            columns = set(bulk_columns(key))
            if key != fixing and not (columns and columns <= fills):
                others.setdefault(key.label, None)
    return list(others)


APPROVAL_LINKS = "approval links"
CASE_DRAFT = "case draft"
REMOVAL_LIST = "removal list"

_ACTIONS = {
    codes.APPROVAL_REQUIRED: APPROVAL_LINKS,
    codes.POLICY_VIOLATION: CASE_DRAFT,
    codes.STRANDED_FBA: REMOVAL_LIST,
    codes.NOT_ELIGIBLE: REMOVAL_LIST,
    codes.CATALOG_ITEM_REMOVED: REMOVAL_LIST,
}


def bulk_action(key: CauseKey) -> str | None:
    """The bulk action of a cause no patch fixes: APPROVAL_LINKS, CASE_DRAFT or
    REMOVAL_LIST (None: there is none, or a patch fixes it)."""
    return None if bulk_columns(key) else _ACTIONS.get(key.code)


@dataclass(frozen=True, slots=True)
class Cell:
    """What the bulk grid shows for one listing and one column before anything is typed:
    ``now`` (the listing's current value), ``value`` (pre-filled from evidence: the catalog
    item's brand, the handling time set now) and ``hint`` (shown, applied only when the
    seller asks: the nearest allowed price, the last known quantity), named
    ``hint_label`` ("hint", "last known") with ``hint_note`` (e.g. when it was seen)."""

    now: str = ""
    value: str = ""
    hint: str = ""
    hint_label: str = "hint"
    hint_note: str = ""
    choices: tuple[str, ...] = ()  # the schema's allowed values (an enum), if any
    names: tuple[str, ...] = ()  # the schema's name of each choice (enumNames), if given
    #: the attribute takes several values, one a line (bullet points): a cell is one line,
    #: so it sets one (the wizard's field and a fix CSV's cell take several)
    several: bool = False


def grid_cell(evidence: Evidence, column: str, last: LastQuantity | None = None) -> Cell:
    """The grid's cell of ``column`` for one listing (see :class:`Cell`); ``last``: the last
    MFN quantity above 0 the cache saw for it, the quantity's suggestion while it has none."""
    listing = evidence.listing
    if column == QUANTITY:
        quantity = listing.mfn_quantity
        now = "" if quantity is None else str(quantity)
        if last is None or last.units <= 0 or (quantity or 0) > 0:
            return Cell(now=now)
        seen = f"seen {last.seen_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        return Cell(now=now, hint=str(last.units), hint_label="last known", hint_note=seen)
    if column == HANDLING_TIME:
        days = P.handling_days(listing)
        text = "" if days is None else str(days)
        return Cell(now=text, value=text)
    if column == PRICE:
        band = P.price_band(listing)
        now = "" if band.price is None else P.amount_text(band.price, band.currency, grouping=False)
        if (nearest := band.nearest) is None:
            return Cell(now=now)
        amount, words = nearest
        hint = P.amount_text(amount, band.currency, grouping=False)
        # said beside the hint: where the number comes from (it read as arbitrary)
        return Cell(now=now, hint=hint, hint_note=words)
    spec = column_spec(column, evidence.requirements)
    now = P.current_value_text(listing, spec) if spec is not None else ""
    value = ""
    if column == "brand" and evidence.catalog is not None and evidence.catalog.brand:
        value = evidence.catalog.brand  # the catalog item's brand: Amazon's own
    if spec is None:
        return Cell(now=now, value=value)
    from asin_tui.domain.wizard import is_multi_value  # the wizard's rule for its fields

    several = is_multi_value(spec)
    return Cell(now=now, value=value, choices=spec.enum, names=spec.enum_names, several=several)


# ---------------------------------------------------------------------- bulk actions


@dataclass(slots=True)
class ApprovalGroup:
    """Listings gated for the same brand and product type (category), with the approval
    links Amazon gave for them (the same request often covers them all)."""

    brand: str
    product_type: str
    links: list[str] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)
    #: link -> the ASIN it was given for (the first listing that had it): at 80 columns the
    #: links of one group differ only past the cut (…approve?asin=…), so each is named
    asins: dict[str, str] = field(default_factory=dict)


def approval_groups(evidences: Sequence[Evidence]) -> list[ApprovalGroup]:
    """The listings needing approval grouped by brand (the catalog item's, else the
    listing's) and product type, most listings first; each group's distinct links."""
    groups: dict[tuple[str, str], ApprovalGroup] = {}
    for evidence in evidences:
        listing = evidence.listing
        brand = (evidence.catalog.brand if evidence.catalog else None) or _brand(listing)
        key = (brand or "brand not known", listing.product_type or "product type not known")
        group = groups.setdefault(key, ApprovalGroup(*key))
        group.skus.append(listing.sku)
        for restriction in evidence.restrictions:
            for reason in restriction.reasons:
                if reason.reason_code not in (None, "APPROVAL_REQUIRED"):
                    continue
                for link in reason.links:
                    if link.url not in group.asins:  # a dict: one look, however many links
                        group.links.append(link.url)
                        group.asins[link.url] = listing.asin or ""
    return sorted(groups.values(), key=lambda g: (-len(g.skus), g.brand, g.product_type))


def _brand(listing: Listing) -> str:
    values = listing.attributes.get("brand")
    if isinstance(values, list) and values and isinstance(values[0], dict):
        return str(values[0].get("value") or "")
    return ""


REMOVAL_COLUMNS = (
    "sku",
    "asin",
    "fnsku",
    "condition",
    "fulfillable",
    "unfulfillable",
    "inbound",
    "reserved",
    "cause",
)


def removal_rows(evidences: Sequence[Evidence], cause: str) -> list[tuple[object, ...]]:
    """One row per listing with FBA units to remove (fulfillable or unfulfillable), in
    REMOVAL_COLUMNS order: what a removal order in Seller Central asks for. Listings without
    FBA inventory in the evidence are left out (nothing to remove, or not checked)."""
    rows: list[tuple[object, ...]] = []
    for evidence in evidences:
        stock = evidence.inventory
        if stock is None or not (stock.fulfillable or stock.unfulfillable_total):
            continue
        listing = evidence.listing
        rows.append(
            (
                listing.sku,
                stock.asin or listing.asin or "",
                stock.fn_sku or "",
                stock.condition or listing.condition_type or "",
                stock.fulfillable,
                stock.unfulfillable_total,
                stock.inbound_total,
                stock.reserved_total,
                cause,
            )
        )
    return rows
