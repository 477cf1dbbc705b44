"""The marketplaces the sandbox can simulate: the sandbox's own table, from Amazon's docs.

Sources (public):
- marketplace ids and their Seller Central URLs:
  https://developer-docs.amazon.com/sp-api/docs/marketplace-ids
- the SP-API endpoint and AWS region per selling region:
  https://developer-docs.amazon.com/sp-api/docs/sp-api-endpoints
- ``fulfillment_channel_code`` of Amazon-fulfilled offers (AMAZON_NA / AMAZON_EU / AMAZON_JP):
  the ``fulfillment_availability`` property of the Product Type Definitions schemas
  (https://developer-docs.amazon.com/sp-api/docs/product-type-api-use-case-guide)
- currencies and the language tags of attribute values / ``issueLocale``: the marketplace's
  own (https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference,
  ``issueLocale``: "en_US", "fr_CA", "fr_FR"...)

Not the client's table (``asin_tui.domain.marketplaces``): the sandbox is a second, independent
reading of the same documents, so a mistake in one shows as a disagreement in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

_ENDPOINTS = {
    "na": ("https://sellingpartnerapi-na.amazon.com", "us-east-1", "AMAZON_NA"),
    "eu": ("https://sellingpartnerapi-eu.amazon.com", "eu-west-1", "AMAZON_EU"),
    "fe": ("https://sellingpartnerapi-fe.amazon.com", "us-west-2", "AMAZON_JP"),
}


@dataclass(frozen=True, slots=True)
class Marketplace:
    code: str  # "US", "DE", ...
    marketplace_id: str
    country: str
    currency: str
    region: str  # "na" | "eu" | "fe"
    language_tag: str  # the marketplace's language: attribute language_tag, issue messages
    seller_central: str

    @property
    def endpoint(self) -> str:
        return _ENDPOINTS[self.region][0]

    @property
    def aws_region(self) -> str:
        return _ENDPOINTS[self.region][1]

    @property
    def fba_channel_code(self) -> str:
        return _ENDPOINTS[self.region][2]


_ROWS = (
    ("US", "ATVPDKIKX0DER", "United States", "USD", "na", "en_US", "amazon.com"),
    ("CA", "A2EUQ1WTGCTBG2", "Canada", "CAD", "na", "en_CA", "amazon.ca"),
    ("MX", "A1AM78C64UM0Y8", "Mexico", "MXN", "na", "es_MX", "amazon.com.mx"),
    ("BR", "A2Q3Y263D00KWC", "Brazil", "BRL", "na", "pt_BR", "amazon.com.br"),
    ("UK", "A1F83G8C2ARO7P", "United Kingdom", "GBP", "eu", "en_GB", "amazon.co.uk"),
    ("DE", "A1PA6795UKMFR9", "Germany", "EUR", "eu", "de_DE", "amazon.de"),
    ("FR", "A13V1IB3VIYZZH", "France", "EUR", "eu", "fr_FR", "amazon.fr"),
    ("IT", "APJ6JRA9NG5V4", "Italy", "EUR", "eu", "it_IT", "amazon.it"),
    ("ES", "A1RKKUPIHCS9HS", "Spain", "EUR", "eu", "es_ES", "amazon.es"),
    ("NL", "A1805IZSGTT6HS", "Netherlands", "EUR", "eu", "nl_NL", "amazon.nl"),
    ("SE", "A2NODRKZP88ZB9", "Sweden", "SEK", "eu", "sv_SE", "amazon.se"),
    ("PL", "A1C3SOZRARQ6R3", "Poland", "PLN", "eu", "pl_PL", "amazon.pl"),
    ("BE", "AMEN7PMS3EDWL", "Belgium", "EUR", "eu", "fr_BE", "amazon.com.be"),
    ("TR", "A33AVAJ2PDY3EV", "Turkey", "TRY", "eu", "tr_TR", "amazon.com.tr"),
    ("AE", "A2VIGQ35RCS4UG", "United Arab Emirates", "AED", "eu", "en_AE", "amazon.ae"),
    ("SA", "A17E79C6D8DWNP", "Saudi Arabia", "SAR", "eu", "ar_SA", "amazon.sa"),
    ("EG", "ARBP9OOSHTCHU", "Egypt", "EGP", "eu", "ar_EG", "amazon.eg"),
    ("IN", "A21TJRUUN4KGV", "India", "INR", "eu", "en_IN", "amazon.in"),
    ("IE", "A28R8C7NBKEWEA", "Ireland", "EUR", "eu", "en_IE", "amazon.ie"),
    ("ZA", "AE08WJ6YKNBMC", "South Africa", "ZAR", "eu", "en_ZA", "amazon.co.za"),
    ("JP", "A1VC38T7YXB528", "Japan", "JPY", "fe", "ja_JP", "amazon.co.jp"),
    ("AU", "A39IBJ37TRP1C6", "Australia", "AUD", "fe", "en_AU", "amazon.com.au"),
    ("SG", "A19VAU5U5O7RUS", "Singapore", "SGD", "fe", "en_SG", "amazon.sg"),
)

MARKETPLACES: dict[str, Marketplace] = {
    row[0]: Marketplace(*row[:6], f"https://sellercentral.{row[6]}") for row in _ROWS
}
_BY_ID = {m.marketplace_id: m for m in MARKETPLACES.values()}


def sandbox_marketplace(code_or_id: str) -> Marketplace:
    """A marketplace by code ("US", "de"; "GB" for "UK") or id; ValueError names the known."""
    key = code_or_id.strip()
    found = MARKETPLACES.get("UK" if key.upper() == "GB" else key.upper()) or _BY_ID.get(key)
    if found is None:
        raise ValueError(f"unknown marketplace {code_or_id!r} (known: {', '.join(MARKETPLACES)})")
    return found
