"""Export of the rows shown in the list to CSV or JSON (pure: no Textual).

The JSON listing objects are exactly `asin-tui report --format json`'s
(:meth:`ListingRecord.to_report_dict`), so scripts read both the same way.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from asin_tui.domain.models import ListingRecord
from asin_tui.store.atomic import atomic_write_text

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
CSV_HEADER = (
    "sku",
    "asin",
    "title",
    "state",
    "main cause",
    "fulfillment_channel",
    "quantity",
    "inbound",
    "price",
    "currency",
    "inactive_since",
)
EXPORT_FILE_MODE = 0o644  # an export is the seller's document, not a secret


@dataclass(frozen=True, slots=True)
class ExportRequest:
    path: Path
    fmt: Format

    def write(self, text: str) -> None:
        """Atomically create the file; an existing file is never replaced (FileExistsError)."""
        atomic_write_text(self.path, text, EXPORT_FILE_MODE, overwrite=False)


def format_for(path: str) -> Format | None:
    """The format a file name asks for by its extension, if any."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None  # type: ignore[return-value]


def render_export(records: Sequence[ListingRecord], fmt: Format, account) -> str:
    """The file's text. ``account`` gives ``profile_name`` and ``marketplace_id``."""
    if fmt == "json":
        document = {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "profile": account.profile_name,
            "marketplace_id": account.marketplace_id,
            "listings": [r.to_report_dict() for r in records],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in records:
        writer.writerow(
            (
                r.sku,
                r.asin or "",
                r.title,
                r.state.value,
                r.main_cause,
                r.fulfillment_channel or "",
                "" if r.quantity is None else r.quantity,
                "" if r.inbound is None else r.inbound,
                "" if r.price is None else r.price,
                r.currency or "",
                r.inactive_since.isoformat() if r.inactive_since else "",
            )
        )
    return out.getvalue()
