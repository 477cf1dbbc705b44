"""Evidence a sync could not fetch (``Evidence.gaps``): said as such, never turned into a cause.

An evidence call (FBA inventory, listing restrictions, the catalog item) that gives up after
its retries leaves its section out. When the last good answer was kept instead (``as_of``),
the other rules read it as usual and this rule notes its age; when there is none, what that
call would have shown was not checked, and a listing nothing else explains is "not checked",
not "closed" (that needs everything looked at).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from asin_tui.domain import codes
from asin_tui.domain.models import Category, EvidenceGap, Severity, WizardStep
from asin_tui.domain.rules.base import Context, Found, Impact, make, sale_blocked, sentences

_SHOWS = {
    "inventory": "where the FBA units are (sellable, inbound, stranded)",
    "restrictions": "whether you need an approval or may not sell this item here",
    "catalog": "whether the catalog item was removed or reclassified",
    "product type": "which attributes the product type requires",
}
_SYNC_AGAIN = "Sync again (r in the list, or asin-tui report) once Amazon answers."


def evidence_gap_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    listing = ctx.listing
    unexplained = ctx.sells and not listing.buyable and not sale_blocked(found)
    for gap in ctx.evidence.gaps:
        if gap.as_of is not None:
            yield _stale(gap)
            continue
        yield _not_checked(gap, blocks=unexplained)
        unexplained = False  # the first one says why the sale is not explained


def _stale(gap: EvidenceGap) -> Found:
    when = f"{gap.as_of:%Y-%m-%d %H:%M} UTC"
    return make(
        Impact.NOTE,
        Category.OTHER,
        Severity.INFO,
        codes.EVIDENCE_STALE,
        f"{gap.words[0].upper()}{gap.words[1:]} as of {when}",
        sentences(
            f"{gap.call} failed in the last sync ({gap.error}).",
            f"These findings use its last good answer, from {when}.",
        ),
        _SYNC_AGAIN,
        step=WizardStep.OVERVIEW,
    )


def _not_checked(gap: EvidenceGap, *, blocks: bool) -> Found:
    return make(
        Impact.BLOCKS_SALE if blocks else Impact.NOTE,
        Category.OTHER,
        Severity.WARNING,
        codes.EVIDENCE_NOT_CHECKED,
        f"Not checked: {gap.call} failed",
        sentences(
            f"The {gap.words} could not be fetched ({gap.error}), so "
            f"{_SHOWS.get(gap.section, 'what it shows')} was not checked.",
            "Nothing else Amazon sent explains why the offer cannot be bought; the cause may "
            "be there."
            if blocks
            else "",
            "This is not a diagnosis of its own.",
        ),
        _SYNC_AGAIN,
        step=WizardStep.OVERVIEW,
    )
