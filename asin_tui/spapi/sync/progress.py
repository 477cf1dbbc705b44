"""How far a sync is: counts per phase, turned into SyncProgress for the caller."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from asin_tui.spapi.calls import WaitNotice
from asin_tui.spapi.sync.model import ProgressCallback, SyncProgress

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    pass


# --------------------------------------------------------------------------- progress

_PHASES = {
    "searchListingsItems": "search",
    "getListingsItem": "listings",
    "getInventorySummaries": "inventory",
    "getListingsRestrictions": "restrictions",
    "searchCatalogItems": "catalog",
    "getDefinitionsProductType": "product types",
    "download": "product types",
    "createReport": "report",
    "getReport": "report",
    "getReportDocument": "report",
}


class _Tally:
    """Counts work done/expected per phase and reports it as SyncProgress."""

    _WORDS = {
        "inventory": "FBA inventory",
        "restrictions": "Listing restrictions",
        "catalog": "Catalog items",
        "product types": "Product types",
    }

    def __init__(self, progress: ProgressCallback | None) -> None:
        self._progress = progress
        self.done: Counter[str] = Counter()
        self.total: Counter[str] = Counter()
        self.pages_expected = 0

    def emit(
        self, phase: str, message: str, *, total: int | None = None, waiting: bool = False
    ) -> None:
        if self._progress is not None:
            self._progress(SyncProgress(phase, self.done[phase], total, message, waiting))

    def expect(self, phase: str, n: int = 1) -> None:
        self.total[phase] += n

    def add(self, phase: str, n: int = 1) -> None:
        self.done[phase] += n
        if phase in self._WORDS:
            total = self.total[phase]
            self.emit(phase, f"{self._WORDS[phase]} {self.done[phase]}/{total}", total=total)

    def page(self) -> None:
        self.done["search"] += 1
        total = max(self.pages_expected, self.done["search"])
        self.emit(
            "search", f"Searching listings: page {self.done['search']} of ~{total}", total=total
        )

    def waiting(self, notice: WaitNotice) -> None:
        if notice.reason == "report":
            # what Amazon is doing, in words, and no more: the list's status line at 80
            # columns has 53 cells beside its bar; "Amazon is preparing the listings report
            # (IN_QUEUE); checking again in 5 s" showed Amazon's code and cut the rest (the
            # bar moves while it waits)
            message = f"Amazon is preparing the {notice.detail}"
            self.emit("report", message, waiting=True)
        elif notice.reason == "throttled":
            self.emit(
                _PHASES.get(notice.operation, "search"),
                f"Throttled by Amazon, waiting {notice.seconds:.1f} s",
                waiting=True,
            )
        else:
            self.emit(
                _PHASES.get(notice.operation, "search"),
                f"{notice.detail or 'Request failed'} ({notice.operation}), "
                f"retrying in {notice.seconds:.1f} s",
                waiting=True,
            )
