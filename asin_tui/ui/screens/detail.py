"""Diagnostics of one listing: why it is not live, what fixes it, and the raw evidence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Label, Static

from asin_tui.domain.cover import StockCover, pace_text
from asin_tui.domain.looks import BACK_ON_SALE, TimelineEntry, not_cached, stock_risk
from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import ListingRecord
from asin_tui.ui import evidence_text
from asin_tui.ui.messages import (
    CoverLoaded,
    DetailLoaded,
    ListingChanged,
    OpenWizard,
    TimelineLoaded,
)
from asin_tui.ui.presentation import datetime_text
from asin_tui.ui.safe_text import data, plain
from asin_tui.ui.screens.base import WorkerScreen
from asin_tui.ui.screens.copied import CopiedScreen
from asin_tui.ui.service import ListingService
from asin_tui.ui.widgets.account_banner import AccountBanner
from asin_tui.ui.widgets.keys_footer import KeysFooter


def seller_central_link(record: ListingRecord) -> str | None:
    market = marketplace_by_id(record.marketplace_id)
    if market is None:
        return None
    term = quote(record.sku, safe="", errors="backslashreplace")  # a lone surrogate too
    return f"{market.seller_central}/myinventory/inventory?searchField=all&searchTerm={term}"


def timeline_lines(entries: Sequence[TimelineEntry]) -> evidence_text.Lines:
    """One line per entry, newest first: "2026-12-02 14:05 UTC  Inactive — Missing: brand".
    Causes and notes quote Amazon and the seller: data, never markup."""
    if not entries:
        return [Content("Nothing recorded yet: the timeline starts with the first sync.")]
    lines = []
    for entry in entries:
        line = Content.assemble((datetime_text(entry.time), "dim"), "  ", (entry.what, "bold"))
        if entry.detail:
            line = Content.assemble(line, " — ", data(entry.detail))
        lines.append(line)
    return lines


def cover_lines(cover: StockCover | None, at: datetime | None) -> evidence_text.Lines:
    """The listing's stock cover: days, units, pace and where they come from; "not checked"
    when no sales report covered it (never a cause)."""
    if cover is None:
        when = f" (last read {datetime_text(at)})" if at is not None else ""
        return [
            Content(f"Not checked: no sales report covers this listing{when}."),
            Content("  asin-tui watch reads Amazon's FBA inventory and orders reports."),
        ]
    report = "FBA inventory report" if cover.channel == "FBA" else "orders and listings reports"
    lines = [Content(cover.words())]
    pace = (
        f"{pace_text(cover.daily)} units a day" if cover.daily is not None else "no sales measured"
    )
    lines.append(Content(f"  Sales velocity: {pace} ({cover.channel})"))
    read = cover.as_of or at
    if read is not None:
        lines.append(Content(f"  From Amazon's {report} of {datetime_text(read)}"))
    return lines


class DetailScreen(WorkerScreen):
    """Shows the row it was opened with at once, then the full evidence from the cache."""

    BINDINGS = [
        Binding(
            "escape", "back", "Back", tooltip="Back to the list, as you left it", id="detail.back"
        ),
        Binding(
            "w",
            "wizard",
            "Wizard",
            tooltip="Reactivation wizard for this listing",
            id="detail.wizard",
        ),
        Binding(
            "c",
            "copy_link",
            "Copy link",
            tooltip="Copy the Seller Central link (to request approval, when a finding gives one)",
            id="detail.copy_link",
        ),
        Binding("C", "copy_sku", "Copy SKU", tooltip="Copy the SKU", id="detail.copy_sku"),
    ]

    def __init__(self, service: ListingService, record: ListingRecord) -> None:
        super().__init__()
        self.service = service
        self.record = record
        #: the first Seller Central link the findings give (an approval request's): what c
        #: copies
        self.finding_link: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield AccountBanner(id="account")
        with VerticalScroll(id="detail-body", can_focus=True):
            yield Static(evidence_text.header_lines(self.record), id="detail-header")
            yield Label("Findings", classes="section-title")
            yield Vertical(Static("Loading the diagnosis…"), id="findings", classes="section")
            yield Label("Stock cover", id="cover-title", classes="section-title")
            yield Vertical(Static("…"), id="cover", classes="section")
            yield Label("Timeline", id="timeline-title", classes="section-title")
            yield Vertical(Static("…"), id="timeline", classes="section")
            for title, _ in evidence_text.SECTIONS:
                yield Label(title, classes="section-title")
                yield Vertical(Static("…"), classes="section evidence")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.title = "asin-tui"
        self.sub_title = f"{plain(self.record.sku)} · diagnostics"
        self.query_one("#detail-body").focus()
        self.load_evidence()

    @work(
        thread=True,
        exclusive=True,
        group="detail",
        exit_on_error=False,
        description="read this listing's evidence",
    )
    def load_evidence(self) -> None:
        """Read the evidence, diagnosis and account health (local cache) off the UI thread."""
        sku = self.record.sku
        # the timeline first: a listing back on sale and no longer cached has no evidence
        self.post_message(TimelineLoaded(tuple(self.service.timeline(sku))))
        self.post_message(
            CoverLoaded(self.service.stock_cover_of(sku), self.service.stock_cover_at())
        )
        if not_cached(self.record):
            return  # not cached: no evidence to read (on_timeline_loaded says so)
        evidence, diagnosis = self.service.evidence(sku), self.service.diagnosis(sku)
        self.post_message(DetailLoaded(evidence, diagnosis, self.service.account_health()))

    def on_timeline_loaded(self, message: TimelineLoaded) -> None:
        self._fill(self.query_one("#timeline", Vertical), timeline_lines(message.timeline))
        if not_cached(self.record):  # back on sale and gone, or known from the reports only
            main = self.record.findings[0]
            lines = [Content(main.title)]
            if main.code != BACK_ON_SALE:
                lines += [Content(f"  Fix: {main.fix}")] if main.fix else []
            self._fill(self.query_one("#findings", Vertical), lines)
            if main.code == BACK_ON_SALE:
                gone = Content(
                    "Not cached: it no longer needs attention. F (full sync) on the list fetches it."
                )
            else:  # known from the sales reports only
                gone = Content(
                    "Not cached: it does not need attention. w fetches it from Amazon and opens "
                    "the wizard."
                )
            for block in self.query(".evidence").results(Vertical):
                self._fill(block, [gone])

    def on_cover_loaded(self, message: CoverLoaded) -> None:
        self._fill(self.query_one("#cover", Vertical), cover_lines(message.cover, message.at))

    def on_listing_changed(self, message: ListingChanged) -> None:
        """The wizard may have fixed this listing: show its new diagnosis."""
        if message.sku == self.record.sku:
            self.load_evidence()

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        diagnosis = message.diagnosis
        self.query_one(AccountBanner).show(message.account, self.record.marketplace_id)
        # the listing as read now (the wizard may have changed its condition, title, stock):
        # the row it was opened from may be older. Off sale since when: the row's date while
        # the state is the same; a new state's start is the next sync's to say.
        same_state = diagnosis.state is self.record.state
        since = self.record.inactive_since if same_state else None
        self.record = ListingRecord.build(message.evidence, diagnosis, since)
        self.query_one("#detail-header", Static).update(evidence_text.header_lines(self.record))
        market = marketplace_by_id(self.record.marketplace_id)
        site = market.seller_central if market is not None else None
        findings = evidence_text.findings(diagnosis, site)
        self.finding_link = evidence_text.copied_link(findings, site)
        self._fill(self.query_one("#findings", Vertical), findings)
        blocks = self.query(".evidence").results(Vertical)
        for (_, render), block in zip(evidence_text.SECTIONS, blocks, strict=True):
            self._fill(block, render(message.evidence))

    @staticmethod
    def _fill(section: Vertical, lines: evidence_text.Lines) -> None:
        """The lines as Statics, one per run of lines drawn alike (a Static per line cost
        ~2 ms of CPU each to mount, style and unmount): a line indented by two spaces wraps
        under its own indent, a link is drawn whole or cut with "…". The section's first
        Static (its "…" while loading) is kept and updated rather than replaced. The lines
        quote Amazon's and the seller's text: shown terminal-safe."""
        runs = [(c, evidence_text.drawn_run(c, run)) for c, run in evidence_text.line_runs(lines)]
        kept = [static for static in section.children if static.display]  # not being removed
        for static, (classes, content) in zip(kept, runs, strict=False):
            assert isinstance(static, Static)
            static.set_classes(classes)
            static.update(content)
        if len(kept) > len(runs):
            section.remove_children(kept[len(runs) :])
        elif len(runs) > len(kept):
            section.mount_all(
                Static(content, classes=classes) for classes, content in runs[len(kept) :]
            )

    def action_back(self) -> None:
        self.dismiss()

    def action_wizard(self) -> None:
        self.post_message(OpenWizard(self.record.sku, stock_risk(self.record)))

    def action_copy_link(self) -> None:
        # a finding's Seller Central link first (an approval request's, drawn on one line,
        # cut at 80 columns): copied whole; else the listing's page in Seller Central
        if self.finding_link:
            self._copy("the Seller Central link to request approval", self.finding_link)
            return
        link = seller_central_link(self.record)
        if link is None:
            self.action_copy_sku()
            return
        self._copy("the Seller Central link", link)

    def action_copy_sku(self) -> None:
        self._copy("the SKU", self.record.sku)

    def _copy(self, what: str, text: str) -> None:
        """To the clipboard through the terminal, and on screen: whether the terminal passed
        it on cannot be known (tmux drops OSC 52 by default)."""
        self.app.copy_to_clipboard(text)
        self.app.push_screen(CopiedScreen(what, text))
