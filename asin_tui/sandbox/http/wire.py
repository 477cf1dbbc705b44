"""SP-API's wire format as the sandbox speaks it: parsed requests, answers, error bodies and the
query-parameter checks every handler shares.

Unknown query and body keys are ignored, because python-amazon-sp-api adds ``MarketplaceId``,
``MarketplaceIds`` and ``marketplace_ids`` next to ``marketplaceIds``.
"""

from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from asin_tui.sandbox.account import SandboxError

JSON = "application/json"
TSV = "text/tab-separated-values; charset=utf-8"

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


def not_found(message: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", message)


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


# ---------------------------------------------------------------------- request helpers
def pairs(items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> Iterable[tuple[str, Any]]:
    return items.items() if isinstance(items, Mapping) else items


def parse_query(query: Query) -> dict[str, list[str]]:
    if isinstance(query, str):
        found: Iterable[tuple[str, Any]] = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    else:
        found = pairs(query)
    parsed: dict[str, list[str]] = {}
    for key, value in found:
        values = [value] if isinstance(value, str) else list(value)
        parsed.setdefault(key, []).extend(values)
    return parsed


def required(request: Request, name: str) -> str:
    value = request.one(name)
    if not value:
        raise invalid(f"Missing required parameter '{name}'.")
    return value


def enum_param(request: Request, name: str, allowed: Iterable[str]) -> str | None:
    value = request.one(name)
    if value is not None and value not in allowed:
        raise invalid(f"Invalid '{name}': {value}.")
    return value


def enum_list(request: Request, name: str, allowed: frozenset[str]) -> list[str]:
    values = request.many(name)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise invalid(f"Invalid '{name}': {', '.join(unknown)}.")
    return values


def included_data(
    request: Request, allowed: frozenset[str], *, default: tuple[str, ...]
) -> list[str]:
    return enum_list(request, "includedData", allowed) or list(default)


def identifiers(request: Request, types: frozenset[str]) -> list[str] | None:
    values = request.many("identifiers")
    if not values:
        return None
    if len(values) > 20:
        raise invalid("'identifiers' accepts at most 20 values.")
    if request.one("identifiersType") not in types:
        raise invalid("'identifiersType' is required with 'identifiers' (e.g. SKU or ASIN).")
    return values


def int_param(request: Request, name: str, *, default: int, low: int, high: int) -> int:
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


def bool_param(request: Request, name: str) -> bool:
    text = (request.one(name) or "false").lower()
    if text not in ("true", "false"):
        raise invalid(f"Invalid '{name}': {text} (true or false).")
    return text == "true"


def iso_param(request: Request, name: str) -> str | None:
    return iso_value(request.one(name), name)


def iso_value(value: Any, name: str) -> str | None:
    """Check an ISO 8601 date-time and return it in UTC with a ``Z`` (None when absent)."""
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise invalid(f"Invalid '{name}': {value} is not an ISO 8601 date-time.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return iso(parsed.timestamp())


def epoch(iso_text: str) -> float:
    return datetime.fromisoformat(iso_text).timestamp()


def iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a secret the client sent with the expected one."""
    return hmac.compare_digest((given or "").encode(), expected.encode())


# ---------------------------------------------------------------------- responses
def base_headers(content_type: str) -> dict[str, str]:
    return {"content-type": content_type, "x-amzn-RequestId": str(uuid.uuid4())}


def json_response(status: int, body: Any, content_type: str = JSON) -> SandboxResponse:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return SandboxResponse(status, base_headers(content_type), data)


def with_headers(response: SandboxResponse, extra: dict[str, str]) -> SandboxResponse:
    return SandboxResponse(
        response.status, {**response.headers, **extra}, response.body, response.delay
    )


def error_response(
    exc: ApiError | SandboxError,
    extra_headers: dict[str, str] | None = None,
    *,
    bare: bool = False,
) -> SandboxResponse:
    error = {"code": exc.code, "message": exc.message, "details": exc.details or ""}
    response = json_response(exc.status, [error] if bare else {"errors": [error]})
    return with_headers(response, extra_headers or {})


def oauth_error(status: int, error: str, description: str) -> SandboxResponse:
    return json_response(status, {"error": error, "error_description": description})


def s3_error(status: int, code: str, message: str) -> SandboxResponse:
    """Presigned downloads come from S3, which answers errors in XML."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return SandboxResponse(status, base_headers("application/xml"), body.encode("utf-8"))
