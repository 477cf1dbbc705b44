"""Page tokens: opaque to clients, bound to the search they page through.

A ``pageToken`` carries the offset of its page and a fingerprint of the seller and every search
parameter but the token, so a token replayed with other parameters is refused with the message
Amazon gives ("Search parameters do not match the provided pageToken").
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from asin_tui.sandbox.http.wire import Request, invalid

LISTINGS_SEARCH_KEYS = (
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

CATALOG_SEARCH_KEYS = (
    "marketplaceIds",
    "includedData",
    "identifiers",
    "identifiersType",
    "pageSize",
)


def search_fingerprint(request: Request, seller_id: str, keys: tuple[str, ...]) -> str:
    """What a pageToken is bound to: the seller and every search parameter but the token."""
    query = {key: sorted(request.many(key)) for key in keys if request.many(key)}
    text = json.dumps([seller_id, query], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def page_token(fingerprint: str, offset: int) -> str:
    return encode_token({"q": fingerprint, "o": offset})


def pagination(fingerprint: str, offset: int, page_size: int, total: int) -> dict[str, str]:
    """The tokens of the pages around the one starting at ``offset`` (none: a single page)."""
    tokens = {}
    if offset + page_size < total:
        tokens["nextToken"] = page_token(fingerprint, offset + page_size)
    if offset > 0:
        tokens["previousToken"] = page_token(fingerprint, max(0, offset - page_size))
    return tokens


def page_offset(token: str | None, fingerprint: str, total: int) -> int:
    if token is None:
        return 0
    data = decode_token(token)
    offset = data.get("o")
    if data.get("q") != fingerprint or not isinstance(offset, int) or not 0 <= offset < total:
        raise invalid("Search parameters do not match the provided pageToken")
    return offset


def encode_token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise invalid("The provided token is malformed.")
    return data
