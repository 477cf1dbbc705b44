"""The bulk action of a cause no patch fixes, for the listings that share it (`b` in the
cause view or on marked listings):

- approval required: the approval links grouped by brand and product type (one request
  often covers a group), to copy (`c`);
- a policy enforcement: ONE Seller Support case draft covering every listing
  (domain.casedraft.build_group_case_draft), saved 0600 beside the wizard's drafts (`w`) and
  copied (`c`);
- stranded FBA stock, a listing not eligible or a removed catalog item: the removal-order
  list (SKU, ASIN, FNSKU, units) as a CSV written 0600 in the current folder (`w`), text
  cells defused against spreadsheet formulas.

The evidence is read off the UI thread; nothing is sent to Amazon from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Header, Static

from asin_tui.domain.causes import (
    APPROVAL_LINKS,
    CASE_DRAFT,
    REMOVAL_COLUMNS,
    REMOVAL_LIST,
    ApprovalGroup,
    CauseKey,
    approval_groups,
    bulk_action,
    removal_rows,
)
from asin_tui.domain.change_words import listings
from asin_tui.ui.evidence_text import line_runs
from asin_tui.ui.messages import describe_error
from asin_tui.ui.safe_text import data, plain
from asin_tui.ui.screens.base import WorkerScreen
from asin_tui.ui.service import ListingService
from asin_tui.ui.widgets.bullets import HangingLines
from asin_tui.ui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from asin_tui.domain.models import Evidence
    from asin_tui.domain.wizard import WizardPlan

RemovalRow = tuple[object, ...]  # domain.causes.removal_rows: REMOVAL_COLUMNS' values


@dataclass
class ActionReady(Message):
    text: str  # what the screen shows and `c` copies
    problems: list[str]
    rows: list[RemovalRow]  # the removal rows (REMOVAL_LIST)
    plans: list[WizardPlan]  # the wizard plans (CASE_DRAFT)


class BulkActionScreen(WorkerScreen):
    HELP_TITLE = "Bulk action"
    BINDINGS = [
        Binding("c", "copy", "Copy", tooltip="Copy the text to the clipboard", id="action.copy"),
        Binding(
            "w",
            "write",
            "Write file",
            tooltip="Save the case draft or the removal list as a file (0600)",
            id="action.write",
        ),
        Binding("escape", "leave", "Leave", tooltip="Back", id="action.leave"),
    ]

    def __init__(self, service: ListingService, cause: CauseKey, skus: Sequence[str]) -> None:
        super().__init__()
        self.service = service
        self.cause = cause
        self.skus = list(skus)
        self.action = bulk_action(cause)
        self.text = ""
        self.rows: list[RemovalRow] = []
        self.plans: list[WizardPlan] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            data(f"{self.cause.label} — {listings(len(self.skus))} · {self.action}"),
            id="bulk-title",
        )
        with VerticalScroll(id="action-body"):
            yield Static("Reading the listings…", id="action-text")
        yield Static("", id="bulk-status")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.title = "asin-tui"
        self.sub_title = plain(f"bulk action: {self.action}")
        self.prepare()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "write":
            return self.action in (CASE_DRAFT, REMOVAL_LIST)
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, description="read the listings")
    def prepare(self) -> None:
        from asin_tui.domain.wizard import build_plan

        evidences: list[Evidence] = []
        plans: list[WizardPlan] = []
        problems: list[str] = []
        for sku in self.skus:
            try:
                evidence = self.service.evidence(sku)
                evidences.append(evidence)
                if self.action == CASE_DRAFT:
                    plans.append(build_plan(evidence, self.service.diagnosis(sku)))
            except Exception as exc:  # not cached any more: said, left out
                problems.append(f"{plain(sku)}: {describe_error(exc)}")
        rows: list[RemovalRow] = []
        if self.action == APPROVAL_LINKS:
            text = approvals_text(approval_groups(evidences))
        elif self.action == CASE_DRAFT:
            from asin_tui.domain.casedraft import build_group_case_draft

            now = datetime.now(UTC)
            text = build_group_case_draft(plans, cause=self.cause.label, now=now) if plans else ""
        else:
            rows = removal_rows(evidences, self.cause.label)
            text = removal_text(rows, len(evidences))
        self.post_message(ActionReady(text, problems, rows, plans))

    def on_action_ready(self, message: ActionReady) -> None:
        self.text, self.rows, self.plans = message.text, message.rows, message.plans
        for problem in message.problems:
            self.notify(problem, title="Left out", severity="warning", timeout=10)
        body = self.query_one("#action-body", VerticalScroll)
        body.remove_children()
        body.mount_all(
            Static(content, classes=classes) for classes, content in text_runs(self.text)
        )
        hint = {
            APPROVAL_LINKS: "c copies the links whole · open each in a browser logged in "
            "to Seller Central",
            CASE_DRAFT: "w saves the draft (0600) · c copies it · send it in Seller Central "
            "→ Help → Contact us",
            REMOVAL_LIST: "w writes the CSV (0600) · create the removal order in Seller "
            "Central → Inventory → Create removal order",
        }.get(self.action or "", "")
        self.query_one("#bulk-status", Static).update(data(hint))
        self.refresh_bindings()

    def action_copy(self) -> None:
        if self.text:
            self.app.copy_to_clipboard(self.text)
            self.notify("Sent to the terminal's clipboard (OSC 52)", timeout=4)

    def action_write(self) -> None:
        if not self.text:
            return
        try:
            path = self._write()
        except OSError as exc:
            self.notify(describe_error(exc), title="Not written", severity="error", timeout=10)
            return
        self.notify(f"Wrote {path}", title="Saved", timeout=10)

    def _write(self) -> Path:
        now = datetime.now(UTC)
        if self.action == CASE_DRAFT:
            from asin_tui.store.case_drafts import write_case_draft  # 0600, never over one

            return write_case_draft(f"{len(self.plans)}-listings", self.text, now)
        from asin_tui.render import render_removal_csv
        from asin_tui.ui.export import ExportRequest

        csv_text = render_removal_csv(self.rows, REMOVAL_COLUMNS)
        attempt = 1
        while True:
            suffix = f"-{attempt}" if attempt > 1 else ""
            path = Path.cwd() / f"asin-tui-removals-{now:%Y%m%d-%H%M%S}{suffix}.csv"
            try:
                ExportRequest(path, "csv").write(csv_text)  # 0600, never over a file
                return path
            except FileExistsError:
                attempt += 1

    def action_leave(self) -> None:
        self.dismiss(None)


def text_runs(text: str) -> list[tuple[str, Content | HangingLines]]:
    """The action's text drawn as the detail draws its sections (evidence_text.line_runs):
    a link on a line of its own is drawn whole or cut with "…", never wrapped mid-link
    (c copies the text whole); a line indented by two spaces wraps under its indent, a list
    item ("- SKU: …", the case draft's Markdown) under its text. The text quotes Amazon's
    links, brands and SKUs: every line terminal-safe."""
    runs = line_runs([Content(plain(line)) for line in text.split("\n")])
    return [
        (classes, run if "link" in classes.split() else HangingLines(run.split("\n")))
        for classes, run in runs
    ]


def approvals_text(groups: Sequence[ApprovalGroup]) -> str:
    if not groups:
        return "No listing here needs an approval."
    lines = []
    for group in groups:
        lines.append(f"{group.brand} · {group.product_type} — {listings(len(group.skus))}")
        lines += [
            f"  ASIN {asin}: {link}" if (asin := group.asins.get(link)) else f"  {link}"
            for link in group.links
        ] or ["  (Amazon gave no approval link)"]
        lines.append(f"  SKUs: {', '.join(group.skus)}")
        lines.append("")
    return "\n".join(lines).rstrip()


def removal_text(rows: Sequence[Sequence[object]], count: int) -> str:
    if not rows:
        return (
            f"None of the {listings(count)} has FBA units in the evidence to remove "
            "(or its FBA inventory was not checked: sync again)."
        )
    head = ("SKU", "ASIN", "FNSKU", "Fulfillable", "Unfulfillable")
    table = [
        head,
        *((str(r[0]), str(r[1] or "—"), str(r[2] or "—"), str(r[4]), str(r[5])) for r in rows),
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    have = "has" if len(rows) == 1 else "have"
    lines = [
        f"{len(rows)} of {listings(count)} {have} FBA units to remove:",
        # the wizard tells a listing held back by another problem to wait for its fix: a
        # removal order is not undone, so the list says it too
        "(a listing put back on sale sells its units again: remove only the stock of the "
        "listings you will not fix)",
        "",
    ]
    lines += [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    return "\n".join(lines)
