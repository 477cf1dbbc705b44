"""The Account Health report alongside a sync: request it, look at it a few times, hand a
report Amazon is still preparing to the next sync."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asin_tui.spapi.calls import ReportRequest
from asin_tui.spapi.errors import (
    AuthError,
    NotFound,
    SpApiError,
    Throttled,
    Unavailable,
)
from asin_tui.spapi.sync.model import HEALTH_CHECKS

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    from asin_tui.spapi.client import SpApi


class AccountHealthWatch:
    """Follows the Account Health report without anyone waiting for it.

    :meth:`watch` looks at ``pending`` (a report requested earlier) up to ``checks`` times,
    pausing longer each time; when there is none, or Amazon no longer knows it (reports
    expire), it requests a new one if ``request``. Its fields say where it stands at any
    moment, also after the watch was cancelled (the listings were done first):
    ``document`` (the report, when Amazon was done with it), ``pending`` (still being
    prepared: look again later) and ``error`` (why it could not be had). Refused credentials
    raise AuthError.
    """

    def __init__(
        self,
        api: SpApi,
        pending: ReportRequest | None,
        *,
        request: bool = True,
        checks: int = HEALTH_CHECKS,
    ) -> None:
        self._api = api
        self._request = request
        self._checks = checks
        self.pending = pending
        self.document: dict[str, Any] | None = None
        self.error: str | None = None

    async def watch(self) -> None:
        try:
            if self.pending is not None:
                try:
                    await self._look(self.pending)
                    return
                except NotFound:
                    self.pending = None  # expired (or never this account's): ask again
            if self._request:
                self.pending = await self._api.request_account_health()
                await self._look(self.pending)
        except SpApiError as exc:
            if isinstance(exc, AuthError):
                raise
            if not isinstance(exc, (Throttled, Unavailable)):
                self.pending = None  # Amazon will not produce it: a later sync asks again
            self.error = str(exc)

    async def _look(self, request: ReportRequest) -> None:
        check = await self._api.check_account_health(request.report_id, checks=self._checks)
        if not check.pending:
            self.pending = None
            self.document = check.document
