"""The Selling Partner API client: python-amazon-sp-api's async clients, made dependable.

:class:`SpApi` wraps the operations asin-tui needs and returns their raw JSON bodies (typed
objects are made by :mod:`asin_tui.spapi.parse`). Around every call it adds what the library
leaves to its users:

- a token bucket per operation (:mod:`asin_tui.spapi.ratelimit`), corrected from
  ``x-amzn-RateLimit-Limit``;
- a deadline per attempt (the async transport sends ``timeout=None``, i.e. waits forever);
- bounded retries with jittered exponential backoff on 429, 5xx, timeouts, broken connections
  and truncated JSON;
- typed errors (:mod:`asin_tui.spapi.errors`), also for error bodies the library does not raise
  for (no ``errors`` key, a bare list, not JSON at all), never with a secret in the message;
- comma-joined list parameters, an explicit ``marketplaceIds`` on every call (so the library
  adds none of its four marketplace keys), and a correct ``Host`` header for ``http://``
  endpoints;
- an LWA token client per profile: its own token endpoint and a token cache key covering the
  endpoint and the whole credential set (the library keys its global cache on the refresh
  token alone, so a wrong secret could reuse a token fetched with the right one).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import json
import os
import random
import re
import ssl
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlsplit

import httpx
import sp_api.asyncio.base  # noqa: F401  before .auth: they import each other, base first works
from sp_api.asyncio.auth import AccessTokenClient
from sp_api.asyncio.auth.access_token_client import cache as _token_cache
from sp_api.asyncio.base._transport_httpx import AsyncHttpxTransport
from sp_api.auth.access_token_response import AccessTokenResponse
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import ApiResponse
from sp_api.base.credential_provider import FromCodeCredentialProvider, MissingCredentials
from sp_api.base.exceptions import SellingApiException

from asin_tui.spapi.calls import (
    CATALOG_SEARCH_MAX,
    PENDING_STATUSES,
    ReportCheck,
    ReportRequest,
    WaitListener,
    WaitNotice,
)
from asin_tui.spapi.errors import (
    LINK_REFUSED,
    AuthError,
    BadRequest,
    CredentialsMissing,
    DocumentTooLarge,
    LinkRefused,
    MalformedResponse,
    NotFound,
    SpApiError,
    Throttled,
    Unavailable,
    error_for_status,
    next_page,
)
from asin_tui.spapi.library import (  # the library's clients, without the other ~45
    CatalogItemsV20220401,
    Inventories,
    ListingsItems,
    ListingsRestrictions,
    Notifications,
    ProductTypeDefinitions,
    Reports,
)
from asin_tui.spapi.parse import DIAGNOSIS_SECTIONS, UnreadableBody, finite_number
from asin_tui.spapi.ratelimit import Backoff, RateLimiter, SharedRates, TokenBucket
from asin_tui.spapi.reports import (
    FBA_PLANNING_REPORT,
    MAX_DOCUMENT_BYTES,
    ORDERS_REPORT,
    BadDocument,
    DocumentTooBig,
    LineTooLong,
    ReportDocument,
    table,
    too_large_text,
)
from asin_tui.spapi.settings import ClientSettings

DEFAULT_TIMEOUT = 30.0
#: Presigned links of one report document tried before giving up (each refused one, expired
#: before its download: getReportDocument asked again for a new one)
DOCUMENT_LINK_TRIES = 3
#: Schema links of one product type tried before giving up (each refused one: the definition
#: asked for again, which carries a new link)
SCHEMA_LINK_TRIES = 3
LWA_TOKEN_ENDPOINT = "https://api.amazon.com/auth/o2/token"
#: An access token is used until this many seconds before LWA says it expires (the library
#: keeps the hour's tokens 3,200 s: the same margin).
TOKEN_MARGIN = 400.0
#: How long an LWA access token lasts, at most (LWA answers expires_in 3600): a longer
#: expires_in is not believed — a child handed the token would call with it after it expired.
TOKEN_LIFETIME = 3600.0
#: A token handed to another process (AccessToken) has at least this long left to be used.
TOKEN_HANDOVER_MIN = 60.0

#: Everything a diagnosis can use from a listings Item.
LISTING_DATA = DIAGNOSIS_SECTIONS
CATALOG_DATA = ("summaries", "productTypes", "relationships", "identifiers")
MERCHANT_LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
ACCOUNT_HEALTH_REPORT = "GET_V2_SELLER_PERFORMANCE_REPORT"
#: How progress and error messages name each report asin-tui requests.
REPORT_NAMES = {
    MERCHANT_LISTINGS_REPORT: "listings report",
    ACCOUNT_HEALTH_REPORT: "account health report",
    FBA_PLANNING_REPORT: "FBA inventory planning report",
    ORDERS_REPORT: "orders report",
}


#: A pending report's processingStatus in a seller's words (the sync's status line)
REPORT_STATES = {"IN_QUEUE": "queued", "IN_PROGRESS": "started"}

T = TypeVar("T")

#: The largest answer read from SP-API or Login with Amazon (a page of listings is well under
#: 1 MB; report documents and schemas are downloads, MAX_DOCUMENT_BYTES): a body without end
#: (a broken proxy) stops here instead of taking the machine's memory.
MAX_ANSWER_BYTES = 64 << 20


# --------------------------------------------------------------------------- transport


class _Transport(AsyncHttpxTransport):
    """The library's async transport with a real timeout, a proper Host header and strict
    checking of SP-API answers (an error status or a body that is not JSON always raises)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        timeout: float,
        max_document: int = MAX_DOCUMENT_BYTES,
        max_answer: int = MAX_ANSWER_BYTES,
    ) -> None:
        super().__init__(client=client)
        self._timeout = httpx.Timeout(timeout)
        self.max_document = max_document
        self.max_answer = max_answer

    async def request(
        self, method, url, *, params=None, data=None, content=None, headers=None, timeout=None
    ):
        headers = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
        sent = self._client.build_request(
            method,
            _dot_segments_kept(url),
            params=params,
            data=data,
            content=content,
            headers=headers,
            timeout=self._timeout,
        )
        response = await self._client.send(sent, stream=True)
        try:  # at most max_answer bytes: a body without end would take the memory
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self.max_answer:
                    raise MalformedResponse(
                        f"the answer is larger than {self.max_answer >> 20} MB: not read"
                        " further (no answer of SP-API's is that large)",
                        status=response.status_code,
                    )
        finally:
            await response.aclose()
        response._content = bytes(body)  # as httpx's own read() keeps it
        _unbound(response)
        if "x-amz-access-token" in headers:  # an SP-API call (not LWA, not a download)
            _check_answer(response)
            response = _whole_text_answer(response)
        elif isinstance(data, Mapping) and "grant_type" in data:  # a token request to LWA
            _check_token_answer(response)
        return response

    async def download(self, url: str) -> bytes:
        """GET a presigned URL (report document, product type schema): no SP-API headers.
        At most ``max_document`` bytes are read (MalformedResponse past them, the rest not
        fetched)."""
        async with self._client.stream("GET", url, timeout=self._timeout) as response:
            if response.status_code >= 400:
                raise _download_error(response.status_code, url)
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > self.max_document:
                    raise _too_large(
                        f"the download of {urlsplit(url).path or 'a document'}", self.max_document
                    )
        return bytes(data)

    async def download_file(self, url: str) -> BinaryIO:
        """``download`` into an unnamed temporary file (0600, gone once closed), a chunk at a
        time: a report document of tens of MB is never held whole (httpx's ``content``
        holds its chunks and then their join: twice its size at once)."""
        sink = tempfile.TemporaryFile()  # noqa: SIM115 - the caller reads and closes it
        try:
            async with self._client.stream("GET", url, timeout=self._timeout) as response:
                if response.status_code >= 400:
                    raise _download_error(response.status_code, url)
                written = 0
                async for chunk in response.aiter_bytes():
                    written += len(chunk)
                    if written > self.max_document:  # never fills the disk
                        raise _too_large(
                            f"the download of {urlsplit(url).path or 'a document'}",
                            self.max_document,
                        )
                    sink.write(chunk)
            sink.seek(0)
        except BaseException:
            sink.close()
            raise
        return sink


def _download_error(status: int, url: str) -> SpApiError:
    """The typed error for a presigned link's download answered ``status``: a 403 is the link
    refused (expired), never a missing role (the link carries its own authorisation)."""
    message = f"download of {urlsplit(url).path or 'a document'} failed"
    if status == 403:
        return LinkRefused(message, status=status)
    return error_for_status(status, message)


#: What a read response's stream becomes (:func:`_unbound`).
_READ = httpx.ByteStream(b"")


def _dot_segments_kept(url: str) -> str:
    """``url`` with a path segment that is ``.`` or ``..`` written ``%2E`` / ``%2E%2E``. The
    library quotes a SKU into the path, and quoting leaves dots: a SKU "." or ".." made a
    segment every URL parser removes (RFC 3986), so getListingsItem('.') asked
    searchListingsItems (/items/{seller}) and '..' a path of no operation. No SP-API path
    has such a segment of its own."""
    path, mark, rest = url.partition("?")
    if "/." not in path:
        return url
    scheme, sep, tail = path.partition("://")
    segments = tail.split("/")
    kept = [
        {".": "%2E", "..": "%2E%2E"}.get(part, part) if i else part
        for i, part in enumerate(segments)
    ]
    return f"{scheme}{sep}{'/'.join(kept)}{mark}{rest}"


def _unbound(response: httpx.Response) -> httpx.Response:
    """``response`` (read and closed: its body is in ``content``) without the stream httpx
    bound to it: that stream holds the response, a reference cycle only the collector's full
    passes free — with the connection pool's objects it holds, ~45 objects a call, which a
    batch of 2,000 rows (6,000 calls) would leave for full passes to walk and free (pauses
    of every thread, the UI's too; memory held until then)."""
    if response.is_closed:
        response.stream = _READ
    return response


def _loads(data: bytes | str, what: str) -> Any:
    """``json.loads``; JSON nested deeper than Python can read (``[[[[…]]]]`` 100,000 deep:
    a RecursionError otherwise) is MalformedResponse naming ``what``. ValueError as usual.
    A lone surrogate escaped in it is U+FFFD (:func:`_without_lone_surrogates`)."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise MalformedResponse(f"{what} is JSON nested too deeply to read") from None
    if _has_surrogate_escape(data):
        value = _without_lone_surrogates(value)
    return value


#: A JSON escape of a UTF-16 surrogate (\ud800-\udfff). A pair is one character; a lone one
#: (a string cut between a pair's halves: Java's strings are UTF-16) decodes to a code point
#: no UTF-8 can carry, and SQLite, a URL or a terminal stream raise on it.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate_escape(data: bytes | str) -> bool:
    if isinstance(data, bytes):
        return _SURROGATE_ESCAPE_BYTES.search(data) is not None
    return _SURROGATE_ESCAPE.search(data) is not None


def _without_lone_surrogates(value: Any) -> Any:
    """Decoded JSON ``value`` with every lone surrogate in its strings and keys replaced by
    U+FFFD, as a UTF-8 decoder shows a character it cannot read (a listing whose SKU held
    one made every sync an internal error: the cache could not store it). Changed in place;
    walked without recursion (the JSON may nest as deep as json reads)."""

    def whole(text: str) -> str:
        return _LONE_SURROGATE.sub("\ufffd", text)

    if isinstance(value, str):
        return whole(value)
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            items = list(node.items())
            node.clear()
            for key, item in items:
                if isinstance(item, str):
                    item = whole(item)
                elif isinstance(item, dict | list):
                    pending.append(item)
                node[whole(key) if isinstance(key, str) else key] = item
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = whole(item)
                elif isinstance(item, dict | list):
                    pending.append(item)
    return value


def _whole_text_answer(response: httpx.Response) -> httpx.Response:
    """``response`` (an SP-API answer already checked to be JSON), or the same answer with
    each lone surrogate in it written as U+FFFD when it holds one (the library reads the
    body itself)."""
    content = response.content
    if not _has_surrogate_escape(content):
        return response
    value = _without_lone_surrogates(json.loads(content))
    headers = [
        (name, text)
        for name, text in response.headers.multi_items()
        if name.lower() not in ("content-length", "content-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=json.dumps(value).encode(),
        request=response.request,
    )


def _check_answer(response: httpx.Response) -> None:
    """Raise the typed error for an SP-API answer that is not a usable success."""
    request_id = response.headers.get("x-amzn-RequestId")
    status = response.status_code
    try:
        body = _loads(response.content, "the answer") if response.content.strip() else {}
    except ValueError:
        if status >= 400:
            raise error_for_status(  # (the error's text names the status itself)
                status,
                f"its body is not JSON ({len(response.content)} bytes: an error page?)",
                request_id=request_id,
            ) from None
        raise MalformedResponse(
            f"the answer ({len(response.content)} bytes) is not valid JSON;"
            " it was probably cut off",
            status=status,
            request_id=request_id,
        ) from None
    if isinstance(body, dict):
        errors = body.get("errors")
    elif status >= 400:  # a bare list is an error list (restrictions 400)
        errors = body
    else:  # a success that is a list, a string, a number, null: not an answer (a proxy's?)
        raise MalformedResponse(
            "the answer is not a JSON object", status=status, request_id=request_id
        )
    if status < 400 and not errors:
        return
    code, message = _first_error(errors)
    raise error_for_status(
        status,
        message or f"HTTP {status} without an error description",
        code=code,
        request_id=request_id,
    )


#: The environment variables that name the certificates HTTPS trusts (OpenSSL's, httpx's).
CERTIFICATE_ENV = ("SSL_CERT_FILE", "SSL_CERT_DIR")


def _http_client() -> httpx.AsyncClient:
    """httpx's client, trusting the system's certificates (or those SSL_CERT_FILE names).
    One that cannot be made — SSL_CERT_FILE naming a file gone, a folder, a file of no
    certificate (a stale setting of another tool) — is one SpApiError naming the variable:
    OpenSSL's own words were all a seller saw ('asin-tui: No such file or directory')."""
    try:
        return httpx.AsyncClient()
    except OSError as exc:  # ssl.SSLError is one (a file of no certificate)
        named = [f"{name}={os.environ[name]}" for name in CERTIFICATE_ENV if os.environ.get(name)]
        reason = "no certificate found in them" if isinstance(exc, ssl.SSLError) else exc.strerror
        where = f" ({', '.join(named)})" if named else ""
        error = SpApiError(
            f"the trusted certificates cannot be loaded: {reason}{where}; nothing was sent"
        )
        error.summary = "cannot set up HTTPS"
        raise error from None


def _check_token_answer(response: httpx.Response) -> None:
    """Raise the typed error for an answer to a token request the library cannot use, before
    it reads it: an outage page (5xx, 429: retried), another error that is not JSON (refused),
    a success without a string ``access_token`` (the library would send it as a header and
    fail with a TypeError, or cache it). An error with a JSON body is left to the library
    (its AuthorizationError carries LWA's ``error`` and ``error_description``). The error's
    summary names Login with Amazon: it is not SP-API that failed."""
    status = response.status_code
    try:
        body = _loads(response.content, "the token endpoint's answer")
    except ValueError:
        body = None
    error: SpApiError
    if status != 200:
        if isinstance(body, dict):
            return
        if status >= 500 or status == 429:  # its status is said before the message
            error = error_for_status(status, "the token endpoint's answer is not a JSON object")
            error.summary = "Login with Amazon is unavailable"
        else:
            error = AuthError(
                f"the token endpoint answered HTTP {status} with a body that is not a JSON object"
            )
            error.summary = "Login with Amazon refused the token request"
        raise error
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        shape = "a JSON object" if isinstance(body, dict) else "not a JSON object"
        error = MalformedResponse(f"the token endpoint answered with no access token ({shape})")
        error.summary = "malformed answer from Login with Amazon"
        raise error
    if not _sendable_token(token):  # never the token itself in the line: it is a secret
        error = MalformedResponse(
            "the token endpoint answered with an access token that cannot be sent "
            f"(not {MAX_ACCESS_TOKEN:,} characters of plain ASCII at most)"
        )
        error.summary = "malformed answer from Login with Amazon"
        raise error


#: The longest access token sent: LWA's are well under 2,048 characters; a header past a
#: few kilobytes is refused by the server anyway.
MAX_ACCESS_TOKEN = 8192


def _sendable_token(token: str) -> bool:
    """An access token that can go in the ``x-amz-access-token`` header as it is: visible
    ASCII only (a non-ASCII one made httpx raise UnicodeEncodeError out of every call, an
    internal error; CR/LF or NUL would be refused by the HTTP layer on each try), bounded."""
    return (
        len(token) <= MAX_ACCESS_TOKEN
        and token.isascii()
        and token.isprintable()
        and (" " not in token)
    )


def _first_error(errors: Any) -> tuple[str | None, str]:
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return None, ""
    first = errors[0]
    message = str(first.get("message") or "")
    if first.get("details"):
        message = f"{message} ({first['details']})"
    code = first.get("code")
    return (str(code) if code else None), message


# --------------------------------------------------------------------------- LWA


def _token_client_class(token_endpoint: str | None) -> type[AccessTokenClient]:
    """An AccessTokenClient for ``token_endpoint`` whose cache key covers the whole profile."""
    parts = urlsplit(token_endpoint or LWA_TOKEN_ENDPOINT)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AuthError(f"token_endpoint {token_endpoint!r} is not an http(s) URL")
    token_url = f"{parts.scheme}://{parts.netloc}{parts.path or '/auth/o2/token'}"

    class ProfileTokenClient(AccessTokenClient):
        #: another client's token to call with until it is spent (SpApi.use_access_token)
        handed: AccessToken | None = None
        scheme = f"{parts.scheme}://"
        host = parts.netloc
        path = parts.path or "/auth/o2/token"

        def _get_cache_key(self, token_flavor: str = "") -> str:
            material = "\0".join(
                (
                    token_url,
                    token_flavor,
                    self.cred.client_id or "",
                    self.cred.client_secret or "",
                    self.cred.refresh_token or "",
                )
            )
            return "access_token_" + hashlib.sha256(material.encode()).hexdigest()

        async def _request(self, url: str, data: Any, headers: Any) -> dict[str, Any]:
            answer = await super()._request(url, data, headers)
            if isinstance(answer, dict):  # when it came: how long it may be used (handed_over)
                answer = {**answer, "fetched_at": time.time()}
            return answer

        async def get_auth(self) -> AccessTokenResponse:
            given = self.handed
            if given is not None:
                if time.time() < given.usable_until:
                    return AccessTokenResponse(access_token=given.token, token_type="bearer")
                self.handed = None  # spent: LWA is asked, as without it
            return await super().get_auth()

    return ProfileTokenClient


@dataclasses.dataclass(frozen=True, slots=True)
class AccessToken:
    """An LWA access token one client hands another of the same profile (the app's client to
    its sync's child process, over the child's stdin): never printed, never logged."""

    token: str = dataclasses.field(repr=False)
    usable_until: float  # epoch seconds

    def __str__(self) -> str:
        return "AccessToken(…)"


# --------------------------------------------------------------------------- the client


class SpApi:
    """One seller account in one marketplace. Use ``async with`` or call :meth:`aclose`.

    ``calls`` counts requests sent per operation (retries included: each one spends quota),
    ``throttled`` the 429s received, ``waited`` the seconds spent waiting per operation.
    """

    def __init__(
        self,
        settings: ClientSettings,
        *,
        http_client: httpx.AsyncClient | None = None,
        limiter: RateLimiter | None = None,
        backoff: Backoff | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        max_document: int = MAX_DOCUMENT_BYTES,
        max_answer: int = MAX_ANSWER_BYTES,
    ) -> None:
        missing = settings.missing_credentials()
        if missing:
            raise CredentialsMissing("set " + "; ".join(missing))
        self.settings = settings
        self.marketplace = settings.marketplace
        self.seller_id = settings.seller_id
        self.timeout = settings.timeout or DEFAULT_TIMEOUT
        self.limiter = limiter or RateLimiter()
        time_scale = self.limiter.time_scale
        self.backoff = backoff or Backoff().scaled(time_scale)
        self._report_poll = (2.0 / time_scale, 60.0 / time_scale)  # first and longest pause
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._secrets = settings.credentials.secret_values()
        self.calls: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.waited: defaultdict[str, float] = defaultdict(float)  # seconds, not a count
        self.listeners: list[WaitListener] = []
        self._token_generation = 0  # how many times a refused access token was dropped
        #: the largest report document read, downloaded or unpacked (reports.MAX_DOCUMENT_BYTES)
        self._transport = _Transport(
            http_client or _http_client(), self.timeout, max_document, max_answer
        )
        self._build_clients(settings)

    def _build_clients(self, settings: ClientSettings) -> None:
        marketplace = SimpleNamespace(
            endpoint=(settings.endpoint or settings.marketplace.endpoint).rstrip("/"),
            marketplace_id=settings.marketplace.marketplace_id,
            region=settings.marketplace.aws_region,
        )
        options = {
            # Each library client builds its own transports; they are replaced below by the
            # one shared, verifying transport and never send anything. verify=False only
            # spares building a dozen SSL contexts (~0.3 s) for them.
            "verify": False,
            "credentials": settings.credentials.as_dict(),
            "credential_providers": (FromCodeCredentialProvider,),
            "auth_token_client_class": _token_client_class(settings.token_endpoint),
        }
        self._listings = ListingsItems(marketplace, **options)
        self._inventory = Inventories(marketplace, **options)
        self._restrictions = ListingsRestrictions(marketplace, **options)
        self._definitions = ProductTypeDefinitions(marketplace, **options)
        self._catalog = CatalogItemsV20220401(marketplace, **options)
        self._reports = Reports(marketplace, **options)
        self._notifications = Notifications(marketplace, **options)
        auth = self._listings._auth
        auth._transport = self._transport
        clients = (
            self._listings,
            self._inventory,
            self._restrictions,
            self._definitions,
            self._catalog,
            self._reports,
            self._notifications,
        )
        for client in clients:
            # SP_API_DEFAULT_MARKETPLACE would override the marketplace passed in: undo that.
            client.endpoint = marketplace.endpoint
            client.marketplace_id = marketplace.marketplace_id
            client.region = marketplace.region
            client._transport = self._transport
            client._auth = auth  # one token fetch (and one lock) for all of them

    async def __aenter__(self) -> SpApi:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()
        self.limiter.close()

    def access_token(self) -> AccessToken | None:
        """The LWA access token this client holds, when it has TOKEN_HANDOVER_MIN seconds or
        more left to be used (for a child process of the same profile: ``use_access_token``);
        None when it holds none (it is never fetched for this)."""
        auth = self._listings._auth
        now = time.time()
        handed = getattr(auth, "handed", None)
        if handed is not None and handed.usable_until - now >= TOKEN_HANDOVER_MIN:
            return handed
        answer = _token_cache.get(auth._get_cache_key())
        if not isinstance(answer, dict):
            return None
        token, fetched, lifetime = (
            answer.get("access_token"),
            answer.get("fetched_at"),
            answer.get("expires_in"),
        )
        if not isinstance(token, str) or not isinstance(fetched, float):
            return None
        if not finite_number(lifetime):  # '1e400' reads as inf: handed on for ever
            return None
        until = fetched + min(float(lifetime), TOKEN_LIFETIME) - TOKEN_MARGIN
        return AccessToken(token, until) if until - now >= TOKEN_HANDOVER_MIN else None

    def _renew_access_token(self, generation: int) -> None:
        """Forget the access token a call was refused with (the one handed over, and the one
        the library keeps for the profile), so the next call asks LWA for a new one. Calls
        refused with the same token meanwhile (sent at the same ``generation``) renew it once
        between them, not once each."""
        if generation != self._token_generation:
            return  # another call renewed it already
        self._token_generation += 1
        auth = self._listings._auth
        if hasattr(auth, "handed"):
            auth.handed = None
        _token_cache.pop(auth._get_cache_key(), None)

    def use_access_token(self, token: AccessToken) -> None:
        """Call with ``token`` (another client's: ``access_token``) until it is used up, then
        with a token of its own from LWA."""
        auth = self._listings._auth
        if hasattr(auth, "handed"):
            auth.handed = token

    @property
    def marketplace_id(self) -> str:
        return self.marketplace.marketplace_id

    # ----------------------------------------------------------------- the call wrapper

    async def _call(
        self,
        operation: str,
        request: Callable[[], Awaitable[ApiResponse]],
        *,
        write: bool = False,
        on_send: Callable[[], Awaitable[None]] | None = None,
    ) -> ApiResponse:
        """One SP-API operation: paced by its bucket, bounded in time, retried when that helps.
        ``write``: the call changes the account (a real patch, a delete): see _with_retries.
        ``on_send``: awaited once, when the request is about to leave (its rate token had):
        what it raises stops the call, nothing sent."""
        bucket = self.limiter.bucket(operation)
        response = await self._with_retries(
            operation, request, bucket, write=write, on_send=on_send
        )
        bucket.set_rate(response.rate_limit)
        return response

    async def _with_retries(
        self,
        operation: str,
        send: Callable[[], Awaitable[T]],
        bucket: TokenBucket | None = None,
        *,
        write: bool = False,
        on_send: Callable[[], Awaitable[None]] | None = None,
    ) -> T:
        """``write``: a failure after which Amazon may have taken the request (a timeout, a
        5xx, a connection lost once it was sent) is not retried: sending a write again blind
        could apply it twice. It is raised at once, ``unanswered``, for the caller to look
        at the listing first. A 429 (Amazon refused it) and a connection never made are
        retried as for any call."""
        renewed = False  # the access token was renewed for this call once already
        attempt = 0
        while attempt < self.backoff.tries:
            attempt += 1
            if bucket is not None:  # a burst's first call holds the refill until answered
                self.waited[operation] += await bucket.acquire(until_answered=True)
            self.calls[operation] += 1
            generation = self._token_generation
            try:
                if on_send is not None:  # the first request is about to leave
                    ready, on_send = on_send, None
                    await ready()
                return await asyncio.wait_for(send(), self.timeout)
            except _FAILURES as exc:
                error = self._classify(operation, exc)
                if _token_refused(exc, error, operation):
                    if renewed:  # a token LWA has just issued, refused too: nothing to loop on
                        raise _refused_again(error, attempt) from None
                    # expired or revoked before its time (a token handed over by another
                    # process, one kept by the library): Amazon refused the call at its
                    # gateway, so it is sent again, once, with a new token from LWA
                    renewed = True
                    self._renew_access_token(generation)
                    attempt -= 1
                    continue
                if write and error.retryable and _maybe_taken(exc, error):
                    error.attempts, error.unanswered = attempt, True
                    raise error from None
            finally:
                if bucket is not None:
                    bucket.answered()
            if not error.retryable or attempt == self.backoff.tries:
                error.attempts = attempt
                raise error from None
            throttled = isinstance(error, Throttled)
            if throttled:
                self.throttled[operation] += 1
                if bucket is not None:
                    bucket.drain()
            delay = self.backoff.delay(attempt - 1, self._rng)
            reason = "throttled" if throttled else "retry"
            await self._wait(WaitNotice(operation, delay, reason, error.summary))
        raise AssertionError("Backoff.tries must be at least 1")

    async def _wait(self, notice: WaitNotice, *, announce: bool = True) -> None:
        if announce:
            for listener in self.listeners:
                listener(notice)
        self.waited[notice.operation] += notice.seconds
        await self._sleep(notice.seconds)

    def _classify(self, operation: str, exc: BaseException) -> SpApiError:
        """The typed error for whatever a call raised; secrets scrubbed from the message."""
        error = _to_error(exc, self.timeout)
        error.operation = operation
        error.redact(self._secrets)
        return error

    # ----------------------------------------------------------------- listings items

    def _params(self, **params: Any) -> dict[str, Any]:
        """Query parameters as SP-API wants them: lists comma-joined, empty ones dropped,
        the marketplace always explicit (so the library adds none of its own)."""
        wire: dict[str, Any] = {"marketplaceIds": self.marketplace_id}
        for key, value in params.items():
            if isinstance(value, (list, tuple, set, frozenset)):
                value = ",".join(value)
            if value is not None and value != "":
                wire[key] = value
        return wire

    async def check_credentials(self) -> None:
        """Exchange the refresh token for an access token at LWA, nothing more: AuthError
        when Amazon refuses the credentials, Unavailable when LWA cannot be reached."""
        try:
            await asyncio.wait_for(self._listings._auth.get_auth(), self.timeout)
        except _FAILURES as exc:
            error = _to_error(exc, self.timeout)
            error.redact(self._secrets)
            raise error from None

    async def search_listings(
        self,
        *,
        included_data: Sequence[str] = LISTING_DATA,
        page_size: int = 20,
        **filters: Any,
    ) -> dict[str, Any]:
        """searchListingsItems. ``filters`` use SP-API's names (``withoutStatus``,
        ``identifiers``, ``createdAfter``, ``pageToken``...); list values are comma-joined.
        Returns ``{"numberOfResults", "items", "pagination"}``."""
        params = self._params(
            includedData=list(included_data),
            issueLocale=self.settings.issue_locale,
            pageSize=page_size,
            **filters,
        )
        response = await self._call(
            "searchListingsItems",
            lambda: self._listings.search_listings_items(self.seller_id, **params),
        )
        body = dict(_payload(response, "searchListingsItems"))
        body.setdefault("items", [])
        body["pagination"] = response.pagination or {}
        if not isinstance(body["items"], list):
            raise MalformedResponse("'items' is not a list", operation="searchListingsItems")
        if not isinstance(body["pagination"], dict):
            raise MalformedResponse(
                "'pagination' is not an object", operation="searchListingsItems"
            )
        return body

    async def get_listing(
        self, sku: str, included_data: Sequence[str] = LISTING_DATA
    ) -> dict[str, Any]:
        """getListingsItem: the listings Item. Raises NotFound for an unknown SKU."""
        params = self._params(
            includedData=list(included_data), issueLocale=self.settings.issue_locale
        )
        response = await self._call(
            "getListingsItem",
            lambda: self._listings.get_listings_item(self.seller_id, sku, **params),
        )
        return _payload(response, "getListingsItem")

    async def patch_listing(
        self,
        sku: str,
        product_type: str,
        patches: Sequence[Mapping[str, Any]],
        *,
        preview: bool,
        on_send: Callable[[], Awaitable[None]] | None = None,
    ) -> dict[str, Any]:
        """patchListingsItem; ``preview`` validates only (mode=VALIDATION_PREVIEW).
        Returns the ListingsItemSubmissionResponse: check its ``status`` and ``issues``.
        ``on_send``: see :meth:`_call` (the bulk engine saves a real submit there)."""
        params = self._params(
            includedData=["issues", "identifiers"],
            issueLocale=self.settings.issue_locale,
            mode="VALIDATION_PREVIEW" if preview else None,
        )
        body = {"productType": product_type, "patches": [dict(p) for p in patches]}
        response = await self._call(
            "patchListingsItem",
            lambda: self._listings.patch_listings_item(self.seller_id, sku, body=body, **params),
            write=not preview,
            on_send=on_send,
        )
        return _payload(response, "patchListingsItem")

    async def delete_listing(self, sku: str) -> dict[str, Any]:
        """deleteListingsItem: the offer of ``sku`` in the profile's marketplace is deleted
        (Amazon processes it like a submission). Returns the ListingsItemSubmissionResponse:
        check its ``status`` and ``issues``."""
        params = self._params(issueLocale=self.settings.issue_locale)
        response = await self._call(
            "deleteListingsItem",
            lambda: self._listings.delete_listings_item(self.seller_id, sku, **params),
            write=True,
        )
        return _payload(response, "deleteListingsItem")

    # ----------------------------------------------------------------- evidence

    async def inventory_summaries(self, skus: Sequence[str]) -> dict[str, Any]:
        """getInventorySummaries (details=true) for up to 50 SKUs: the payload
        ``{"granularity", "inventorySummaries"}`` with every page followed. A SKU containing
        a comma cannot travel in the comma-joined ``sellerSkus``: it is asked on its own
        (``sellerSku``)."""
        if not 0 < len(skus) <= 50:
            raise ValueError("getInventorySummaries takes 1 to 50 SKUs")
        if len(skus) == 1 and "," in skus[0]:
            params = self._params(details="true", sellerSku=skus[0])
        elif any("," in sku for sku in skus):
            raise ValueError("a SKU containing a comma must be asked for on its own")
        else:
            params = self._params(details="true", sellerSkus=list(skus))
        summaries: list[Any] = []
        payload: dict[str, Any] = {}
        next_token = None
        tokens: set[str] = set()
        while True:
            page_params = {**params, "nextToken": next_token} if next_token else params
            response = await self._call(
                "getInventorySummaries",
                functools.partial(self._inventory.get_inventory_summary_marketplace, **page_params),
            )
            payload = _payload(response, "getInventorySummaries")
            page = payload.get("inventorySummaries", [])
            if not isinstance(page, list):
                raise MalformedResponse(
                    "'inventorySummaries' is not a list", operation="getInventorySummaries"
                )
            summaries.extend(page)
            next_token = response.next_token
            if not next_token:
                return {**payload, "inventorySummaries": summaries}
            next_page(tokens, next_token, "getInventorySummaries")

    async def restrictions(self, asin: str, condition_type: str | None = None) -> dict[str, Any]:
        """getListingsRestrictions: ``{"restrictions": [...]}`` ([] = the seller may list)."""
        params = self._params(
            asin=asin,
            sellerId=self.seller_id,
            conditionType=condition_type,
            reasonLocale=self.settings.issue_locale,
        )
        response = await self._call(
            "getListingsRestrictions",
            lambda: self._restrictions.get_listings_restrictions(**params),
        )
        return _payload(response, "getListingsRestrictions")

    async def search_catalog_items(self, asins: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """searchCatalogItems 2022-04-01 by ASIN, CATALOG_SEARCH_MAX to a call: each ASIN's
        catalog Item, None when this marketplace does not have it (an ASIN missing from the
        answer: what getCatalogItem's 404 says)."""
        unique = list(dict.fromkeys(asins))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(unique), CATALOG_SEARCH_MAX):
            for item in await self._search_catalog(unique[start : start + CATALOG_SEARCH_MAX]):
                found[item["asin"]] = item
        return {asin: found.get(asin) for asin in unique}

    async def _search_catalog(self, asins: Sequence[str]) -> list[dict[str, Any]]:
        """One identifier search, every page of it followed."""
        params = self._params(
            identifiers=list(asins),
            identifiersType="ASIN",
            includedData=list(CATALOG_DATA),
            pageSize=CATALOG_SEARCH_MAX,
        )
        items: list[dict[str, Any]] = []
        page_token = None
        tokens: set[str] = set()
        while True:
            page_params = {**params, "pageToken": page_token} if page_token else params
            response = await self._call(
                "searchCatalogItems",
                functools.partial(self._catalog.search_catalog_items, **page_params),
            )
            page = _payload(response, "searchCatalogItems").get("items")
            if not isinstance(page, list) or not all(
                isinstance(item, dict) and isinstance(item.get("asin"), str) for item in page
            ):
                raise MalformedResponse(
                    "'items' is not a list of items with an ASIN", operation="searchCatalogItems"
                )
            items.extend(page)
            page_token = response.next_token
            if not page_token:
                return items
            next_page(tokens, page_token, "searchCatalogItems")

    async def product_type(
        self, product_type: str, requirements: str = "LISTING"
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """getDefinitionsProductType and its JSON Schema (downloaded from the definition's
        link, cached on disk by checksum): ``(definition, schema)``. The link is presigned:
        one refused (403: expired before the download got to it — a machine that slept, a
        download that waited behind others) cannot work again, so the definition is asked
        for afresh with a new link, at most ``SCHEMA_LINK_TRIES`` links in all; then
        LinkRefused says so."""
        params = self._params(
            sellerId=self.seller_id,
            requirements=requirements,
            requirementsEnforced="ENFORCED",
            locale="DEFAULT",
        )
        tries = 0
        while True:
            tries += 1
            response = await self._call(
                "getDefinitionsProductType",
                lambda: self._definitions.get_definitions_product_type(product_type, **params),
            )
            definition = _payload(response, "getDefinitionsProductType")
            try:
                return definition, await self._schema(product_type, definition)
            except LinkRefused as exc:  # never the same link again: a new one, or give up
                if tries >= SCHEMA_LINK_TRIES:
                    exc.operation, exc.attempts = "getDefinitionsProductType", tries
                    raise

    async def _schema(self, product_type: str, definition: Mapping[str, Any]) -> dict[str, Any]:
        schema_ref = definition.get("schema")
        link = schema_ref.get("link") if isinstance(schema_ref, Mapping) else None
        url = link.get("resource") if isinstance(link, Mapping) else None
        checksum = schema_ref.get("checksum") if isinstance(schema_ref, Mapping) else None
        if not isinstance(url, str) or not url:
            raise MalformedResponse(
                f"the {product_type} definition has no schema link",
                operation="getDefinitionsProductType",
            )
        cache = self.settings.schema_cache if checksum else None
        if cache is not None and checksum:
            schema = cache.read(product_type, checksum)
            if schema is not None:
                return schema
        try:
            schema = await self._download_json(url, f"{product_type} schema")
        except LinkRefused as exc:
            exc.summary = LINK_REFUSED["schema"]  # not the five minutes of a report's link
            raise
        if cache is not None and checksum:
            cache.write(product_type, checksum, schema)
        return schema

    async def _download_json(self, url: str, what: str) -> dict[str, Any]:
        """Download a JSON object from a presigned URL, retrying transient failures."""

        async def fetch() -> dict[str, Any]:
            try:
                document = _loads(await self._transport.download(url), what)
            except ValueError:
                raise MalformedResponse(
                    f"{what} is not valid JSON; it was probably cut off"
                ) from None
            if not isinstance(document, dict):
                raise MalformedResponse(f"{what} is not a JSON object")
            return document

        return await self._with_retries("download", fetch)

    # ----------------------------------------------------------------- notifications

    async def notification_destinations(self) -> list[dict[str, Any]]:
        """getDestinations (grantless: an LWA token of the client_credentials grant, scope
        sellingpartnerapi::notifications): the application's destinations."""
        answer = await self._call("getDestinations", lambda: self._notifications.get_destinations())
        payload = answer.payload
        if payload in (None, {}):  # the library's reading of an empty list
            return []
        if not isinstance(payload, list):
            raise MalformedResponse("the destinations are not a list", operation="getDestinations")
        return [d for d in payload if isinstance(d, dict)]

    async def create_eventbridge_destination(
        self, name: str, account_id: str, region: str
    ) -> dict[str, Any]:
        """createDestination (grantless) of an Amazon EventBridge resource: the new
        Destination (destinationId, resource.eventBridge.name: the partner event source)."""
        answer = await self._call(
            "createDestination",
            lambda: self._notifications.create_destination(
                name=name, account_id=account_id, region=region
            ),
            write=True,
        )
        return _payload(answer, "createDestination")

    async def notification_subscription(self, notification_type: str) -> dict[str, Any] | None:
        """getSubscription for the seller: the Subscription, or None when there is none."""
        try:
            answer = await self._call(
                "getSubscription",
                lambda: self._notifications.get_subscription(notification_type),
            )
        except NotFound:
            return None
        return _payload(answer, "getSubscription")

    async def create_notification_subscription(
        self, notification_type: str, destination_id: str, payload_version: str
    ) -> dict[str, Any]:
        """createSubscription for the seller: the new Subscription."""
        answer = await self._call(
            "createSubscription",
            lambda: self._notifications.create_subscription(
                notification_type, destination_id=destination_id, payload_version=payload_version
            ),
            write=True,
        )
        return _payload(answer, "createSubscription")

    # ----------------------------------------------------------------- reports

    async def merchant_listings(self) -> list[dict[str, str]]:
        """Every listing of the seller via GET_MERCHANT_LISTINGS_ALL_DATA: one dict per TSV row
        (keys are the report's column headers: ``seller-sku``, ``asin1``, ``status``...).
        Waits for Amazon to prepare the report (the listings are what the caller needs)."""
        request = await self.request_report(MERCHANT_LISTINGS_REPORT)
        check = await self.await_report(request.report_id, MERCHANT_LISTINGS_REPORT)
        return _tsv_rows(check.document) if check.document is not None else []

    async def request_account_health(self) -> ReportRequest:
        """Ask Amazon for the GET_V2_SELLER_PERFORMANCE_REPORT (Account Health); look at it
        later with :meth:`check_account_health`."""
        return await self.request_report(ACCOUNT_HEALTH_REPORT)

    async def check_account_health(self, report_id: str, *, checks: int = 1) -> ReportCheck:
        """Look at a requested Account Health report up to ``checks`` times, never announcing
        the pauses in between (nobody waits for it): pending, or DONE with its JSON document
        (None when Amazon cancelled it: no data). Parse the document with
        :func:`asin_tui.spapi.parse.parse_account_health`. Raises NotFound when Amazon no
        longer knows the report (expired), SpApiError when it could not produce it."""
        check = await self.await_report(
            report_id, ACCOUNT_HEALTH_REPORT, checks=checks, announce=False
        )
        if check.document is None:
            return check
        try:
            document = _loads(check.document.lstrip("\ufeff"), "the account health report")
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise MalformedResponse(
                "the account health report is not a JSON object", operation="getReportDocument"
            )
        return dataclasses.replace(check, document=document)

    async def request_report(
        self, report_type: str, *, data_start: datetime | None = None
    ) -> ReportRequest:
        """createReport for this marketplace: the new report's id, and when it was asked for.
        ``data_start``: the start of the report's period (an orders report's dataStartTime)."""
        spec: dict[str, Any] = {"reportType": report_type, "marketplaceIds": [self.marketplace_id]}
        if data_start is not None:
            spec["dataStartTime"] = data_start.astimezone(UTC).isoformat(timespec="seconds")
        created = await self._call("createReport", lambda: self._reports.create_report(**spec))
        return ReportRequest(_required(created, "reportId", "createReport"), datetime.now(UTC))

    async def await_report(
        self,
        report_id: str,
        report_type: str,
        *,
        checks: int | None = None,
        announce: bool = True,
        raw: bool = False,
    ) -> ReportCheck:
        """Check a report until Amazon is done with it, or ``checks`` times (None: no limit),
        pausing longer each time; the pauses are WaitNotices when ``announce``. ``raw``: the
        document as a reports.ReportDocument (read a line at a time), not as text."""
        attempt = 0
        while True:
            check = await self.check_report(report_id, report_type, raw=raw)
            attempt += 1
            if not check.pending or (checks is not None and attempt >= checks):
                return check
            first, longest = self._report_poll
            delay = min(longest, first * 1.5 ** (attempt - 1))
            state = REPORT_STATES.get(check.status or "", check.status)
            notice = WaitNotice(
                "getReport", delay, "report", f"{REPORT_NAMES[report_type]} ({state})"
            )
            await self._wait(notice, announce=announce)

    async def check_report(
        self, report_id: str, report_type: str, *, raw: bool = False
    ) -> ReportCheck:
        """getReport once; when it is DONE, download its document as text (``raw``: as a
        reports.ReportDocument). Raises NotFound when Amazon does not know the report (or it
        is of another type), SpApiError when Amazon could not produce it (FATAL)."""
        name = REPORT_NAMES[report_type]
        report = await self._call("getReport", lambda: self._reports.get_report(report_id))
        payload = _payload(report, "getReport")
        if payload.get("reportType", report_type) != report_type:
            raise NotFound(f"report {report_id} is not the {name}", operation="getReport")
        status = payload.get("processingStatus")
        if status == "DONE":
            document_id = _required(report, "reportDocumentId", "getReport")
            return ReportCheck(report_id, status, await self._report_document(document_id, raw))
        if status == "FATAL":
            raise SpApiError(
                f"Amazon could not produce the {name} {report_id}",
                operation="getReport",
                code="FATAL",
            )
        if status not in ("CANCELLED", *PENDING_STATUSES):
            raise MalformedResponse(f"unknown processingStatus {status!r}", operation="getReport")
        return ReportCheck(report_id, status)

    async def _report_document(self, document_id: str, raw: bool = False) -> Any:
        """getReportDocument and the download of its presigned URL, as text (``raw``: a
        reports.ReportDocument, downloaded into a temporary file)."""
        if not raw:
            document, data = await self._fetch_document(document_id, self._download)
            return _report_text(
                data, document.payload.get("compressionAlgorithm"), self._transport.max_document
            )
        document, file = await self._fetch_document(document_id, self._download_file)
        try:
            return ReportDocument.read(
                file, document.payload.get("compressionAlgorithm"), self._transport.max_document
            )
        except BadDocument as exc:
            file.close()
            kind = DocumentTooLarge if isinstance(exc, DocumentTooBig) else MalformedResponse
            raise kind(str(exc), operation="getReportDocument") from None

    async def _fetch_document(
        self, document_id: str, fetch: Callable[[str], Awaitable[T]]
    ) -> tuple[ApiResponse, T]:
        """getReportDocument, then ``fetch`` of its presigned URL. The URL lasts five
        minutes; one refused (403: expired before the download got to it, on a busy machine,
        a slow link, a laptop that slept) is asked for afresh, at most ``DOCUMENT_LINK_TRIES``
        links in all; then LinkRefused says so (not a missing role)."""
        tries = 0
        while True:
            tries += 1
            document = await self._call(
                "getReportDocument", lambda: self._reports.get_report_document(document_id)
            )
            try:
                return document, await fetch(_required(document, "url", "getReportDocument"))
            except LinkRefused as exc:  # the URL expired before the download got to it
                if tries >= DOCUMENT_LINK_TRIES:
                    exc.operation, exc.attempts = "getReportDocument", tries
                    exc.summary = LINK_REFUSED["report"]
                    raise

    async def _download(self, url: str) -> bytes:
        return await self._with_retries("download", lambda: self._transport.download(url))

    async def _download_file(self, url: str) -> BinaryIO:
        return await self._with_retries("download", lambda: self._transport.download_file(url))


# --------------------------------------------------------------------------- helpers

_FAILURES = (
    SpApiError,
    SellingApiException,
    AuthorizationError,
    MissingCredentials,
    TimeoutError,
    httpx.TransportError,
    httpx.InvalidURL,
    json.JSONDecodeError,
)


#: Operations that take a grantless token (client_credentials), which the seller's token
#: renewal (``_renew_access_token``) does not touch.
_GRANTLESS = frozenset({"getDestinations", "createDestination", "deleteDestination"})


def _token_refused(exc: BaseException, error: SpApiError, operation: str) -> bool:
    """Whether SP-API refused a call for the seller's access token (401; or 403 whose details
    name the access token: "The access token you provided has expired.", "… is revoked,
    malformed or invalid.") rather than for a role the application lacks (403 without such
    details). LWA refusing the credentials themselves (AuthorizationError) is not that."""
    if isinstance(exc, AuthorizationError) or operation in _GRANTLESS:
        return False
    if error.status == 401:
        return True
    return error.status == 403 and "access token" in error.message.lower()


def _refused_again(error: SpApiError, attempt: int) -> AuthError:
    """A call refused for its access token once more, with a token LWA had just issued."""
    refused = AuthError(
        f"Amazon refused a new access token from Login with Amazon too: {error.message}",
        operation=error.operation,
        status=error.status,
        code=error.code,
        request_id=error.request_id,
    )
    refused.attempts = attempt + 1  # the try refused with the token before it
    return refused


def _maybe_taken(exc: BaseException, error: SpApiError) -> bool:
    """Whether Amazon may have taken a request that failed with ``exc``: not when it refused
    it (429) or the connection was never made (nothing was sent)."""
    if isinstance(error, Throttled):
        return False
    return not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.InvalidURL))


def _to_error(exc: BaseException, timeout: float) -> SpApiError:
    if isinstance(exc, SpApiError):
        return exc
    if isinstance(exc, SellingApiException):  # only for bodies our transport let through
        code, message = _first_error(exc.error)
        return error_for_status(exc.code, message, code=code)
    if isinstance(exc, AuthorizationError):
        status = exc.status_code or 0
        description = f"LWA token request refused: {exc.error_code}: {exc.message}"
        if status >= 500 or status == 429:
            return error_for_status(status, description, code=exc.error_code)
        return AuthError(description, status=status, code=exc.error_code)
    if isinstance(exc, MissingCredentials):
        return AuthError(str(exc))
    if isinstance(exc, TimeoutError):
        return Unavailable(f"no answer within {timeout:g} s")
    if isinstance(exc, httpx.TransportError):
        return Unavailable(f"connection failed ({type(exc).__name__}: {exc})")
    if isinstance(exc, httpx.InvalidURL):  # (a SKU of megabytes): nothing was sent
        return BadRequest(f"the request cannot be sent: {exc}")
    if isinstance(exc, json.JSONDecodeError):
        return MalformedResponse(f"the answer is not valid JSON ({exc.msg})")
    return MalformedResponse(f"the answer could not be read ({type(exc).__name__}: {exc})")


def _payload(response: ApiResponse, operation: str) -> dict[str, Any]:
    payload = response.payload
    if not isinstance(payload, dict):
        raise MalformedResponse("the answer is not a JSON object", operation=operation)
    return payload


def _required(response: ApiResponse, key: str, operation: str) -> str:
    value = _payload(response, operation).get(key)
    if not isinstance(value, str) or not value:
        raise MalformedResponse(f"no {key!r} in the answer", operation=operation)
    return value


def _too_large(what: str, limit: int, operation: str = "") -> DocumentTooLarge:
    return DocumentTooLarge(too_large_text(what, limit), operation=operation)


def _gunzip(data: bytes, limit: int) -> bytearray:
    """``data`` unpacked (every GZIP member, as gzip.decompress), never to more than
    ``limit`` bytes: a chunk at a time, stopped as soon as it is past them."""
    out = bytearray()
    rest = data
    while rest:
        unpack = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        pending = rest
        while not unpack.eof:
            chunk = unpack.decompress(pending, 1 << 20)
            pending = unpack.unconsumed_tail
            out += chunk
            if len(out) > limit:
                raise _too_large("the report document unpacked", limit, "getReportDocument")
            if not chunk and not pending:
                raise EOFError("it ends before its end-of-stream marker")
        rest = unpack.unused_data
        if not rest.strip(b"\0"):  # zero padding after the last member
            break
    return out


def _report_text(data: bytes, compression: str | None, limit: int = MAX_DOCUMENT_BYTES) -> str:
    """The report document as text: gunzipped if need be; UTF-8, else Cp1252 (Amazon serves
    flat files as ``text/plain; charset=Cp1252``: selling-partner-api-models #2748, #4031)."""
    text: bytes | bytearray = data
    if compression == "GZIP":
        try:
            text = _gunzip(data, limit)
        except (zlib.error, EOFError) as exc:
            raise MalformedResponse(
                f"the report document is not valid GZIP ({exc})", operation="getReportDocument"
            ) from None
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        return text.decode("cp1252", errors="replace")


def _tsv_rows(text: str) -> list[dict[str, str]]:
    """A flat-file report's rows (reports.table: no quoting, LF line ends, normalised header
    names such as ``seller-sku``); none for a document without even a header. One that is no
    flat file (a line over reports.MAX_LINE) is MalformedResponse: never read as "no
    listings"."""
    try:
        return list(table(text, "listings report", ()))
    except LineTooLong as exc:
        raise MalformedResponse(str(exc), operation="getReportDocument") from None
    except UnreadableBody:
        return []


# --------------------------------------------------------------------------- factories


def open_client(
    settings: ClientSettings, *, time_scale: float = 1.0, rates: Path | None = None
) -> SpApi:
    """A client for a configured profile (Amazon, or a sandbox served on loopback whose
    clock runs ``time_scale`` times faster). ``rates``: the file of the seller's buckets
    that every asin-tui process of it shares (ratelimit.SharedRates); None: its own."""
    shared = SharedRates(rates) if rates is not None else None
    return SpApi(settings, limiter=RateLimiter(time_scale=time_scale, shared=shared))


def open_client_for_transport(
    settings: ClientSettings, transport: httpx.AsyncBaseTransport, *, time_scale: float = 1.0
) -> SpApi:
    """A client whose every request (LWA, SP-API, downloads) goes to ``transport``."""
    return SpApi(
        settings,
        http_client=httpx.AsyncClient(transport=transport),
        limiter=RateLimiter(time_scale=time_scale),
    )
