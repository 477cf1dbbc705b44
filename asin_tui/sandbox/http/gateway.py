"""The gateway in front of every SP-API operation: access token, injected faults, usage-plan
quota, then the operation; its refusals become SP-API error bodies and a bug a logged 500.

Order as Amazon's gateway answers: 403 for a bad token (before any quota is spent), 403 for an
operation the application's roles do not cover (``forbidden``: every operation's model lists
403 "Access Denied, Unauthorized…"; Amazon answers a missing role with code Unauthorized,
"Access to requested resource is denied."), 429 when the caller is over its quota, and the
operation's own answer with ``x-amzn-RateLimit-Limit``.
"""

from __future__ import annotations

import logging

from asin_tui.sandbox.account import SandboxError
from asin_tui.sandbox.faults import Fault, FaultInjector
from asin_tui.sandbox.http.auth import UNAUTHORIZED, AccessTokens
from asin_tui.sandbox.http.router import Route
from asin_tui.sandbox.http.wire import (
    ApiError,
    Request,
    SandboxResponse,
    error_response,
    with_headers,
)
from asin_tui.sandbox.ratelimit import USAGE_PLANS, QuotaEnforcer, rate_limit_header

log = logging.getLogger("asin_tui.sandbox.app")
log.addHandler(logging.NullHandler())  # never let a library log reach a TUI screen

QUOTA_EXCEEDED = "You exceeded your quota for the requested resource."
# Operations whose own refusals (400/404) are a bare JSON array of errors, as their model's
# ErrorList and Amazon's sandbox answer it; python-amazon-sp-api does not raise for those.
# Gateway answers (403, 429, 500, 503) keep the {"errors": [...]} shape everywhere.
BARE_ERROR_LIST_OPERATIONS = frozenset({"getListingsRestrictions"})
#: Operations that take a grantless token (LWA's client_credentials grant) and only it: the
#: Notifications API's destinations (notifications.json: "The createDestination API is
#: grantless").
GRANTLESS_OPERATIONS = frozenset({"createDestination", "getDestinations"})


class Gateway:
    def __init__(
        self,
        seller_id: str,
        tokens: AccessTokens,
        limiter: QuotaEnforcer,
        faults: FaultInjector | None,
        forbidden: frozenset[str] = frozenset(),
    ) -> None:
        self._seller_id = seller_id
        self._tokens = tokens
        self._limiter = limiter
        self._faults = faults
        self._forbidden = forbidden

    def dispatch(self, route: Route, request: Request, params: dict[str, str]) -> SandboxResponse:
        """Gateway work first (auth, faults, quota), then the operation itself."""
        if route.operation is None:
            return run(route, request, params, {})
        rate_header = {"x-amzn-RateLimit-Limit": rate_limit_header(USAGE_PLANS[route.operation])}
        problem = self._tokens.problem(
            request.headers.get("x-amz-access-token"),
            grantless=route.operation in GRANTLESS_OPERATIONS,
        )
        if problem is not None:
            denied = ApiError(403, "Unauthorized", UNAUTHORIZED, problem)
            return error_response(denied, rate_header)
        if route.operation in self._forbidden:  # the application lacks the operation's role
            return error_response(ApiError(403, "Unauthorized", UNAUTHORIZED), rate_header)
        fault = self._faults.draw() if self._faults else None
        if (fault and fault.kind == "429") or not self._limiter.try_acquire(
            route.operation, self._seller_id
        ):
            return error_response(ApiError(429, "QuotaExceeded", QUOTA_EXCEEDED))
        if fault and fault.kind in ("500", "503"):
            return error_response(server_fault(fault), rate_header)
        return apply_fault(fault, run(route, request, params, rate_header))


def run(
    route: Route, request: Request, params: dict[str, str], headers: dict[str, str]
) -> SandboxResponse:
    """The route's answer; a refusal becomes its error body, a bug a logged 500."""
    try:
        response = route.handler(request, params)
    except (ApiError, SandboxError) as exc:
        bare = route.operation in BARE_ERROR_LIST_OPERATIONS
        return error_response(exc, headers, bare=bare)
    except Exception:
        log.exception("sandbox: %s %s failed", request.method, route.operation or "route")
        failure = ApiError(500, "InternalFailure", "We encountered an internal error.")
        return error_response(failure, headers)
    return with_headers(response, headers)


def server_fault(fault: Fault) -> ApiError:
    if fault.kind == "503":
        return ApiError(503, "ServiceUnavailable", "Service is temporarily unavailable.")
    return ApiError(500, "InternalFailure", "We encountered an internal error. Please try again.")


def apply_fault(fault: Fault | None, response: SandboxResponse) -> SandboxResponse:
    if fault is None:
        return response
    if fault.kind == "slow":
        return SandboxResponse(response.status, response.headers, response.body, fault.delay)
    if fault.kind == "truncate" and response.status == 200:
        return SandboxResponse(
            response.status, response.headers, response.body[: len(response.body) // 2]
        )
    return response
