"""Typed SP-API errors: what went wrong, in words a seller can act on, never with a secret in them.

Every failure that leaves :mod:`asin_tui.spapi.client` is an :class:`SpApiError` subclass carrying
the operation, the HTTP status, Amazon's error code and message, and the ``x-amzn-RequestId``
(what Amazon support asks for). ``retryable`` tells the client whether backing off and trying
again can help (throttling, 5xx, timeouts, broken connections, truncated bodies).
"""

from __future__ import annotations

from collections.abc import Iterable

from asin_tui.domain.redact import redact


class SpApiError(Exception):
    """A request to Selling Partner API that did not give a usable answer."""

    retryable = False
    summary = "SP-API request failed"

    def __init__(
        self,
        message: str,
        *,
        operation: str = "",
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.status = status
        self.code = code
        self.request_id = request_id
        self.attempts = 1  # set by the client when it gave up after retrying
        #: A write (a real patch, a delete) that may have reached Amazon and got no answer
        #: (a timeout, a 5xx, a connection lost after sending): whether Amazon took it is
        #: unknown, so the client did not send it again; look at the listing before resending.
        self.unanswered = False

    def redact(self, secrets: Iterable[str]) -> None:
        """Mask ``secrets`` in every encoding, and any LWA token, in what Amazon sent back
        (an upstream message may echo the request that carried them)."""
        self.message = redact(self.message, secrets)
        self.code = redact(self.code, secrets) if self.code else self.code
        self.args = (self.message,)

    def __str__(self) -> str:
        where = f"{self.operation}: " if self.operation else ""
        status = f"HTTP {self.status} " if self.status else ""
        code = f"{cut_text(self.code, MAX_CODE)}: " if self.code else ""
        rid = f" (request id {cut_text(self.request_id, MAX_CODE)})" if self.request_id else ""
        tries = f" [gave up after {self.attempts} tries]" if self.attempts > 1 else ""
        # LWA tokens are masked by their shape even where redact() was never called (a
        # token cut by _cut keeps its shape's start); known secrets were masked whole
        message = cut_text(self.message, MAX_MESSAGE)
        return redact(f"{where}{self.summary}: {status}{code}{message}{rid}{tries}")


#: The most of an error's message (and of its code, its request id) its line shows. Amazon's
#: run to a few hundred characters; a proxy or a broken answer once gave 1 MB of 'message'
#: and 'details', and the one line was 1.1 MB (on stderr, in the app's status line).
MAX_MESSAGE = 1000
MAX_CODE = 100


def cut_text(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text``'s first ``limit`` characters, and how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


class AuthError(SpApiError):
    """Amazon refused the credentials (the LWA token call, or a 401). Not retryable."""

    summary = "Amazon refused the credentials"


class CredentialsMissing(AuthError):
    """The profile lacks a credential: nothing was sent to Amazon."""

    summary = "credentials missing, nothing was sent to Amazon"


class Forbidden(SpApiError):
    """403 on a data call: the credentials are fine, but the application may not use this
    operation (its SP-API role is missing). Only that operation fails; not retryable."""

    summary = "not authorised for this application (missing SP-API role?)"


class LinkRefused(SpApiError):
    """403 on the download of a presigned link (a report document's, a schema's): the link
    expired (a machine that slept or a download that waited too long) or this machine's
    clock is far off. Never a missing role: the link itself carries the authorisation. The
    same link cannot work again; a new one is asked for instead. How long a link lasts is
    told only where Amazon documents it (:func:`link_refused_summary`)."""

    summary = "the download link was refused (expired, or this machine's clock is far off)"


#: What a refused link is told as, by the kind of link (LinkRefused.summary). Amazon
#: documents a report document's URL as expiring after 5 minutes (reports_2021-06-30's
#: ReportDocument.url); a product type schema's link (definitionsProductTypes_2020-09-01's
#: SchemaLink) has no documented lifetime: none is claimed for it.
LINK_REFUSED = {
    "report": "the download link was refused (expired: report links last five minutes)",
    "schema": (
        "the schema's download link was refused (expired, or this machine's clock is far "
        "off; Amazon gives no lifetime for schema links)"
    ),
}


class NotFound(SpApiError):
    summary = "not found"


class BadRequest(SpApiError):
    summary = "Amazon rejected the request"


class Throttled(SpApiError):
    """429 QuotaExceeded; after the retries are used up it is final."""

    retryable = True
    summary = "throttled by Amazon (quota exceeded)"


class Unavailable(SpApiError):
    """5xx, timeout or a broken connection."""

    retryable = True
    summary = "SP-API is unavailable"


class MalformedResponse(SpApiError):
    """A body that is not the JSON Amazon documents (truncated, not JSON, wrong shape)."""

    retryable = True
    summary = "malformed answer from SP-API"


class DocumentTooLarge(MalformedResponse):
    """A document (a report, a schema) larger than asin-tui reads, downloaded or unpacked:
    not asked for again."""

    retryable = False
    summary = "document too large"


class PagesLoop(MalformedResponse):
    """Amazon gave back a page token it had already given in the same walk through the
    pages: following it would ask for the same pages for ever. Not asked again."""

    retryable = False
    summary = "Amazon's pages go round in a loop (a page token came back a second time)"


def next_page(tokens: set[str], token: str, operation: str) -> None:
    """Note ``token`` as followed in this walk through an operation's pages (``tokens``: the
    ones followed so far); raises PagesLoop when Amazon gave it before."""
    if not isinstance(token, str):  # a list or an object would not even be a set's key
        raise MalformedResponse("the next page's token is not text", operation=operation)
    if token in tokens:
        raise PagesLoop(f"after {len(tokens) + 1} pages", operation=operation)
    tokens.add(token)


class RetryableBadRequest(BadRequest):
    """A 400 Amazon is known to give spuriously (searchListingsItems pageToken mismatch,
    amzn/selling-partner-api-models#4977); retrying after a short wait usually works."""

    retryable = True


def error_for_status(
    status: int,
    message: str,
    *,
    operation: str = "",
    code: str | None = None,
    request_id: str | None = None,
) -> SpApiError:
    """The typed error for an HTTP error answer."""
    cls: type[SpApiError]
    if status == 401:
        cls = AuthError
    elif status == 403:
        cls = Forbidden
    elif status == 404:
        cls = NotFound
    elif status == 429:
        cls = Throttled
    elif status in (408, 500, 502, 503, 504):
        cls = Unavailable
    elif status == 400 and _is_page_token_mismatch(message):
        cls = RetryableBadRequest
    elif 400 <= status < 500:
        cls = BadRequest
    else:
        cls = SpApiError
    return cls(message, operation=operation, status=status, code=code, request_id=request_id)


def _is_page_token_mismatch(message: str) -> bool:
    return "pagetoken" in message.lower().replace(" ", "")
