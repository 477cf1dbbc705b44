"""One line above the list when something changed since the previous session: "Since you
last looked (2026-12-01 18:04 UTC): 2 went inactive · 1 recovered · 1 at risk — n shows
them". Hidden on the very first session and when nothing changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from asin_tui.ui.presentation import datetime_text
from asin_tui.ui.safe_text import data

if TYPE_CHECKING:  # the banner only shows what the list read (domain.looks: after start-up)
    from asin_tui.domain.looks import SinceLastLook


def since_text(since: SinceLastLook, key: str = "n") -> str:
    parts = [
        f"{len(skus)} {words}"
        for skus, words in (
            (since.went_inactive, "went inactive"),
            (since.recovered, "recovered"),
            (since.at_risk, "at risk"),
        )
        if skus
    ]
    return (
        f"Since you last looked ({datetime_text(since.since)}): "
        + " · ".join(parts)
        + f" — {key} shows them"
    )


class SinceBanner(Static):
    """Counts in words (readable without colour); the key that shows those listings."""

    def show(self, since: SinceLastLook | None, key: str = "n") -> None:
        self.display = bool(since)
        if since:
            self.update(data(since_text(since, key)))
