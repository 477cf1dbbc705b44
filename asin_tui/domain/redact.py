"""Secrets out of every text: the ONE redaction for error messages, report lines, notices,
case drafts and anything else asin-tui shows or writes.

An upstream answer can echo the request that carried a secret: an LWA error body may repeat the
form it was sent (``refresh_token=Atzr%7CIwE…&client_secret=…``, URL-encoded), a JSON error may
quote it (``"Atzr|IwE\\u2026"``), a proxy may echo an ``Authorization: Basic`` header (base64).
Masking only the exact string misses all of these, so :func:`redact` masks

* every known secret (the LWA client secret, the refresh token; the access token when known)
  in each encoding it can travel in: as is, URL-encoded (``quote`` with and without ``/`` kept,
  ``quote_plus``, upper- or lower-case hex), JSON-escaped (ASCII or not), and base64 (standard
  and URL-safe, at any alignment inside a longer base64 text, when long enough to be told);
* any LWA token by its shape, known or not: ``Atzr|…`` (refresh), ``Atza|…`` (access),
  ``Atc|…`` (client credentials), with the ``|`` raw, URL-encoded, double-encoded or
  JSON-escaped; and LWA client secrets (``amzn1.oa2-cs.v1.…``).

:class:`RedactingFilter` applies the same masking to log records.

Pure: no I/O, no Textual.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

from asin_tui.domain.text import visible

if TYPE_CHECKING:  # logging is imported by whatever logs (not by this module: see RedactingFilter)
    import logging

REDACTED = "[redacted]"

_PIPE = r"(?:\||%7[cC]|%257[cC]|\\u007[cC])"
#: LWA tokens and client secrets by their documented shapes (any encoding of the ``|``).
TOKEN_PATTERN = re.compile(
    rf"(?:Atz[ar]|Atc){_PIPE}[A-Za-z0-9\-_.~+/=%|\\]+"
    r"|amzn1\.oa2-cs\.v1\.[A-Za-z0-9\-_.]+"
)
_MIN_SECRET = 4  # shorter values would blank ordinary words; real LWA secrets are far longer
_MIN_BASE64 = 12  # a base64 fragment shorter than this could be anything


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every encoding of each of ``secrets`` and every LWA token or client
    secret (known or not) replaced by ``[redacted]``."""
    forms = sorted(
        {form for secret in secrets if secret for form in encodings(secret)}, key=len, reverse=True
    )
    for form in forms:
        text = text.replace(form, REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)


def encodings(secret: str) -> set[str]:
    """The forms ``secret`` can take in an echoed request or error body (see module doc)."""
    if len(secret) < _MIN_SECRET:
        return set()
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), f) for f in forms}
    forms |= _base64_forms(secret.encode("utf-8"))
    return {form for form in forms if len(form) >= _MIN_SECRET}


def _base64_forms(raw: bytes) -> set[str]:
    """The base64 text of ``raw`` wherever it sits in a longer base64 text: at each of the
    three alignments, the characters that depend on ``raw`` alone (the partial groups at
    either end depend on the bytes around it and are left out)."""
    import base64  # only when a secret is known: not at every command's start

    forms = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        start = 4 if offset else 0
        whole = (offset + len(raw)) % 3 == 0
        core = encoded[start:] if whole else encoded[start : len(encoded) - 4]
        if offset == 0:
            forms.add(encoded)  # the whole value, padding and all
            forms.add(encoded.rstrip("="))
        if len(core) >= _MIN_BASE64:
            forms.add(core)
    forms |= {form.replace("+", "-").replace("/", "_") for form in forms}
    return {form for form in forms if len(form) >= _MIN_BASE64}


class RedactingFilter:
    """A logging filter that masks LWA tokens and client secrets (by their shape), and shows
    control and bidi characters as escapes (domain.text.visible), in every record a handler
    writes: a library logging a request (python-amazon-sp-api logs its
    headers at DEBUG) or an error body never writes a token. Installed on the handlers the
    command line uses (see ``asin_tui.cli``). Not a ``logging.Filter`` subclass (a handler
    takes any object with a ``filter`` method): this module does not import logging, ~4 ms of
    a command's start that logs nothing (``report --cached``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        # tokens masked, and a library quoting an answer never writes ESC & co. to a terminal
        masked = visible(redact(message), multiline=True)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_log_redaction() -> None:
    """Mask tokens in whatever reaches the root logger's handlers and Python's last-resort
    handler (which prints warnings to stderr when nothing is configured)."""
    import logging

    handlers = [*logging.getLogger().handlers, logging.lastResort]
    for handler in handlers:
        if handler is not None and not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
