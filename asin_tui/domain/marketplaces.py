"""Amazon marketplaces: codes, ids, currencies, regions. Pure data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Marketplace:
    code: str  # "US", "DE", ...
    marketplace_id: str  # "ATVPDKIKX0DER"
    country: str
    currency: str
    region: str  # "na" | "eu" | "fe"
    aws_region: str
    language_tag: str  # default issueLocale / attribute language_tag
    seller_central: str  # "https://sellercentral.amazon.com"

    @property
    def decimal_comma(self) -> bool:
        """Sellers here write amounts with a decimal comma (79,99) as the marketplace shows
        them; the API itself always takes a JSON number."""
        return self.code in DECIMAL_COMMA

    @property
    def endpoint(self) -> str:
        """The production SP-API endpoint for this marketplace's region."""
        return f"https://sellingpartnerapi-{self.region}.amazon.com"

    @property
    def fba_channel_code(self) -> str:
        """fulfillment_channel_code for Amazon-fulfilled offers in this region."""
        return {"na": "AMAZON_NA", "eu": "AMAZON_EU", "fe": "AMAZON_JP"}[self.region]


#: Marketplaces whose storefront writes prices with a decimal comma (79,99 €).
DECIMAL_COMMA = frozenset({"DE", "FR", "IT", "ES", "NL", "SE", "PL", "BE", "TR", "BR"})

_NA = ("na", "us-east-1")
_EU = ("eu", "eu-west-1")
_FE = ("fe", "us-west-2")

MARKETPLACES: dict[str, Marketplace] = {
    m.code: m
    for m in (
        Marketplace(
            "US",
            "ATVPDKIKX0DER",
            "United States",
            "USD",
            *_NA,
            "en_US",
            "https://sellercentral.amazon.com",
        ),
        Marketplace(
            "CA",
            "A2EUQ1WTGCTBG2",
            "Canada",
            "CAD",
            *_NA,
            "en_CA",
            "https://sellercentral.amazon.ca",
        ),
        Marketplace(
            "MX",
            "A1AM78C64UM0Y8",
            "Mexico",
            "MXN",
            *_NA,
            "es_MX",
            "https://sellercentral.amazon.com.mx",
        ),
        Marketplace(
            "BR",
            "A2Q3Y263D00KWC",
            "Brazil",
            "BRL",
            *_NA,
            "pt_BR",
            "https://sellercentral.amazon.com.br",
        ),
        Marketplace(
            "UK",
            "A1F83G8C2ARO7P",
            "United Kingdom",
            "GBP",
            *_EU,
            "en_GB",
            "https://sellercentral.amazon.co.uk",
        ),
        Marketplace(
            "DE",
            "A1PA6795UKMFR9",
            "Germany",
            "EUR",
            *_EU,
            "de_DE",
            "https://sellercentral.amazon.de",
        ),
        Marketplace(
            "FR",
            "A13V1IB3VIYZZH",
            "France",
            "EUR",
            *_EU,
            "fr_FR",
            "https://sellercentral.amazon.fr",
        ),
        Marketplace(
            "IT", "APJ6JRA9NG5V4", "Italy", "EUR", *_EU, "it_IT", "https://sellercentral.amazon.it"
        ),
        Marketplace(
            "ES", "A1RKKUPIHCS9HS", "Spain", "EUR", *_EU, "es_ES", "https://sellercentral.amazon.es"
        ),
        Marketplace(
            "NL",
            "A1805IZSGTT6HS",
            "Netherlands",
            "EUR",
            *_EU,
            "nl_NL",
            "https://sellercentral.amazon.nl",
        ),
        Marketplace(
            "SE",
            "A2NODRKZP88ZB9",
            "Sweden",
            "SEK",
            *_EU,
            "sv_SE",
            "https://sellercentral.amazon.se",
        ),
        Marketplace(
            "PL",
            "A1C3SOZRARQ6R3",
            "Poland",
            "PLN",
            *_EU,
            "pl_PL",
            "https://sellercentral.amazon.pl",
        ),
        Marketplace(
            "BE",
            "AMEN7PMS3EDWL",
            "Belgium",
            "EUR",
            *_EU,
            "fr_BE",
            "https://sellercentral.amazon.com.be",
        ),
        Marketplace(
            "TR",
            "A33AVAJ2PDY3EV",
            "Turkey",
            "TRY",
            *_EU,
            "tr_TR",
            "https://sellercentral.amazon.com.tr",
        ),
        Marketplace(
            "AE",
            "A2VIGQ35RCS4UG",
            "United Arab Emirates",
            "AED",
            *_EU,
            "en_AE",
            "https://sellercentral.amazon.ae",
        ),
        Marketplace(
            "SA",
            "A17E79C6D8DWNP",
            "Saudi Arabia",
            "SAR",
            *_EU,
            "ar_SA",
            "https://sellercentral.amazon.sa",
        ),
        Marketplace(
            "EG", "ARBP9OOSHTCHU", "Egypt", "EGP", *_EU, "ar_EG", "https://sellercentral.amazon.eg"
        ),
        Marketplace(
            "IN", "A21TJRUUN4KGV", "India", "INR", *_EU, "en_IN", "https://sellercentral.amazon.in"
        ),
        Marketplace(
            "IE",
            "A28R8C7NBKEWEA",
            "Ireland",
            "EUR",
            *_EU,
            "en_IE",
            "https://sellercentral.amazon.ie",
        ),
        Marketplace(
            "ZA",
            "AE08WJ6YKNBMC",
            "South Africa",
            "ZAR",
            *_EU,
            "en_ZA",
            "https://sellercentral.amazon.co.za",
        ),
        Marketplace(
            "JP",
            "A1VC38T7YXB528",
            "Japan",
            "JPY",
            *_FE,
            "ja_JP",
            "https://sellercentral.amazon.co.jp",
        ),
        Marketplace(
            "AU",
            "A39IBJ37TRP1C6",
            "Australia",
            "AUD",
            *_FE,
            "en_AU",
            "https://sellercentral.amazon.com.au",
        ),
        Marketplace(
            "SG",
            "A19VAU5U5O7RUS",
            "Singapore",
            "SGD",
            *_FE,
            "en_SG",
            "https://sellercentral.amazon.sg",
        ),
    )
}
MARKETPLACES["GB"] = MARKETPLACES["UK"]

_BY_ID = {m.marketplace_id: m for m in MARKETPLACES.values()}


class UnknownMarketplace(ValueError):
    pass


def resolve_marketplace(code_or_id: str) -> Marketplace:
    """Accept a code ("US", "de") or a marketplace id ("ATVPDKIKX0DER")."""
    key = code_or_id.strip()
    m = MARKETPLACES.get(key.upper()) or _BY_ID.get(key)
    if m is None:
        known = ", ".join(sorted(k for k in MARKETPLACES if k != "GB"))
        raise UnknownMarketplace(f"unknown marketplace {code_or_id!r} (known: {known})")
    return m


def marketplace_by_id(marketplace_id: str) -> Marketplace | None:
    return _BY_ID.get(marketplace_id)
