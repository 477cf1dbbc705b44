"""Every event line `watch` builds, for any text a listing can hold: the chat/e-mail line is
terminal-safe and opens no Slack mention or link, and every JSON it sends parses back to the
exact payload (surrogates, C1, bidi and markup included)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from asin_tui.alerts import slack_text
from asin_tui.domain.text import unsafe_chars
from asin_tui.sandbox import hostile
from asin_tui.watch import _text, event_json

TEXT = st.text() | st.sampled_from([*hostile.STRINGS, "<!channel>", "<https://x|y>", "a&b"])
KINDS = st.sampled_from(["BECAME_INACTIVE", "NEW_ISSUE", "RECOVERED", "AT_RISK", "WHATEVER"])


@given(
    st.fixed_dictionaries(
        {"profile": TEXT, "event": KINDS, "sku": TEXT, "asin": TEXT, "title": TEXT},
        optional={"main_cause": TEXT, "detail": TEXT, "fix": TEXT},
    )
)
def test_event_lines_are_safe_and_the_json_is_the_same_data(payload):
    line = _text(payload)
    assert unsafe_chars(line) == [] and "\n" not in line
    chat = slack_text(line)
    assert "<" not in chat and ">" not in chat
    for indent in (None, 2):
        document = event_json(payload, indent=indent)
        assert unsafe_chars(document) == []
        assert json.loads(document) == payload
        document.encode("utf-8")  # lone surrogates escaped: it can be written and sent
