"""The wizard's stepper: the seven steps, where you are, and each step's status.

Readable without colour: every status has its own mark, the current step a ``›``.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from asin_tui.domain.models import WizardStep
from asin_tui.domain.wizard import StepStatus
from asin_tui.ui.widgets.bullets import nonbreaking

MARKS = {
    StepStatus.PASSED: ("✓", "green"),
    StepStatus.READY: ("+", "bold cyan"),
    StepStatus.NEEDS_ACTION: ("!", "bold yellow"),
    StepStatus.NOT_APPLICABLE: ("–", "dim"),
    StepStatus.PENDING: ("·", ""),
}


MARK_WORDS = {
    StepStatus.PASSED: "passed",
    StepStatus.READY: "ready: entered or validated, not sent yet",
    StepStatus.NEEDS_ACTION: "needs action",
    StepStatus.NOT_APPLICABLE: "not applicable",
    StepStatus.PENDING: "pending",
}


def _unit(mark: str, words: str) -> str:
    """A mark and its words, never broken apart ("!" / "needs action" at 80 columns): the
    words' first clause joined to the mark with NBSP (bullets.nonbreaking)."""
    head, sep, rest = words.partition(": ")
    return nonbreaking(f"{mark} {head}{sep.rstrip()}") + (f" {rest}" if sep else "")


LEGEND = (
    "Steps: "
    + "  ".join(_unit(MARKS[s][0], w) for s, w in MARK_WORDS.items())
    + "  "
    + _unit("›", "the step you are on")
)


def status_mark(status: StepStatus) -> Text:
    mark, style = MARKS[status]
    return Text(mark, style=style)


class WizardStepper(Static):
    """One line that fits 80 columns: `` 1✓ Overview ›2! Stock  3– Policy …``; the current
    step is marked with ``›`` (and reversed where there is colour)."""

    def on_mount(self) -> None:
        self.tooltip = LEGEND

    def show(self, statuses: dict[WizardStep, StepStatus], current: WizardStep) -> None:
        line = Text()
        for number, step in enumerate(WizardStep, 1):
            status = statuses[step]
            here = step is current
            style = (
                "bold reverse" if here else ("dim" if status is StepStatus.NOT_APPLICABLE else "")
            )
            line.append("›" if here else " ", style="bold" if here else "")
            line.append(f"{number}", style=style)
            line.append_text(status_mark(status))
            line.append(f" {step.short_label}", style=style)
            line.append(" ")
        # the line is as long whatever the step and statuses: while it fits on the one line
        # the stepper has, a new step is a repaint, not a layout of the whole screen
        fits = self.size.height == 1 and line.cell_len <= self.content_size.width
        self.update(line, layout=not fits)
