"""The diagnosis engine: from what SP-API says about one listing, its state and the ordered
findings that explain it, in plain words with the numbers and the fix.

Pure: no Textual, no network, no httpx. The causes themselves live in ``rules.RULES``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from asin_tui.domain import codes
from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import Category, Diagnosis, Evidence, Finding, Listing, State
from asin_tui.domain.rules import (
    BLOCKING_ACTIONS,
    CATALOG_ITEM_REMOVED,
    LISTING_SUPPRESSED,
    RULES,
    SEARCH_SUPPRESSED,
    Context,
    Found,
    Impact,
)

#: Within one severity and impact: the cause that most directly blocks sales first.
CODE_ORDER: tuple[str, ...] = (
    codes.ACCOUNT_AT_RISK,
    codes.CATALOG_ITEM_REMOVED,
    codes.INCOMPLETE_SKU,
    codes.NOT_ELIGIBLE,
    codes.POLICY_VIOLATION,
    codes.APPROVAL_REQUIRED,
    codes.MISSING_PRICE,
    codes.PRICE_CONFLICT,
    codes.OUT_OF_STOCK_MFN,
    codes.OUT_OF_STOCK_FBA,
    codes.STRANDED_FBA,
    codes.MISSING_ATTRIBUTE,
    codes.MISSING_IMAGE,
    codes.INVALID_ATTRIBUTE,
    codes.INVALID_IMAGE,
    codes.PRODUCT_TYPE_MISMATCH,
    codes.EXEMPTION_EXPIRING,
    codes.EVIDENCE_NOT_CHECKED,
    codes.LISTING_CLOSED,
    codes.OTHER_ISSUE,
    codes.EVIDENCE_STALE,
    codes.VARIATION_PARENT,
)
_CODE_RANK = {code: i for i, code in enumerate(CODE_ORDER)}


def diagnose(evidence: Evidence, *, now: datetime | None = None) -> Diagnosis:
    """State and ordered findings for one listing in its marketplace.

    ``now`` decides whether EXEMPT_UNTIL_EXPIRY_DATE exemptions still protect the listing
    (default: the current UTC time)."""
    ctx = Context(evidence, now or datetime.now(UTC))
    found: list[Found] = []
    for rule in RULES:
        found.extend(rule(ctx, found))
    listing = evidence.listing
    buyable, discoverable = effective_status(ctx)
    state = _state(ctx, found, buyable, discoverable)
    return Diagnosis(
        sku=listing.sku,
        asin=listing.asin,
        marketplace_id=listing.marketplace_id,
        state=state,
        buyable=buyable,
        discoverable=discoverable,
        findings=_ordered(found, _state_causes(ctx, state)),
        amazon_status=_amazon_status(listing)
        if listing.has_summary and listing.status_known
        else None,
        not_checked=not_checked(evidence),
        submission_status=listing.submission_status,
    )


#: Enforcement actions that take the offer out of search while in force (off sale:
#: BLOCKING_ACTIONS).
_HIDDEN_ACTIONS = frozenset({SEARCH_SUPPRESSED, CATALOG_ITEM_REMOVED})


def effective_status(ctx: Context) -> tuple[bool, bool]:
    """(buyable, discoverable) as they are in force: Amazon's ``summaries[].status`` lags its
    enforcements (a SEARCH_SUPPRESSED listing can still read DISCOVERABLE for a while), so an
    action in force (NOT_EXEMPT, or EXEMPT_UNTIL_EXPIRY_DATE past its date; never EXEMPT)
    overrides it, and so does a deactivated account."""
    listing = ctx.listing
    if not listing.has_summary and not listing.summary_unknown:
        return False, False
    actions = ctx.actions_in_force
    account = ctx.evidence.account
    closed = (
        account is not None
        and account.status == "DEACTIVATED"
        and account.marketplace_id in ("", listing.marketplace_id)
    )
    # no summaries section, or a summary without its status: Amazon's status is not known,
    # only what is in force says "not"
    said_buyable = listing.buyable or listing.status_unknown
    said_discoverable = listing.discoverable or listing.status_unknown
    buyable = said_buyable and not (actions & BLOCKING_ACTIONS) and not closed
    discoverable = said_discoverable and not (actions & _HIDDEN_ACTIONS) and not closed
    return buyable, discoverable


def _amazon_status(listing: Listing) -> tuple[str, ...]:
    return tuple(s for s in ("BUYABLE", "DISCOVERABLE") if s in listing.status) + tuple(
        sorted(listing.status - {"BUYABLE", "DISCOVERABLE"})
    )


def not_checked(evidence: Evidence) -> tuple[str, ...]:
    """What the diagnosis could not judge because the evidence lacks it: a section the body
    did not carry is "not checked", never a cause."""
    listing = evidence.listing
    notes: list[str] = []
    if not listing.marketplace_id:
        notes.append(
            "marketplace: the body names none (pass --marketplace); issues were read as "
            "applying to it, and restrictions and account health were not checked"
        )
    if listing.other_marketplaces:
        notes.append(
            "other marketplaces in the body: "
            + ", ".join(_market_words(m) for m in listing.other_marketplaces)
            + " (diagnose each with --marketplace)"
        )
    if listing.submission_status is not None:
        notes.append(
            "live state: a submission answer does not carry the listing's status; read it "
            "again with getListingsItem once Amazon has processed the submission"
        )
        return tuple(notes)
    for section, words in _SECTIONS:
        if not listing.has_data(section):
            notes.append(words)
    if listing.has_summary and not listing.status_known:
        notes.append(
            "status: the listing's summary carries no status (null or missing; Amazon's model "
            "requires it); buyable and discoverable say only what the enforcements in force "
            "take away"
        )
    for gap in evidence.gaps:  # an evidence call that failed during the sync
        if gap.as_of is None:
            notes.append(f"{gap.words}: {gap.call} failed ({gap.error})")
        else:
            notes.append(
                f"{gap.words}: {gap.call} failed ({gap.error}); its answer of "
                f"{gap.as_of:%Y-%m-%d %H:%M} UTC was used"
            )
    return tuple(notes)


def _market_words(marketplace_id: str) -> str:
    market = marketplace_by_id(marketplace_id)
    return f"{market.code} ({marketplace_id})" if market else marketplace_id


_SECTIONS = (
    (
        "summaries",
        "status: the body has no summaries section (ask for includedData=summaries); "
        "buyable and discoverable say only what the enforcements in force take away",
    ),
    ("issues", "issues: the body has no issues section (ask for includedData=issues)"),
    ("offers", "price: the body has no offers section (ask for includedData=offers)"),
    (
        "fulfillmentAvailability",
        "stock: the body has no fulfillmentAvailability section "
        "(ask for includedData=fulfillmentAvailability)",
    ),
    ("attributes", "attributes: the body has no attributes section"),
)


def _state(ctx: Context, found: Sequence[Found], buyable: bool, discoverable: bool) -> State:
    """INCOMPLETE when Amazon has no listing for the SKU here (whatever its issues say: there
    is nothing live to suppress); otherwise the most severe state that applies (State is
    declared most severe first), from the effective status."""
    if not ctx.listing.has_summary and not ctx.listing.summary_unknown:
        return State.INCOMPLETE
    states = [_base_state(ctx, buyable, discoverable)]
    if LISTING_SUPPRESSED in ctx.actions_in_force:
        states.append(State.SUPPRESSED)
    if CATALOG_ITEM_REMOVED in ctx.actions_in_force or any(
        f.finding.code == codes.CATALOG_ITEM_REMOVED and f.impact is Impact.BLOCKS_SALE
        for f in found
    ):
        states.append(State.CATALOG_REMOVED)
    return min(states, key=lambda s: s.rank)


def _base_state(ctx: Context, buyable: bool, discoverable: bool) -> State:
    if ctx.is_parent:
        return State.VARIATION_PARENT
    if not buyable:
        return State.INACTIVE
    if not discoverable:
        return State.SEARCH_SUPPRESSED
    return State.ACTIVE


#: The enforcement actions that put a listing in a state: the issues carrying one in force are
#: the cause of the state (the list's main cause), ahead of what else is wrong.
_STATE_ACTIONS = {
    State.SUPPRESSED: BLOCKING_ACTIONS,
    State.CATALOG_REMOVED: BLOCKING_ACTIONS,
    State.SEARCH_SUPPRESSED: frozenset({SEARCH_SUPPRESSED}),
}
#: Without an enforcement to go by, the finding codes that are a state's cause by definition.
_STATE_CODES = {
    State.CATALOG_REMOVED: frozenset({codes.CATALOG_ITEM_REMOVED}),
    State.INCOMPLETE: frozenset({codes.INCOMPLETE_SKU}),
}


def _state_causes(ctx: Context, state: State) -> Callable[[Finding], bool]:
    """Whether a finding is the cause of ``state``: its issue carries the state's enforcement
    in force (a suppressed listing's main cause is the suppression, not its stock), or its
    code is that state's cause."""
    actions = _STATE_ACTIONS.get(state, frozenset())
    issues = frozenset(
        issue.code
        for issue in ctx.issues
        if issue.enforcement is not None
        and issue.enforcement.in_force_at(ctx.now)
        and actions.intersection(issue.enforcement.actions)
    )
    state_codes = _STATE_CODES.get(state, frozenset())
    return lambda f: (f.issue_code is not None and f.issue_code in issues) or f.code in state_codes


def _ordered(
    found: Sequence[Found], causes_state: Callable[[Finding], bool]
) -> tuple[Finding, ...]:
    """Account first; then what causes the state; then by severity, by how directly it
    blocks the sale, by cause."""

    def key(item: tuple[int, Found]) -> tuple[int, int, int, int, int, int]:
        index, f = item
        return (
            f.finding.category is not Category.ACCOUNT,
            not causes_state(f.finding),
            f.finding.severity.rank,
            f.impact,
            _CODE_RANK.get(f.finding.code, len(CODE_ORDER)),
            index,
        )

    return tuple(f.finding for _, f in sorted(enumerate(found), key=key))
