"""The reactivation wizard's logic: from Evidence + Diagnosis to a plan of seven steps.

Pure: no Textual, no network. ``build_plan`` decides which steps apply and gives each step its
checks (passed / needs action / not applicable) with the evidence in numbers; the Stock step's
actions and FBA guidance, the Policy step's per-issue checklists, the Listing-fields step's typed
inputs. ``Draft`` collects what the user typed and turns it into JSON Patches; ``verify`` compares
the diagnosis before and after and names the step that still fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from asin_tui.domain import codes
from asin_tui.domain import patches as P
from asin_tui.domain.cover import units_text
from asin_tui.domain.models import (
    AttributeSpec,
    Category,
    Diagnosis,
    Enforcement,
    Evidence,
    Finding,
    InventorySummary,
    Issue,
    Listing,
    RestrictionLink,
    Severity,
    State,
    StepStatus,
    WizardStep,
)
from asin_tui.domain.rules.base import condition_words

STEPS: tuple[WizardStep, ...] = tuple(WizardStep)
FIXING_STEPS = (WizardStep.STOCK, WizardStep.POLICY, WizardStep.FIELDS)
MAIN_IMAGE = "main_product_image_locator"

_STEP_BY_CATEGORY = {
    Category.STOCK: WizardStep.STOCK,
    Category.PRICING: WizardStep.FIELDS,
    Category.LISTING_FIELDS: WizardStep.FIELDS,
    Category.POLICY: WizardStep.POLICY,
    Category.RESTRICTION: WizardStep.POLICY,
    Category.CATALOG: WizardStep.POLICY,
    Category.ACCOUNT: WizardStep.POLICY,
    Category.OTHER: WizardStep.POLICY,
}
_IMAGE_CODES = (codes.MISSING_IMAGE, codes.INVALID_IMAGE)
_PRICE_CODES = (codes.PRICE_CONFLICT, codes.MISSING_PRICE)
_NO_STOCK_CODES = (codes.OUT_OF_STOCK_MFN, codes.OUT_OF_STOCK_FBA, codes.LISTING_CLOSED)


@dataclass(frozen=True, slots=True)
class Check:
    label: str
    status: StepStatus
    evidence: str


@dataclass(frozen=True, slots=True)
class StepPlan:
    step: WizardStep
    applies: bool
    checks: tuple[Check, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def status(self) -> StepStatus:
        if not self.applies:
            return StepStatus.NOT_APPLICABLE
        if any(c.status is StepStatus.NEEDS_ACTION for c in self.checks):
            return StepStatus.NEEDS_ACTION
        if self.checks and all(c.status is not StepStatus.PENDING for c in self.checks):
            return StepStatus.PASSED
        return StepStatus.PENDING


# --------------------------------------------------------------------------- step payloads


class StockAction(StrEnum):
    SET_MFN_QUANTITY = "set_mfn_quantity"  # restock / relist merchant-fulfilled
    SWITCH_TO_MFN = "switch_to_mfn"  # FBA listing sells from the seller's own stock meanwhile
    SWITCH_TO_FBA = "switch_to_fba"  # relist a closed offer on Amazon's network


MFN_ACTIONS = frozenset({StockAction.SET_MFN_QUANTITY, StockAction.SWITCH_TO_MFN})


@dataclass(frozen=True, slots=True)
class StockPlan:
    channel: str | None  # MFN | FBA | None
    mfn_quantity: int | None
    handling_time: int | None
    inventory: InventorySummary | None
    actions: tuple[StockAction, ...] = ()
    guidance: tuple[str, ...] = ()
    out_of_stock: bool = False  # unbuyable for want of units: a quantity of 0 fixes nothing

    @property
    def implied_action(self) -> StockAction | None:
        """The action a quantity typed with no action picked stands for (an MFN listing)."""
        return self.actions[0] if self.actions == (StockAction.SET_MFN_QUANTITY,) else None

    def quantity_problem(self, action: StockAction | None, quantity: int | None) -> str:
        """Why ``quantity`` cannot go with ``action`` ('' when it can)."""
        if action not in MFN_ACTIONS:
            return ""
        if quantity is None:
            return "Enter a quantity first."
        if quantity >= 1:
            return ""
        if action is StockAction.SWITCH_TO_MFN:
            return "At least 1 unit: merchant fulfilment with 0 units leaves the offer unbuyable."
        if self.out_of_stock:
            return "At least 1 unit: the listing is out of stock, 0 units keeps it unbuyable."
        return ""

    def inbound_warning(self, action: StockAction | None) -> str:
        """What switching an FBA offer with units on their way to Amazon does to them."""
        inbound = self.inventory.inbound_total if self.inventory else 0
        if action is not StockAction.SWITCH_TO_MFN or not inbound:
            return ""
        return (
            f"{inbound} units are on their way to Amazon: the offer comes back by itself when "
            "Amazon receives them. Switched to merchant fulfilment, they are stranded in "
            "Amazon's warehouses until you relist for FBA."
        )


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str  # stable: "<case key>/<n>", the case file stores ticks and notes under it
    text: str


@dataclass(frozen=True, slots=True)
class PolicyCase:
    """One policy problem the seller works through by hand (not fixable by a patch)."""

    key: str
    title: str
    evidence: str
    appeal_path: str
    items: tuple[ChecklistItem, ...]
    links: tuple[RestrictionLink, ...] = ()
    finding: Finding | None = None
    kind: str = ""  # restricted | documents | content | approval | not_eligible | catalog | account


@dataclass(frozen=True, slots=True)
class FieldInput:
    """A listing attribute the seller must supply or correct (or may edit: content a policy
    names, the condition), typed by the schema."""

    spec: AttributeSpec
    current: str  # prefill: the current value as text
    problem: str  # "missing" | "invalid" | "image" | "content" | "condition"
    message: str  # Amazon's message or why it is needed

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def multi_value(self) -> bool:
        return is_multi_value(self.spec)

    def validate(self, text: str) -> P.Validation:
        """Check what was typed (one value a line for several values)."""
        if self.multi_value:
            return P.validate_lines(self.spec, text)
        return P.validate_value(self.spec, text)


@dataclass(frozen=True, slots=True)
class WizardPlan:
    evidence: Evidence
    diagnosis: Diagnosis
    steps: tuple[StepPlan, ...]
    stock: StockPlan
    policy_cases: tuple[PolicyCase, ...]
    fields: tuple[FieldInput, ...]
    price: P.PriceBand
    price_needs_action: bool

    @property
    def listing(self) -> Listing:
        return self.evidence.listing

    def step(self, step: WizardStep) -> StepPlan:
        return self.steps[STEPS.index(step)]

    @property
    def applicable(self) -> tuple[WizardStep, ...]:
        return tuple(s.step for s in self.steps if s.applies)

    def next_step(self, current: WizardStep) -> WizardStep | None:
        later = [s for s in self.applicable if STEPS.index(s) > STEPS.index(current)]
        return later[0] if later else None

    def previous_step(self, current: WizardStep) -> WizardStep | None:
        earlier = [s for s in self.applicable if STEPS.index(s) < STEPS.index(current)]
        return earlier[-1] if earlier else None


# --------------------------------------------------------------------------- plan


def fix_step(finding: Finding) -> WizardStep | None:
    """The wizard step that fixes a finding (None: nothing to fix, e.g. a variation parent)."""
    if finding.step in FIXING_STEPS:
        return finding.step
    if finding.severity is Severity.INFO or finding.code == codes.VARIATION_PARENT:
        return None
    return _STEP_BY_CATEGORY.get(finding.category)


def build_plan(
    evidence: Evidence, diagnosis: Diagnosis, *, now: datetime | None = None
) -> WizardPlan:
    now = now or datetime.now(UTC)
    by_step = _findings_by_step(diagnosis.findings)
    blockers = _blockers(diagnosis)
    stock = _stock_plan(evidence, by_step[WizardStep.STOCK], blockers)
    cases = _policy_cases(evidence, by_step[WizardStep.POLICY], now)
    fields = _field_inputs(evidence, by_step[WizardStep.FIELDS], cases)
    band = P.price_band(evidence.listing)
    price_action = bool(band.conflict) or any(
        f.code in _PRICE_CODES for f in by_step[WizardStep.FIELDS]
    )
    patchable = bool(
        (by_step[WizardStep.STOCK] and stock.actions)
        or any(f.spec.editable and f.spec.value_type != "object" for f in fields)
        or price_action
    )
    attention = diagnosis.needs_attention
    steps = (
        StepPlan(WizardStep.OVERVIEW, True, _overview_checks(diagnosis), diagnosis.findings),
        StepPlan(
            WizardStep.STOCK,
            bool(by_step[WizardStep.STOCK]),
            _stock_checks(evidence, stock, diagnosis.buyable, blockers),
            by_step[WizardStep.STOCK],
        ),
        StepPlan(
            WizardStep.POLICY,
            bool(by_step[WizardStep.POLICY]),
            _policy_checks(evidence, cases),
            by_step[WizardStep.POLICY],
        ),
        StepPlan(
            WizardStep.FIELDS,
            bool(by_step[WizardStep.FIELDS] or fields),
            _field_checks(evidence, fields, band, price_action),
            by_step[WizardStep.FIELDS],
        ),
        StepPlan(WizardStep.APPLY, patchable),
        StepPlan(WizardStep.VERIFY, attention),
        StepPlan(WizardStep.WRAP_UP, True),
    )
    return WizardPlan(evidence, diagnosis, steps, stock, cases, fields, band, price_action)


def _findings_by_step(findings: Iterable[Finding]) -> dict[WizardStep, tuple[Finding, ...]]:
    grouped: dict[WizardStep, list[Finding]] = {s: [] for s in FIXING_STEPS}
    for finding in findings:
        step = fix_step(finding)
        if step is not None:
            grouped[step].append(finding)
    return {s: tuple(fs) for s, fs in grouped.items()}


def _overview_checks(diagnosis: Diagnosis) -> tuple[Check, ...]:
    state = Check(
        "Listing state",
        StepStatus.NEEDS_ACTION if diagnosis.needs_attention else StepStatus.PASSED,
        state_text(diagnosis),
    )
    found = tuple(
        Check(
            f.title,
            StepStatus.NOT_APPLICABLE if fix_step(f) is None else StepStatus.NEEDS_ACTION,
            f.detail,
        )
        for f in diagnosis.findings
    )
    return (state, *found)


# --------------------------------------------------------------------------- stock


def _blockers(diagnosis: Diagnosis) -> tuple[Finding, ...]:
    """The errors outside stock: what keeps units that are in stock from selling."""
    return tuple(
        f
        for f in diagnosis.findings
        if f.category is not Category.STOCK
        and f.severity is Severity.ERROR
        and fix_step(f) is not None
    )


#: Causes no listing edit lifts: units held for them will not sell here again.
NO_EDIT_FIXES = frozenset({codes.NOT_ELIGIBLE, codes.CATALOG_ITEM_REMOVED})
REMOVAL_ORDER = (
    "Seller Central → Inventory → Manage FBA Inventory → select the SKU → Create removal order"
)


def _stock_plan(
    evidence: Evidence, findings: tuple[Finding, ...], blockers: tuple[Finding, ...]
) -> StockPlan:
    """What the Stock step offers, from what the evidence says stops the sale: stock actions
    only where stock is the problem (no units, or a closed FBA offer); units held back by
    another problem are told to wait for its fix, or to be removed when no fix exists."""
    listing, inv = evidence.listing, evidence.inventory
    channel = listing.fulfillment_channel
    codes_here = {f.code for f in findings}
    out_of_stock = bool(codes_here & set(_NO_STOCK_CODES))
    stranded = codes.STRANDED_FBA in codes_here
    no_fix = [f for f in blockers if f.code in NO_EDIT_FIXES]
    actions: tuple[StockAction, ...] = ()
    if no_fix:
        guidance = _no_fix_guidance(inv, no_fix[0])
    elif channel == "FBA":
        if out_of_stock:
            actions = (StockAction.SWITCH_TO_MFN,)
        elif stranded and not blockers:
            actions = (StockAction.SWITCH_TO_FBA,)  # closed with units at Amazon: relist
        guidance = _fba_guidance(inv, stranded, blockers)
    elif channel == "MFN":
        actions, guidance = (StockAction.SET_MFN_QUANTITY,), ()
    else:
        actions = (StockAction.SET_MFN_QUANTITY, StockAction.SWITCH_TO_FBA)
        guidance = ("The offer has no fulfilment channel: relist it with a quantity, or for FBA.",)
    return StockPlan(
        channel=channel,
        mfn_quantity=listing.mfn_quantity,
        handling_time=P.handling_days(listing),
        inventory=inv,
        actions=actions,
        guidance=guidance,
        out_of_stock=out_of_stock,
    )


def _no_fix_guidance(inv: InventorySummary | None, cause: Finding) -> tuple[str, ...]:
    """Not eligible, catalog item removed: nothing to relist or switch; stock at Amazon goes."""
    tips = [f"No stock change brings this offer back: {cause.title.lower()}."]
    units = (inv.fulfillable + inv.inbound_total + inv.unfulfillable_total) if inv else 0
    if units:
        tips.append(
            f"Create a removal order for the {units} units at Amazon ({REMOVAL_ORDER}), or "
            "have Amazon liquidate or dispose of them, before the auto-removal date."
        )
    return tuple(tips)


def _fba_guidance(
    inv: InventorySummary | None, stranded: bool, blockers: tuple[Finding, ...]
) -> tuple[str, ...]:
    if inv is None:
        return ("Amazon returned no FBA inventory for this SKU: check it in Manage FBA Inventory.",)
    tips = []
    if stranded and blockers:
        main = blockers[0]
        where = fix_step(main)
        tips.append(
            f"{inv.fulfillable} sellable units are in Amazon's warehouses: stock is not the "
            f"problem. They sell again once '{main.title}' is fixed"
            + (f" ({where.label})." if where else ".")
        )
    elif stranded:
        tips.append(
            f"{inv.fulfillable} units are stranded and Amazon reports no listing problem: the "
            "offer looks closed. Relist it for FBA, or create a removal order before the "
            "auto-removal date."
        )
    elif inv.inbound_total and not inv.fulfillable:
        tips.append(_inbound_tip(inv))
    elif not inv.fulfillable:
        tips.append(
            "No units on the way: create an inbound shipment (Send to Amazon), or sell from your "
            "own stock meanwhile (switch to merchant fulfilment)."
        )
    if inv.unfulfillable_total:
        tips.append(
            f"Create a removal or disposal order for the {inv.unfulfillable_total:,} "
            f"unfulfillable unit{'' if inv.unfulfillable_total == 1 else 's'} ({REMOVAL_ORDER}; "
            "not possible with the Listings API)."
        )
    if inv.researching_total:
        tips.append(
            f"{units_text(inv.researching_total)} "
            f"{'is' if inv.researching_total == 1 else 'are'} being researched by Amazon: wait "
            "for the outcome or open a reimbursement case."
        )
    return tuple(tips)


def _inbound_tip(inv: InventorySummary) -> str:
    if inv.inbound_shipped or inv.inbound_receiving:
        return (
            f"{inv.inbound_total} units inbound: the offer comes back when Amazon receives them "
            "(follow the shipment in Send to Amazon)."
        )
    return (
        f"{inv.inbound_total} units are in a shipment you are still preparing (working): send "
        "it, and the offer comes back when Amazon receives them."
    )


def _stock_checks(
    evidence: Evidence, stock: StockPlan, buyable: bool, blockers: tuple[Finding, ...]
) -> tuple[Check, ...]:
    """``buyable``: the diagnosis's effective flag (Amazon's status lags its enforcements);
    ``blockers``: the problems outside stock that hold units back (fixed in their own step)."""
    if stock.channel == "FBA":
        return _fba_checks(buyable, stock.inventory, blockers)
    quantity = stock.mfn_quantity
    if quantity is None:
        qty = Check("MFN quantity", StepStatus.NEEDS_ACTION, "no fulfilment availability")
    else:
        qty = Check(
            "MFN quantity",
            StepStatus.PASSED if quantity > 0 else StepStatus.NEEDS_ACTION,
            f"{quantity} units",
        )
    handling = Check(
        "Handling time",
        StepStatus.PASSED if stock.handling_time is not None else StepStatus.NOT_APPLICABLE,
        f"{stock.handling_time} days"
        if stock.handling_time is not None
        else "not set (Amazon's default applies)",
    )
    return (qty, handling)


def _fba_checks(
    buyable: bool, inv: InventorySummary | None, blockers: tuple[Finding, ...]
) -> tuple[Check, ...]:
    if inv is None:
        return (Check("FBA inventory", StepStatus.NEEDS_ACTION, "no inventory summary returned"),)
    na, ok, act = StepStatus.NOT_APPLICABLE, StepStatus.PASSED, StepStatus.NEEDS_ACTION
    empty = inv.fulfillable == 0
    breakdown = ", ".join(f"{k} {v}" for k, v in inv.unfulfillable_breakdown.items() if v)
    return (
        Check("FBA fulfillable", act if empty else ok, f"{inv.fulfillable} units"),
        Check(
            "Inbound",
            ok if inv.inbound_total else (act if empty else na),
            f"{inv.inbound_total} units (working {inv.inbound_working}, shipped "
            f"{inv.inbound_shipped}, receiving {inv.inbound_receiving})",
        ),
        Check(
            "Reserved",
            ok if inv.reserved_total else na,
            f"{inv.reserved_total} units (customer orders {inv.reserved_pending_customer_order}, "
            f"transshipment {inv.reserved_pending_transshipment}, FC processing "
            f"{inv.reserved_fc_processing})",
        ),
        Check(
            "Unfulfillable",
            act if inv.unfulfillable_total else ok,
            f"{inv.unfulfillable_total} units" + (f" ({breakdown})" if breakdown else ""),
        ),
        Check(
            "Researching",
            act if inv.researching_total else ok,
            f"{inv.researching_total} units",
        ),
        _stranded_check(buyable, inv, blockers),
    )


def _stranded_check(buyable: bool, inv: InventorySummary, blockers: tuple[Finding, ...]) -> Check:
    said = f"{inv.fulfillable} fulfillable units, offer {'buyable' if buyable else 'not buyable'}"
    if not (inv.fulfillable and not buyable):
        return Check("Stranded", StepStatus.PASSED, said)
    if blockers:  # held back by another problem: nothing to do with the stock itself
        where = fix_step(blockers[0])
        held = f"{said}: held by '{blockers[0].title}'" + (
            f", fixed in {where.label}" if where else ""
        )
        return Check("Stranded", StepStatus.NOT_APPLICABLE, held)
    return Check("Stranded", StepStatus.NEEDS_ACTION, said)


# --------------------------------------------------------------------------- policy


@dataclass(frozen=True, slots=True)
class _CaseKind:
    appeal_path: str
    items: tuple[str, ...]


_CASE_KINDS: dict[str, _CaseKind] = {
    "restricted": _CaseKind(
        "Seller Central → Performance → Account Health → Product policy compliance → Appeal",
        (
            "Read the policy named in Amazon's message and decide: appeal, edit or delete the SKU",
            "Remove the content that breaks the policy: title, bullets and description in "
            "Listing fields; images in Seller Central",
            "Prepare documents: supplier invoices (last 365 days), safety data sheet, "
            "test reports or certificates",
            "Submit the appeal with the documents and note the case id",
        ),
    ),
    "documents": _CaseKind(
        "Seller Central → Performance → Account Health → Manage Your Compliance → Upload",
        (
            "Identify the document requested (safety attestation, test report, SDS, GPSR contact)",
            "Prepare the document in the marketplace's language, with the ASIN on it",
            "Upload it in Manage Your Compliance and note the submission date",
        ),
    ),
    "content": _CaseKind(
        "Seller Central → Inventory → Fix Your Products → Edit, then request reinstatement",
        (
            "Find the detail-page content Amazon objects to (title, bullets, description, images)",
            "Edit it in Listing fields (title, bullets, description, main image) so it follows "
            "the detail page rules",
            "Request reinstatement and note the date",
        ),
    ),
    "approval": _CaseKind(
        "Open the approval link (Seller Central → Catalog → Add Products → Request approval)",
        (
            "Open the approval link and read the requirements",
            "Prepare invoices or a letter of authorisation from the brand owner",
            "Apply and note the request id",
        ),
    ),
    "not_eligible": _CaseKind(
        "No appeal path: Amazon does not allow this ASIN/condition for your account",
        (
            "Delete the SKU (it cannot be reinstated)",
            "Remove or liquidate any FBA stock of it",
        ),
    ),
    "catalog": _CaseKind(
        "Seller Support case (Catalog → Listing removed) or contact the brand owner",
        (
            "Check the product identifier (GTIN/UPC) matches the product, or get a GTIN exemption",
            "Find the correct ASIN and list against it if this one is gone",
            "Open a Seller Support case with the evidence below if the removal looks wrong",
        ),
    ),
    "account": _CaseKind(
        "Seller Central → Performance → Account Health → Appeal",
        (
            "Open Account Health and read every item marked at risk",
            "Write a plan of action: root cause, actions taken, measures to prevent it",
            "Submit the appeal and note the date",
        ),
    ),
}


def _case_kind(finding: Finding, issue: Issue | None) -> str:
    by_code = {
        codes.APPROVAL_REQUIRED: "approval",
        codes.NOT_ELIGIBLE: "not_eligible",
        codes.CATALOG_ITEM_REMOVED: "catalog",
        codes.ACCOUNT_AT_RISK: "account",
    }
    if finding.code in by_code:
        return by_code[finding.code]
    text = f"{finding.title} {finding.detail} {issue.message if issue else ''}".lower()
    if "document" in text or "compliance" in text:
        return "documents"
    if "detail page" in text:
        return "content"
    return "restricted"


def _policy_cases(
    evidence: Evidence, findings: tuple[Finding, ...], now: datetime
) -> tuple[PolicyCase, ...]:
    cases, seen = [], set()
    for finding in findings:
        issue = _issue_for(evidence.listing, finding)
        key = finding.issue_code or finding.code
        while key in seen:
            key += "+"
        seen.add(key)
        kind_name = _case_kind(finding, issue)
        kind = _CASE_KINDS[kind_name]
        links = _restriction_links(evidence) if finding.code == codes.APPROVAL_REQUIRED else ()
        items = kind.items
        if kind_name == "approval" and CONDITION in finding.attributes:
            # only a gate on the listing's condition can be left by changing the condition; a
            # brand's or category's approval is the one way forward
            items = (*items[:-1], f"{items[-1]}; or change the condition to an allowed one")
        cases.append(
            PolicyCase(
                key=key,
                title=finding.title,
                evidence=_issue_evidence(issue, now) if issue else finding.detail,
                appeal_path=kind.appeal_path,
                items=tuple(ChecklistItem(f"{key}/{i}", t) for i, t in enumerate(items, 1)),
                links=links,
                finding=finding,
                kind=kind_name,
            )
        )
    return tuple(cases)


def _policy_checks(evidence: Evidence, cases: tuple[PolicyCase, ...]) -> tuple[Check, ...]:
    checks = [Check(c.title, StepStatus.NEEDS_ACTION, c.evidence) for c in cases]
    in_a_case = {link for case in cases for link in case.links}
    for restriction in evidence.restrictions:
        for reason in restriction.reasons:
            if reason.links and in_a_case.issuperset(reason.links):
                continue  # the approval case shows it, with its link
            links = "; ".join(f"{link.title}: {link.url}" for link in reason.links)
            checks.append(
                Check(
                    f"Restriction ({_condition(restriction.condition_type)})",
                    StepStatus.NEEDS_ACTION,
                    " — ".join(p for p in (reason.reason_code, reason.message, links) if p),
                )
            )
    account = evidence.account
    if account is not None:
        counters = account.counters_text()
        healthy = account.status == "NORMAL" and not any(account.policy_counters.values())
        checks.append(
            Check(
                "Account health",
                StepStatus.PASSED if healthy else StepStatus.NEEDS_ACTION,
                account.status + (f"; {counters}" if counters else "; no policy counter is bad"),
            )
        )
    return tuple(checks)


def _issue_for(listing: Listing, finding: Finding) -> Issue | None:
    if not finding.issue_code:
        return None
    for issue in listing.issues_here():
        if issue.code == finding.issue_code:
            return issue
    return None


def _issue_evidence(issue: Issue, now: datetime) -> str:
    parts = [f"{issue.code} ({issue.severity}): {issue.message}"]
    if issue.enforcement is not None:
        parts.append(enforcement_text(issue.enforcement, now))
    return " — ".join(parts)


def enforcement_text(enforcement: Enforcement, now: datetime) -> str:
    """'LISTING_SUPPRESSED, in force' / '..., exempt until 2026-08-01 (12 days left)'."""
    actions = ", ".join(enforcement.actions) or "no action"
    status, expiry = enforcement.exemption_status, enforcement.exemption_expiry
    if status == "EXEMPT":
        return f"{actions}, exempt (acknowledged, not applied)"
    if status == "EXEMPT_UNTIL_EXPIRY_DATE" and expiry is not None:
        days = (expiry - now).days
        when = f"{expiry:%Y-%m-%d}"
        if days >= 0:
            return f"{actions}, exempt until {when} ({days} days left)"
        return f"{actions}, exemption expired on {when}: in force"
    return f"{actions}, in force"


def _restriction_links(evidence: Evidence) -> tuple[RestrictionLink, ...]:
    return tuple(
        link for r in evidence.restrictions for reason in r.reasons for link in reason.links
    )


# --------------------------------------------------------------------------- fields


#: What a policy case's checklist tells the seller to edit, as listing attributes (with their
#: titles when no schema was read): the Listing fields step offers them.
CONTENT_ATTRIBUTES = (
    ("item_name", "Title"),
    ("bullet_point", "Bullet points"),
    ("product_description", "Description"),
    (MAIN_IMAGE, "Main image URL"),
)
CONDITION = "condition_type"
_CONTENT_KINDS = frozenset({"restricted", "content"})


def _field_inputs(
    evidence: Evidence, findings: tuple[Finding, ...], cases: tuple[PolicyCase, ...] = ()
) -> tuple[FieldInput, ...]:
    listing, reqs = evidence.listing, evidence.requirements
    specs = dict(reqs.attributes) if reqs else {}
    inputs: dict[str, FieldInput] = {}

    def add(name: str, problem: str, message: str, fallback: AttributeSpec) -> None:
        if name in inputs:
            return
        spec = specs.get(name, fallback)
        if is_multi_value(spec):
            current = "\n".join(P.current_values_text(listing, spec))
        else:
            current = P.current_value_text(listing, spec)
        inputs[name] = FieldInput(spec, current, problem, message)

    for finding in findings:
        if finding.code in _PRICE_CODES:
            continue
        if finding.code in _IMAGE_CODES:
            image = AttributeSpec(  # as Amazon's schemas have it, when no schema was read
                MAIN_IMAGE,
                title="Main image URL",
                value_key="media_location",
                value_format="uri",
                qualifiers=("marketplace_id",),
            )
            add(MAIN_IMAGE, "image", finding.detail, image)
            continue
        problem = "invalid" if finding.code == codes.INVALID_ATTRIBUTE else "missing"
        for name in finding.attributes:
            add(name, problem, finding.detail, AttributeSpec(name, title=name))
    for name in reqs.required if reqs else ():
        if name not in listing.attributes and reqs is not None:
            add(name, "missing", f"required by {reqs.product_type}", AttributeSpec(name))
    for case in cases:  # what the policy checklists tell the seller to edit
        if case.kind in _CONTENT_KINDS:
            why = f"edit it if it carries what '{case.title}' objects to"
            for name, title in CONTENT_ATTRIBUTES:
                add(name, "content", why, _content_spec(name, title))
        if case.finding is not None and CONDITION in case.finding.attributes:
            why = "another condition may be allowed without the approval"
            add(CONDITION, "condition", why, AttributeSpec(CONDITION, title="Item condition"))
    return tuple(inputs.values())


def _content_spec(name: str, title: str) -> AttributeSpec:
    """A content attribute as Amazon's schemas have it, when no schema was read."""
    if name == MAIN_IMAGE:
        return AttributeSpec(
            MAIN_IMAGE,
            title=title,
            value_key="media_location",
            value_format="uri",
            qualifiers=("marketplace_id",),
        )
    return AttributeSpec(name, title=title, max_items=None if name == "bullet_point" else 1)


#: Free-text attributes the wizard edits in a text area: one value per line (several
#: values), or one value over several lines.
MULTI_VALUE = frozenset({"bullet_point"})
MULTI_LINE = frozenset({"product_description"})


def is_multi_value(spec: AttributeSpec) -> bool:
    """Several values, one a line (bullet points): a string attribute of more than one item."""
    return (
        spec.value_type == "string"
        and not spec.enum
        and (spec.name in MULTI_VALUE or (spec.max_items is not None and spec.max_items > 1))
    )


def is_multi_line(spec: AttributeSpec) -> bool:
    return spec.name in MULTI_LINE


_OPTIONAL_PROBLEMS = frozenset({"content", "condition"})


def _field_checks(
    evidence: Evidence, fields: tuple[FieldInput, ...], band: P.PriceBand, price_action: bool
) -> tuple[Check, ...]:
    checks = [
        Check(
            f.spec.title or f.name,
            StepStatus.NEEDS_ACTION,
            f"{f.problem}" + (f" (now '{f.current}')" if f.current else "") + f": {f.message}",
        )
        for f in fields
        if f.problem not in _OPTIONAL_PROBLEMS
    ]
    optional = [f.spec.title or f.name for f in fields if f.problem in _OPTIONAL_PROBLEMS]
    if optional:
        checks.append(
            Check(
                "Named by the policy step",
                StepStatus.PENDING,
                f"{', '.join(optional)}: edit below what Policy compliance asks you to change",
            )
        )
    reqs = evidence.requirements
    if reqs is not None and reqs.required:
        present = sum(1 for n in reqs.required if n in evidence.listing.attributes)
        checks.append(
            Check(
                "Required attributes",
                StepStatus.PASSED if present == len(reqs.required) else StepStatus.NEEDS_ACTION,
                f"{present} of {len(reqs.required)} present ({reqs.product_type})",
            )
        )
    price = band.money(band.price) if band.price is not None else "no price"
    checks.append(
        Check(
            "Price",
            StepStatus.NEEDS_ACTION if price_action else StepStatus.PASSED,
            f"{price}; {band.allowed_text}" + (f"; {band.conflict}" if band.conflict else ""),
        )
    )
    return tuple(checks)


# --------------------------------------------------------------------------- draft → patches


@dataclass
class Draft:
    """What the user chose in the Stock and Listing-fields steps (typed, already validated)."""

    stock_action: StockAction | None = None
    mfn_quantity: int | None = None
    handling_time: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)  # name → typed value
    price: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    @property
    def has_changes(self) -> bool:
        return bool(
            self.stock_action
            or self.attributes
            or any(v is not None for v in (self.price, self.minimum, self.maximum))
        )


QUANTITY_FIELD, PRICE_FIELD = "quantity", "price"
#: Field problems the seller must fix (content and condition are edits the seller may make).
MUST_FIX = frozenset({"missing", "invalid", "image"})


def draft_ready(plan: WizardPlan, draft: Draft, step: WizardStep) -> bool:
    """The step's fix is entered and valid (not sent yet): a stock action whose quantity can
    fix the listing; every attribute that must be fixed typed, and a price that fits its
    band where the price needs it. False for a step without such inputs."""
    problems = draft_problems(plan, draft)
    if step is WizardStep.STOCK:
        return draft.stock_action is not None and QUANTITY_FIELD not in problems
    if step is not WizardStep.FIELDS:
        return False
    typed_price = any(v is not None for v in (draft.price, draft.minimum, draft.maximum))
    if not (draft.attributes or typed_price) or PRICE_FIELD in problems:
        return False
    if plan.price_needs_action and not typed_price:
        return False
    return all(f.name in draft.attributes for f in plan.fields if f.problem in MUST_FIX)


def draft_problems(plan: WizardPlan, draft: Draft) -> dict[str, str]:
    """What keeps the user's choices from becoming patches, by the input it concerns
    (``QUANTITY_FIELD``, ``PRICE_FIELD``): a quantity that cannot fix the listing, a new price
    outside its allowed band (each bound as typed, or the current one)."""
    problems = {}
    quantity = plan.stock.quantity_problem(draft.stock_action, draft.mfn_quantity)
    if quantity:
        problems[QUANTITY_FIELD] = quantity
    price = price_problem(plan.price, draft)
    if price:
        problems[PRICE_FIELD] = price
    return problems


def price_problem(current: P.PriceBand, draft: Draft) -> str:
    """Why the draft's price and band do not fit together ('' when they do, or when the
    draft changes none of them)."""
    if all(v is None for v in (draft.price, draft.minimum, draft.maximum)):
        return ""
    band = P.PriceBand(
        price=current.price if draft.price is None else draft.price,
        minimum=current.minimum if draft.minimum is None else draft.minimum,
        maximum=current.maximum if draft.maximum is None else draft.maximum,
        currency=current.currency,
    )
    low, high = band.minimum, band.maximum
    if low is not None and high is not None and low > high:
        return f"The minimum {band.money(low)} is above the maximum {band.money(high)}."
    if band.conflict:
        return f"The {band.conflict}: Amazon would not sell at it."
    return ""


def draft_patches(plan: WizardPlan, draft: Draft) -> list[P.Patch]:
    """The JSON Patches the Apply step sends for the user's choices (in step order);
    ValueError while ``draft_problems`` names a problem."""
    problems = draft_problems(plan, draft)
    if problems:
        raise ValueError(next(iter(problems.values())))
    listing = plan.listing
    ops: list[P.Patch] = []
    if draft.stock_action in MFN_ACTIONS and draft.mfn_quantity is not None:  # (else a problem)
        ops += P.set_mfn_quantity(listing, draft.mfn_quantity, handling_time=draft.handling_time)
    elif draft.stock_action is StockAction.SWITCH_TO_FBA:
        ops += P.switch_to_fba(listing)
    specs = attribute_specs(plan)
    for name, value in draft.attributes.items():
        spec = specs.get(name) or AttributeSpec(name)
        ops += P.set_attribute(listing, spec, value if isinstance(value, list) else [value])
    if any(v is not None for v in (draft.price, draft.minimum, draft.maximum)):
        ops += P.set_price(listing, price=draft.price, minimum=draft.minimum, maximum=draft.maximum)
    return ops


def attribute_specs(plan: WizardPlan) -> dict[str, AttributeSpec]:
    """What the schema says of each attribute the wizard can send (its fields' own first)."""
    reqs = plan.evidence.requirements
    return {**(reqs.attributes if reqs else {}), **{f.name: f.spec for f in plan.fields}}


# --------------------------------------------------------------------------- verify


@dataclass(frozen=True, slots=True)
class VerifyResult:
    before: Diagnosis
    after: Diagnosis
    fixed: tuple[Finding, ...]
    remaining: tuple[Finding, ...]
    new: tuple[Finding, ...]

    @property
    def resolved(self) -> bool:
        return not self.after.needs_attention

    @property
    def steps_needing_action(self) -> frozenset[WizardStep]:
        """Every step a remaining or new finding maps to (its problem is still there)."""
        return frozenset(step for f in self.after.findings if (step := fix_step(f)) is not None)

    @property
    def failing_step(self) -> WizardStep | None:
        """The step of the root cause: the diagnosis orders the finding that most directly
        blocks the sale first (stranded stock behind a suppression comes after it), so the
        first finding a step fixes."""
        return next((step for f in self.after.findings if (step := fix_step(f)) is not None), None)


def verify(before: Diagnosis, after: Diagnosis) -> VerifyResult:
    def key(f: Finding) -> tuple[str, str | None, tuple[str, ...]]:
        return (f.code, f.issue_code, f.attributes)

    before_keys = {key(f) for f in before.findings}
    after_keys = {key(f) for f in after.findings}
    return VerifyResult(
        before=before,
        after=after,
        fixed=tuple(f for f in before.findings if key(f) not in after_keys),
        remaining=tuple(f for f in after.findings if key(f) in before_keys),
        new=tuple(f for f in after.findings if key(f) not in before_keys),
    )


#: A state in a seller's words, for a sentence (the table's short labels are the UI's).
STATE_WORDS = {
    State.SUPPRESSED: "Suppressed",
    State.CATALOG_REMOVED: "Catalog item removed",
    State.INCOMPLETE: "Incomplete",
    State.INACTIVE: "Inactive",
    State.SEARCH_SUPPRESSED: "Hidden from search",
    State.VARIATION_PARENT: "Variation parent",
    State.ACTIVE: "Active",
}


def state_text(diagnosis: Diagnosis) -> str:
    """The state as a seller says it: 'Suppressed — not buyable; still discoverable' (it
    read 'SUPPRESSED: buyable no, discoverable yes')."""
    buyable, discoverable = diagnosis.buyable, diagnosis.discoverable
    if buyable and discoverable:
        says = "buyable and discoverable"
    elif buyable:
        says = "buyable; not discoverable"
    elif discoverable:
        says = "not buyable; still discoverable"
    else:
        says = "neither buyable nor discoverable"
    return f"{STATE_WORDS[diagnosis.state]} — {says}"


def _condition(condition_type: str | None) -> str:
    return condition_words(condition_type) if condition_type else "any condition"
