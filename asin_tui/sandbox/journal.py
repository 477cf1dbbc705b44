"""The sandbox account's journal: the accepted patches, saved so a fix survives a restart.

Only the changes are stored (the catalog regenerates from its parameters), as JSON:
`{"format": "asin-tui-sandbox-journal", "version": 1, "params": {...}, "changes": [{sku, at,
body}, ...]}`. Writes are atomic. A file that cannot be read back is moved aside to
`<name>.corrupt-<UTC timestamp>` and reported with a logged warning, never a traceback.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asin_tui.sandbox.catalog import Params
from asin_tui.store.atomic import atomic_write_text, ensure_private_dir

log = logging.getLogger(__name__)

FORMAT = "asin-tui-sandbox-journal"
VERSION = 1


@dataclass(frozen=True, slots=True)
class Journal:
    params: dict[str, Any]
    changes: list[dict[str, Any]]


def save(path: Path, params: Params, changes: list[dict[str, Any]]) -> None:
    path = Path(path)
    ensure_private_dir(path.parent)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "params": params.as_dict(),
        "changes": changes,
    }
    atomic_write_text(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")


def load(path: Path) -> Journal | None:
    """The saved journal; None when there is none or it was corrupt (then moved aside)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        return _corrupt(path, f"cannot be read ({exc})")
    try:
        document = json.loads(text)
    except ValueError as exc:
        return _corrupt(path, f"is not valid JSON ({exc})")
    problem = _shape_problem(document)
    if problem:
        return _corrupt(path, problem)
    return Journal(params=document["params"], changes=document["changes"])


def _shape_problem(document: Any) -> str | None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return "is not an asin-tui sandbox journal"
    if document.get("version") != VERSION:
        return f"has unsupported version {document.get('version')!r}"
    if not isinstance(document.get("params"), dict):
        return "has no generation parameters"
    changes = document.get("changes")
    if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
        return "has a malformed list of changes"
    return None


def _corrupt(path: Path, problem: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        os.replace(path, aside)
    except OSError as exc:
        log.warning(
            "sandbox: %s %s and could not be moved aside (%s); starting a fresh account",
            path,
            problem,
            exc,
        )
        return None
    log.warning(
        "sandbox: %s %s; moved it to %s and started a fresh account", path, problem, aside.name
    )
    return None
