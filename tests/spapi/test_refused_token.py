"""An access token Amazon refuses before its time (expired early, revoked, a token handed over
by another process that went stale): the call is sent again once with a new token from Login
with Amazon, and goes on; a token refused again ends in one AuthError line, never a loop; a
403 for a role the application lacks is not taken for a token problem."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from asin_tui.spapi.client import AccessToken
from asin_tui.spapi.errors import AuthError, Forbidden
from tests.spapi.fakes import SEARCH_OK, SEARCH_PATH, answer
from tests.spapi.test_lwa_answers import fresh_profile

EXPIRED = answer(
    403,
    {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "The access token you provided has expired.",
            }
        ]
    },
)
NO_ROLE = answer(
    403,
    {"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied."}]},
)


def lwa_issuing(amazon) -> list[str]:
    """LWA hands out Atza|lwa-1, Atza|lwa-2, … ; returns the list of those it issued."""
    issued: list[str] = []
    numbers = itertools.count(1)

    def token(_request):
        issued.append(f"Atza|lwa-{next(numbers)}")
        return answer(200, {"access_token": issued[-1], "expires_in": 3600})

    amazon.token_answer = token
    return issued


def refusing(*stale: str):
    """SP-API's search: refused (expired) for the ``stale`` tokens, answered otherwise."""

    async def step(request):
        if request.headers.get("x-amz-access-token") in stale:
            return EXPIRED
        return SEARCH_OK

    return step


async def test_a_handed_token_refused_mid_sync_is_renewed_at_lwa_and_the_call_goes_on(
    amazon, make_api
):
    # the sync's child calls with the app's token until its usable_until; Amazon may expire or
    # revoke it before: the child asks LWA itself (it has the refresh token) and goes on
    profile, _ = fresh_profile()
    issued = lwa_issuing(amazon)
    amazon.script(SEARCH_PATH, refusing("Atza|handed"))
    api = make_api(profile)
    api.use_access_token(AccessToken("Atza|handed", time.time() + 3000))
    page = await api.search_listings()
    again = await api.search_listings()
    assert page["items"] == [{"sku": "SKU-1"}] and again["items"] == page["items"]
    assert issued == ["Atza|lwa-1"]  # asked once, then kept
    sent = [r.headers["x-amz-access-token"] for r in amazon.sp_requests(SEARCH_PATH)]
    assert sent == ["Atza|handed", "Atza|lwa-1", "Atza|lwa-1"]


async def test_calls_refused_together_renew_the_token_once(amazon, make_api):
    profile, _ = fresh_profile()
    issued = lwa_issuing(amazon)
    amazon.script(SEARCH_PATH, refusing("Atza|handed"))
    api = make_api(profile)
    api.use_access_token(AccessToken("Atza|handed", time.time() + 3000))
    pages = await asyncio.gather(*(api.search_listings() for _ in range(4)))
    assert all(page["items"] == [{"sku": "SKU-1"}] for page in pages)
    assert issued == ["Atza|lwa-1"]


async def test_a_kept_token_revoked_is_asked_for_again(amazon, make_api):
    profile, _ = fresh_profile()
    issued = lwa_issuing(amazon)
    amazon.script(SEARCH_PATH, refusing("Atza|lwa-1"))
    api = make_api(profile)
    await api.search_listings()
    assert issued == ["Atza|lwa-1", "Atza|lwa-2"]
    assert api.access_token() is not None and api.access_token().token == "Atza|lwa-2"


async def test_a_new_token_refused_too_is_one_auth_error_never_a_loop(amazon, make_api):
    profile, _ = fresh_profile()
    issued = lwa_issuing(amazon)
    amazon.script(SEARCH_PATH, EXPIRED)  # every token refused
    api = make_api(profile)
    api.use_access_token(AccessToken("Atza|handed", time.time() + 3000))
    with pytest.raises(AuthError) as caught:
        await api.search_listings()
    assert issued == ["Atza|lwa-1"]
    assert len(amazon.sp_requests(SEARCH_PATH)) == 2
    line = str(caught.value)
    assert "\n" not in line
    assert "refused a new access token from Login with Amazon too" in line
    assert "has expired" in line


async def test_a_403_for_a_missing_role_asks_lwa_nothing_more(amazon, make_api):
    profile, _ = fresh_profile()
    issued = lwa_issuing(amazon)
    amazon.script(SEARCH_PATH, NO_ROLE)
    api = make_api(profile)
    with pytest.raises(Forbidden):
        await api.search_listings()
    assert issued == ["Atza|lwa-1"] and len(amazon.sp_requests(SEARCH_PATH)) == 1
