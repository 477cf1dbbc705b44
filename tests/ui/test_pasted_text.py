"""Text pasted into the app (a copied web page, a chat, a spreadsheet) is typed text: a
character the terminal would act on (OSC 52 clipboard write, clear screen, U+202E) never
reaches the input, which draws its value raw; line breaks and tabs stay for text areas."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from textual import events

from asin_tui.domain.text import pasted, unsafe_chars
from asin_tui.ui.widgets.filter_input import FilterInput
from tests.ui.conftest import settle

HOSTILE = "SKU\x1b]52;c;aGFja2Vk\x07-1\x1b[2J\u202e\x9b2J\u200b"


async def test_a_paste_into_the_filter_reaches_neither_the_value_nor_the_screen(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        box = app.screen.query_one(FilterInput)
        app.post_message(events.Paste(HOSTILE))  # as the driver delivers a terminal's paste
        await settle(pilot)
        assert box.value == "SKU]52;c;aGFja2Vk-1[2J2J"
        strips = app.screen._compositor.render_strips()
        text = "\n".join("".join(segment.text for segment in strip) for strip in strips)
        assert unsafe_chars(text) == []


@given(st.text())
def test_pasted_text_keeps_lines_and_tabs_and_nothing_unsafe(text):
    clean = pasted(text)
    assert unsafe_chars(clean) == [] and "\r" not in clean
    assert clean.count("\n") == text.replace("\r\n", "\n").count("\n") + text.replace(
        "\r\n", ""
    ).count("\r")
    assert clean.count("\t") == text.count("\t")
