"""The sandbox seller account: the data and the rules of a simulated Amazon seller.

CONTRACT between the sandbox *model* (this module, catalog.py, rules.py, schemas.py) and the
sandbox *HTTP app* (app.py, ratelimit.py, faults.py, transport.py, server.py). The HTTP app
parses requests, enforces rate limits, paginates and shapes errors; it asks this class for
data and never reaches into its internals. Everything returned is JSON-ready (dicts/lists of
str/int/float/bool/None) in the exact shape of Amazon's official models.

Pure: no network, no Textual. Deterministic: the same (seed, listings, problem_share,
marketplace) always gives the same account.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from asin_tui.domain.marketplaces import Marketplace


class SandboxError(Exception):
    """A request the account refuses. The HTTP app turns it into {"errors":[{code,message}]}."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None):
        super().__init__(message)
        self.status = status  # 400 / 404 / ...
        self.code = code  # "BAD_REQUEST", "NOT_FOUND", "InvalidInput"
        self.message = message
        self.details = details


class SandboxAccount:
    """One seller in one marketplace with a generated catalog.

    Attributes (read-only for the HTTP app):
        seller_id: str        e.g. "A2SANDBOX12345" (deterministic from the seed)
        marketplace: Marketplace
        seed, listings, problem_share
    """

    seller_id: str
    marketplace: Marketplace

    def __init__(
        self,
        *,
        seed: int = 7,
        listings: int = 250,
        problem_share: float | None = None,  # None = the demo mix (about a third need attention)
        marketplace: str = "US",
        now: Any = None,  # datetime used as "today" (exemption dates etc.); default: utcnow
    ) -> None:
        raise NotImplementedError

    # ---------------------------------------------------------------- listings items
    def search(
        self,
        *,
        identifiers: Collection[str] | None = None,
        identifiers_type: str
        | None = None,  # SKU | ASIN | EAN | FNSKU | GTIN | ISBN | JAN | MINSAN | UPC
        with_status: Collection[str] = (),  # BUYABLE / DISCOVERABLE: must have all
        without_status: Collection[str] = (),  # must have none
        with_issue_severity: Collection[str] = (),  # WARNING / ERROR: must have an issue of one
        created_after: str | None = None,  # ISO 8601
        created_before: str | None = None,
        last_updated_after: str | None = None,
        last_updated_before: str | None = None,
        sort_by: str = "lastUpdatedDate",  # sku | createdDate | lastUpdatedDate
        sort_order: str = "DESC",
    ) -> list[str]:
        """Every matching SKU, sorted. The HTTP app applies pageSize, pageToken and the
        1,000-result cap (numberOfResults stays the true total)."""
        raise NotImplementedError

    def item(self, sku: str, included_data: Collection[str]) -> dict[str, Any] | None:
        """The listings Item (`sku`, `summaries`, `attributes`, `issues`, `offers`,
        `fulfillmentAvailability`, `relationships`, `productTypes`) with only the requested
        includedData sections; None if the SKU does not exist."""
        raise NotImplementedError

    def patch(
        self,
        sku: str,
        body: dict[str, Any],  # ListingsItemPatchRequest {productType, patches}
        *,
        preview: bool,  # mode=VALIDATION_PREVIEW: validate only, change nothing
        included_data: Collection[str] = ("issues",),
    ) -> dict[str, Any]:
        """ListingsItemSubmissionResponse {sku, status, submissionId, issues, identifiers?}.
        Preview: VALID or INVALID. Real: ACCEPTED (and the listing changes, status and issues
        recompute) or INVALID (nothing changes). Raises SandboxError(400) for a malformed body
        (no productType, patches not a list, a path that is not /attributes/<top-level>, ...),
        SandboxError(404) for an unknown SKU."""
        raise NotImplementedError

    # ---------------------------------------------------------------- FBA inventory
    def inventory_summaries(self, skus: Collection[str] | None, details: bool) -> list[dict]:
        """InventorySummary objects (fbaInventory.json) for the given FBA SKUs (skus=None: all
        FBA SKUs, in a stable order). SKUs that are not FBA are left out."""
        raise NotImplementedError

    # ---------------------------------------------------------------- restrictions
    def restrictions(self, asin: str, condition_type: str | None) -> list[dict]:
        """The `restrictions` list of a getListingsRestrictions answer ([] = may list)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- product types
    def product_types(self) -> list[str]:
        raise NotImplementedError

    def product_type_definition(
        self, product_type: str, *, schema_url: str, meta_schema_url: str, requirements: str
    ) -> dict[str, Any] | None:
        """ProductTypeDefinition whose schema.link.resource is `schema_url` (served by the HTTP
        app) with a base64 MD5 checksum of the schema; None for an unknown product type."""
        raise NotImplementedError

    def product_type_schema(self, product_type: str) -> dict[str, Any] | None:
        """The JSON Schema (Amazon meta-schema style: required, properties of arrays of objects,
        enum/enumNames, minLength/maxLength/maxUtf8ByteLength, minimum/maximum...)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- catalog
    def catalog_item(self, asin: str, included_data: Collection[str]) -> dict[str, Any] | None:
        """Catalog Items 2022-04-01 Item; None when the ASIN was removed (the app answers 404)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- reports
    def merchant_listings_all_data(self) -> str:
        """GET_MERCHANT_LISTINGS_ALL_DATA as TSV text (header row + one row per SKU)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- ground truth
    def intended_causes(self, sku: str) -> frozenset[str]:
        """The finding codes (asin_tui.domain.codes) the generator meant this SKU to have,
        *as it is now* (after patches). Empty for a healthy listing. For tests only."""
        raise NotImplementedError

    # ---------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """Persist the changes applied since generation (patches), atomically."""
        raise NotImplementedError

    @classmethod
    def load_or_create(cls, path: Path, **kwargs: Any) -> SandboxAccount:
        """Generate from kwargs, then replay the changes saved at `path` (if any; a corrupt
        file is moved aside to `<path>.corrupt-<timestamp>`, never silently overwritten)."""
        raise NotImplementedError
