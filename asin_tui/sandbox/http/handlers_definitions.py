"""Product Type Definitions API 2020-09-01 (getDefinitionsProductType), per
definitionsProductTypes_2020-09-01.json, and the schema files its answers link to (served
like the presigned S3 links Amazon hands out: a link expires, SCHEMA_URL_LIFETIME)."""

from __future__ import annotations

from urllib.parse import quote

from asin_tui.sandbox.http.context import SandboxContext
from asin_tui.sandbox.http.handlers_reports import DOCUMENT_URL_REAL_SECONDS
from asin_tui.sandbox.http.router import RouteSpec
from asin_tui.sandbox.http.wire import (
    Request,
    SandboxResponse,
    enum_param,
    json_response,
    not_found,
    s3_error,
)

META_SCHEMA_URL = (
    "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"
)
REQUIREMENTS = frozenset({"LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"})
#: Amazon hands a schema out by a presigned link (the definition's schema.link; DOMAIN.md)
#: and documents no lifetime for it, but a presigned link expires: the sandbox's last a
#: report document's five minutes (sandbox seconds; never less than
#: DOCUMENT_URL_REAL_SECONDS real ones) from the last time getDefinitionsProductType gave
#: the link out. Past that, its download is refused 403 "Request has expired", as S3
#: refuses an expired link, until the definition is asked for again (a new link).
SCHEMA_URL_LIFETIME = 300.0


class DefinitionsHandlers:
    def __init__(self, ctx: SandboxContext) -> None:
        self._ctx = ctx
        #: schema file -> when its link was last given out (clock()); one per product
        #: type and requirements set
        self._given: dict[str, float] = {}

    def routes(self) -> list[RouteSpec]:
        return [
            ("GET", "/sandbox/schemas/{file}", None, self.schema_file),
            (
                "GET",
                "/definitions/2020-09-01/productTypes/{productType}",
                "getDefinitionsProductType",
                self.definition,
            ),
        ]

    def definition(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        self._ctx.check_marketplaces(request, max_items=1)
        seller = request.one("sellerId")
        if seller is not None:
            self._ctx.check_seller(seller)
        requirements = enum_param(request, "requirements", REQUIREMENTS)
        enum_param(request, "requirementsEnforced", {"ENFORCED", "NOT_ENFORCED"})
        enum_param(request, "parentageLevel", {"NONE", "CHILD", "PARENT"})
        product_type = params["productType"]
        requirements = requirements or "LISTING"
        # Each requirements set has its own schema file (what is required differs).
        suffix = "" if requirements == "LISTING" else f".{requirements}"
        file = f"{quote(product_type, safe='')}{suffix}.json"
        definition = self._ctx.account.product_type_definition(
            product_type,
            schema_url=f"{request.base_url}/sandbox/schemas/{file}",
            meta_schema_url=META_SCHEMA_URL,
            requirements=requirements,
        )
        if definition is None:
            raise not_found(f"Product type '{product_type}' not found.")
        self._given[f"{product_type}{suffix}.json"] = self._ctx.clock()  # as its path reads
        return json_response(200, definition)

    def _expired(self, file: str) -> bool:
        """The link to ``file`` was given out longer ago than it lasts (a link never given
        out, fetched by its name as the sandbox's own tests do, is served)."""
        given = self._given.get(file)
        return (
            given is not None
            and self._ctx.sandbox_seconds_since(given) > SCHEMA_URL_LIFETIME
            and self._ctx.clock() - given > DOCUMENT_URL_REAL_SECONDS
        )

    def schema_file(self, _request: Request, params: dict[str, str]) -> SandboxResponse:
        if self._expired(params["file"]):
            return s3_error(403, "AccessDenied", "Request has expired")
        name, dot_json, rest = params["file"].partition(".json")
        product_type, _, requirements = name.partition(".")
        schema = (
            self._ctx.account.product_type_schema(product_type, requirements or "LISTING")
            if dot_json and not rest and requirements in ("", *REQUIREMENTS)
            else None
        )
        if schema is None:
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return json_response(200, schema)
