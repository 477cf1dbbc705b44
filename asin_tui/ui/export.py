"""Export of the rows shown in the list to CSV or JSON (pure: no Textual).

The files are `asin-tui report`'s CSV and JSON for exactly the rows on screen, so scripts
read both the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from asin_tui.domain.models import ListingRecord
from asin_tui.render import render
from asin_tui.store.atomic import write_output
from asin_tui.ui.service import ListingService

if TYPE_CHECKING:
    from asin_tui.service import SyncInfo

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
EXPORT_FILE_MODE = 0o600  # listings, prices, account health: the seller's alone (chmod to share)


@dataclass(frozen=True, slots=True)
class ExportRequest:
    path: Path
    fmt: Format
    overwrite: bool = False  # the user said to replace the existing file

    def write(self, text: str) -> None:
        """Atomically create the file; an existing file is replaced only when ``overwrite``
        (else FileExistsError), never a device, pipe or symlink (store.atomic.write_output)."""
        write_output(self.path, text, EXPORT_FILE_MODE, overwrite=self.overwrite)


def format_for(path: str) -> Format | None:
    """The format a file name asks for by its extension, if any."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return next((fmt for fmt in FORMATS if fmt == suffix), None)


def render_export(
    records: Sequence[ListingRecord],
    fmt: Format,
    account: ListingService,
    last_sync: SyncInfo | None,
) -> str:
    """The file's text, exactly as `asin-tui report --format csv|json` writes these rows.
    ``account`` gives ``profile_name`` and ``marketplace_id``; ``last_sync`` is a SyncInfo."""
    return render(
        fmt,
        records,
        profile=account.profile_name,
        marketplace_id=account.marketplace_id,
        last_sync=last_sync,
    )
