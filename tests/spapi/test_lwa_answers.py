"""Login with Amazon answering what it should not — an outage page, a body that is not JSON, a
token that is not a string — is told as LWA's fault in one typed error (never a TypeError
traceback, never "malformed answer from SP-API"), is retried only when that can help, and
nothing bad is cached as a token."""

from __future__ import annotations

import time
import uuid

import pytest

from asin_tui.spapi.errors import AuthError, MalformedResponse, SpApiError, Unavailable
from asin_tui.store.config import Credentials
from tests.spapi.fakes import SEARCH_OK, SEARCH_PATH, SECRET, answer, make_profile

HTML = b"<html><body>502 Bad Gateway</body></html>"


def fresh_profile():
    """Credentials no earlier test has a cached token for (the library caches tokens)."""
    refresh = f"Atzr|refresh-{uuid.uuid4().hex}"
    credentials = Credentials(
        lwa_app_id="amzn1.application-oa2-client.test",
        lwa_client_secret=SECRET,
        refresh_token=refresh,
    )
    return make_profile(credentials=credentials), refresh


@pytest.mark.parametrize(
    ("lwa", "error", "retried", "words"),
    [
        (answer(502, raw=HTML), Unavailable, True, "HTTP 502"),
        (answer(503, raw=b""), Unavailable, True, "HTTP 503"),
        (answer(400, raw=HTML), AuthError, False, "HTTP 400"),
        (answer(200, raw=HTML), MalformedResponse, True, "no access token (not a JSON object)"),
        (answer(200, {"access_token": 5}), MalformedResponse, True, "no access token"),
        (answer(200, [{"access_token": "Atza|x"}]), MalformedResponse, True, "no access token"),
        (answer(200, {"token_type": "bearer"}), MalformedResponse, True, "no access token"),
    ],
    ids=["502-html", "503-empty", "400-html", "200-html", "token-int", "list", "no-token"],
)
async def test_a_bad_lwa_answer_is_one_typed_line_naming_lwa(
    amazon,
    make_api,
    lwa,
    error,
    retried,
    words,
):
    profile, refresh = fresh_profile()
    amazon.token_answer = lambda _r: lwa
    amazon.script(SEARCH_PATH, SEARCH_OK)
    api = make_api(profile)
    with pytest.raises(SpApiError) as caught:
        await api.search_listings()
    message = str(caught.value)
    assert type(caught.value) is error, message
    assert "Login with Amazon" in message and words in message, message
    assert "\n" not in message and SECRET not in message and refresh not in message
    assert caught.value.attempts == (6 if retried else 1)
    assert amazon.sp_requests() == []  # no SP-API call went out with a bad token

    amazon.token_answer = lambda _r: answer(200, {"access_token": "Atza|good", "expires_in": 3600})
    await api.search_listings()  # nothing bad was cached: the next token request works
    assert amazon.sp_requests()[-1].headers["x-amz-access-token"] == "Atza|good"


@pytest.mark.parametrize("header", ["0.000001", "1e-300", "0", "-5", "nan", "inf", "fast"])
async def test_a_nonsense_rate_header_never_freezes_the_next_call(
    amazon,
    make_api,
    header,
):
    """``x-amzn-RateLimit-Limit: 0.000001`` (an untidy proxy, a bad answer) must not make the
    next call wait 11 days for its token: a rate no SP-API operation has is ignored."""
    from asin_tui.spapi.ratelimit import RateLimiter

    now = [0.0]

    async def advance(seconds: float) -> None:
        now[0] += seconds

    headers = {"x-amzn-RateLimit-Limit": header}
    amazon.script(SEARCH_PATH, answer(200, {"items": []}, headers=headers))
    api = make_api(limiter=RateLimiter(clock=lambda: now[0], sleep=advance, safety=0.0))
    for _ in range(10):  # the burst (5) spent, then paced
        await api.search_listings()
    assert api.limiter.bucket("searchListingsItems").rate == 5.0  # the published plan's
    assert now[0] <= 2.0


@pytest.mark.parametrize(
    ("expires_in", "handed"),
    [
        (b"1e400", False),  # JSON's 1e400 reads as inf: never to be handed on
        pytest.param(b"1" + b"0" * 400, False, id="int-past-floats"),  # math: OverflowError
        (b"86400000", True),  # a thousand days: believed only for the hour LWA gives
        (b"-5", False),
        (b"3600", True),
    ],
)
async def test_a_token_lifetime_beyond_lwas_hour_is_not_believed(
    amazon, make_api, expires_in, handed
):
    # a token handed to the sync's child is used until its usable_until: one never "used up"
    # would be sent after Amazon expired it, every call of a long sync refused
    profile, _ = fresh_profile()
    body = b'{"access_token": "Atza|long", "token_type": "bearer", "expires_in": ' + expires_in
    amazon.token_answer = lambda _r: answer(200, raw=body + b"}")
    amazon.script(SEARCH_PATH, SEARCH_OK)
    api = make_api(profile)
    before = time.time()
    await api.search_listings()
    token = api.access_token()
    assert (token is not None) is handed
    if token is not None:
        assert token.usable_until <= before + 3600 + 5


@pytest.mark.parametrize(
    "token",
    ["Atza|é", "Atza|\ud800", "Atza|x\r\nX-Injected: 1", "Atza|\x00", "Atza|a b", " ", "A" * 9000],
    ids=["latin", "surrogate", "crlf", "nul", "space", "blank", "huge"],
)
async def test_an_access_token_that_cannot_be_a_header_is_lwas_malformed_answer(
    amazon, make_api, token
):
    """LWA (or a proxy before it) answering 200 with an access token no HTTP header can carry:
    a non-ASCII one made httpx raise UnicodeEncodeError out of the call (an internal error and
    a crash file), CR/LF or NUL went to the HTTP layer on every call. It is LWA's malformed
    answer in one typed line that never quotes the token, no SP-API call goes out with it, and
    nothing is cached: a good token next time is used."""
    profile, refresh = fresh_profile()
    amazon.token_answer = lambda _r: answer(200, {"access_token": token, "expires_in": 3600})
    amazon.script(SEARCH_PATH, SEARCH_OK)
    api = make_api(profile)
    with pytest.raises(MalformedResponse) as caught:
        await api.search_listings()
    message = str(caught.value)
    assert "Login with Amazon" in message and "cannot be sent" in message, message
    assert token.strip() not in message or not token.strip()
    assert "\n" not in message and refresh not in message
    assert amazon.sp_requests() == []

    amazon.token_answer = lambda _r: answer(200, {"access_token": "Atza|good", "expires_in": 3600})
    await api.search_listings()
    assert amazon.sp_requests()[-1].headers["x-amz-access-token"] == "Atza|good"
