"""The sandbox account's journal: the accepted patches, saved so a fix survives a restart.

Only the changes are stored (the catalog regenerates from its parameters), as JSON:
`{"format": "asin-tui-sandbox-journal", "version": 1, "params": {...}, "changes": [{id, sku,
at, body}, ...]}`. Writes are atomic and merge-safe: under an advisory lock
(``store.filelock.exclusive_lock``: the filelock library, on ``<name>.lock``) the file is read
again and only the changes it does not hold yet are appended, so two ``--demo`` sessions never
lose each other's fixes. A file that
cannot be read back is moved aside to `<name>.corrupt-<UTC timestamp>` and ``load`` returns
a one-line notice saying so, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asin_tui.sandbox.catalog import Params
from asin_tui.store.atomic import (
    atomic_write_text,
    ensure_private_dir,
    json_nesting,
    read_regular_file,
)
from asin_tui.store.filelock import exclusive_lock

log = logging.getLogger(__name__)

FORMAT = "asin-tui-sandbox-journal"
VERSION = 1
LOCK_TIMEOUT = 5.0  # seconds another session may hold the journal while it saves


@dataclass(frozen=True, slots=True)
class Journal:
    params: dict[str, Any]
    changes: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Loaded:
    """What ``load`` found: the journal (None if there is none, or it was unreadable) and
    a notice for the user when the file had to be set aside."""

    journal: Journal | None = None
    notices: tuple[str, ...] = field(default=())


def change_id(change: dict[str, Any]) -> str:
    """A change's identity: its ``id``, or for a change saved before ids existed a digest of
    its content (the same in every session that reads the file)."""
    saved = change.get("id")
    if isinstance(saved, str) and saved:
        return saved
    canonical = json.dumps(change, sort_keys=True, ensure_ascii=False, default=str)
    return "legacy-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def save(path: Path, params: Params, changes: list[dict[str, Any]]) -> None:
    """Add ``changes`` the file does not hold yet (by :func:`change_id`), keeping the rest.

    Raises OSError when the folder or the file cannot be written, TimeoutError when another
    session holds the lock for more than LOCK_TIMEOUT seconds."""
    path = Path(path)
    ensure_private_dir(path.parent)
    with exclusive_lock(path, LOCK_TIMEOUT):
        on_disk = _read(path).journal
        merged = list(on_disk.changes) if on_disk else []
        known = {change_id(c) for c in merged}
        merged += [c for c in changes if change_id(c) not in known]
        document = {
            "format": FORMAT,
            "version": VERSION,
            "params": params.as_dict(),
            "changes": merged,
        }
        atomic_write_text(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")


def load(path: Path) -> Loaded:
    """The saved journal; a corrupt file is moved aside (under the lock) with a notice."""
    path = Path(path)
    if not path.exists():
        return Loaded()
    with exclusive_lock(path, LOCK_TIMEOUT):
        return _read(path)


def _read(path: Path) -> Loaded:
    try:
        text = read_regular_file(path).decode("utf-8")
    except FileNotFoundError:
        return Loaded()
    except OSError as exc:
        return _corrupt(path, f"cannot be read ({exc.strerror or exc})")
    except UnicodeDecodeError as exc:
        return _corrupt(path, f"cannot be read ({exc})")
    try:
        document = json.loads(text)
    except ValueError as exc:
        return _corrupt(path, f"is not valid JSON ({exc})")
    except RecursionError:
        return _corrupt(path, "is not usable JSON (nested too deeply)")
    problem = _shape_problem(document)
    if problem:
        return _corrupt(path, problem)
    return Loaded(Journal(params=document["params"], changes=document["changes"]))


def _shape_problem(document: Any) -> str | None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return "is not an asin-tui sandbox journal"
    if document.get("version") != VERSION:
        return f"has unsupported version {document.get('version')!r}"
    if not isinstance(document.get("params"), dict):
        return "has no generation parameters"
    changes = document.get("changes")
    if not isinstance(changes, list):
        return "has a malformed list of changes"
    for number, change in enumerate(changes, 1):
        if problem := _change_problem(change):
            return f"has a malformed change (#{number}: {problem})"
    return None


#: A saved change's keys and their JSON types (``id`` is absent in files saved before ids).
_CHANGE_TYPES: dict[str, tuple[type, str]] = {
    "id": (str, "a string"),
    "sku": (str, "a string"),
    "at": (str, "a date-time string"),
    "body": (dict, "an object"),
}
MAX_BODY_NESTING = 64  # a patch request is a few levels deep; deeper cannot be a real one


def _change_problem(change: Any) -> str | None:
    if not isinstance(change, dict):
        return "not an object"
    for key, (kind, what) in _CHANGE_TYPES.items():
        if key not in change:
            if key != "id":
                return f"{key} is missing"
        elif not isinstance(change[key], kind):
            return f"{key} is not {what}"
    if json_nesting(change["body"], MAX_BODY_NESTING) > MAX_BODY_NESTING:
        return "body is nested too deeply"
    return None


def _corrupt(path: Path, problem: str) -> Loaded:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        os.replace(path, aside)
    except OSError as exc:
        notice = (
            f"demo account: {path} {problem} and could not be moved aside ({exc.strerror}); "
            "started a fresh account"
        )
    else:
        notice = f"demo account: {path} {problem}; moved it to {aside.name} and started fresh"
    log.warning("sandbox: %s", notice)
    return Loaded(notices=(notice,))
