"""The SP-API client of a configured profile: its settings (the SP-API layer's own type,
built here from the config file's profile), the client itself, the rate buckets' file it
shares with the seller's other processes, and ``config check``'s access check.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from asin_tui.store import paths
from asin_tui.store.config import CREDENTIAL_ENV, Profile, credential_hint
from asin_tui.store.schemas import SchemaFiles

if TYPE_CHECKING:
    from asin_tui.spapi.access import Outcome as AccessOutcome
    from asin_tui.spapi.client import SpApi
    from asin_tui.spapi.settings import ClientSettings


def client_settings(profile: Profile) -> ClientSettings:
    """The SP-API client's settings for a configured profile: a missing credential is named
    the way the config file sets it; product type schemas are kept in the cache folder."""
    from asin_tui.spapi.settings import ClientCredentials, ClientSettings

    return ClientSettings(
        marketplace=profile.marketplace,
        seller_id=profile.seller_id,
        name=profile.name,
        credentials=ClientCredentials(
            lwa_app_id=profile.credentials.lwa_app_id,
            lwa_client_secret=profile.credentials.lwa_client_secret,
            refresh_token=profile.credentials.refresh_token,
        ),
        endpoint=profile.endpoint,
        token_endpoint=profile.token_endpoint,
        issue_locale=profile.issue_locale,
        timeout=profile.timeout,
        credential_hints={key: credential_hint(profile.name, key) for key in CREDENTIAL_ENV},
        schema_cache=SchemaFiles(),
    )


def open_client_for(
    profile: Profile, *, time_scale: float = 1.0, rates: Path | None = None
) -> SpApi:
    """The profile's SP-API client; python-amazon-sp-api and httpx are imported here, when
    the first network call needs a client, not at the app's start (~0.2 s). ``time_scale``:
    how much faster than Amazon's the clock of the Amazon it calls runs (a sandbox served
    with ``sandbox serve --time-scale``): the client's pacing and backoff keep to it.
    ``rates``: the buckets' file it shares with the seller's other clients (``rates_path``)."""
    from asin_tui.spapi.client import open_client

    return open_client(client_settings(profile), time_scale=time_scale, rates=rates)


def rates_path(profile: Profile) -> Path:
    """The file of the rate buckets shared by every asin-tui process that calls SP-API for
    this profile's seller with its application (Amazon meters a selling partner and an
    application together, whatever the process or marketplace), at its endpoint: in the
    cache folder. The name is a digest: it says nothing of whose it is."""
    import hashlib  # not by every start of the app (~2 ms)

    endpoint = (profile.endpoint or profile.marketplace.endpoint).rstrip("/")
    key = "\0".join((profile.credentials.lwa_app_id or "", profile.seller_id, endpoint))
    return (
        paths.cache_dir() / f"rates-{hashlib.blake2b(key.encode(), digest_size=8).hexdigest()}.json"
    )


async def check_access(
    api: SpApi, on_outcome: Callable[[AccessOutcome], None] | None = None
) -> list[AccessOutcome]:
    """``config check``: the LWA token, then one cheap call per feature (closes ``api``);
    ``on_outcome`` is told each one as soon as it is known."""
    from asin_tui.spapi.access import check_access as check

    try:
        return await check(api, on_outcome)
    finally:
        await api.aclose()
