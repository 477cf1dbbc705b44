"""Seller Support case drafts (plan of action, Markdown) written by the wizard and the bulk
actions: each a new 0600 file in a 0700 folder, never over an earlier draft."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from asin_tui.domain.casedraft import case_filename
from asin_tui.store import paths
from asin_tui.store.atomic import atomic_write_text, ensure_private_dir


def write_case_draft(name: str, text: str, now: datetime) -> Path:
    """Save a case draft for ``name`` (a SKU, or "<n>-listings") under a new file name:
    ``<name>-<time>.md``, then ``-2``, ``-3``… in the same second."""
    folder = ensure_private_dir(paths.case_drafts_dir())
    attempt = 1
    while True:
        path = folder / case_filename(name, now, attempt)
        try:
            atomic_write_text(path, text, overwrite=False)
            return path
        except FileExistsError:
            attempt += 1
