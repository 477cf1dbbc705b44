"""`config check`'s engine: each feature's outcome is told as soon as it is known, so a
throttled call (createReport waits a minute for its rate) never hides the ones already known."""

from __future__ import annotations

import asyncio

from asin_tui.spapi.access import FEATURES, check_access
from asin_tui.spapi.errors import AuthError, Forbidden


class SlowReportsApi:
    """Credentials, listings, restrictions and inventory answer at once; createReport waits
    until the test lets it go (as a throttled one does)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def check_credentials(self) -> None:
        return None

    async def search_listings(self, **_):
        return {"items": [{"sku": "A-1", "summaries": [{"asin": "B0A1"}]}]}

    async def restrictions(self, asin):
        assert asin == "B0A1"
        return {"restrictions": []}

    async def inventory_summaries(self, skus):
        raise Forbidden("Access to requested resource is denied.", status=403)

    async def request_report(self, report_type):
        await self.release.wait()
        return "report-1"


async def test_each_outcome_is_told_before_a_slow_call_returns():
    api = SlowReportsApi()
    told = []
    task = asyncio.create_task(check_access(api, told.append))
    for _ in range(50):
        await asyncio.sleep(0)
        if len(told) == 4:
            break
    assert [o.feature for o in told] == list(FEATURES[:4])  # before createReport answered
    assert [o.works for o in told] == [True, True, True, False]
    assert not task.done()
    api.release.set()
    outcomes = await task
    assert told == outcomes and [o.feature for o in outcomes] == list(FEATURES)


async def test_refused_credentials_tell_every_feature():
    class Refused(SlowReportsApi):
        async def check_credentials(self) -> None:
            raise AuthError("invalid_client", status=401)

    told = []
    outcomes = await check_access(Refused(), told.append)
    assert told == outcomes and outcomes[0].works is False
    assert all(o.works is None for o in outcomes[1:])


async def test_credentials_not_answered_are_not_said_refused():
    """Login with Amazon down (a 502 page, no connection) is not a refusal: the credentials
    are "not checked", said why, and nothing else is tried."""
    from asin_tui.spapi.errors import Unavailable

    class Down(SlowReportsApi):
        async def check_credentials(self) -> None:
            raise Unavailable("the token endpoint answered HTTP 502", status=502)

    outcomes = await check_access(Down())
    assert outcomes[0].works is None and "could not be checked" in outcomes[0].detail
    assert all(o.works is None for o in outcomes[1:])


async def test_a_refusal_of_a_megabyte_is_told_in_a_short_line():
    """A 403 whose message is 1 MB (a proxy, a broken answer): `config check` printed the
    feature's line 1 MB long. Its reason says at most MAX_MESSAGE characters of it."""
    from asin_tui.spapi.errors import MAX_MESSAGE

    class Huge(SlowReportsApi):
        async def inventory_summaries(self, skus):
            raise Forbidden("denied " * 150_000, status=403, code="C" * 5000)

    api = Huge()
    api.release.set()
    outcomes = await check_access(api, lambda _o: None)
    [refused] = [o for o in outcomes if o.works is False]
    assert len(refused.detail) < MAX_MESSAGE + 300 and "more characters)" in refused.detail
