"""The config file's ``[keymap]`` vocabulary: which keys of the terminal app can be remapped
(the ``id`` of each of its Bindings) and what a key string may look like.

Pure (no Textual): the config is validated before the app starts. Every Binding in
``asin_tui/ui`` has one of these ids, and every id here names one (a UI test keeps the two
the same).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from asin_tui.domain.models import State


def state_binding_id(state: State | None) -> str:
    """``list.state.suppressed`` … and ``list.state.all`` (the 0..7 keys of the list)."""
    return f"list.state.{'all' if state is None else state.value.lower()}"


#: Every binding id, grouped by where the key acts.
BINDING_IDS: tuple[str, ...] = (
    "app.quit",
    "app.help",
    "welcome.demo",
    "list.filter",
    "list.clear_filter",
    "list.toggle_scope",
    state_binding_id(None),
    *(state_binding_id(state) for state in State),
    "list.sort",
    "list.reverse_sort",
    "list.wizard",
    "list.export",
    "list.sync",
    "list.full_sync",
    "list.mark",
    "list.mark_shown",
    "list.clear_marks",
    "list.causes",
    "list.bulk",
    "list.at_risk",
    "list.since_last_look",
    "table.up",
    "table.down",
    "table.first",
    "table.last",
    "table.page_up",
    "table.page_down",
    "table.open",
    "table.columns_right",
    "table.columns_left",
    "filter.clear",
    "detail.back",
    "detail.wizard",
    "detail.copy_link",
    "detail.copy_sku",
    "export.cancel",
    "help.close",
    "copied.close",
    "confirm.no",
    "confirm.yes",
    "wizard.next",
    "wizard.back",
    "wizard.leave_field",
    "wizard.leave",
    "wizard.preview",
    "wizard.submit",
    "wizard.override",
    "wizard.recheck",
    "wizard.fix_failing",
    "wizard.copy_case",
    "wizard.copy_link",
    "wizard.scroll_up",
    "wizard.scroll_down",
    "wizard.page_up",
    "wizard.page_down",
    "confirm.send",
    "confirm.cancel",
    "confirm.scroll_up",
    "confirm.scroll_down",
    "confirm.page_up",
    "confirm.page_down",
    "confirm.top",
    "confirm.bottom",
    "checkbox.tick",
    "choice.open",
    "causes.close",
    "causes.bulk",
    "bulk.leave",
    "bulk.fill_down",
    "bulk.same_for_all",
    "bulk.use_hints",
    "bulk.clear_cell",
    "bulk.load_csv",
    "bulk.validate",
    "bulk.submit",
    "bulk.resume",
    "bulk_grid.up",
    "bulk_grid.down",
    "bulk_grid.left",
    "bulk_grid.right",
    "bulk_grid.first",
    "bulk_grid.last",
    "bulk_grid.page_up",
    "bulk_grid.page_down",
    "bulk_grid.edit",
    "action.copy",
    "action.write",
    "action.leave",
)

#: Bindings that write to the seller account: typing must never produce their keys.
WRITE_IDS = frozenset({"confirm.send"})
_DELIBERATE = re.compile(r"(?:(?:shift\+)*(?:ctrl|alt|meta|super|hyper)\+.+|(?:.+\+)?f\d{1,2})")

_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
# Modifiers, then one character ("/", "S") or a key name ("f5", "pageup", "question_mark").
_KEY = re.compile(rf"(?:(?:{'|'.join(_MODIFIERS)})\+)*(?:[^\s,]|[a-z][a-z0-9_]*)")


def key_string(keys: str | Sequence[str] | Any) -> str:
    """Textual's comma-separated key string for one binding, from ``"ctrl+f"``,
    ``"ctrl+f,f3"`` or ``["ctrl+f", "f3"]``; ValueError says what is wrong."""
    parts = keys.split(",") if isinstance(keys, str) else keys
    if not isinstance(parts, list | tuple) or not parts:
        raise ValueError('expected a key such as "ctrl+f", or an array of keys')
    if not all(isinstance(part, str) for part in parts):
        raise ValueError("expected an array of key strings")
    names = [part.strip() for part in parts]
    for name in names:
        # a control, bidi or zero-width character is no key a terminal sends: drawn by the
        # footer and the help as it is, it would reach the terminal raw (ESC, CSI, U+202E)
        if not _KEY.fullmatch(name) or not name.isprintable():
            raise ValueError(
                f"{name!r} is not a key: use a character or a key name, with modifiers "
                'before it ("f", "F", "/", "f5", "pageup", "ctrl+r")'
            )
    return ",".join(names)


#: Ctrl keys whose byte a terminal also sends for a typing key: ctrl+j is LF (the Enter of a
#: terminal that sends LF, a paste without bracketed paste: Textual reads it as ctrl+j),
#: ctrl+m Enter's CR, ctrl+i Tab, ctrl+h Backspace on many terminals, ctrl+[ Escape.
_TYPED_AS_CTRL = frozenset(
    {"ctrl+j", "ctrl+m", "ctrl+i", "ctrl+h", "ctrl+left_square_bracket", "ctrl+["}
)


def check_deliberate(binding_id: str, keys: str) -> None:
    """A binding that writes to the seller account takes only keys typing cannot produce
    (ctrl/alt/… with a key, or a function key; not a ctrl key a typing key sends as well);
    ValueError says why not."""
    if binding_id not in WRITE_IDS:
        return
    for key in keys.split(","):
        if not _DELIBERATE.fullmatch(key) or key.lower() in _TYPED_AS_CTRL:
            raise ValueError(
                f"{key!r} could be typed by mistake: {binding_id} sends changes to Amazon, "
                'so it needs a key with ctrl or alt ("ctrl+s") or a function key ("f10")'
            )


def unknown_id_hint(binding_id: str) -> str:
    """Help for an id that is not one: the closest id, else the ids of its group."""
    import difflib  # a typo's hint only: not at every command's start

    close = difflib.get_close_matches(binding_id, BINDING_IDS, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    group = binding_id.split(".")[0] + "."
    same_group = [known for known in BINDING_IDS if known.startswith(group)]
    if same_group:
        return f"ids of {group[:-1]}: {', '.join(same_group)}"
    groups = dict.fromkeys(known.split(".")[0] for known in BINDING_IDS)
    return f"ids start with {', '.join(f'{g}.' for g in groups)}"
