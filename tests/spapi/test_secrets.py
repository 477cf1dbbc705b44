"""Secrets never leave in any encoding: an LWA or SP-API error body that echoes the request
(the refresh token URL-encoded, the client secret JSON-escaped, the access token in a header
dump, base64 in a Basic header) is masked in the error, its one-line form and on screen."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from urllib.parse import quote, quote_plus

import httpx
import pytest

from asin_tui.commands.report import _one_line
from asin_tui.domain.redact import REDACTED, encodings, redact
from asin_tui.domain.text import unsafe_chars
from asin_tui.spapi.errors import AuthError, Forbidden, SpApiError
from asin_tui.ui.messages import describe_error
from tests.conftest import ROOT
from tests.spapi.fakes import REFRESH, SEARCH_OK, SEARCH_PATH, SECRET, answer, make_profile

ACCESS = "Atza|IwEBIA-access-token-0123456789abcdef"
REAL_REFRESH = "Atzr|IwEBIKzQ0k9+refresh/token==0123456789"
REAL_SECRET = "amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef"


def every_form(secret: str) -> list[str]:
    """What a careless echo may contain (plus the lower-case hex some encoders write)."""
    forms = [
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(secret, safe="")),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=True)[1:-1],
        base64.b64encode(secret.encode()).decode(),
        base64.urlsafe_b64encode(secret.encode()).decode().rstrip("="),
    ]
    return [form for form in forms if len(form) >= 4]


@pytest.mark.parametrize("secret", [REAL_REFRESH, REAL_SECRET, "sandbox-secret", ACCESS])
def test_every_encoding_of_a_known_secret_is_masked(secret):
    for form in every_form(secret):
        text = f"before {form} after"
        assert redact(text, [secret]) == f"before {REDACTED} after", form


@pytest.mark.parametrize("prefix", [b"", b"u", b"us", b"user:"])
def test_a_secret_inside_a_longer_base64_text_is_masked(prefix):
    secret = "sandbox-secret-of-some-length"
    header = base64.b64encode(prefix + secret.encode() + b":tail").decode()
    masked = redact(f"Authorization: Basic {header}", [secret])
    assert REDACTED in masked
    # what is left is the prefix's and the tail's encoding, give or take a partial group
    left = masked.removeprefix("Authorization: Basic ").replace(REDACTED, "")
    around = len(base64.b64encode(prefix)) + len(base64.b64encode(b":tail"))
    assert len(left) <= around + 4


@pytest.mark.parametrize(
    "token",
    [
        ACCESS,
        REAL_REFRESH,
        "Atc|MQEWY-client-credentials-token",
        quote(ACCESS, safe=""),
        quote_plus(REAL_REFRESH),
        quote(quote(REAL_REFRESH, safe=""), safe=""),
        json.dumps(REAL_REFRESH).strip('"').replace("|", "\\u007c"),
        REAL_SECRET,
    ],
)
def test_lwa_tokens_are_masked_by_their_shape_without_knowing_them(token):
    text = f'{{"echo": "grant_type=refresh_token&refresh_token={token}&x=1"}}'
    masked = redact(text)
    assert token not in masked
    assert "refresh_token=[redacted]&x=1" in masked


def test_ordinary_text_is_left_alone():
    text = "Listing SKU-1 (ASIN B0ABCDEFGH): price 12.50 USD, Atz is not a token, A|b"
    assert redact(text, ["a-secret-value"]) == text
    assert encodings("abc") == set()  # too short to mask without blanking words


async def test_an_lwa_error_echoing_the_request_masks_the_refresh_token(amazon, make_api):
    def echo(request: httpx.Request) -> httpx.Response:
        sent = request.content.decode()  # the form: refresh_token=Atzr%7C...&client_secret=...
        return answer(
            400,
            {
                "error": "invalid_grant",
                "error_description": f"bad request {sent} with {ACCESS} and {json.dumps(sent)}",
            },
        )

    amazon.token_answer = echo
    amazon.script(SEARCH_PATH, SEARCH_OK)
    api = make_api(make_profile())
    with pytest.raises(AuthError) as caught:
        await api.search_listings()
    shown = [str(caught.value), repr(caught.value.args), describe_error(caught.value)]
    shown.append(_one_line(caught.value, make_profile()))
    for text in shown:
        for secret in (REFRESH, SECRET, ACCESS):
            for form in every_form(secret):
                assert form not in text, (secret, form, text)
    assert "invalid_grant" in shown[0] and REDACTED in shown[0]


async def test_an_sp_api_error_echoing_the_access_token_masks_it(amazon, make_api):
    async def forbidden(request: httpx.Request) -> httpx.Response:
        token = request.headers["x-amz-access-token"]
        body = {"errors": [{"code": "Unauthorized", "message": f"token {token} denied"}]}
        return answer(403, body)

    amazon.script(SEARCH_PATH, forbidden)
    with pytest.raises(Forbidden) as caught:
        await make_api().search_listings()
    assert "Atza|token" not in str(caught.value)
    assert f"token {REDACTED} denied" in str(caught.value)


def test_any_error_string_masks_lwa_tokens_even_unredacted():
    error = SpApiError(f"echo {ACCESS}", code=REAL_REFRESH)
    assert ACCESS not in str(error) and REAL_REFRESH not in str(error)
    assert describe_error(RuntimeError(f"boom {quote(REAL_REFRESH)}")) == f"boom {REDACTED}"


def test_log_records_written_to_stderr_mask_tokens():
    """With no logging configured (as when asin-tui runs), Python's last-resort handler
    prints warnings to stderr: the command line masks tokens there too."""
    code = (
        "import logging, sys\n"
        "from asin_tui.domain.redact import install_log_redaction\n"
        "install_log_redaction()\n"
        f"logging.getLogger('sp_api.fake').warning('Request Headers: %s', {{'t': {ACCESS!r}}})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert ACCESS not in result.stderr
    assert "Request Headers: {'t': '[redacted]'}" in result.stderr


def test_the_command_line_masks_tokens_of_a_library_that_logging_is_imported_for_later(
    tmp_path,
):
    """A command whose libraries never log (report --cached) does not import logging; a
    library imported later (the SP-API client, when a report syncs) gets the masking from
    the moment ``logging`` exists, as if it had been imported first (installed once)."""
    code = (
        "import sys\n"
        "from asin_tui import cli\n"
        "assert cli.main(['report', '--cached']) == 2  # no config: one line, no logging\n"
        "assert cli.main(['report', '--cached']) == 2\n"
        "assert 'logging' not in sys.modules, 'the command line imported logging'\n"
        "import logging\n"
        f"logging.getLogger('sp_api.fake').warning('Request Headers: %s', {{'t': {ACCESS!r}}})\n"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
        env=env,
    )  # fmt: skip
    assert "Traceback" not in result.stderr and result.returncode == 0, result.stderr
    assert ACCESS not in result.stderr
    assert result.stderr.count("Request Headers: {'t': '[redacted]'}") == 1


def test_log_records_written_to_stderr_never_carry_escape_sequences():
    """A library quoting an answer in its warning (a title with ESC]52, a C1 CSI) writes it
    to the terminal as escapes."""
    code = (
        "import logging\n"
        "from asin_tui.domain.redact import install_log_redaction\n"
        "install_log_redaction()\n"
        "logging.getLogger('httpx.fake').warning('answer: %s', "
        "'title \\x1b]52;c;aGFja2Vk\\x07 \\x9b2J \\u202eX')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert "answer: title \\x1b]52;c;aGFja2Vk\\x07 \\x9b2J \\u202eX" in result.stderr
    assert unsafe_chars(result.stderr) == []
