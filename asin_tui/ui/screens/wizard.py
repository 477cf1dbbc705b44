"""The reactivation wizard: seven steps that get one listing back on sale, resumable.

The screen reads the listing and its saved case (a thread worker) and only then mounts the
wizard's body (``ui/widgets/wizard_body.py``: :class:`WizardBody`), built with that
:class:`WizardState`: no step, action or answer handler ever runs without one. The screen
keeps the keys (they work with nothing focused, and the help screen lists them) and hands
them to the body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Checkbox, Header, Input, Select, Static, TextArea

from asin_tui.domain.models import Diagnosis, Evidence, Finding, LastQuantity, State
from asin_tui.domain.wizard import build_plan
from asin_tui.store.cases import CaseRecord, CaseStore, CaseStoreError
from asin_tui.ui.messages import describe_error
from asin_tui.ui.safe_text import data, plain
from asin_tui.ui.screens.base import DismissOnce, SizeKept
from asin_tui.ui.service import ListingService
from asin_tui.ui.timing import UI_TIMING
from asin_tui.ui.widgets.keys_footer import KeysFooter
from asin_tui.ui.widgets.wizard_body import STEP_ACTIONS, WizardBody, WizardFailed
from asin_tui.ui.widgets.wizard_stepper import LEGEND
from asin_tui.ui.wizard_session import WizardState


@dataclass
class WizardLoaded(Message):
    evidence: Evidence
    diagnosis: Diagnosis
    saved: CaseRecord | None
    warnings: list[str]
    case_text: str = ""
    last_quantity: LastQuantity | None = None  # the Stock step's suggestion


class WizardScreen(SizeKept, DismissOnce, Screen):
    """The wizard for one SKU. While the listing and its saved case are read (a thread
    worker) it says so; then it mounts a :class:`WizardBody` built with that state. The keys
    are the screen's (they work with nothing focused, and the help screen lists them) and act
    on the body once it is there."""

    HELP_NOTES = LEGEND  # the help screen (?) explains the stepper's marks
    BINDINGS = [
        Binding(
            "n,enter", "next", "Next", tooltip="Go to the next step that applies", id="wizard.next"
        ),
        Binding("b", "back", "Back", tooltip="Go to the previous step", id="wizard.back"),
        Binding(  # in a field (and shown there): Escape leaves the field, not the wizard
            "escape",
            "leave_field",
            "Leave field",
            tooltip="Leave this field (typed text is kept); Escape again leaves the wizard",
            id="wizard.leave_field",
        ),
        Binding(
            "escape",
            "leave",
            "Leave",
            tooltip="Leave the wizard; progress is kept",
            id="wizard.leave",
        ),
        Binding(
            "p",
            "preview",
            "Validate",
            tooltip="Validate the patches (VALIDATION_PREVIEW)",
            id="wizard.preview",
        ),
        Binding(
            "s",
            "submit",
            "Submit",
            tooltip="Review the changes and send them for real (after VALID; confirm with ctrl+s)",
            id="wizard.submit",
        ),
        Binding(
            "o",
            "override",
            "Override",
            tooltip="Review and send although Amazon said INVALID (confirm with ctrl+s)",
            id="wizard.override",
        ),
        Binding(
            "r",
            "recheck",
            "Re-check",
            tooltip="Re-read the listing and re-diagnose it",
            id="wizard.recheck",
        ),
        Binding(
            "f",
            "fix_failing",
            "Fix step",
            tooltip="Back to the step that still fails",
            id="wizard.fix_failing",
        ),
        Binding(
            "c",
            "copy_link",
            "Copy link",
            tooltip="Copy the Seller Central link to request approval",
            id="wizard.copy_link",
        ),
        Binding(
            "c",
            "copy_case",
            "Copy case",
            tooltip="Copy the case draft to the clipboard",
            id="wizard.copy_case",
        ),
        Binding("up", "scroll_body(-1)", "Scroll up", show=False, id="wizard.scroll_up"),
        Binding("down", "scroll_body(1)", "Scroll down", show=False, id="wizard.scroll_down"),
        Binding("pageup", "scroll_body(-10)", "Page up", show=False, id="wizard.page_up"),
        Binding("pagedown", "scroll_body(10)", "Page down", show=False, id="wizard.page_down"),
    ]

    def __init__(
        self,
        service: ListingService,
        sku: str,
        store: CaseStore | None,
        *,
        save_delay: float = UI_TIMING.save_delay,
        risk: Finding | None = None,
    ) -> None:
        super().__init__()
        #: opened on an At risk row whose stock runs out (domain.looks.stock_risk): the Stock
        #: step is offered though Amazon finds nothing wrong with the listing yet
        self.risk = risk
        self.save_delay = save_delay  # seconds of quiet typing before it is saved
        self.service = service
        self.sku = sku
        self.store = store
        self.body: WizardBody | None = None  # mounted once the listing is read (WizardLoaded)
        #: a listing the cache did not hold (known from the sales reports only) was fetched
        #: from Amazon once: it is not fetched again if it still cannot be read
        self._fetched = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the listing…", id="wizard-loading")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.title = "asin-tui"
        self.sub_title = f"{plain(self.sku)} · reactivation wizard"
        self.load()

    @work(thread=True, exclusive=True, group="wizard-load", exit_on_error=False)
    def load(self) -> None:
        try:
            evidence, diagnosis = self.service.evidence(self.sku), self.service.diagnosis(self.sku)
        except KeyError as exc:  # UnknownSku: not cached (e.g. known from the sales reports)
            if self._fetched:
                self.post_message(WizardFailed("open the listing", describe_error(exc)))
            else:
                self.app.call_from_thread(self.fetch_listing)
            return
        except Exception as exc:  # unreadable cache: say so, stay up
            self.post_message(WizardFailed("open the listing", describe_error(exc)))
            return
        saved, warnings = None, []
        if self.store is not None:
            try:
                saved = self.store.get(self.sku)
            except CaseStoreError as exc:
                warnings.append(str(exc))
            warnings += [str(w) for w in self.store.take_warnings()]
        case_text = ""
        if saved is not None and saved.case_draft_path:
            try:
                case_text = Path(saved.case_draft_path).read_text(encoding="utf-8")
            except OSError as exc:
                warnings.append(f"The saved case draft cannot be read: {describe_error(exc)}")
        last = None
        if evidence.listing.mfn_quantity == 0:  # out of stock: the last quantity it had
            try:
                last = self.service.last_quantity(self.sku)
            except Exception:  # a suggestion only: none when the cache cannot tell
                last = None
        self.post_message(WizardLoaded(evidence, diagnosis, saved, warnings, case_text, last))

    @work(exclusive=True, group="wizard-fetch", exit_on_error=False)
    async def fetch_listing(self) -> None:
        """A listing the cache does not hold — live and fine, known from the sales reports
        only (the At risk view's days of cover) — is fetched with getListingsItem (through the
        service's loop and rate limits), diagnosed and cached; then the wizard opens on it.
        One Amazon does not know is said plainly: there is nothing the wizard can change."""
        from asin_tui.service import NotFound  # the service's errors: only when this happens

        self._fetched = True
        self.query_one("#wizard-loading", Static).update(
            data(
                f"Fetching {self.sku} from Amazon (it is not in the local cache: it was "
                "known from the sales reports only)…"
            )
        )
        try:
            await self.service.refresh(self.sku)
        except NotFound:
            self.post_message(
                WizardFailed(
                    "open the listing",
                    f"Amazon has no listing {self.sku} in this marketplace "
                    "(getListingsItem: not found). It shows only in the sales reports (sold "
                    "under that SKU before, or removed since), so there is nothing the wizard "
                    "can change here: look it up in Seller Central, Manage All Inventory.",
                )
            )
            return
        except Exception as exc:  # throttled, refused, unreadable: one line, the screen stays
            self.post_message(WizardFailed("fetch the listing from Amazon", describe_error(exc)))
            return
        self.load()

    async def on_wizard_loaded(self, message: WizardLoaded) -> None:
        for warning in message.warnings:
            self.notify(warning, title="Saved progress", severity="warning", timeout=10)
        if message.diagnosis.state is State.VARIATION_PARENT:
            self.notify(
                f"{plain(self.sku)} is a variation parent: it is never buyable by design (its "
                "children are the offers that sell), so there is nothing to reactivate. Open "
                "the wizard on a child that needs attention.",
                title="Nothing to fix",
                timeout=10,
            )
            self.dismiss()  # before any case is saved: no open item for the parent
            return
        diagnosis = message.diagnosis
        if (
            self.risk is not None
            and not diagnosis.needs_attention
            and all(f.code != self.risk.code for f in diagnosis.findings)
        ):
            diagnosis = replace(diagnosis, findings=(self.risk, *diagnosis.findings))
        plan = build_plan(message.evidence, diagnosis)
        state = WizardState.start(plan, message.saved, message.case_text)
        state.last_quantity = message.last_quantity
        body = WizardBody(state, self.service, self.sku, self.store, save_delay=self.save_delay)
        await self.query_one("#wizard-loading").remove()
        await self.mount(body, before=self.query_one(KeysFooter))
        self.body = body

    def on_wizard_failed(self, message: WizardFailed) -> None:
        """Reading the listing failed, or (bubbled up from the body) one of Amazon's calls."""
        self.notify(
            message.reason,
            title=f"Could not {message.what}",
            severity="error",
            timeout=10,
            markup=False,
        )
        if self.body is None:  # still loading: the screen says why it stops there
            self.query_one("#wizard-loading", Static).update(
                data(
                    f"Could not {message.what}: {message.reason}\n\nEscape goes back.",
                    multiline=True,
                )
            )

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("leave_field", "leave"):  # one Escape, named for what it does now
            return self.in_a_field is (action == "leave_field")
        if self.body is None:  # loading: the step's own actions are not there yet
            return action not in STEP_ACTIONS
        return self.body.check_action(action, parameters)

    def to_body(self, action: Callable[[WizardBody], object]) -> None:
        """A key's action, done by the body (nothing while the listing is being read)."""
        if self.body is not None:
            action(self.body)

    def action_next(self) -> None:
        self.to_body(WizardBody.action_next)

    def action_back(self) -> None:
        self.to_body(WizardBody.action_back)

    def action_preview(self) -> None:
        self.to_body(WizardBody.action_preview)

    def action_submit(self) -> None:
        self.to_body(WizardBody.action_submit)

    def action_override(self) -> None:
        self.to_body(WizardBody.action_override)

    def action_recheck(self) -> None:
        self.to_body(WizardBody.action_recheck)

    def action_fix_failing(self) -> None:
        self.to_body(WizardBody.action_fix_failing)

    def action_copy_case(self) -> None:
        self.to_body(WizardBody.action_copy_case)

    def action_copy_link(self) -> None:
        self.to_body(WizardBody.action_copy_link)

    def action_scroll_body(self, lines: int) -> None:
        self.to_body(lambda body: body.scroll_steps(lines))

    def action_leave_field(self) -> None:
        self.set_focus(None)  # what was typed is kept (saved once typing pauses)

    def action_leave(self) -> None:
        if self.in_a_field:  # first Escape only leaves the field: what was typed
            self.set_focus(None)  # is not in the saved case yet
            return
        if self.body is not None:
            self.body.save()
        self.dismiss()

    @property
    def in_a_field(self) -> bool:
        """The focus is on a control (a text input, a drop-down or its list of choices, a
        checkbox): its letters are text, not commands, until Escape leaves it."""
        focused = self.focused
        return focused is not None and any(
            isinstance(node, (Input, Select, TextArea, Checkbox))
            for node in focused.ancestors_with_self
        )
