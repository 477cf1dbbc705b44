"""The body of each wizard step. Each reads and changes the shared ``WizardState``.

Steps with inputs keep ``state.draft`` (what will be patched) and ``state.case_record`` (checklist
ticks, notes) up to date as the user types; the wizard saves the case.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalGroup
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from asin_tui.domain import patches as P
from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import WizardStep
from asin_tui.domain.outcomes import APPEAL_KINDS, OutcomeKind, OutcomeOption, PendingPatch
from asin_tui.domain.wizard import (
    MFN_ACTIONS,
    Check,
    PolicyCase,
    StockAction,
    VerifyResult,
    is_multi_line,
    price_problem,
    state_text,
)
from asin_tui.store.cases import ChecklistTick, Outcome, PatchMode
from asin_tui.ui import evidence_text
from asin_tui.ui.safe_text import data, plain, template
from asin_tui.ui.screens.confirm import confirm_key
from asin_tui.ui.widgets.bullets import BulletLine, HangingLines, nonbreaking
from asin_tui.ui.widgets.controls import Choice, TickBox
from asin_tui.ui.widgets.wizard_fields import TypedField
from asin_tui.ui.widgets.wizard_stepper import status_mark
from asin_tui.ui.wizard_session import WizardState

if TYPE_CHECKING:
    from asin_tui.domain.wizard import WizardPlan
    from asin_tui.service import SubmissionResult

ACTION_LABELS = {
    StockAction.SET_MFN_QUANTITY: "Set the quantity (merchant fulfilled)",
    StockAction.SWITCH_TO_MFN: "Switch to merchant fulfilment with a quantity",
    StockAction.SWITCH_TO_FBA: "Relist for Fulfilment by Amazon",
}
LABEL_WIDTH = 30  # of a check's label: the evidence keeps most of an 80-column line
PRICE_FIELDS = (
    # "Your price" (Seller Central's word): under the heading "Price (allowed …)" a field
    # called "Price" said the same word twice, one line under the other
    (P.OUR_PRICE, "Your price"),
    (P.MINIMUM_PRICE, "Minimum allowed price"),
    (P.MAXIMUM_PRICE, "Maximum allowed price"),
)
PRICE_DRAFT = {P.OUR_PRICE: "price", P.MINIMUM_PRICE: "minimum", P.MAXIMUM_PRICE: "maximum"}


def price_hint(band: P.PriceBand, *, decimal_comma: bool = False) -> str:
    """The line under "Your price": its currency and decimal mark, and the price the bulk
    grid's hint would suggest (PriceBand.nearest: the allowed minimum for a price below it)."""
    hint = f"In {band.currency or 'the offer currency'}" + (
        ", a decimal comma or point (79,99)." if decimal_comma else "."
    )
    if (nearest := band.nearest) is not None:
        amount, words = nearest
        said = band.money(amount)  # the edge's words name it, the middle's do not
        hint += f" Suggested: {words}." if said in words else f" Suggested: {said}, {words}."
    return hint


class DraftChanged(Message):
    """A step changed the saved case (a tick, a note, a typed value): the screen saves
    it, once typing pauses when ``typing``."""

    def __init__(self, *, typing: bool = False) -> None:
        super().__init__()
        self.typing = typing


def checks_table(checks: tuple[Check, ...]) -> Table | Text:
    """One row per check: mark, label, and the evidence wrapped in its own column."""
    if not checks:
        return Text("Nothing to check.")
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(style="bold", max_width=LABEL_WIDTH)  # a long finding title wraps
    table.add_column(ratio=1)
    for check in checks:
        # Text, not str: a str cell would be parsed as markup (check texts quote Amazon's)
        label, evidence = plain(check.label), plain(check.evidence, multiline=True)
        table.add_row(status_mark(check.status), Text(label), Text(evidence))
    return table


class ChecklistBox(TickBox):
    """A checklist item whose long text wraps (a Checkbox is one line, cut at the edge).

    Its letters fire no command (TickBox), except the copy key (c): an item takes no
    text, copying the approval link changes nothing, and the Policy step lands on its first
    item, where "c copies the link" did nothing (a note's c stays a letter: Escape first)."""

    #: the screen's actions whose keys an item lets through
    PASSES = frozenset({"copy_link"})

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if not super().check_consume_key(key, character):
            return False
        # the screen's bindings by their own key (Textual filters before the keymap)
        bound = self.screen._bindings.key_to_bindings.get(key, ())
        return not any(binding.action in self.PASSES for binding in bound)

    #: "[ ] ": where the item's text starts, and its wrapped lines too
    INDENT = 4

    def drawn(self, width: int) -> Content:
        """``[ ] text`` ``width`` cells wide, the text's wrapped lines under the text, not
        under ``[ ]`` (wrapped here: Textual's wrapping starts each line at the edge). No
        trailing pad after the text: measured by wrapping (which drops it) and drawn with it,
        an item exactly as wide as the body was given one line and drawn cut ("an allowed
        on…")."""
        style = self.get_visual_style("toggle--label")
        room = width - self.INDENT
        first, *more = self._label.wrap(room) if room >= 10 else [self._label]
        parts: list[str | Content] = [self._button, " ", first.stylize_before(style)]
        for line in more:
            parts += ["\n" + " " * self.INDENT, line.stylize_before(style)]
        return Content.assemble(*parts)

    def render(self) -> Content:
        return self.drawn(self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Textual's own Widget passes its styles here too (textual/widget.py)
        return self.drawn(width).get_height(self.styles, width)  # type: ignore[arg-type]  # RenderStyles reads as the RulesMap annotated


class StepBody(VerticalGroup):
    step: WizardStep

    def __init__(self, state: WizardState) -> None:
        super().__init__(classes="wizard-step")
        self.state = state

    def checks(self, checks: tuple[Check, ...] | None = None) -> Static:
        """The step's checks (or ``checks``: a part of them)."""
        shown = self.state.plan.step(self.step).checks if checks is None else checks
        return Static(checks_table(shown), classes="checks")

    @staticmethod
    def typing_hint(text_box: bool = False) -> Static:
        """In a field the footer's letter keys type text: say how to move on. In a text box
        (several lines) Enter is a new line: only Escape, then n, goes on."""
        return Static(
            "In a field: Enter goes to the next step (in a text box: a new line), Tab to the"
            " next field, Escape out of it (then n: next step)."
            if text_box
            else "In a field: Enter goes to the next step, Tab to the next field, Escape out of it.",
            classes="hint",
        )


class OverviewStep(StepBody):
    step = WizardStep.OVERVIEW

    def compose(self) -> ComposeResult:
        plan = self.state.plan
        listing = plan.listing
        facts = [
            ("Title", listing.item_name or "—"),
            ("SKU", listing.sku),
            ("ASIN", listing.asin or "—"),
            ("Product type", listing.product_type or "—"),
            ("State", state_text(plan.diagnosis)),
        ]
        shown = "\n".join(f"{k:<13} {plain(v)}" for k, v in facts)
        yield Static(data(shown, multiline=True), classes="facts")
        yield Label("Checks", classes="section-title")
        yield self.checks()
        yield Static(steps_that_apply(plan.applicable[1:]), classes="hint")


def steps_that_apply(steps: Sequence[WizardStep]) -> HangingLines:
    """'Steps that apply: Stock → Policy compliance → … → Wrap up', a step's name never
    broken ("… → Wrap" / "up" at 80 columns): a line breaks between steps."""
    names = " → ".join(nonbreaking(step.label) for step in steps)
    return HangingLines([data(f"Steps that apply: {names}")])


class StockStep(StepBody):
    step = WizardStep.STOCK

    def compose(self) -> ComposeResult:
        stock = self.state.plan.stock
        yield self.checks()
        if stock.guidance:
            yield Label("What to do", classes="section-title")
            with VerticalGroup(classes="guidance"):  # a tip's wrapped lines under its text
                for tip in stock.guidance:
                    yield BulletLine(tip)
        yield Label("Action", classes="section-title")
        current = self.state.draft.stock_action
        if not stock.actions:  # stock is not what stops the sale: nothing to pick here
            yield Static("No stock change helps here: see What to do above.", classes="hint")
        elif stock.implied_action is None:  # a choice to make (FBA, or no channel)
            options = [(ACTION_LABELS[a], a) for a in stock.actions]
            yield Choice(
                options,
                value=current or Select.NULL,
                prompt="No change",
                id="stock-action",
                compact=True,
            )
        yield Static("", id="stock-inbound", classes="warning")
        with VerticalGroup(id="stock-mfn"):  # the merchant-fulfilled inputs
            quantity = self.state.draft.mfn_quantity
            qty_text = str(quantity if quantity is not None else stock.mfn_quantity or 0)
            yield TypedField(
                P.QUANTITY_SPEC, qty_text, hint=self.last_quantity_hint(), id="stock-quantity"
            )
            handling = self.state.draft.handling_time
            handling = stock.handling_time if handling is None else handling
            yield TypedField(
                P.HANDLING_TIME_SPEC,
                "" if handling is None else str(handling),
                hint="Days between the order and shipping (lead_time_to_ship_max_days).",
                id="stock-handling",
            )
            yield self.typing_hint()

    def on_mount(self) -> None:
        self.show_choice()

    def last_quantity_hint(self) -> str:
        """The last quantity the listing had on sale, as a suggestion to type (never filled
        in: the seller decides how many units there are now)."""
        last = self.state.last_quantity
        if last is None or self.state.plan.stock.mfn_quantity:
            return ""
        return (
            f"Last known quantity: {last.units} (seen {last.seen_at.astimezone(UTC):%Y-%m-%d} "
            "UTC); type it to use it."
        )

    @property
    def action(self) -> StockAction | None:
        """The action picked, or the one a typed quantity stands for (an MFN listing)."""
        return self.state.draft.stock_action or self.state.plan.stock.implied_action

    def show_choice(self) -> None:
        """The MFN inputs only with an MFN action; what the action does to inbound units;
        why the quantity cannot go with it."""
        stock, action = self.state.plan.stock, self.action
        self.query_one("#stock-mfn").display = action in MFN_ACTIONS
        warning = self.query_one("#stock-inbound", Static)
        warning.update(data(stock.inbound_warning(action), multiline=True))
        warning.display = bool(stock.inbound_warning(action))
        problem = stock.quantity_problem(action, self.state.draft.mfn_quantity)
        self.query_one("#stock-quantity", TypedField).set_problem(problem)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value
        self.state.draft.stock_action = value if isinstance(value, StockAction) else None
        self.show_choice()
        self.post_message(DraftChanged())

    def on_typed_field_changed(self, event: TypedField.Changed) -> None:
        event.stop()
        draft, stock = self.state.draft, self.state.plan.stock
        value = event.value if event.ok else None
        if event.field.id == "stock-quantity":
            draft.mfn_quantity = value
        else:
            draft.handling_time = value
        if stock.implied_action is not None:
            changed = (
                draft.mfn_quantity is not None and draft.mfn_quantity != stock.mfn_quantity
            ) or (draft.handling_time is not None and draft.handling_time != stock.handling_time)
            draft.stock_action = stock.implied_action if changed else None
        self.show_choice()
        self.post_message(DraftChanged(typing=True))


def policy_lines(plan: WizardPlan) -> list[evidence_text.Lines]:
    """Each Policy case's evidence as the detail draws a finding (evidence_text.case_lines:
    a link on its own line, never wrapped mid-link; the copy hint under a copyable one)."""
    market = marketplace_by_id(plan.listing.marketplace_id)
    site = market.seller_central if market is not None else None
    return [
        evidence_text.case_lines(case.evidence, [(k.title, k.url) for k in case.links], site)
        for case in plan.policy_cases
    ]


def policy_link(plan: WizardPlan) -> str | None:
    """What the Policy step's c copies: the first Seller Central link of its cases (the
    detail's rule, evidence_text.copied_link: a plain https link at most 2048 long)."""
    market = marketplace_by_id(plan.listing.marketplace_id)
    site = market.seller_central if market is not None else None
    return evidence_text.copied_link([ln for lines in policy_lines(plan) for ln in lines], site)


class PolicyStep(StepBody):
    step = WizardStep.POLICY

    def compose(self) -> ComposeResult:
        cases = self.state.plan.policy_cases
        titles = {case.title for case in cases}
        others = tuple(c for c in self.state.plan.step(self.step).checks if c.label not in titles)
        if others or not cases:  # restrictions, account health: what no case below covers
            yield self.checks(others)
        self._items: dict[str, tuple[PolicyCase, str, ChecklistTick]] = {}
        for n, (case, lines) in enumerate(zip(cases, policy_lines(self.state.plan), strict=True)):
            yield Label(data(case.title), classes="section-title")
            for classes, content in evidence_text.line_runs(lines):  # a link never wrapped
                yield Static(content, classes=f"evidence {classes}".strip())
            yield Static(data(f"Appeal path: {case.appeal_path}", multiline=True), classes="hint")
            for m, item in enumerate(case.items):
                saved = self.state.checklist_item(case, item.text)
                self._items[f"item-{n}-{m}"] = (case, item.text, saved)
                label = data(item.text, multiline=True)  # a str label would be markup
                yield ChecklistBox(label, saved.done, id=f"item-{n}-{m}", compact=True)
                yield Input(
                    plain(saved.note),  # a note from the case file: shown safe
                    placeholder="note",
                    id=f"note-{n}-{m}",
                    compact=True,
                    classes="item-note",
                )
        yield Label("Notes", classes="section-title")
        notes = self.state.case_record.steps[WizardStep.POLICY].notes
        yield Input(
            plain(notes),
            placeholder="What you did, case ids, dates…",
            id="policy-notes",
            compact=True,
        )

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        case, text, saved = self._items[event.checkbox.id or ""]
        if saved.done != event.value:
            self.state.tick(case, text, done=event.value)
            self.post_message(DraftChanged())

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        # a saved note is shown terminal-safe: that form of it is no change
        if event.input.id == "policy-notes":
            if plain(self.state.case_record.steps[WizardStep.POLICY].notes) == event.value:
                return
            self.state.note(WizardStep.POLICY, event.value)
        else:
            case, text, saved = self._items[(event.input.id or "").replace("note-", "item-")]
            if plain(saved.note) == event.value:
                return
            self.state.tick(case, text, note=event.value)
        self.post_message(DraftChanged(typing=True))


class FieldsStep(StepBody):
    step = WizardStep.FIELDS

    def compose(self) -> ComposeResult:
        plan, draft = self.state.plan, self.state.draft
        yield self.checks()
        text_box = False
        if plan.fields:
            yield Label("Attributes to send", classes="section-title")
        for field_input in plan.fields:
            current = draft.attributes.get(field_input.name)
            text = value_text(current) if current is not None else field_input.current
            spec = field_input.spec
            multi = field_input.multi_value
            hint = "One bullet point a line. " if multi else ""
            text_box = text_box or multi or is_multi_line(spec)
            yield TypedField(
                spec,
                text,
                hint=(hint + spec.description).strip(),
                multiline=multi or is_multi_line(spec),
                check=field_input.validate,
                id=f"attr-{field_input.name}",
            )
        if plan.price_needs_action:
            band = plan.price
            yield Label(data(f"Price ({band.allowed_text})"), classes="section-title")
            market = marketplace_by_id(plan.listing.marketplace_id)
            comma = market is not None and market.decimal_comma
            hint = price_hint(band, decimal_comma=comma)
            for key, title in PRICE_FIELDS:
                spec = P.AttributeSpec(key, title=title, value_type="number", minimum=0.01)
                typed = getattr(draft, PRICE_DRAFT[key])
                current = self.current_price(key)
                text = (
                    # as typed (it may hold more decimals than the currency), written with
                    # the marketplace's decimal mark so it reads back the same (0,125 ≠ 125)
                    (str(typed).replace(".", ",") if comma else str(typed))
                    if typed is not None
                    else ""
                    if current is None
                    else P.amount_text(current, band.currency, grouping=False)
                )
                yield TypedField(
                    spec,
                    text,
                    hint=hint if key == P.OUR_PRICE else "",  # said once, under the first
                    check=partial(P.validate_value, spec, decimal_comma=comma),
                    id=f"price-{key}",
                )
        yield self.typing_hint(text_box)

    def current_price(self, key: str) -> Decimal | None:
        band = self.state.plan.price
        return {
            P.OUR_PRICE: band.price,
            P.MINIMUM_PRICE: band.minimum,
            P.MAXIMUM_PRICE: band.maximum,
        }[key]

    def on_typed_field_changed(self, event: TypedField.Changed) -> None:
        event.stop()
        draft, plan = self.state.draft, self.state.plan
        field_id = event.field.id or ""
        value = event.value if event.ok else None
        if field_id.startswith("price-"):
            key = field_id.removeprefix("price-")
            setattr(draft, PRICE_DRAFT[key], value if value != self.current_price(key) else None)
        else:
            name = event.field.name_key
            current = next(f.current for f in plan.fields if f.name == name)
            # the field shows the current value terminal-safe: that form is no change either
            unchanged = (current, plain(current), plain(current, multiline=True))
            if value is None or value_text(value) in unchanged:
                draft.attributes.pop(name, None)
            else:
                draft.attributes[name] = value
        if plan.price_needs_action:
            problem = price_problem(plan.price, draft)
            self.query_one(f"#price-{P.OUR_PRICE}", TypedField).set_problem(problem)
        self.post_message(DraftChanged(typing=True))


def patches_title(*, sent: bool) -> str:
    """Over the JSON Patches: to send, or sent once Amazon accepted them."""
    return f"JSON Patches {'sent' if sent else 'to send'} (patchListingsItem)"


def value_text(value: Any) -> str:
    """A typed value as its input shows it (several values one a line)."""
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value)


class ApplyStep(StepBody):
    step = WizardStep.APPLY

    def compose(self) -> ComposeResult:
        ops = self.state.patches()
        yield Label("Amazon's answer", classes="section-title")  # above the long JSON: seen
        if self.state.already_submitted:
            answer = "ACCEPTED (submission): Amazon has these patches. Press n to re-check."
        else:
            answer = answer_text(self.state.preview)
        yield Static(data(answer, multiline=True), id="apply-answer")
        yield Label(
            patches_title(sent=self.state.already_submitted),
            id="apply-patches-title",
            classes="section-title",
        )
        text = json.dumps(ops, indent=2) if ops else self.nothing_to_send()
        yield Static(data(text, multiline=True), classes="patches")

    def nothing_to_send(self) -> str:
        problems = self.state.problems
        if problems:
            return "Not ready: " + " ".join(problems) + " Go back (b) and fix it."
        return "Nothing to send: go back and enter a change."

    def show_answer(self, result: SubmissionResult, *, real: bool) -> None:
        text = answer_text(result)
        if real and result.ok:
            text += "\nSubmitted. Press n to re-check the listing (Verify)."
            self.query_one("#apply-patches-title", Label).update(patches_title(sent=True))
        elif real:
            text += "\nAmazon did not take it. Go back (b), fix what it names and validate again."
        elif result.status == "VALID":
            text += (
                "\nValid. Press s to review the changes and send them"
                f" (confirm with {confirm_key(self.app)})."
            )
        else:
            text += (
                "\nAmazon rejects this. Go back (b) and fix it, or press o to send anyway"
                f" (confirm with {confirm_key(self.app)})."
            )
        self.query_one("#apply-answer", Static).update(data(text, multiline=True))


def answer_text(result: SubmissionResult | None) -> str:
    if result is None:
        return "Not validated yet: press p to validate with Amazon (VALIDATION_PREVIEW)."
    mode = "validation preview" if result.preview else "submission"
    # a preview's submission id names nothing the seller can look up: said for a real one
    ident = result.submission_id if not result.preview else None
    head = f"{result.status} ({mode})" + (f", submission id {ident}" if ident else "")
    issues = [f"  {i.severity} {i.code}: {i.message}" for i in result.issues]
    return "\n".join([head, *issues])


class VerifyStep(StepBody):
    step = WizardStep.VERIFY

    def compose(self) -> ComposeResult:
        text = verify_text(self.state.verification, self.state.pending)
        yield Static(text, id="verify-result", classes="outcome")

    def show(self, result: VerifyResult | None, pending: PendingPatch | None = None) -> None:
        self.query_one("#verify-result", Static).update(verify_text(result, pending))


def verify_text(result: VerifyResult | None, pending: PendingPatch | None = None) -> Text:
    if result is None:
        return Text("Re-reading the listing from Amazon…")
    if pending is not None:  # no verdict before Amazon has applied the change
        text = Text()
        text.append(f"Amazon is processing your change ({pending.text()}).\n", style="bold")
        text.append(
            f"The listing still shows the old values ({plain(state_text(result.after))}). "
            "Amazon applies an accepted change after a while: this screen re-checks by itself "
            "while it is open, and every sync re-checks it too.\n\n"
        )
        text.append(
            "Press r to re-check now, or n to wrap up as waiting on Amazon.", style="bold yellow"
        )
        return text
    text = Text()
    text.append(f"Before: {plain(state_text(result.before))}\n")
    text.append(f"After:  {plain(state_text(result.after))}\n\n", style="bold")
    for label, findings, mark in (
        ("Fixed", result.fixed, "✓"),
        ("Still there", result.remaining, "!"),
        ("New", result.new, "!"),
    ):
        for finding in findings:
            # a fixed finding by its name only: its detail tells the old problem in the present
            # ("Your merchant-fulfilled quantity is 0…"), which read as still so
            said = (
                finding.title if findings is result.fixed else f"{finding.title}. {finding.detail}"
            )
            text.append(f"{mark} {label}: {plain(said)}\n")  # plain: quotes Amazon's text
    if result.resolved:
        text.append("\nThe listing is back on sale. Press n to wrap up.", style="bold green")
    elif result.failing_step is not None:
        text.append(
            f"\nStill failing at {result.failing_step.label}: press f to go back there, or n "
            "to wrap up (wait, escalate or retire).",
            style="bold yellow",
        )
    return text


WRAP_REASON = "wrap-reason"  # the Input for why a listing stays inactive


class OutcomeChosen(Message):
    """The seller picked an outcome at Wrap up (the screen records it)."""

    def __init__(self, kind: OutcomeKind) -> None:
        super().__init__()
        self.kind = kind


class WrapUpStep(StepBody):
    step = WizardStep.WRAP_UP

    def compose(self) -> ComposeResult:
        state = self.state
        record = state.case_record
        if record.outcome is Outcome.RESOLVED:
            yield Static(data(f"Resolved: {state_text(state.after)}"), classes="outcome")
            yield Static(data(sent_text(state), multiline=True), classes="evidence")
            yield Static("Press Escape to go back to the list.", classes="hint")
            return
        if record.outcome is not Outcome.OPEN:
            yield Static(data(outcome_text(state), multiline=True), classes="outcome")
        options = state.options(datetime.now(UTC))
        title = "Change the outcome" if record.outcome is not Outcome.OPEN else "How it ends"
        yield Label(title, classes="section-title")
        yield OptionList(
            *(Option(option_text(o), id=o.kind.value) for o in options), id="wrap-options"
        )
        sent_kinds = {"approval", *APPEAL_KINDS}
        if not any(o.kind is OutcomeKind.WAITING for o in options) and any(
            c.kind in sent_kinds for c in state.plan.policy_cases
        ):
            yield Static(
                "Applied for approval or sent an appeal? Tick its last item in Policy "
                "compliance (b): Wrap up then offers Waiting on Amazon, re-checked by every sync.",
                classes="hint",
            )
        if any(o.kind is OutcomeKind.LEAVE_INACTIVE for o in options):
            yield Input(
                placeholder="Why it stays inactive (for 'Won't fix'), then Enter",
                id=WRAP_REASON,
                compact=True,
            )
        yield Static(
            "↑/↓ to pick, Enter to record it; nothing is sent to Amazon without a confirmation.",
            classes="hint",
        )
        if record.outcome is Outcome.ESCALATED and state.case_text:
            # a list item wraps under its text (the draft is Markdown, copied as shown)
            lines = data(state.case_text, multiline=True).split("\n")
            yield Static(HangingLines(lines), classes="case-draft")

    def on_mount(self) -> None:
        for options in self.query("#wrap-options").results(OptionList):
            options.focus()  # the choice is what this step is for

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:  # every option's id is an OutcomeKind value
            self.post_message(OutcomeChosen(OutcomeKind(event.option.id)))


def option_text(option: OutcomeOption) -> HangingLines:
    """'★ Waiting on Amazon — Waiting for …' (the star: the best fit for the evidence); a
    long one's wrapped lines go on under its text, not under the star."""
    mark = "★ " if option.recommended else "  "
    text = template(f"{mark}[b]$title[/b] — $detail", title=option.title, detail=option.detail)
    return HangingLines([text], hang=len(mark))


def outcome_text(state: WizardState) -> str:
    """How the case stands now, in words."""
    p = state.case_record
    if p.outcome is Outcome.WAITING:
        when = f"{p.recheck_at:%Y-%m-%d %H:%M} UTC" if p.recheck_at else "—"
        return (
            f"Waiting on Amazon: {p.waiting_for}. Re-checked on every sync; overdue after {when}."
        )
    if p.outcome is Outcome.AT_RISK:
        when = f"{p.recheck_at:%Y-%m-%d}" if p.recheck_at else "the deadline"
        return f"At risk until {when}. To do before it: {p.waiting_for}"
    if p.outcome is Outcome.RETIRED:
        return f"Retired. {p.outcome_reason}"
    where = str(state.case_path) if state.case_path else "(not written)"
    return f"Escalated. Seller Support case draft saved to {where} — press c to copy it."


def sent_text(state: WizardState) -> str:
    """What was sent to Amazon for real, with its answers ('Nothing was sent…' if nothing)."""
    real = [r for r in state.case_record.patches if r.mode is PatchMode.REAL]
    if not real:
        return "Nothing was sent to Amazon: the listing came back by itself."
    lines = ["Sent to Amazon:"]
    for record in real:
        paths = ", ".join(op.get("path", "?").removeprefix("/attributes/") for op in record.patches)
        answer = record.status + (
            f", submission id {record.submission_id}" if record.submission_id else ""
        )
        lines.append(f"• {paths}: {answer}")
    return "\n".join(lines)


STEP_BODIES: dict[WizardStep, type[StepBody]] = {
    cls.step: cls
    for cls in (OverviewStep, StockStep, PolicyStep, FieldsStep, ApplyStep, VerifyStep, WrapUpStep)
}
