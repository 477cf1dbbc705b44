"""The sandbox seller account: the data and the rules of a simulated Amazon seller.

CONTRACT between the sandbox *model* (this module, catalog.py, scenarios.py, rules.py,
schemas.py, journal.py) and the sandbox *HTTP app* (app.py, ratelimit.py, faults.py,
transport.py, server.py). The HTTP app parses requests, enforces rate limits, paginates and
shapes errors; it asks this class for data and never reaches into its internals. Everything
returned is JSON-ready (dicts/lists of str/int/float/bool/None) in the exact shape of
Amazon's official models.

Pure: no network, no Textual. Deterministic: the same (seed, listings, problem_share,
marketplace) always gives the same account.

Patch semantics (patchListingsItem):
- The body is checked first: a malformed one raises SandboxError(400) (no productType, an
  unknown product type, patches not a non-empty list, an op other than add/replace/merge/
  delete, a path other than /attributes/<top-level name>, a value that is not an array of
  objects). An unknown SKU raises SandboxError(404).
- The patched document is validated against the product type schema for the attributes the
  patch touched (problems elsewhere in the listing do not block an unrelated fix, so a
  seller can fix several causes one patch at a time). Any ERROR makes the submission
  INVALID and nothing changes; otherwise VALID (preview) or ACCEPTED. An ACCEPTED change is
  applied after the account's processing delay (``configure_processing``; 0 = at once), as
  Amazon processes submissions asynchronously: until then every answer shows the old listing;
  then status and issues recompute and lastUpdatedDate moves. A later submission for the same
  SKU is validated against the document as it will be once the earlier ones are processed.
- Policy enforcements, restrictions and a removed catalog item are Amazon's facts: no patch
  lifts them. An INCOMPLETE SKU becomes a complete listing once a patch supplies every
  required attribute it lacked.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asin_tui.sandbox import journal, rules, sales, schemas, views
from asin_tui.sandbox.catalog import (
    IMAGE_SIZE,
    Params,
    Policy,
    Record,
    attributes_of,
    deep_copy,
)
from asin_tui.sandbox.drift import Drift, Schedule
from asin_tui.sandbox.marketplaces import Marketplace, sandbox_marketplace
from asin_tui.sandbox.messages import language_of
from asin_tui.sandbox.notifications import ListingLook, Outbox, look
from asin_tui.sandbox.patching import apply_patches, parse_patch_body
from asin_tui.sandbox.scenarios import generate

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReportSnapshot:
    """What the flat-file reports are built from (``SandboxAccount.report_snapshot``): copies
    of the listings, their derived state and the sales, as of ``now``; reading them never
    touches the account, so a report is built outside the sandbox's lock."""

    rows: list[tuple[Record, rules.Derived]]
    sold: sales.Sales
    marketplace: Marketplace
    now: datetime

    def merchant_listings_all_data(self) -> str:
        return views.merchant_listings_all_data(self.rows, self.marketplace)

    def inventory_planning_report(self) -> str:
        fba = [(r, s) for r, s in self.rows if s.fba and not r.is_parent]
        return sales.planning_report(self.sold, fba, self.marketplace, self.now)

    def orders_report(self, start: datetime, end: datetime) -> str:
        return sales.orders_report(self.sold, self.rows, self.marketplace, start, end)


IDENTIFIER_TYPES = frozenset(
    {"ASIN", "EAN", "FNSKU", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC"}
)
DELETE_OPERATION = "deleteListingsItem"  # a journal change that deleted the SKU
#: A journal change's place in the account's drift: {"origin": ..., "count": ...}
DRIFT_KEY = "drift"
SORT_KEYS = {
    "sku": lambda r: (r.sku,),
    "createdDate": lambda r: (r.created, r.sku),
    "lastUpdatedDate": lambda r: (r.last_updated, r.sku),
}
#: Account-wide scenarios: "vacation" puts the seller's account in vacation (holiday) mode.
SCENARIOS = ("default", "vacation")
_SUBMISSION_NAMESPACE = uuid.UUID("8d3c0b52-6a53-4c8e-9a55-0a6f2b0c7e11")


@dataclass(slots=True)
class _Pending:
    """An ACCEPTED change Amazon has not processed yet."""

    due: float  # on the processing clock (sandbox seconds)
    sku: str
    attributes: dict[str, Any]  # the listing's document once processed


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
        seller_id: str        e.g. "A2SANDBOX00007" (deterministic from the seed)
        marketplace: Marketplace
        seed, listings, problem_share
        account_status: str   NORMAL | AT_RISK | DEACTIVATED (the Account Health gate)
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
        account_status: str = "NORMAL",  # the Account Health status: NORMAL | AT_RISK | DEACTIVATED
        hostile: bool = False,  # a few listings carry attacker-written text (sandbox/hostile.py)
        tidy: bool = False,  # True: none of Amazon's untidy variety (sandbox/untidy.py)
        scenario: str = "default",  # "vacation": the seller's account is in vacation mode
    ) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}, not {scenario!r}")
        if account_status not in views.ACCOUNT_STATUSES:
            raise ValueError(
                f"account_status must be one of {', '.join(views.ACCOUNT_STATUSES)}, "
                f"not {account_status!r}"
            )
        self.account_status = account_status
        self.marketplace = sandbox_marketplace(marketplace)
        self.seed, self.listings, self.problem_share = seed, listings, problem_share
        self.params = Params(
            seed, listings, problem_share, self.marketplace.code, hostile, tidy, scenario
        )
        #: The language issue messages are in when a request names no issueLocale.
        self.language = language_of(self.marketplace.language_tag)
        self.seller_id = f"A2SANDBOX{seed % 100_000:05d}"
        self._fixed_now = _utc(now) if now is not None else None
        self._moment: datetime | None = None  # happening_at
        today = self.now().replace(hour=0, minute=0, second=0, microsecond=0)
        self._today = today
        self._records = generate(self.params, self.marketplace, today)
        self._by_sku = {r.sku: r for r in self._records}
        self._by_asin: dict[str, Record] = {r.asin: r for r in self._records}
        self._derived: dict[int, dict[str, rules.Derived]] = {}  # index → language → state
        self._changes: list[dict[str, Any]] = []
        self._submissions = 0
        self._pending: list[_Pending] = []
        self.processing_delay = 0.0  # sandbox seconds between ACCEPTED and applied
        self._processing_clock: Callable[[], float] = lambda: 0.0
        #: One-line messages for the user about how the account was loaded (a journal that
        #: had to be set aside, fixes that will not be kept); empty when all went well.
        self.notices: list[str] = []
        #: sandbox/drift.py: the account's own changes over time (None: it does not drift)
        self.drift: Drift | None = None
        self.late_shipment_strain = 0.0  # share of orders shipped late on top (drift)
        #: sandbox/sales.py: what the seller sold (the planning and orders reports)
        self.sales = sales.Sales(seed, self.marketplace)
        #: sandbox/notifications.py: SP-API notifications of listing changes (None: off)
        self.outbox: Outbox | None = None
        #: the journal other processes save their fixes to (``follow``), and how it looked
        self._followed: Path | None = None
        self._followed_seen: tuple[int, int] | None = None
        #: called before each answer: the account as a process started now would load it,
        #: when that is another one (``renew``; the demo's next day), else None
        self.renewal: Callable[[], SandboxAccount | None] | None = None

    def start_notifications(self) -> Outbox:
        """Queue a notification for each listing change from now on (as Amazon delivers
        LISTINGS_ITEM_STATUS_CHANGE / LISTINGS_ITEM_ISSUES_CHANGE); take them from the
        returned outbox."""
        if self.outbox is None:
            self.outbox = Outbox(self.seller_id, self.marketplace.marketplace_id)
        return self.outbox

    def start_drift(self, per_hour: float, clock: Callable[[], float]) -> None:
        """Let the account change by itself, ``per_hour`` changes an hour read on ``clock``
        (sandbox seconds since the drift started): sandbox/drift.py."""
        self.drift_on(Schedule(per_hour, clock))

    def drift_on(self, schedule: Schedule) -> None:
        """Let the account change by itself on ``schedule`` (sandbox/drift.py)."""
        self.drift = schedule.drift(self.seed)
        self.drift.advance(self)

    @contextlib.contextmanager
    def happening_at(self, moment: datetime) -> Iterator[None]:
        """What the account does meanwhile happens at ``moment`` (a drift change that was due
        then, made now): ``now()`` answers it."""
        saved = self._moment
        self._moment = _utc(moment)
        try:
            yield
        finally:
            self._moment = saved

    def records(self) -> list[Record]:
        """The seller's SKUs, in catalog order (for the drift)."""
        return list(self._records)

    def document(self, record: Record) -> dict[str, Any]:
        """The listing's attributes as they will be once its pending changes are processed."""
        return self._document(record)

    def replace_document(self, record: Record, attributes: dict[str, Any]) -> None:
        """The seller changed the listing outside SP-API (Seller Central, a sale): now. A
        patch still processing keeps the change (it was built on the document as patched)."""
        self._apply(record, attributes, self.now())
        for pending in self._pending:
            if pending.sku == record.sku:
                pending.attributes = deep_copy(attributes)

    def set_policy(self, record: Record, policy: Policy | None) -> None:
        """Amazon enforces (or lifts) a policy on the listing."""
        before = self._look(record)
        record.policy = policy
        record.last_updated = max(self.now(), record.created)
        self._forget(record)
        self._notify(record, before)

    def now(self) -> datetime:
        return self._moment or self._fixed_now or datetime.now(UTC)

    def configure_processing(self, delay: float, clock: Callable[[], float]) -> None:
        """Apply ACCEPTED patches ``delay`` sandbox seconds after they were accepted, read on
        ``clock`` (sandbox seconds, monotonic). 0 applies them at once."""
        if not delay >= 0:
            raise ValueError(f"the processing delay must be 0 or more seconds, not {delay!r}")
        self.settle()
        self.processing_delay = float(delay)
        self._processing_clock = clock

    def settle(self) -> None:
        """Apply every ACCEPTED change whose processing delay has passed (the HTTP app calls
        this before each answer, so every operation sees the same account); a drifting
        account makes the changes that are due first, and one that follows its journal takes
        the fixes another process saved to it meanwhile (``follow``)."""
        fresh = self.renewal() if self.renewal is not None else None
        if fresh is not None:
            self.renew(fresh)
        self._take_saved()
        if self.drift is not None:
            self.drift.advance(self)
        if not self._pending:
            return
        now = self._processing_clock()
        while self._pending and (self._pending[0].due <= now or self.processing_delay == 0):
            done = self._pending.pop(0)
            record = self._by_sku.get(done.sku)
            if record is not None:
                self._apply(record, done.attributes, self.now())

    @property
    def processing(self) -> frozenset[str]:
        """The SKUs with an ACCEPTED change Amazon has not applied yet."""
        return frozenset(p.sku for p in self._pending)

    def _apply(self, record: Record, attributes: dict[str, Any], at: datetime) -> None:
        before = self._look(record)
        record.attributes = attributes
        record.status_lag = False  # Amazon recomputes the status of a listing it processes
        record.last_updated = max(at, record.created)
        self._forget(record)
        self._notify(record, before)

    def _look(self, record: Record) -> ListingLook | None:
        """What notifications tell of the listing now (None: notifications are off)."""
        if self.outbox is None:
            return None
        state = self._state(record)
        return look(state.status if state.complete else (), state.issues)

    def _notify(self, record: Record, before: ListingLook | None, *, deleted: bool = False) -> None:
        if self.outbox is None or before is None:
            return
        after = (
            ListingLook((), before.severities, before.actions) if deleted else self._look(record)
        )
        assert after is not None
        self.outbox.changed(
            record.sku, record.asin, record.created, before, after, self.now(), deleted=deleted
        )

    def _document(self, record: Record) -> dict[str, Any]:
        """The listing's attributes as they will be once its pending changes are processed."""
        for pending in reversed(self._pending):
            if pending.sku == record.sku:
                return deep_copy(pending.attributes)
        return attributes_of(record, self.marketplace)

    # ---------------------------------------------------------------- internals
    def _record(self, sku: str) -> Record:
        record = self._by_sku.get(sku)
        if record is None:
            raise SandboxError(404, "NOT_FOUND", f"SKU '{sku}' not found.")
        return record

    def _forget(self, record: Record) -> None:
        self._derived.pop(record.index, None)

    def _state(self, record: Record, language: str | None = None) -> rules.Derived:
        """The listing as Amazon sees it now, its issue messages in ``language`` (default:
        the marketplace's)."""
        language = language or self.language
        by_language = self._derived.setdefault(record.index, {})
        derived = by_language.get(language)
        if derived is None:
            derived = rules.derive(record, self.marketplace, self._today, language)
            by_language[language] = derived
        return derived

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
        if sort_by not in SORT_KEYS:
            raise SandboxError(400, "InvalidInput", f"Invalid 'sortBy': {sort_by}.")
        if sort_order not in ("ASC", "DESC"):
            raise SandboxError(400, "InvalidInput", f"Invalid 'sortOrder': {sort_order}.")
        candidates: Iterable[Record] = (
            self._records
            if identifiers is None
            else self._identified(identifiers, identifiers_type)
        )
        windows = _DateWindows(
            created_after, created_before, last_updated_after, last_updated_before
        )
        matches = [r for r in candidates if windows.admits(r)]
        if with_status or without_status or with_issue_severity:
            matches = [
                r
                for r in matches
                if self._status_matches(
                    r, set(with_status), set(without_status), set(with_issue_severity)
                )
            ]
        matches.sort(key=SORT_KEYS[sort_by], reverse=sort_order == "DESC")
        return [r.sku for r in matches]

    def _status_matches(
        self, record: Record, with_status: set[str], without_status: set[str], severities: set[str]
    ) -> bool:
        state = self._state(record)
        status = set(state.status)
        return (
            with_status <= status
            and not (without_status & status)
            and (not severities or state.has_severity(severities))
        )

    def _identified(
        self, identifiers: Collection[str], identifiers_type: str | None
    ) -> list[Record]:
        if identifiers_type not in IDENTIFIER_TYPES:
            raise SandboxError(
                400,
                "InvalidInput",
                f"'identifiersType' must be one of {', '.join(sorted(IDENTIFIER_TYPES))} "
                "when 'identifiers' is given.",
            )
        wanted = set(identifiers)
        if identifiers_type == "SKU":
            return [self._by_sku[s] for s in wanted if s in self._by_sku]
        if identifiers_type == "ASIN":
            return [self._by_asin[a] for a in wanted if a in self._by_asin]
        key = {
            "FNSKU": lambda r: {r.fn_sku},
            "UPC": lambda r: {r.upc},
            "EAN": lambda r: {"0" + r.upc},
            "GTIN": lambda r: {"0" + r.upc, "00" + r.upc},
        }.get(identifiers_type)
        if key is None:  # ISBN, JAN, MINSAN: none of this seller's products have one
            return []
        return [r for r in self._records if key(r) & wanted]

    def item(
        self, sku: str, included_data: Collection[str], issue_locale: str | None = None
    ) -> dict[str, Any] | None:
        """The listings Item (`sku`, `summaries`, `attributes`, `issues`, `offers`,
        `fulfillmentAvailability`, `relationships`, `productTypes`) with only the requested
        includedData sections, issue messages in the language of `issue_locale` (default: the
        marketplace's); None if the SKU does not exist."""
        record = self._by_sku.get(sku)
        if record is None:
            return None
        state = self._state(record, language_of(issue_locale) if issue_locale else None)
        included = set(included_data) or {"summaries"}
        mid = self.marketplace.marketplace_id
        item: dict[str, Any] = {"sku": sku}
        if "summaries" in included:
            item["summaries"] = [self._summary(record, state)] if state.complete else []
        if "attributes" in included:
            item["attributes"] = attributes_of(record, self.marketplace)
        if "issues" in included:
            item["issues"] = deep_copy(list(state.issues))
        if "offers" in included:
            item["offers"] = self._offers(state)
        if "fulfillmentAvailability" in included:
            item["fulfillmentAvailability"] = self._fulfillment(record, state)
        if "relationships" in included:
            item["relationships"] = [{"marketplaceId": mid, "relationships": _relations(record)}]
        if "productTypes" in included:
            item["productTypes"] = [{"marketplaceId": mid, "productType": record.product_type}]
        if "procurement" in included:
            item["procurement"] = []  # vendor-only data; a seller account has none
        return item

    def _summary(self, record: Record, state: rules.Derived) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "marketplaceId": self.marketplace.marketplace_id,
            "asin": record.asin,
            "productType": record.product_type,
            "conditionType": state.condition,
            "status": list(state.status),
        }
        if state.fba and record.fn_sku:
            summary["fnSku"] = record.fn_sku
        if state.item_name:
            summary["itemName"] = state.item_name
        summary["createdDate"] = rules.iso(record.created)
        summary["lastUpdatedDate"] = rules.iso(record.last_updated)
        if state.main_image:
            summary["mainImage"] = {
                "link": state.main_image,
                "height": IMAGE_SIZE,
                "width": IMAGE_SIZE,
            }
        return summary

    def _offers(self, state: rules.Derived) -> list[dict[str, Any]]:
        if state.price is None or not state.complete:
            return []
        mp = self.marketplace
        offers = [
            {
                "marketplaceId": mp.marketplace_id,
                "offerType": "B2C",
                "price": {"currencyCode": mp.currency, "amount": str(state.price)},
                "audience": {"value": "ALL", "displayName": "Sell on Amazon"},
            }
        ]
        if state.business_price is not None:
            offers.append(
                {
                    "marketplaceId": mp.marketplace_id,
                    "offerType": "B2B",
                    "price": {"currencyCode": mp.currency, "amount": str(state.business_price)},
                    "audience": {"value": "B2B", "displayName": "Amazon Business"},
                }
            )
        return offers

    def _fulfillment(self, record: Record, state: rules.Derived) -> list[dict[str, Any]]:
        if state.fba:
            return [{"fulfillmentChannelCode": self.marketplace.fba_channel_code}]
        if state.mfn_quantity is None:
            return []
        return [{"fulfillmentChannelCode": "DEFAULT", "quantity": state.mfn_quantity}]

    def patch(
        self,
        sku: str,
        body: dict[str, Any],  # ListingsItemPatchRequest {productType, patches}
        *,
        preview: bool,  # mode=VALIDATION_PREVIEW: validate only, change nothing
        included_data: Collection[str] = ("issues",),
        issue_locale: str | None = None,  # the language of issue messages (default: marketplace's)
    ) -> dict[str, Any]:
        """ListingsItemSubmissionResponse {sku, status, submissionId, issues, identifiers?}.
        Preview: VALID or INVALID. Real: ACCEPTED (and the listing changes, status and issues
        recompute) or INVALID (nothing changes). Raises SandboxError(400) for a malformed body
        (no productType, patches not a list, a path that is not /attributes/<top-level>, ...),
        SandboxError(404) for an unknown SKU."""
        record = self._record(sku)
        language = language_of(issue_locale) if issue_locale else self.language
        accepted, issues = self._submit(
            record, body, preview=preview, at=self.now(), language=language
        )
        self._submissions += 1
        response: dict[str, Any] = {
            "sku": sku,
            "status": ("VALID" if preview else "ACCEPTED") if accepted else "INVALID",
            "submissionId": str(
                uuid.uuid5(_SUBMISSION_NAMESPACE, f"{self.seller_id}/{sku}/{self._submissions}")
            ),
        }
        if "issues" in included_data:
            response["issues"] = issues
        if "identifiers" in included_data and self._state(record).complete:
            response["identifiers"] = [
                {"marketplaceId": self.marketplace.marketplace_id, "asin": record.asin}
            ]
        return response

    def delete(self, sku: str) -> dict[str, Any]:
        """deleteListingsItem: the SKU's listing is gone from this marketplace (a change kept
        in the journal, so a restart deletes it again). ListingsItemSubmissionResponse
        {sku, status ACCEPTED, submissionId, issues}; an unknown SKU is a 400 (the model
        declares no 404 for this operation; its sandbox answers 'BadSKU' with a 400).
        A change of the SKU still processing is dropped with it."""
        record = self._by_sku.get(sku)
        if record is None:
            raise SandboxError(400, "InvalidInput", f"SKU '{sku}' not found.")
        before = self._look(record)
        self._remove(record)
        self._notify(record, before, deleted=True)
        self._submissions += 1
        self._journal(
            {
                "id": uuid.uuid4().hex,
                "sku": sku,
                "at": rules.iso(self.now()),
                "body": {"operation": DELETE_OPERATION},
            }
        )
        return {
            "sku": sku,
            "status": "ACCEPTED",
            "submissionId": str(
                uuid.uuid5(_SUBMISSION_NAMESPACE, f"{self.seller_id}/{sku}/{self._submissions}")
            ),
            "issues": [],
        }

    def _remove(self, record: Record) -> None:
        self._records.remove(record)
        del self._by_sku[record.sku]
        if self._by_asin.get(record.asin) is record:
            del self._by_asin[record.asin]
        self._pending = [p for p in self._pending if p.sku != record.sku]
        self._derived.pop(record.index, None)

    def _submit(
        self,
        record: Record,
        body: Any,
        *,
        preview: bool,
        at: datetime,
        change_id: str = "",
        language: str | None = None,
    ) -> tuple[bool, list[dict[str, Any]]]:
        """Validate (and unless `preview`, apply) one patch body: (accepted, issues). An
        applied patch is recorded as a change with `change_id` (a new one when empty)."""
        try:
            product_type, operations = parse_patch_body(body, schemas.PRODUCT_TYPES)
        except ValueError as exc:
            raise SandboxError(400, "InvalidInput", str(exc)) from None
        mid = self.marketplace.marketplace_id
        if product_type != record.product_type:
            issue = rules.make_issue(
                rules.ISSUES["product_type_mismatch"],
                mid,
                detail=f"'{product_type}' is not '{record.product_type}'",
                language=language or self.language,
            )
            return False, [issue]
        attributes, touched = apply_patches(
            self._document(record), operations, schemas.known_schema(product_type)
        )
        requirements = rules.requirements_of(record)
        violations = schemas.validate(
            product_type, attributes, only=touched, requirements=requirements
        )
        found = rules.issues_for_violations(
            violations,
            product_type,
            mid,
            requirements=requirements,
            language=language or self.language,
        )
        issues = [issue for _, issue in found]
        accepted = not any(i["severity"] == "ERROR" for i in issues)
        if accepted and not preview:
            if self.processing_delay > 0:
                due = self._processing_clock() + self.processing_delay
                self._pending.append(_Pending(due, record.sku, attributes))
            else:
                self._apply(record, attributes, at)
            self._journal(
                {
                    "id": change_id or uuid.uuid4().hex,
                    "sku": record.sku,
                    "at": rules.iso(at),
                    "body": deep_copy(body),
                }
            )
        return accepted, issues

    def _journal(self, change: dict[str, Any]) -> None:
        """Keep a change for ``save``, with its place in the drift (if the account drifts
        from a named origin): another process replays it there (``load_or_create``)."""
        if self.drift is not None and self.drift.origin:
            change[DRIFT_KEY] = {"origin": self.drift.origin, "count": self.drift.applied}
        self._changes.append(change)

    # ---------------------------------------------------------------- FBA inventory
    def inventory_summaries(self, skus: Collection[str] | None, details: bool) -> list[dict]:
        """InventorySummary objects (fbaInventory.json) for the given FBA SKUs (skus=None: all
        FBA SKUs, in a stable order). SKUs that are not FBA are left out."""
        if skus is None:
            records: Iterable[Record] = self._records
        else:
            records = [self._by_sku[s] for s in dict.fromkeys(skus) if s in self._by_sku]
        return [
            views.inventory_summary(record, self._state(record), details)
            for record in records
            if self._is_fba(record)
        ]

    def _is_fba(self, record: Record) -> bool:
        if record.attributes is None:  # as generated: no need to derive the whole listing
            return record.fba and not record.is_parent
        return self._state(record).fba

    # ---------------------------------------------------------------- restrictions
    def restrictions(self, asin: str, condition_type: str | None) -> list[dict]:
        """The `restrictions` list of a getListingsRestrictions answer ([] = may list)."""
        return views.restrictions(self._by_asin.get(asin), asin, condition_type, self.marketplace)

    # ---------------------------------------------------------------- product types
    def product_types(self) -> list[str]:
        return list(schemas.PRODUCT_TYPES)

    def product_type_definition(
        self, product_type: str, *, schema_url: str, meta_schema_url: str, requirements: str
    ) -> dict[str, Any] | None:
        """ProductTypeDefinition whose schema.link.resource is `schema_url` (served by the HTTP
        app) with a base64 MD5 checksum of the schema; None for an unknown product type."""
        return schemas.definition(
            product_type,
            self.marketplace,
            schema_url=schema_url,
            meta_schema_url=meta_schema_url,
            requirements=requirements,
        )

    def product_type_schema(
        self, product_type: str, requirements: str = "LISTING"
    ) -> dict[str, Any] | None:
        """The JSON Schema (Amazon meta-schema style: required, properties of arrays of objects,
        enum/enumNames, minLength/maxLength/maxUtf8ByteLength, minimum/maximum...) for the
        requirements set (LISTING, LISTING_PRODUCT_ONLY, LISTING_OFFER_ONLY)."""
        found = schemas.schema(product_type, requirements)
        return deep_copy(found) if found is not None else None

    # ---------------------------------------------------------------- catalog
    def catalog_item(self, asin: str, included_data: Collection[str]) -> dict[str, Any] | None:
        """Catalog Items 2022-04-01 Item; None when the ASIN was removed (the app answers 404)."""
        record = self._by_asin.get(asin)
        if record is None or record.catalog_removed:
            return None
        return views.catalog_item(
            record, self._by_sku, set(included_data) or {"summaries"}, self.marketplace
        )

    # ---------------------------------------------------------------- reports
    def merchant_listings_all_data(self) -> str:
        """GET_MERCHANT_LISTINGS_ALL_DATA as TSV text (header row + one row per SKU)."""
        return self.report_snapshot().merchant_listings_all_data()

    def inventory_planning_report(self) -> str:
        """GET_FBA_INVENTORY_PLANNING_DATA as TSV text (sandbox/sales.py)."""
        return self.report_snapshot().inventory_planning_report()

    def orders_report(self, start: datetime, end: datetime) -> str:
        """GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL for [start, end) as TSV text
        (sandbox/sales.py)."""
        return self.report_snapshot().orders_report(start, end)

    def report_snapshot(self) -> ReportSnapshot:
        """The listings and sales as they are now, for a report document built later, in
        another thread, while the account goes on changing (createReport answers at once,
        as Amazon does; the document is what the account held when it was requested)."""
        rows = []
        for record in self._records:
            state = self._state(record)
            copied = copy.copy(record)
            if record.stock is not None:
                copied.stock = copy.copy(record.stock)
            rows.append((copied, state))
        return ReportSnapshot(rows, self.sales.frozen(), self.marketplace, self.now())

    def sell(self, record: Record, quantity: int) -> None:
        """Customers buy ``quantity`` units now: they leave the listing's stock (FBA units
        available, or the merchant-fulfilled quantity) and show in the sales reports."""
        if record.fba:
            if record.stock is not None:
                record.stock.fulfillable = max(0, record.stock.fulfillable - quantity)
                record.last_updated = max(self.now(), record.created)
                self._forget(record)
        else:
            document = self._document(record)
            document["fulfillment_availability"] = [
                {**entry, "quantity": max(0, entry.get("quantity", 0) - quantity)}
                if entry.get("fulfillment_channel_code") == "DEFAULT"
                and isinstance(entry.get("quantity"), int)
                else entry
                for entry in document.get("fulfillment_availability") or []
            ]
            self.replace_document(record, document)
        self.sales.sell(record, quantity, self.now())

    def account_health_report(self) -> dict[str, Any]:
        """GET_V2_SELLER_PERFORMANCE_REPORT (accountHealthReport-2020-11-18.json): the account
        status, healthy order metrics, and one policy section per kind of policy issue the
        listings carry (BAD with their count; policies are Amazon's facts, no patch lifts one)."""
        return views.account_health_report(
            self._records,
            self.marketplace,
            self.account_status,
            self._today,
            self.seed,
            self.late_shipment_strain,
        )

    # ---------------------------------------------------------------- ground truth
    def intended_causes(self, sku: str) -> frozenset[str]:
        """The causes (sandbox.truth, named as the engine's finding codes) the generator meant this SKU to have,
        *as it is now* (after patches). Empty for a healthy listing. For tests only.
        VARIATION_PARENT marks a variation parent (never buyable by design, not a problem)."""
        return self._state(self._record(sku)).causes

    # ---------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """Persist the changes applied since generation (patches), atomically, keeping the
        ones another session saved meanwhile (journal.save merges)."""
        journal.save(path, self.params, self._changes)

    @classmethod
    def load_or_create(
        cls, path: Path, *, drift: Schedule | None = None, **kwargs: Any
    ) -> SandboxAccount:
        """Generate from kwargs, then replay the changes saved at `path` (if any; a corrupt
        file is moved aside to `<path>.corrupt-<timestamp>`, never silently overwritten, and
        ``notices`` says so). Raises OSError when the folder of `path` is unusable.

        ``drift``: the account drifts (sandbox/drift.py). A change saved during the same
        drift (its origin) is replayed after the drift changes that came before it, so every
        process that opens the account sees the account the one that saved it saw; the other
        changes come first."""
        account = cls(**kwargs)
        loaded = journal.load(Path(path))
        account.notices.extend(loaded.notices)
        saved = loaded.journal
        if saved is not None and saved.params != account.params.as_dict():
            log.info(
                "sandbox: replaying changes saved for %s onto %s", saved.params, account.params
            )
        changes = saved.changes if saved is not None else []
        if drift is None:
            for change in changes:
                account._replay(change)
            return account
        moving = drift.drift(account.seed)
        during = [(_drift_count(c, drift.origin), c) for c in changes]
        for count, change in during:
            if count is None:
                account._replay(change)
        for count, change in sorted(
            ((n, c) for n, c in during if n is not None), key=lambda pair: pair[0]
        ):
            moving.advance_to(account, count)
            account.drift = moving  # the replayed change keeps its place in the drift
            account._replay(change)
            account.drift = None
        account.drift = moving
        moving.advance(account)
        return account

    def renew(self, fresh: SandboxAccount) -> None:
        """Become ``fresh``, the account a process started now loads (the demo's new day:
        its drift starts over, its dates count from the new today), keeping what this one set
        up: notifications, the processing clock, the journal it follows, its notices. The HTTP
        app holds this object: it answers from the new account at once."""
        kept = {name: self.__dict__[name] for name in _KEPT_ON_RENEWAL}
        self.__dict__.update(fresh.__dict__)
        self.__dict__.update(kept)

    def follow(self, path: Path) -> None:
        """Take, before each answer, the changes another process (another `--demo`, `watch
        --demo`) saved to the journal at ``path`` since this account read it, so processes
        open at once see one account: a fix made in the app is what a running watch sees."""
        self._followed = Path(path)
        self._followed_seen = _signature(self._followed)

    def _take_saved(self) -> None:
        if self._followed is None:
            return
        seen = _signature(self._followed)
        if seen == self._followed_seen:
            return
        self._followed_seen = seen
        try:
            saved = journal.load(self._followed).journal
        except (OSError, TimeoutError):
            return  # not readable now: the next answer looks again
        if saved is None:
            return
        known = {journal.change_id(c) for c in self._changes}
        for change in saved.changes:
            if journal.change_id(change) in known:
                continue
            origin = self.drift.origin if self.drift is not None else ""
            count = _drift_count(change, origin)
            if self.drift is not None and count is not None:
                self.drift.advance_to(self, count)  # where it came in the other process
            self._replay(change)

    def _replay(self, change: dict[str, Any]) -> None:
        sku = change.get("sku")
        record = self._by_sku.get(sku) if isinstance(sku, str) else None
        if record is None:
            log.info("sandbox: skipped a saved change for unknown SKU %r", change.get("sku"))
            return
        if change.get("body") == {"operation": DELETE_OPERATION}:
            self._remove(record)
            self._changes.append(change)
            return
        try:
            at = _utc(datetime.fromisoformat(change["at"]))
            accepted, _ = self._submit(
                record, change["body"], preview=False, at=at, change_id=journal.change_id(change)
            )
        except (SandboxError, KeyError, TypeError, ValueError):
            accepted = False
        if not accepted:
            log.info("sandbox: skipped a saved change for %s that no longer applies", record.sku)


#: What an account keeps of itself when it renews (the rest is the fresh account's).
_KEPT_ON_RENEWAL = (
    "outbox",
    "processing_delay",
    "_processing_clock",
    "_followed",
    "_followed_seen",
    "notices",
    "account_status",
    "renewal",
)


def _signature(path: Path) -> tuple[int, int] | None:
    """When the file last changed and its size (None: not there, or not readable)."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _drift_count(change: dict[str, Any], origin: str) -> int | None:
    """How many drift changes came before ``change`` (None: it was not saved during the drift
    that started at ``origin``, or says nothing usable about it)."""
    place = change.get(DRIFT_KEY)
    if not isinstance(place, dict) or place.get("origin") != origin or not origin:
        return None
    count = place.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        return None
    return count


class _DateWindows:
    """createdAfter/Before and lastUpdatedAfter/Before filters."""

    def __init__(self, *bounds: str | None) -> None:
        created_after, created_before, updated_after, updated_before = (
            _parse_iso(b) for b in bounds
        )
        self._created = (created_after, created_before)
        self._updated = (updated_after, updated_before)

    def admits(self, record: Record) -> bool:
        return _within(record.created, *self._created) and _within(
            record.last_updated, *self._updated
        )


def _within(moment: datetime, after: datetime | None, before: datetime | None) -> bool:
    return (after is None or moment >= after) and (before is None or moment <= before)


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _utc(datetime.fromisoformat(value))
    except ValueError:
        raise SandboxError(
            400, "InvalidInput", f"{value!r} is not an ISO 8601 date-time."
        ) from None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _relations(record: Record) -> list[dict[str, Any]]:
    if not (record.child_skus or record.parent_sku):
        return []
    relation: dict[str, Any] = {"type": "VARIATION"}
    if record.child_skus:
        relation["childSkus"] = list(record.child_skus)
    else:
        relation["parentSkus"] = [record.parent_sku]
    theme = record.variation_theme or "COLOR"
    relation["variationTheme"] = {
        "attributes": [a.lower() for a in theme.split("/")],
        "theme": theme,
    }
    return [relation]
