"""The export dialog: a file name and a format (CSV or JSON). Dismisses with an ExportRequest."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from asin_tui.ui.export import FORMATS, ExportRequest, Format, format_for
from asin_tui.ui.screens.base import DismissOnce, SizeKept
from asin_tui.ui.screens.confirm import ConfirmScreen


class FormatButton(RadioButton):
    """A radio button whose mark, not only its colour, says it is chosen (▐●▌ or ▐ ▌):
    with NO_COLOR or on a monochrome terminal every RadioButton would draw ▐●▌."""

    # ToggleButton reads this class constant per render: as a property the mark follows the value
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # see above
        return "●" if self.value else " "


class ExportScreen(SizeKept, DismissOnce, ModalScreen[ExportRequest | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, default_name: str) -> None:
        super().__init__()
        self.default_name = default_name

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Label("Export the rows shown", classes="dialog-title")
            yield Input(self.default_name, id="export-path", select_on_focus=False)
            with RadioSet(id="export-format"):
                for fmt in FORMATS:
                    yield FormatButton(fmt.upper(), value=fmt == format_for(self.default_name))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", variant="primary", id="export-ok")
                yield Button("Cancel", id="export-cancel")
            yield Label("Enter: export · Tab: the format · Escape: cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).cursor_blink = False

    @property
    def fmt(self) -> Format:
        return FORMATS[self.query_one(RadioSet).pressed_index]

    @on(RadioSet.Changed)
    def _format_changed(self) -> None:
        """Keep the file extension in step with the chosen format."""
        box = self.query_one("#export-path", Input)
        if format_for(box.value) is not None:
            box.value = str(Path(box.value).with_suffix(f".{self.fmt}"))

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        fmt = format_for(event.value)
        if fmt is not None and fmt != self.fmt:
            self.query_one(RadioSet).query(RadioButton)[FORMATS.index(fmt)].value = True

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-ok")
    def action_export(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.notify("Type a file name", severity="warning")
            return
        path = Path(text).expanduser().absolute()
        request = ExportRequest(path, self.fmt)
        if not path.is_file():
            self.dismiss(request)
            return

        def answered(replace: bool | None) -> None:
            if replace:
                self.dismiss(dataclasses.replace(request, overwrite=True))
            else:  # back to the name, to choose another
                self.query_one("#export-path", Input).focus()

        self.app.push_screen(
            ConfirmScreen(
                "The file exists. Replace it?",
                f"{path} exists. Replacing it loses what it holds now.",
                "Replace",
            ),
            answered,
        )

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
