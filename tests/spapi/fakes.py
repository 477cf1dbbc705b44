"""A scripted Amazon for the SP-API client's tests: Login with Amazon plus SP-API answers per
path (httpx.MockTransport), a profile pointing at it, and the answers the tests script. The
fixtures that build a client on it (amazon, sleeps, make_api) are in tests/spapi/conftest.py."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx

from asin_tui.domain.marketplaces import MARKETPLACES
from asin_tui.store.config import Credentials, Profile

SECRET = "lwa-client-secret-XYZ"
REFRESH = "Atzr|refresh-token-ABC"
SELLER = "A2SELLER12345"
SP = "https://sp.test"
LWA = "https://lwa.test/auth/o2/token"
SEARCH_PATH = f"/listings/2021-08-01/items/{SELLER}"


def make_profile(**overrides) -> Profile:
    values = {
        "name": "test",
        "marketplace": MARKETPLACES["US"],
        "seller_id": SELLER,
        "credentials": Credentials(
            lwa_app_id="amzn1.application-oa2-client.test",
            lwa_client_secret=SECRET,
            refresh_token=REFRESH,
        ),
        "endpoint": SP,
        "token_endpoint": LWA,
        "timeout": 0.2,
    }
    values.update(overrides)
    return Profile(**values)


def answer(status: int = 200, body=None, *, raw: bytes | None = None, headers=None):
    content = raw if raw is not None else json.dumps({} if body is None else body).encode()
    return httpx.Response(status, content=content, headers=headers or {})


class FakeAmazon:
    """LWA plus scripted SP-API answers per path (a deque each; the last one repeats)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.scripts: dict[str, deque] = {}
        self.token_answer: Callable[[httpx.Request], httpx.Response] = lambda _r: answer(
            200, {"access_token": "Atza|token", "expires_in": 3600}
        )

    def script(self, path: str, *answers) -> None:
        self.scripts[path] = deque(answers)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "lwa.test":
            return self.token_answer(request)
        queue = self.scripts.get(request.url.path)
        if not queue:
            return answer(404, {"errors": [{"code": "NOT_FOUND", "message": "no script"}]})
        step = queue.popleft() if len(queue) > 1 else queue[0]
        if callable(step):
            return await step(request)
        return step

    def sp_requests(self, path: str | None = None) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if r.url.host != "lwa.test" and (path is None or r.url.path == path)
        ]


def query(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.url.query.decode(), keep_blank_values=True)


SEARCH_OK = answer(
    200,
    {"numberOfResults": 1, "items": [{"sku": "SKU-1"}], "pagination": {"nextToken": "p2"}},
    headers={"x-amzn-RateLimit-Limit": "5.0", "x-amzn-RequestId": "rid-1"},
)


def late_downloads(app, clock, path: str, late: int):
    """A transport to the in-process sandbox ``app`` whose ``clock`` passes five minutes and
    a second before each of the first ``late`` downloads under ``path`` (report documents,
    schemas): the presigned links they were given have expired."""
    from asin_tui.sandbox.transport import SandboxTransport

    class LateDownloads(SandboxTransport):
        async def handle_async_request(self, request):
            nonlocal late
            if path in request.url.path and late:
                late -= 1
                clock.advance(301)
            return await super().handle_async_request(request)

    return LateDownloads(app)
