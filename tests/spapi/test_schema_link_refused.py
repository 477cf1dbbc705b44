"""A product type's schema is downloaded from a presigned link the definition carries
(definitionsProductTypes_2020-09-01, SchemaLink). A presigned link expires (Amazon documents
no lifetime for these; the sandbox gives them five minutes). One refused (a laptop that
slept between the definition and the download) cannot work again: the definition is asked
for afresh, which carries a new link, a bounded number of times (session 9's leftover: the
refused link ended the product type's requirements for the sync, "not checked")."""

from __future__ import annotations

import pytest

from asin_tui.demo import sandbox_settings as sandbox_profile
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.spapi.client import SCHEMA_LINK_TRIES, open_client_for_transport
from asin_tui.spapi.errors import LinkRefused
from tests.sandbox.conftest import FakeClock
from tests.spapi.fakes import late_downloads


def late_schema_downloads(late: int):
    """A sandbox whose clock passes five minutes and a second between each of the first
    ``late`` definitions and its schema's download: those links have expired."""
    account = SandboxAccount(seed=5, listings=5)
    clock = FakeClock()
    app = SandboxApp(account, clock=clock)
    transport = late_downloads(app, clock, "/sandbox/schemas/", late)
    profile = sandbox_profile(account.marketplace, account.seller_id, "https://sandbox.test")
    return account, transport, profile


@pytest.mark.parametrize("late", [1, 2])
async def test_a_refused_schema_link_is_asked_for_afresh_and_the_schema_comes(late):
    account, transport, profile = late_schema_downloads(late)
    product_type = account.product_types()[0]
    async with open_client_for_transport(profile, transport) as api:
        definition, schema = await api.product_type(product_type)
        assert api.calls["getDefinitionsProductType"] == late + 1  # a new link each time
    assert definition["productType"] == product_type
    assert schema["properties"] and "required" in schema


async def test_schema_links_refused_again_and_again_are_asked_for_a_bounded_number_of_times():
    account, transport, profile = late_schema_downloads(SCHEMA_LINK_TRIES)
    async with open_client_for_transport(profile, transport) as api:
        with pytest.raises(LinkRefused) as refused:
            await api.product_type(account.product_types()[0])
        assert api.calls["getDefinitionsProductType"] == SCHEMA_LINK_TRIES == 3
    told = str(refused.value)
    assert "schema's download link was refused" in told and "role" not in told
    assert "[gave up after 3 tries]" in told and "\n" not in told
