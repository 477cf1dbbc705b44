"""Product type schemas kept between runs (``$XDG_CACHE_HOME/asin-tui/schemas``), keyed by
the checksum Amazon gives each schema: a schema is downloaded again only when it changed."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

from asin_tui.store import paths
from asin_tui.store.atomic import atomic_write_text, ensure_private_dir


class SchemaFiles:
    """The SP-API client's schema cache (asin_tui.spapi.settings.SchemaCache) on disk."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder

    def path(self, product_type: str, checksum: str) -> Path:
        import hashlib  # when a schema is kept or read (a sync), not at every start

        safe_type = re.sub(r"[^A-Za-z0-9_-]", "_", product_type)
        digest = hashlib.sha256(checksum.encode()).hexdigest()[:32]
        folder = self._folder or paths.cache_dir() / "schemas"
        return folder / f"{safe_type}.{digest}.json"

    def read(self, product_type: str, checksum: str) -> dict[str, Any] | None:
        """The cached schema, or None when missing or unreadable (then it is fetched again)."""
        try:
            value = json.loads(self.path(product_type, checksum).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # a damaged or tampered file: fetched again
            return None
        return value if isinstance(value, dict) else None

    def write(self, product_type: str, checksum: str, document: dict[str, Any]) -> None:
        """Keep a downloaded schema for next time; a cache that cannot be written is no error."""
        path = self.path(product_type, checksum)
        with contextlib.suppress(OSError):
            atomic_write_text(ensure_private_dir(path.parent) / path.name, json.dumps(document))
