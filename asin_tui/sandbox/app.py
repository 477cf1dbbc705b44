"""The sandbox's HTTP face: one pure request handler speaking SP-API's wire format.

``SandboxApp.handle`` takes the parts of an HTTP request and returns the parts of the answer.
It owns everything that is about HTTP (routes, query parsing, LWA tokens, rate limits, faults,
paging, error bodies, headers) and asks the ``SandboxAccount`` for data. Transports
(``transport.py``) and the loopback server (``server.py``) are thin shells around it.

Routes and parameters follow Amazon's models (../shared/spapi-models). Unknown query and body
keys are ignored, because python-amazon-sp-api adds ``MarketplaceId``, ``MarketplaceIds`` and
``marketplace_ids`` next to ``marketplaceIds``. The Host header is never looked at: the library
sends a mangled one when the endpoint is ``http://``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import logging
import math
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from asin_tui.sandbox.account import SandboxAccount, SandboxError
from asin_tui.sandbox.faults import Fault, FaultInjector
from asin_tui.sandbox.ratelimit import USAGE_PLANS, RateLimiter, rate_limit_header
from asin_tui.spapi.parse import LISTING_SECTIONS

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())  # never let a library log reach a TUI screen

# The fixed, documented sandbox credentials (issue 2 §3).
SANDBOX_CLIENT_ID = "amzn1.application-oa2-client.sandbox"
SANDBOX_CLIENT_SECRET = "sandbox-secret"
SANDBOX_REFRESH_TOKEN = "Atzr|sandbox"
TOKEN_PATH = "/auth/o2/token"

ACCESS_TOKEN_LIFETIME = 3600  # seconds, real time (the library caches tokens for 3200 s)
SEARCH_RESULT_CAP = 1000  # Amazon pages through at most this many SKUs per query
INVENTORY_PAGE_SIZE = 50
# Durations below are in sandbox seconds: divided by time_scale in real time.
INVENTORY_TOKEN_LIFETIME = 30.0
DOCUMENT_URL_LIFETIME = 300.0
REPORT_QUEUE_SECONDS = 1.0
REPORT_PROCESSING_SECONDS = 2.0
# Operations whose own refusals (400/404) are a bare JSON array of errors, as their model's
# ErrorList and Amazon's sandbox answer it; python-amazon-sp-api does not raise for those.
# Gateway answers (403, 429, 500, 503) keep the {"errors": [...]} shape everywhere.
BARE_ERROR_LIST_OPERATIONS = frozenset({"getListingsRestrictions"})
MERCHANT_LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
ACCOUNT_HEALTH_REPORT = "GET_V2_SELLER_PERFORMANCE_REPORT"
SUPPORTED_REPORT_TYPES = frozenset({MERCHANT_LISTINGS_REPORT, ACCOUNT_HEALTH_REPORT})
META_SCHEMA_URL = (
    "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"
)

LISTINGS_INCLUDED_DATA = frozenset(LISTING_SECTIONS)  # the model's includedData enum
PATCH_INCLUDED_DATA = frozenset({"identifiers", "issues"})
CATALOG_INCLUDED_DATA = frozenset(
    {
        "attributes",
        "classifications",
        "dimensions",
        "identifiers",
        "images",
        "productTypes",
        "relationships",
        "salesRanks",
        "summaries",
        "vendorDetails",
    }
)
IDENTIFIER_TYPES = frozenset(
    {"ASIN", "EAN", "FNSKU", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC"}
)
LISTING_STATUSES = frozenset({"BUYABLE", "DISCOVERABLE"})
ISSUE_SEVERITIES = frozenset({"WARNING", "ERROR"})
CONDITION_TYPES = frozenset(
    {
        "new_new",
        "new_open_box",
        "new_oem",
        "refurbished_refurbished",
        "used_like_new",
        "used_very_good",
        "used_good",
        "used_acceptable",
        "collectible_like_new",
        "collectible_very_good",
        "collectible_good",
        "collectible_acceptable",
        "club_club",
    }
)

_UNAUTHORIZED = "Access to requested resource is denied."
_QUOTA_EXCEEDED = "You exceeded your quota for the requested resource."
_JSON = "application/json"
_TSV = "text/tab-separated-values; charset=utf-8"

Query = str | Mapping[str, str | Iterable[str]] | Iterable[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class SandboxResponse:
    """One answer. ``delay`` (seconds) is how long the shell waits before sending it (slow fault)."""

    status: int
    headers: dict[str, str]
    body: bytes
    delay: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body)


class ApiError(Exception):
    """An SP-API error answer: ``{"errors":[{code, message, details}]}`` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def invalid(message: str) -> ApiError:
    return ApiError(400, "InvalidInput", message)


@dataclass(slots=True)
class Request:
    """A parsed request: decoded path segments, multi-valued query, lower-case headers."""

    method: str
    segments: tuple[str, ...]
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    base_url: str

    def one(self, name: str) -> str | None:
        """The first value of a query key (None when absent)."""
        values = self.query.get(name)
        return values[0] if values else None

    def many(self, name: str) -> list[str]:
        """A list parameter: comma-separated, repeated keys, or both."""
        return [
            part.strip()
            for value in self.query.get(name, ())
            for part in value.split(",")
            if part.strip()
        ]

    def json_body(self) -> dict[str, Any]:
        try:
            body = json.loads(self.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise invalid("The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise invalid("The request body must be a JSON object.")
        return body


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: tuple[str, ...]  # literal segments and "{name}" placeholders
    operation: str | None  # None: public (LWA, presigned downloads): no SP-API auth, no quota
    handler: Callable[[Request, dict[str, str]], SandboxResponse]

    def match(self, method: str, segments: tuple[str, ...]) -> dict[str, str] | None:
        if method != self.method or len(segments) != len(self.pattern):
            return None
        params: dict[str, str] = {}
        for part, segment in zip(self.pattern, segments, strict=True):
            if part.startswith("{"):
                if not segment:
                    return None
                params[part[1:-1]] = segment
            elif part != segment:
                return None
        return params


@dataclass(slots=True)
class _Report:
    report_id: str
    report_type: str
    marketplace_ids: list[str]
    data_start: str
    data_end: str
    created_clock: float
    created_wall: float
    document_id: str
    document: str
    content_type: str


@dataclass(slots=True)
class _DocumentUrl:
    document_id: str
    issued: float


class _AccessTokens:
    """Stateless LWA access tokens (``Atza|<expiry>.<signature>``) signed with a key fixed per
    seller, so a token the library has cached stays valid across a sandbox restart."""

    def __init__(self, seller_id: str, wall_clock: Callable[[], float]) -> None:
        self._key = hashlib.sha256(f"asin-tui-sandbox:{seller_id}".encode()).digest()
        self._wall_clock = wall_clock

    def issue(self) -> str:
        expiry = int(self._wall_clock()) + ACCESS_TOKEN_LIFETIME
        return f"Atza|{expiry}.{self._sign(str(expiry))}"

    def problem(self, token: str | None) -> str | None:
        """None for a valid token, else the `details` Amazon gives for the refusal."""
        if not token:
            return ""
        expiry, _, signature = token.removeprefix("Atza|").partition(".")
        if not (
            token.startswith("Atza|")
            and expiry.isdigit()
            and hmac.compare_digest(signature, self._sign(expiry))
        ):
            return "The access token you provided is revoked, malformed or invalid."
        if int(expiry) <= self._wall_clock():
            return "The access token you provided has expired."
        return None

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:40]


class SandboxApp:
    """The simulated SP-API. Thread-safe: one lock serialises access to the account.

    Args:
        account: the seller's data and rules.
        time_scale: how much faster than Amazon sandbox time runs (rate refill, report
            processing, inventory nextToken and document URL lifetimes; access tokens keep
            their real hour, as the library caches them). 100 makes a minute pass in 0.6 s.
        faults: optional seeded fault injection.
        clock: monotonic seconds (rate limits and sandbox durations).
        wall_clock: epoch seconds (access token expiry, timestamps in answers).
        on_accepted_patch: called (under the lock) after a real patch was ACCEPTED, e.g. to
            persist the demo account. An exception it raises is logged, never answered.
    """

    def __init__(
        self,
        account: SandboxAccount,
        *,
        time_scale: float = 1.0,
        faults: FaultInjector | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        on_accepted_patch: Callable[[], None] | None = None,
    ) -> None:
        if not (math.isfinite(time_scale) and time_scale > 0):
            raise ValueError(f"time_scale must be a positive finite number, not {time_scale!r}")
        self.account = account
        self.time_scale = time_scale
        self._faults = faults
        self._clock = clock
        self._wall_clock = wall_clock
        self._on_accepted_patch = on_accepted_patch
        self._limiter = RateLimiter(USAGE_PLANS, time_scale=time_scale, clock=clock)
        self._tokens = _AccessTokens(account.seller_id, wall_clock)
        self._lock = threading.Lock()
        self._reports: dict[str, _Report] = {}
        self._report_ids = itertools.count(50_000_000_001)
        self._document_urls: dict[str, _DocumentUrl] = {}
        self._routes = self._build_routes()

    @property
    def marketplace_id(self) -> str:
        return self.account.marketplace.marketplace_id

    # ------------------------------------------------------------------ entry point
    def handle(
        self,
        method: str,
        path: str,
        query: Query = "",
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        *,
        base_url: str = "http://127.0.0.1",
    ) -> SandboxResponse:
        """Answer one request. ``path`` is the raw (percent-encoded) path; ``base_url`` is the
        scheme and authority clients reach this sandbox at (for the links it hands out)."""
        request = Request(
            method=method.upper(),
            segments=tuple(unquote(part) for part in path.split("?", 1)[0].split("/")[1:]),
            query=_parse_query(query),
            headers={key.lower(): value for key, value in _pairs(headers)},
            body=body,
            base_url=base_url.rstrip("/"),
        )
        for route in self._routes:
            params = route.match(request.method, request.segments)
            if params is not None:
                with self._lock:
                    return self._dispatch(route, request, params)
        return _error_response(ApiError(404, "NOT_FOUND", "Resource not found."))

    def _dispatch(self, route: Route, request: Request, params: dict[str, str]) -> SandboxResponse:
        """Gateway work first (auth, faults, quota), then the operation itself."""
        if route.operation is None:
            return self._run(route, request, params, {})
        rate_header = {"x-amzn-RateLimit-Limit": rate_limit_header(USAGE_PLANS[route.operation])}
        problem = self._tokens.problem(request.headers.get("x-amz-access-token"))
        if problem is not None:
            denied = ApiError(403, "Unauthorized", _UNAUTHORIZED, problem)
            return _error_response(denied, rate_header)
        fault = self._faults.draw() if self._faults else None
        if (fault and fault.kind == "429") or not self._limiter.try_acquire(
            route.operation, self.account.seller_id
        ):
            return _error_response(ApiError(429, "QuotaExceeded", _QUOTA_EXCEEDED))
        if fault and fault.kind in ("500", "503"):
            return _error_response(_server_fault(fault), rate_header)
        return _apply_fault(fault, self._run(route, request, params, rate_header))

    def _run(
        self, route: Route, request: Request, params: dict[str, str], headers: dict[str, str]
    ) -> SandboxResponse:
        """The route's answer; a refusal becomes its error body, a bug a logged 500."""
        try:
            response = route.handler(request, params)
        except (ApiError, SandboxError) as exc:
            bare = route.operation in BARE_ERROR_LIST_OPERATIONS
            return _error_response(exc, headers, bare=bare)
        except Exception:
            log.exception("sandbox: %s %s failed", request.method, route.operation or "route")
            failure = ApiError(500, "InternalFailure", "We encountered an internal error.")
            return _error_response(failure, headers)
        return _with_headers(response, headers)

    def _build_routes(self) -> tuple[Route, ...]:
        listings = "/listings/2021-08-01"
        table = (
            ("POST", TOKEN_PATH, None, self._lwa_token),
            ("GET", "/sandbox/schemas/{file}", None, self._schema_file),
            ("GET", "/sandbox/documents/{token}", None, self._document_file),
            ("GET", f"{listings}/items/{{sellerId}}", "searchListingsItems", self._search),
            ("GET", f"{listings}/items/{{sellerId}}/{{sku}}", "getListingsItem", self._get_item),
            ("PATCH", f"{listings}/items/{{sellerId}}/{{sku}}", "patchListingsItem", self._patch),
            ("GET", f"{listings}/restrictions", "getListingsRestrictions", self._restrictions),
            ("GET", "/fba/inventory/v1/summaries", "getInventorySummaries", self._inventory),
            (
                "GET",
                "/definitions/2020-09-01/productTypes/{productType}",
                "getDefinitionsProductType",
                self._definition,
            ),
            ("GET", "/catalog/2022-04-01/items", "searchCatalogItems", self._search_catalog),
            ("GET", "/catalog/2022-04-01/items/{asin}", "getCatalogItem", self._catalog_item),
            ("POST", "/reports/2021-06-30/reports", "createReport", self._create_report),
            ("GET", "/reports/2021-06-30/reports/{reportId}", "getReport", self._get_report),
            (
                "GET",
                "/reports/2021-06-30/documents/{reportDocumentId}",
                "getReportDocument",
                self._get_report_document,
            ),
        )
        return tuple(
            Route(method, tuple(path.split("/")[1:]), operation, handler)
            for method, path, operation, handler in table
        )

    # ------------------------------------------------------------------ LWA
    def _lwa_token(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        grant_type = form.get("grant_type", "")
        if not grant_type:
            return _oauth_error(
                400, "invalid_request", "The request is missing a required parameter : grant_type"
            )
        if grant_type != "refresh_token":
            return _oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server",
            )
        if not (
            _same(form.get("client_id"), SANDBOX_CLIENT_ID)
            and _same(form.get("client_secret"), SANDBOX_CLIENT_SECRET)
        ):
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        if not _same(form.get("refresh_token"), SANDBOX_REFRESH_TOKEN):
            return _oauth_error(
                400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
            )
        return _json_response(
            200,
            {
                "access_token": self._tokens.issue(),
                "refresh_token": SANDBOX_REFRESH_TOKEN,
                "token_type": "bearer",
                "expires_in": ACCESS_TOKEN_LIFETIME,
            },
        )

    # ------------------------------------------------------------------ listings items
    def _search(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        self._check_seller(params["sellerId"])
        self._check_marketplaces(request)
        included = _included_data(request, LISTINGS_INCLUDED_DATA, default=("summaries",))
        for unsupported in ("variationParentSku", "packageHierarchySku"):
            if request.one(unsupported):
                raise invalid(f"'{unsupported}' is not supported by the sandbox.")
        page_size = _int_param(request, "pageSize", default=10, low=1, high=20)
        skus = self.account.search(
            identifiers=_identifiers(request),
            identifiers_type=request.one("identifiersType"),
            with_status=_enum_list(request, "withStatus", LISTING_STATUSES),
            without_status=_enum_list(request, "withoutStatus", LISTING_STATUSES),
            with_issue_severity=_enum_list(request, "withIssueSeverity", ISSUE_SEVERITIES),
            created_after=_iso_param(request, "createdAfter"),
            created_before=_iso_param(request, "createdBefore"),
            last_updated_after=_iso_param(request, "lastUpdatedAfter"),
            last_updated_before=_iso_param(request, "lastUpdatedBefore"),
            sort_by=_enum_param(request, "sortBy", {"sku", "createdDate", "lastUpdatedDate"})
            or "lastUpdatedDate",
            sort_order=_enum_param(request, "sortOrder", {"ASC", "DESC"}) or "DESC",
        )
        pageable = skus[:SEARCH_RESULT_CAP]
        fingerprint = _search_fingerprint(request, params["sellerId"])
        offset = _page_offset(request.one("pageToken"), fingerprint, len(pageable))
        page = pageable[offset : offset + page_size]
        items = [item for sku in page if (item := self.account.item(sku, included)) is not None]
        pagination = _pagination(fingerprint, offset, page_size, len(pageable))
        body: dict[str, Any] = {"numberOfResults": len(skus), "items": items}
        if pagination:
            body["pagination"] = pagination
        return _json_response(200, body)

    def _get_item(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        self._check_seller(params["sellerId"])
        self._check_marketplaces(request)
        included = _included_data(request, LISTINGS_INCLUDED_DATA, default=("summaries",))
        item = self.account.item(params["sku"], included)
        if item is None:
            raise ApiError(404, "NOT_FOUND", f"SKU '{params['sku']}' not found.")
        return _json_response(200, item)

    def _patch(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        self._check_seller(params["sellerId"])
        self._check_marketplaces(request)
        included = _included_data(request, PATCH_INCLUDED_DATA, default=("issues",))
        preview = _enum_param(request, "mode", {"VALIDATION_PREVIEW"}) is not None
        result = self.account.patch(
            params["sku"], request.json_body(), preview=preview, included_data=included
        )
        if not preview and result.get("status") == "ACCEPTED":
            self._notify_accepted_patch()
        return _json_response(200, result)

    def _notify_accepted_patch(self) -> None:
        if self._on_accepted_patch is None:
            return
        try:
            self._on_accepted_patch()
        except Exception:
            log.exception("sandbox: could not persist an accepted patch")

    # ------------------------------------------------------------------ restrictions
    def _restrictions(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        asin = _required(request, "asin")
        self._check_seller(_required(request, "sellerId"))
        self._check_marketplaces(request)
        condition = _enum_param(request, "conditionType", CONDITION_TYPES)
        return _json_response(200, {"restrictions": self.account.restrictions(asin, condition)})

    # ------------------------------------------------------------------ FBA inventory
    def _inventory(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        if _required(request, "granularityType") != "Marketplace":
            raise invalid("'granularityType' must be Marketplace.")
        if _required(request, "granularityId") != self.marketplace_id:
            raise invalid(f"Invalid 'granularityId': {request.one('granularityId')}.")
        self._check_marketplaces(request, max_items=1)
        details = _bool_param(request, "details")
        skus = request.many("sellerSkus") or request.many("sellerSku")
        if len(request.many("sellerSkus")) > 50:
            raise invalid("'sellerSkus' accepts at most 50 SKUs.")
        since = _iso_param(request, "startDateTime")
        token = request.one("nextToken")
        if skus and not since and not token:
            summaries = self.account.inventory_summaries(skus, details)
            return self._inventory_response(summaries, None)
        summaries = self.account.inventory_summaries(None, details)
        if since:
            summaries = [s for s in summaries if _updated_since(s, since)]
        offset = self._inventory_offset(token) if token else 0
        end = offset + INVENTORY_PAGE_SIZE
        next_token = self._inventory_token(end) if end < len(summaries) else None
        return self._inventory_response(summaries[offset:end], next_token)

    def _inventory_response(self, summaries: list[dict], next_token: str | None) -> SandboxResponse:
        body: dict[str, Any] = {
            "payload": {
                "granularity": {
                    "granularityType": "Marketplace",
                    "granularityId": self.marketplace_id,
                },
                "inventorySummaries": summaries,
            }
        }
        if next_token:
            body["pagination"] = {"nextToken": next_token}
        return _json_response(200, body)

    def _inventory_token(self, offset: int) -> str:
        return _encode_token({"o": offset, "t": self._clock()})

    def _inventory_offset(self, token: str) -> int:
        data = _decode_token(token)
        if not isinstance(data.get("o"), int) or not isinstance(data.get("t"), int | float):
            raise invalid("The provided nextToken is invalid.")
        age = (self._clock() - data["t"]) * self.time_scale
        if not 0 <= age <= INVENTORY_TOKEN_LIFETIME:
            raise invalid("The provided nextToken has expired. Request the first page again.")
        return data["o"]

    # ------------------------------------------------------------------ product types
    def _definition(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        self._check_marketplaces(request, max_items=1)
        seller = request.one("sellerId")
        if seller is not None:
            self._check_seller(seller)
        requirements = _enum_param(
            request, "requirements", {"LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"}
        )
        _enum_param(request, "requirementsEnforced", {"ENFORCED", "NOT_ENFORCED"})
        _enum_param(request, "parentageLevel", {"NONE", "CHILD", "PARENT"})
        product_type = params["productType"]
        definition = self.account.product_type_definition(
            product_type,
            schema_url=f"{request.base_url}/sandbox/schemas/{quote(product_type, safe='')}.json",
            meta_schema_url=META_SCHEMA_URL,
            requirements=requirements or "LISTING",
        )
        if definition is None:
            raise ApiError(404, "NOT_FOUND", f"Product type '{product_type}' not found.")
        return _json_response(200, definition)

    def _schema_file(self, _request: Request, params: dict[str, str]) -> SandboxResponse:
        name, dot_json, rest = params["file"].partition(".json")
        schema = self.account.product_type_schema(name) if dot_json and not rest else None
        if schema is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return _json_response(200, schema)

    # ------------------------------------------------------------------ catalog
    def _catalog_item(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        self._check_marketplaces(request)
        included = _included_data(request, CATALOG_INCLUDED_DATA, default=("summaries",))
        item = self.account.catalog_item(params["asin"], included)
        if item is None:
            raise ApiError(
                404,
                "NOT_FOUND",
                f"Requested item '{params['asin']}' not found in marketplace(s) "
                f"{self.marketplace_id}.",
            )
        return _json_response(200, item)

    def _search_catalog(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        """searchCatalogItems by ASIN: the items this marketplace has, in the order asked
        (an ASIN it does not have is simply absent). Keyword searches are not served."""
        self._check_marketplaces(request, max_items=1)
        if request.many("keywords"):
            raise invalid("Searching by 'keywords' is not supported by the sandbox.")
        asins = _identifiers(request)
        if asins is None:
            raise invalid("Either 'identifiers' or 'keywords' is required.")
        if request.one("identifiersType") != "ASIN":
            raise invalid("Only identifiersType ASIN is supported by the sandbox.")
        included = _included_data(request, CATALOG_INCLUDED_DATA, default=("summaries",))
        page_size = _int_param(request, "pageSize", default=10, low=1, high=20)
        found = [
            item
            for asin in dict.fromkeys(asins)
            if (item := self.account.catalog_item(asin, included)) is not None
        ]
        fingerprint = _search_fingerprint(request, self.account.seller_id, _CATALOG_SEARCH_KEYS)
        offset = _page_offset(request.one("pageToken"), fingerprint, len(found))
        body: dict[str, Any] = {
            "numberOfResults": len(found),
            "items": found[offset : offset + page_size],
            # refinements are for keyword searches: an identifier search has none to offer
            "refinements": {"brands": [], "classifications": []},
        }
        pagination = _pagination(fingerprint, offset, page_size, len(found))
        if pagination:
            body["pagination"] = pagination
        return _json_response(200, body)

    # ------------------------------------------------------------------ reports
    def _create_report(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        spec = request.json_body()
        report_type = spec.get("reportType")
        if not isinstance(report_type, str) or not report_type:
            raise invalid("'reportType' is required.")
        if report_type not in SUPPORTED_REPORT_TYPES:
            raise invalid(f"Report type {report_type} is not supported by the sandbox.")
        marketplace_ids = spec.get("marketplaceIds")
        if not (
            isinstance(marketplace_ids, list)
            and 1 <= len(marketplace_ids) <= 25
            and all(isinstance(m, str) for m in marketplace_ids)
        ):
            raise invalid("'marketplaceIds' must be a list of 1 to 25 marketplace ids.")
        self._check_marketplace_ids(marketplace_ids)
        now = _iso(self._wall_clock())
        report_id = str(next(self._report_ids))
        document, content_type = self._report_document(report_type)
        self._reports[report_id] = _Report(
            report_id=report_id,
            report_type=report_type,
            marketplace_ids=marketplace_ids,
            data_start=_iso_value(spec.get("dataStartTime"), "dataStartTime") or now,
            data_end=_iso_value(spec.get("dataEndTime"), "dataEndTime") or now,
            created_clock=self._clock(),
            created_wall=self._wall_clock(),
            document_id=f"amzn1.spdoc.1.4.{self.account.marketplace.region}.{uuid.uuid4()}",
            document=document,
            content_type=content_type,
        )
        return _json_response(202, {"reportId": report_id})

    def _report_document(self, report_type: str) -> tuple[str, str]:
        """The document of a report (as of its request) and its content type."""
        if report_type == ACCOUNT_HEALTH_REPORT:
            return json.dumps(self.account.account_health_report()), _JSON
        return self.account.merchant_listings_all_data(), _TSV

    def _get_report(self, _request: Request, params: dict[str, str]) -> SandboxResponse:
        report = self._reports.get(params["reportId"])
        if report is None:
            raise ApiError(404, "NOT_FOUND", f"Report '{params['reportId']}' not found.")
        return _json_response(200, self._report_body(report))

    def _report_body(self, report: _Report) -> dict[str, Any]:
        age = (self._clock() - report.created_clock) * self.time_scale
        body: dict[str, Any] = {
            "reportId": report.report_id,
            "reportType": report.report_type,
            "marketplaceIds": report.marketplace_ids,
            "dataStartTime": report.data_start,
            "dataEndTime": report.data_end,
            "createdTime": _iso(report.created_wall),
            "processingStatus": "IN_QUEUE",
        }
        done_after = REPORT_QUEUE_SECONDS + REPORT_PROCESSING_SECONDS
        if age >= REPORT_QUEUE_SECONDS:
            body["processingStatus"] = "IN_PROGRESS"
            body["processingStartTime"] = self._report_time(report, REPORT_QUEUE_SECONDS)
        if age >= done_after:
            body["processingStatus"] = "DONE"
            body["processingEndTime"] = self._report_time(report, done_after)
            body["reportDocumentId"] = report.document_id
        return body

    def _report_time(self, report: _Report, sandbox_seconds: float) -> str:
        return _iso(report.created_wall + sandbox_seconds / self.time_scale)

    def _get_report_document(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        document_id = params["reportDocumentId"]
        if not any(
            r.document_id == document_id and self._report_body(r)["processingStatus"] == "DONE"
            for r in self._reports.values()
        ):
            raise ApiError(404, "NOT_FOUND", f"Report document '{document_id}' not found.")
        now = self._clock()
        self._document_urls = {
            token: url
            for token, url in self._document_urls.items()
            if (now - url.issued) * self.time_scale <= DOCUMENT_URL_LIFETIME
        }
        token = secrets.token_urlsafe(24)
        self._document_urls[token] = _DocumentUrl(document_id, now)
        url = f"{request.base_url}/sandbox/documents/{token}"
        return _json_response(200, {"reportDocumentId": document_id, "url": url})

    def _document_file(self, _request: Request, params: dict[str, str]) -> SandboxResponse:
        url = self._document_urls.get(params["token"])
        if url is None:
            return _s3_error(403, "AccessDenied", "Access Denied")
        if (self._clock() - url.issued) * self.time_scale > DOCUMENT_URL_LIFETIME:
            return _s3_error(403, "AccessDenied", "Request has expired")
        report = next(r for r in self._reports.values() if r.document_id == url.document_id)
        headers = _base_headers(report.content_type)
        return SandboxResponse(200, headers, report.document.encode("utf-8"))

    # ------------------------------------------------------------------ shared checks
    def _check_seller(self, seller_id: str) -> None:
        if seller_id != self.account.seller_id:
            raise invalid(f"Invalid 'sellerId': {seller_id} is not the seller of this account.")

    def _check_marketplaces(self, request: Request, *, max_items: int | None = None) -> None:
        ids = request.many("marketplaceIds")
        if not ids:
            raise invalid("Missing required parameter 'marketplaceIds'.")
        if max_items is not None and len(ids) > max_items:
            raise invalid(f"'marketplaceIds' accepts at most {max_items} marketplace id(s).")
        self._check_marketplace_ids(ids)

    def _check_marketplace_ids(self, ids: Iterable[str]) -> None:
        for marketplace_id in ids:
            if marketplace_id != self.marketplace_id:
                raise invalid(
                    f"Invalid 'marketplaceIds': this seller does not sell in {marketplace_id}."
                )


# ---------------------------------------------------------------------- request helpers
def _pairs(items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> Iterable[tuple[str, Any]]:
    return items.items() if isinstance(items, Mapping) else items


def _parse_query(query: Query) -> dict[str, list[str]]:
    if isinstance(query, str):
        pairs: Iterable[tuple[str, Any]] = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    else:
        pairs = _pairs(query)
    parsed: dict[str, list[str]] = {}
    for key, value in pairs:
        values = [value] if isinstance(value, str) else list(value)
        parsed.setdefault(key, []).extend(values)
    return parsed


def _required(request: Request, name: str) -> str:
    value = request.one(name)
    if not value:
        raise invalid(f"Missing required parameter '{name}'.")
    return value


def _enum_param(request: Request, name: str, allowed: Iterable[str]) -> str | None:
    value = request.one(name)
    if value is not None and value not in allowed:
        raise invalid(f"Invalid '{name}': {value}.")
    return value


def _enum_list(request: Request, name: str, allowed: frozenset[str]) -> list[str]:
    values = request.many(name)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise invalid(f"Invalid '{name}': {', '.join(unknown)}.")
    return values


def _included_data(
    request: Request, allowed: frozenset[str], *, default: tuple[str, ...]
) -> list[str]:
    return _enum_list(request, "includedData", allowed) or list(default)


def _identifiers(request: Request) -> list[str] | None:
    identifiers = request.many("identifiers")
    if not identifiers:
        return None
    if len(identifiers) > 20:
        raise invalid("'identifiers' accepts at most 20 values.")
    if request.one("identifiersType") not in IDENTIFIER_TYPES:
        raise invalid("'identifiersType' is required with 'identifiers' (e.g. SKU or ASIN).")
    return identifiers


def _int_param(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    text = request.one(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise invalid(f"Invalid '{name}': {text}.") from None
    if not low <= value <= high:
        raise invalid(f"Invalid '{name}': {value} (must be between {low} and {high}).")
    return value


def _bool_param(request: Request, name: str) -> bool:
    text = (request.one(name) or "false").lower()
    if text not in ("true", "false"):
        raise invalid(f"Invalid '{name}': {text} (true or false).")
    return text == "true"


def _iso_param(request: Request, name: str) -> str | None:
    return _iso_value(request.one(name), name)


def _iso_value(value: Any, name: str) -> str | None:
    """Check an ISO 8601 date-time and return it in UTC with a ``Z`` (None when absent)."""
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise invalid(f"Invalid '{name}': {value} is not an ISO 8601 date-time.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _iso(parsed.timestamp())


def _updated_since(summary: dict[str, Any], since: str) -> bool:
    updated = _iso_value(summary.get("lastUpdatedTime"), "lastUpdatedTime")
    return updated is not None and _epoch(updated) >= _epoch(since)


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _same(given: str | None, expected: str) -> bool:
    return hmac.compare_digest((given or "").encode(), expected.encode())


# ---------------------------------------------------------------------- page tokens
_SEARCH_KEYS = (
    "marketplaceIds",
    "includedData",
    "identifiers",
    "identifiersType",
    "withStatus",
    "withoutStatus",
    "withIssueSeverity",
    "createdAfter",
    "createdBefore",
    "lastUpdatedAfter",
    "lastUpdatedBefore",
    "sortBy",
    "sortOrder",
    "pageSize",
)


_CATALOG_SEARCH_KEYS = (
    "marketplaceIds",
    "includedData",
    "identifiers",
    "identifiersType",
    "pageSize",
)


def _search_fingerprint(
    request: Request, seller_id: str, keys: tuple[str, ...] = _SEARCH_KEYS
) -> str:
    """What a pageToken is bound to: the seller and every search parameter but the token."""
    query = {key: sorted(request.many(key)) for key in keys if request.many(key)}
    text = json.dumps([seller_id, query], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _page_token(fingerprint: str, offset: int) -> str:
    return _encode_token({"q": fingerprint, "o": offset})


def _pagination(fingerprint: str, offset: int, page_size: int, total: int) -> dict[str, str]:
    """The tokens of the pages around the one starting at ``offset`` (none: a single page)."""
    pagination = {}
    if offset + page_size < total:
        pagination["nextToken"] = _page_token(fingerprint, offset + page_size)
    if offset > 0:
        pagination["previousToken"] = _page_token(fingerprint, max(0, offset - page_size))
    return pagination


def _page_offset(token: str | None, fingerprint: str, total: int) -> int:
    if token is None:
        return 0
    data = _decode_token(token)
    offset = data.get("o")
    if data.get("q") != fingerprint or not isinstance(offset, int) or not 0 <= offset < total:
        raise invalid("Search parameters do not match the provided pageToken")
    return offset


def _encode_token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode_token(token: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise invalid("The provided token is malformed.")
    return data


# ---------------------------------------------------------------------- responses
def _base_headers(content_type: str) -> dict[str, str]:
    return {"content-type": content_type, "x-amzn-RequestId": str(uuid.uuid4())}


def _json_response(status: int, body: Any, content_type: str = _JSON) -> SandboxResponse:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return SandboxResponse(status, _base_headers(content_type), data)


def _with_headers(response: SandboxResponse, extra: dict[str, str]) -> SandboxResponse:
    return SandboxResponse(response.status, {**response.headers, **extra}, response.body)


def _error_response(
    exc: ApiError | SandboxError,
    extra_headers: dict[str, str] | None = None,
    *,
    bare: bool = False,
) -> SandboxResponse:
    error = {"code": exc.code, "message": exc.message, "details": exc.details or ""}
    response = _json_response(exc.status, [error] if bare else {"errors": [error]})
    return _with_headers(response, extra_headers or {})


def _oauth_error(status: int, error: str, description: str) -> SandboxResponse:
    return _json_response(status, {"error": error, "error_description": description})


def _s3_error(status: int, code: str, message: str) -> SandboxResponse:
    """Presigned downloads come from S3, which answers errors in XML."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return SandboxResponse(status, _base_headers("application/xml"), body.encode("utf-8"))


def _server_fault(fault: Fault) -> ApiError:
    if fault.kind == "503":
        return ApiError(503, "ServiceUnavailable", "Service is temporarily unavailable.")
    return ApiError(500, "InternalFailure", "We encountered an internal error. Please try again.")


def _apply_fault(fault: Fault | None, response: SandboxResponse) -> SandboxResponse:
    if fault is None:
        return response
    if fault.kind == "slow":
        return SandboxResponse(response.status, response.headers, response.body, fault.delay)
    if fault.kind == "truncate" and response.status == 200:
        return SandboxResponse(
            response.status, response.headers, response.body[: len(response.body) // 2]
        )
    return response
