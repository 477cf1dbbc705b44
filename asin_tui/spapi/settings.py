"""What the SP-API client needs to know about an account: the SP-API layer's own settings.

The service builds them from a configured profile (:func:`asin_tui.service.client_settings`)
and the demo's composition root from the sandbox account (:mod:`asin_tui.demo`), so this
layer imports neither the store's config nor the simulator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from asin_tui.domain.marketplaces import Marketplace

#: the credential keys, in python-amazon-sp-api's ``credentials=`` names
CREDENTIAL_KEYS = ("lwa_app_id", "lwa_client_secret", "refresh_token")


@dataclass(frozen=True)
class ClientCredentials:
    """LWA credentials. Never shown: the repr says only which ones are set."""

    lwa_app_id: str | None = None
    lwa_client_secret: str | None = None
    refresh_token: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The ``credentials=`` mapping python-amazon-sp-api's clients take (set keys only)."""
        return {key: getattr(self, key) for key in CREDENTIAL_KEYS if getattr(self, key)}

    def secret_values(self) -> tuple[str, ...]:
        """The values no message may carry (masked wherever they would appear)."""
        values = (self.lwa_client_secret, self.refresh_token)
        return tuple(v for v in values if v and len(v) >= 4)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{key}={'set' if getattr(self, key) else 'not set'}" for key in CREDENTIAL_KEYS
        )
        return f"ClientCredentials({shown})"


class SchemaCache(Protocol):
    """Where downloaded product type schemas are kept between runs, keyed by checksum."""

    def read(self, product_type: str, checksum: str) -> dict[str, Any] | None: ...

    def write(self, product_type: str, checksum: str, document: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class ClientSettings:
    """One seller account in one marketplace, as the client talks to it."""

    marketplace: Marketplace
    seller_id: str
    credentials: ClientCredentials
    name: str = ""  # the account's name for people (the config profile's)
    endpoint: str | None = None  # None: Amazon's production endpoint for the region
    token_endpoint: str | None = None  # None: Amazon's LWA token endpoint
    issue_locale: str = ""  # empty: the marketplace's language tag
    timeout: float | None = None  # seconds; None: the client's default
    #: credential key -> where to set it, in the words of the settings' source (the config
    #: file names its profile); a missing credential is reported with this hint
    credential_hints: Mapping[str, str] = field(default_factory=dict)
    schema_cache: SchemaCache | None = None  # None: schemas are downloaded every run

    def __post_init__(self) -> None:
        if not self.issue_locale:
            object.__setattr__(self, "issue_locale", self.marketplace.language_tag)

    def missing_credentials(self) -> list[str]:
        """What to set for each credential that is missing."""
        return [
            self.credential_hints.get(key, key)
            for key in CREDENTIAL_KEYS
            if not getattr(self.credentials, key)
        ]
