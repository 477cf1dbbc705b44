"""Typed inputs for the wizard: one schema attribute → a Select (enum) or a validated Input.

The value is checked as you type with ``patches.validate_value`` (enum, lengths incl. UTF-8
bytes, number ranges, integers); the message shows under the input and a
:class:`TypedField.Changed` message carries the typed value (or ``ok=False``) to the step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalGroup
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select, TextArea

from asin_tui.domain.models import AttributeSpec
from asin_tui.domain.patches import Validation, validate_value
from asin_tui.ui.safe_text import data, plain
from asin_tui.ui.widgets.controls import Choice

Check = Callable[[str], Validation]


class SpecValidator(Validator):
    def __init__(self, spec: AttributeSpec, check: Check | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.check = check or (lambda text: validate_value(spec, text))

    def validate(self, value: str) -> ValidationResult:
        ok, message, _ = self.check(value)
        return self.success() if ok else self.failure(message)


PLACEHOLDERS = {"integer": "a whole number", "number": "a number, e.g. 12.50"}


def placeholder(spec: AttributeSpec) -> str:
    """What an empty input wants, in words (the description goes in the hint below it)."""
    if spec.value_format == "uri":
        return "https://…"
    return PLACEHOLDERS.get(spec.value_type, "")


class TypedField(VerticalGroup):
    """Label, input and the validation message of one attribute. ``multiline``: a text area
    (bullet points one a line, a description over several lines), checked by ``check``."""

    DEFAULT_CSS = """
    TypedField { height: auto; margin-bottom: 1; }
    TypedField Label { width: 1fr; }
    TypedField .field-message { color: $text-error; display: none; }
    TypedField .field-message.-shown { display: block; }
    TypedField .field-hint { color: $text-muted; }
    TypedField TextArea { height: 6; }
    """

    @dataclass
    class Changed(Message):
        field: TypedField
        ok: bool
        value: Any

    def __init__(
        self,
        spec: AttributeSpec,
        current: str,
        hint: str = "",
        *,
        multiline: bool = False,
        check: Check | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.current = current
        self.hint = hint
        self.multiline = multiline
        self.check = check or (lambda text: validate_value(spec, text))
        self._invalid = ""  # why the value itself is not valid
        self._problem = ""  # why it does not fit with the other inputs (set by the step)

    @property
    def name_key(self) -> str:
        return self.spec.name

    def compose(self) -> ComposeResult:
        required = " *" if self.spec.required else ""
        title = self.spec.title or self.spec.name.replace("_", " ").capitalize()
        yield Label(data(f"{title}{required}"), classes="field-label")  # the schema's text
        if self.spec.enum:
            names = self.spec.enum_names or self.spec.enum
            options = [(data(n), v) for n, v in zip(names, self.spec.enum, strict=False)]
            value = self.current if self.current in self.spec.enum else Select.NULL
            yield Choice(options, value=value, prompt="Choose…", compact=True)
        elif self.multiline:  # the current value is Amazon's: shown terminal-safe
            yield TextArea(
                plain(self.current, multiline=True),
                soft_wrap=True,
                show_line_numbers=False,
                compact=True,
            )
        else:
            yield Input(
                plain(self.current),
                placeholder=placeholder(self.spec),
                validators=[SpecValidator(self.spec, self.check)],
                valid_empty=not self.spec.required,
                compact=True,
            )
        if self.hint:
            yield Label(data(self.hint, multiline=True), classes="field-hint")
        message = self._invalid or self._problem
        yield Label(
            data(message, multiline=True),
            classes="field-message -shown" if message else "field-message",
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._typed(event.value)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._typed(event.text_area.text)

    def _typed(self, text: str) -> None:
        ok, message, value = self.check(text)
        self._invalid = message
        self._show_message()
        self.post_message(self.Changed(self, ok, value))

    def set_problem(self, problem: str) -> None:
        """Say why the value does not fit with the other inputs ('' clears it); a message
        about the value itself comes first."""
        self._problem = problem
        self._show_message()

    def _show_message(self) -> None:
        message = self._invalid or self._problem
        for shown in self.query(".field-message").results(Label):  # none before compose
            shown.update(data(message, multiline=True))  # may quote the typed value
            shown.set_class(bool(message), "-shown")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        chosen = None if event.value is Select.NULL else event.value
        self.post_message(self.Changed(self, chosen is not None, chosen))
