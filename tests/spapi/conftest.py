"""The SP-API client's fixtures: ``amazon`` (a tests.spapi.fakes.FakeAmazon), ``sleeps`` (what
the client slept) and ``make_api`` (a client calling that Amazon, sleeping nothing)."""

from __future__ import annotations

import httpx
import pytest

from asin_tui.service import client_settings
from asin_tui.spapi.client import SpApi
from asin_tui.spapi.ratelimit import Backoff, RateLimiter
from asin_tui.store.config import Profile
from tests.spapi.fakes import FakeAmazon, make_profile


@pytest.fixture
def amazon() -> FakeAmazon:
    return FakeAmazon()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
async def make_api(amazon, sleeps):
    opened: list[SpApi] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def build(profile: Profile | None = None, **kw) -> SpApi:
        api = SpApi(
            client_settings(profile or make_profile()),
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(amazon)),
            limiter=kw.pop("limiter", RateLimiter(time_scale=1000)),
            backoff=kw.pop("backoff", Backoff(tries=6, base=0.5, cap=30.0)),
            sleep=fake_sleep,
            **kw,
        )
        opened.append(api)
        return api

    yield build
    for api in opened:
        await api.aclose()
