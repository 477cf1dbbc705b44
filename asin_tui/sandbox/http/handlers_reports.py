"""Reports API 2021-06-30 (createReport, getReport, getReportDocument), per
reports_2021-06-30.json, and the presigned document downloads its answers link to.

A report's status is worked out from its age at each look, on the sandbox clock: IN_QUEUE for
``REPORT_QUEUE_SECONDS``, IN_PROGRESS for ``REPORT_PROCESSING_SECONDS``, then DONE (the app's
:class:`ReportTiming`). Its document is what the account held when it was requested: createReport
takes a snapshot of the account (cheap) and answers at once, as Amazon does; the document is
built from the snapshot in a thread of its own, outside the sandbox's lock, so a big account's
report (the orders of 15,000 listings: seconds of work) never holds up the other calls. A report
whose document is not built yet stays IN_PROGRESS past its processing time. The sandbox keeps
the last ``REPORTS_KEPT`` reports; an older one is answered 404, as an expired one is.
"""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asin_tui.sandbox.http.context import SandboxContext
from asin_tui.sandbox.http.router import RouteSpec
from asin_tui.sandbox.http.wire import (
    JSON,
    TSV,
    Request,
    SandboxResponse,
    base_headers,
    epoch,
    invalid,
    iso,
    iso_value,
    json_response,
    not_found,
    s3_error,
)
from asin_tui.sandbox.sales import (
    FBA_PLANNING_REPORT,
    ORDERS_CONTENT_TYPE,
    ORDERS_ENCODING,
    ORDERS_REPORT,
)

# Durations in sandbox seconds: divided by time_scale in real time.
DOCUMENT_URL_LIFETIME = 300.0  # Amazon's presigned URLs last five minutes
#: ... and, in real seconds, never less than this: five minutes are far longer than a client
#: takes from asking for a document's URL to downloading it, but at the tests' time scale
#: (1000x) they are 0.3 s, which a loaded machine can take (a late download refused 403).
DOCUMENT_URL_REAL_SECONDS = 10.0
REPORT_QUEUE_SECONDS = 1.0
REPORT_PROCESSING_SECONDS = 2.0
MERCHANT_LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
ACCOUNT_HEALTH_REPORT = "GET_V2_SELLER_PERFORMANCE_REPORT"
SUPPORTED_REPORT_TYPES = frozenset(
    {MERCHANT_LISTINGS_REPORT, ACCOUNT_HEALTH_REPORT, FBA_PLANNING_REPORT, ORDERS_REPORT}
)
#: The orders report's default period when createReport names none.
ORDERS_DEFAULT_DAYS = 30
#: Reports (with their documents) the sandbox keeps; the oldest is dropped past this, so a
#: sandbox that runs for weeks (the demo under `watch`) holds a bounded number of documents.
REPORTS_KEPT = 64
#: How long (real seconds) a look at a report whose processing time is over waits for its
#: document to be built before it answers IN_PROGRESS: a small account's report is built
#: within it, so its status follows ReportTiming exactly.
BUILD_WAIT = 0.5

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReportTiming:
    """How long Amazon takes to prepare a report, in sandbox seconds: IN_QUEUE for ``queue``,
    IN_PROGRESS for ``processing``, then DONE (``SandboxApp(report_timing=…)``); how long a
    look waits for a document still being built; how many reports are kept. Read at each
    look, so whoever holds it may change it while the sandbox runs: a test holds reports
    back, then lets every one, also one requested earlier, be done at the next look."""

    queue: float = REPORT_QUEUE_SECONDS
    processing: float = REPORT_PROCESSING_SECONDS
    #: real seconds a look past the processing time waits for the document (BUILD_WAIT)
    build_wait: float = BUILD_WAIT
    #: reports the sandbox keeps, the oldest dropped past this (REPORTS_KEPT)
    kept: int = REPORTS_KEPT


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
    document: bytes | None = None  # None until built (or when the build failed)
    content_type: str = TSV
    built: threading.Event = field(default_factory=threading.Event)
    built_wall: float = 0.0
    failed: bool = False  # the document could not be built: FATAL, as Amazon answers


def _build(report: _Report, build: Callable[[], tuple[bytes, str]], wall: Callable[[], float]):
    try:
        report.document, report.content_type = build()
    except Exception:  # a sandbox bug: the report is FATAL, the server goes on
        log.exception("sandbox: the %s report could not be built", report.report_type)
        report.failed = True
    report.built_wall = wall()
    report.built.set()


@dataclass(slots=True)
class _DocumentUrl:
    document_id: str
    issued: float


class ReportsHandlers:
    def __init__(self, ctx: SandboxContext, timing: ReportTiming) -> None:
        self._ctx = ctx
        self._timing = timing
        self._reports: dict[str, _Report] = {}
        self._report_ids = itertools.count(50_000_000_001)
        self._document_urls: dict[str, _DocumentUrl] = {}

    def routes(self) -> list[RouteSpec]:
        reports = "/reports/2021-06-30"
        return [
            ("GET", "/sandbox/documents/{token}", None, self.document_file),
            ("POST", f"{reports}/reports", "createReport", self.create_report),
            ("GET", f"{reports}/reports/{{reportId}}", "getReport", self.get_report),
            (
                "GET",
                f"{reports}/documents/{{reportDocumentId}}",
                "getReportDocument",
                self.get_report_document,
            ),
        ]

    def create_report(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        ctx = self._ctx
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
        ctx.check_marketplace_ids(marketplace_ids)
        now = iso(ctx.wall_clock())
        report_id = str(next(self._report_ids))
        data_end = iso_value(spec.get("dataEndTime"), "dataEndTime") or now
        data_start = iso_value(spec.get("dataStartTime"), "dataStartTime")
        if data_start is None and report_type == ORDERS_REPORT:
            data_start = iso(epoch(data_end) - ORDERS_DEFAULT_DAYS * 86400)
        data_start = data_start or now
        if epoch(data_start) > epoch(data_end):
            raise invalid("'dataStartTime' must be before 'dataEndTime'.")
        build = self._report_builder(report_type, data_start, data_end)
        report = _Report(
            report_id=report_id,
            report_type=report_type,
            marketplace_ids=marketplace_ids,
            data_start=data_start,
            data_end=data_end,
            created_clock=ctx.clock(),
            created_wall=ctx.wall_clock(),
            document_id=f"amzn1.spdoc.1.4.{ctx.account.marketplace.region}.{uuid.uuid4()}",
        )
        self._reports[report_id] = report
        while len(self._reports) > self._timing.kept:  # the oldest first (insertion order)
            del self._reports[next(iter(self._reports))]
        threading.Thread(
            target=_build,
            args=(report, build, ctx.wall_clock),
            name=f"sandbox-report-{report_id}",
            daemon=True,
        ).start()
        return json_response(202, {"reportId": report_id})

    def _report_builder(
        self, report_type: str, start: str, end: str
    ) -> Callable[[], tuple[bytes, str]]:
        """Called under the sandbox's lock: a snapshot of what the report needs, and the
        function that builds its document (and content type) from it in another thread."""
        account = self._ctx.account
        if report_type == ACCOUNT_HEALTH_REPORT:
            document = json.dumps(account.account_health_report()).encode("utf-8")
            return lambda: (document, JSON)
        snapshot = account.report_snapshot()
        if report_type == FBA_PLANNING_REPORT:
            return lambda: (snapshot.inventory_planning_report().encode("utf-8"), TSV)
        if report_type == ORDERS_REPORT:
            period = (_moment(start), _moment(end))

            def orders() -> tuple[bytes, str]:
                text = snapshot.orders_report(*period)
                return text.encode(ORDERS_ENCODING, errors="replace"), ORDERS_CONTENT_TYPE

            return orders
        return lambda: (snapshot.merchant_listings_all_data().encode("utf-8"), TSV)

    def get_report(self, _request: Request, params: dict[str, str]) -> SandboxResponse:
        report = self._reports.get(params["reportId"])
        if report is None:
            raise not_found(f"Report '{params['reportId']}' not found.")
        return json_response(200, self._report_body(report))

    def _report_body(self, report: _Report) -> dict[str, Any]:
        age = self._ctx.sandbox_seconds_since(report.created_clock)
        body: dict[str, Any] = {
            "reportId": report.report_id,
            "reportType": report.report_type,
            "marketplaceIds": report.marketplace_ids,
            "dataStartTime": report.data_start,
            "dataEndTime": report.data_end,
            "createdTime": iso(report.created_wall),
            "processingStatus": "IN_QUEUE",
        }
        queue = self._timing.queue
        done_after = queue + self._timing.processing
        if age >= queue:
            body["processingStatus"] = "IN_PROGRESS"
            body["processingStartTime"] = self._report_time(report, queue)
        if age >= done_after and report.built.wait(self._timing.build_wait):
            ended = max(self._report_time(report, done_after), iso(report.built_wall))
            body["processingEndTime"] = ended
            if report.failed:
                body["processingStatus"] = "FATAL"
            else:
                body["processingStatus"] = "DONE"
                body["reportDocumentId"] = report.document_id
        return body

    def _report_time(self, report: _Report, sandbox_seconds: float) -> str:
        return iso(report.created_wall + sandbox_seconds / self._ctx.time_scale)

    def get_report_document(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        document_id = params["reportDocumentId"]
        report = next((r for r in self._reports.values() if r.document_id == document_id), None)
        if report is None or self._report_body(report)["processingStatus"] != "DONE":
            raise not_found(f"Report document '{document_id}' not found.")
        now = self._ctx.clock()
        self._document_urls = {
            token: url for token, url in self._document_urls.items() if not self._expired(url)
        }
        token = secrets.token_urlsafe(24)
        self._document_urls[token] = _DocumentUrl(document_id, now)
        url = f"{request.base_url}/sandbox/documents/{token}"
        return json_response(200, {"reportDocumentId": document_id, "url": url})

    def _expired(self, url: _DocumentUrl) -> bool:
        """Past Amazon's lifetime in sandbox seconds and the floor in real ones."""
        return (
            self._ctx.sandbox_seconds_since(url.issued) > DOCUMENT_URL_LIFETIME
            and self._ctx.clock() - url.issued > DOCUMENT_URL_REAL_SECONDS
        )

    def document_file(self, _request: Request, params: dict[str, str]) -> SandboxResponse:
        url = self._document_urls.get(params["token"])
        if url is None:
            return s3_error(403, "AccessDenied", "Access Denied")
        if self._expired(url):
            return s3_error(403, "AccessDenied", "Request has expired")
        report = next((r for r in self._reports.values() if r.document_id == url.document_id), None)
        if report is None or report.document is None:  # dropped since (REPORTS_KEPT)
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        headers = base_headers(report.content_type)
        return SandboxResponse(200, headers, report.document)


def _moment(iso_text: str) -> datetime:
    return datetime.fromtimestamp(epoch(iso_text), tz=UTC)
