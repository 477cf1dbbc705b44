"""The wizard's stepper: the seven steps, where you are, and each step's status.

Readable without colour: every status has its own mark, the current step a ``›``.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from asin_tui.domain.models import WizardStep
from asin_tui.domain.wizard import Status

MARKS = {
    Status.PASSED: ("✓", "green"),
    Status.READY: ("+", "bold cyan"),
    Status.NEEDS_ACTION: ("!", "bold yellow"),
    Status.NOT_APPLICABLE: ("–", "dim"),
    Status.PENDING: ("·", ""),
}


MARK_WORDS = {
    Status.PASSED: "passed",
    Status.READY: "ready: entered or validated, not sent yet",
    Status.NEEDS_ACTION: "needs action",
    Status.NOT_APPLICABLE: "not applicable",
    Status.PENDING: "pending",
}
LEGEND = (
    "Steps: "
    + "  ".join(f"{MARKS[s][0]} {w}" for s, w in MARK_WORDS.items())
    + ("  › the step you are on")
)


def status_mark(status: Status) -> Text:
    mark, style = MARKS[status]
    return Text(mark, style=style)


class WizardStepper(Static):
    """One line that fits 80 columns: `` 1✓ Overview ›2! Stock  3– Policy …``; the current
    step is marked with ``›`` (and reversed where there is colour)."""

    def on_mount(self) -> None:
        self.tooltip = LEGEND

    def show(self, statuses: dict[WizardStep, Status], current: WizardStep) -> None:
        line = Text()
        for number, step in enumerate(WizardStep, 1):
            status = statuses[step]
            here = step is current
            style = "bold reverse" if here else ("dim" if status is Status.NOT_APPLICABLE else "")
            line.append("›" if here else " ", style="bold" if here else "")
            line.append(f"{number}", style=style)
            line.append_text(status_mark(status))
            line.append(f" {step.short_label}", style=style)
            line.append(" ")
        self.update(line)
