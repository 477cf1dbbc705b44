"""Crash-safe file writes for everything asin-tui keeps on disk.

A reader (or the next run after a crash, a kill or a full disk) sees either the old file
or the new one, never a half-written mix: the text goes to a temporary file in the same
folder, is flushed and fsynced, then renamed over the target with ``os.replace`` (atomic
on POSIX), and finally the folder itself is fsynced so the rename survives a power cut.
Files are created with their final permissions (``os.open(..., mode)``); nothing is ever
chmod-ed afterwards, so a secret is never readable by others, not even for a moment.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from asin_tui.domain.text import for_terminal

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700 (the XDG rule); return it.

    Folders that already exist are left as they are.
    """
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process won the race
            folder.mkdir(mode=PRIVATE_DIR)
    return path


def atomic_write_text(
    path: Path, text: str, mode: int = PRIVATE_FILE, *, overwrite: bool = True
) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; the file ends up with ``mode``.

    With ``overwrite=False`` an existing file is never replaced: ``FileExistsError`` is
    raised and the existing file is untouched (the new file is hard-linked into place,
    which fails atomically if the name is taken).
    On any error the temporary file is removed and the previous file (if any) is intact.
    """
    path = Path(path)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temp, path)
        else:
            os.link(temp, path)
            temp.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink inside ``folder`` durable (a no-op where folders can't be opened)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_output(
    path: Path, text: str, mode: int = PRIVATE_FILE, *, overwrite: bool = True
) -> Path:
    """Write ``text`` where the user pointed an output (``report --output``, the TUI export),
    without ever replacing something that is not a regular file; returns where it went.

    - a regular file or a new name: written atomically (:func:`atomic_write_text`, with
      ``overwrite`` as there);
    - a symlink: followed, and its target written atomically as above (the link stays);
    - a device, FIFO or socket (``/dev/stdout``, ``/dev/full``, a named pipe): opened and
      written directly, as the shell's ``>`` would, so the node itself stays;
    - a folder: IsADirectoryError.

    OSError (ENOSPC from ``/dev/full``, EACCES...) is the caller's to report.
    """
    target = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is None or stat.S_ISREG(info.st_mode):
        atomic_write_text(target, text, mode, overwrite=overwrite)
        return target
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if not overwrite:
        raise FileExistsError(errno.EEXIST, "exists and is not a regular file", str(path))
    # O_APPEND: never truncate a node we did not create (a device ignores it anyway)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        # a terminal (/dev/tty, /dev/stdout on one) never gets a raw control character
        handle.write(for_terminal(text) if handle.isatty() else text)
        handle.flush()
    return target
