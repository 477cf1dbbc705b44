"""Crash-safe file writes (and careful reads) for everything asin-tui keeps on disk.

A reader (or the next run after a crash, a kill or a full disk) sees either the old file
or the new one, never a half-written mix: the text goes to a temporary file in the same
folder, is flushed and fsynced, then renamed over the target with ``os.replace`` (atomic
on POSIX), and finally the folder itself is fsynced so the rename survives a power cut.
Files are created with their final permissions (``os.open(..., mode)``); nothing is ever
chmod-ed afterwards, so a secret is never readable by others, not even for a moment.

Reading is careful too: :func:`read_regular_file` refuses a FIFO or a device (which would
block or never end) and :func:`json_nesting` tells a hand-made file nested too deeply to use.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import locale
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from asin_tui.domain.text import for_terminal

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700 (the XDG rule); return it.

    ``path`` itself, when it already exists, is made private (:func:`make_private`: an older
    asin-tui left some folders 0755); existing parents are left as they are.
    """
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process won the race
            folder.mkdir(mode=PRIVATE_DIR)
    make_private(path)
    return path


def file_identity(path: Path) -> tuple[int, int] | None:
    """Which file ``path`` names now (device, inode); None when it cannot be told. A file
    set aside and started afresh (a corrupt cache, by this process or another) is another
    file at the same path: a connection opened before still writes to the one set aside."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def make_private_files(path: Path) -> None:
    """:func:`make_private` for ``path`` and every file beside it named after it (its
    ``-wal``/``-shm``/``-journal``, ``.lock``, the ``.corrupt-…`` copies set aside)."""
    for file in (path, *path.parent.glob(glob.escape(path.name) + "*")):
        make_private(file)


def make_private(path: Path) -> None:
    """Take the group's and others' permissions off an existing file or folder of ours (0644
    becomes 0600, 0755 becomes 0700). A symlink, another user's file or a missing path is
    left alone, and a chmod that fails is not an error: this only tightens."""
    try:
        info = os.lstat(path)
    except OSError:
        return
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid() or not mode & 0o077:
        return
    with contextlib.suppress(OSError):
        os.chmod(path, mode & 0o700)


def atomic_write_text(
    path: Path,
    text: str | Iterable[str | bytes],
    mode: int = PRIVATE_FILE,
    *,
    overwrite: bool = True,
) -> None:
    """Write ``text`` (UTF-8; or its pieces, as they come: text, or bytes already UTF-8) to
    ``path`` atomically; the file ends up with ``mode``.

    With ``overwrite=False`` an existing file is never replaced: ``FileExistsError`` is
    raised and the existing file is untouched (the new file is hard-linked into place,
    which fails atomically if the name is taken).
    On any error the temporary file is removed and the previous file (if any) is intact.
    """
    path = Path(path)
    # os.urandom, as secrets.token_hex: that module (hmac, hashlib) costs every start ~3 ms
    temp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in [text] if isinstance(text, str) else text:
                handle.write(piece if isinstance(piece, bytes) else piece.encode())
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


class NotRegularFile(OSError):
    """A path that names a FIFO, a device, a socket or a folder where a file was expected."""


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileTooLarge(OSError):
    """A file larger than its reader takes (``read_regular_file(limit=…)``)."""


def read_regular_file(path: Path, limit: int | None = None) -> bytes:
    """The bytes of ``path``, which must be a regular file (a symlink to one is followed).

    Anything else raises :class:`NotRegularFile` at once, instead of blocking forever on a
    FIFO with no writer or reading a device without end: the file is opened non-blocking and
    checked with ``fstat`` on the opened descriptor, so it cannot be swapped in between.
    ``limit``: a file of more bytes raises :class:`FileTooLarge` (never read further than
    that, even one still growing). FileNotFoundError and other OSErrors are raised as
    ``open`` raises them.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        _check_mode(os.fstat(fd).st_mode, path)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            fd = -1  # the file object closes it
            data = handle.read() if limit is None else handle.read(limit + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if limit is not None and len(data) > limit:
        size = f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit} bytes"
        raise FileTooLarge(errno.EFBIG, f"larger than {size}", str(path))
    return data


def check_regular_file(path: Path) -> None:
    """NotRegularFile (worded as :func:`read_regular_file` words it) when ``path`` names
    something other than a regular file (a symlink is followed); a missing path is fine.
    For a file another library opens by name (SQLite: a FIFO would hang it)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    _check_mode(mode, path)


def check_own_file(path: Path) -> None:
    """:func:`check_regular_file` for a file asin-tui keeps and writes (the progress store,
    the listing cache) before SQLite opens it by name: a symbolic link there is refused too
    (NotRegularFile), never followed — SQLite would write wherever it points (outside the
    private folder), and a link to nothing would be created there with the umask's mode."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise NotRegularFile(errno.ELOOP, "not a regular file: a symbolic link", str(path))
    _check_mode(info.st_mode, path)


def _check_mode(mode: int, path: Path) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a file")
        raise NotRegularFile(errno.EINVAL, f"not a regular file: {kind}", str(path))


def json_nesting(value: object, limit: int) -> int:
    """How deeply lists and dicts nest in decoded JSON ``value`` (1: a flat list), counted
    without recursion and only up to ``limit + 1``: a hand-made file may nest deeper than
    Python can copy or encode (RecursionError), so readers check before using one."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth <= limit:
                pending.extend((child, depth + 1) for child in _children(node))
    return deepest


def _children(node: dict[Any, Any] | list[Any]) -> Iterable[Any]:
    return node.values() if isinstance(node, dict) else node


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
    path: Path,
    text: str | Iterable[str | bytes],
    mode: int = PRIVATE_FILE,
    *,
    overwrite: bool = True,
) -> Path:
    """Write ``text`` (or its pieces, as they come: text, or bytes already UTF-8) where the user pointed an output (``report --output``, the TUI export),
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
    if info is not None and stat.S_ISREG(info.st_mode) and _own_file(target):
        raise PermissionError(
            errno.EPERM,
            "is one of asin-tui's own files (its config, progress or cache): choose another name",
            str(path),
        )
    if info is None or stat.S_ISREG(info.st_mode):
        atomic_write_text(target, text, mode, overwrite=overwrite)
        return target
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if not overwrite:
        raise FileExistsError(errno.EEXIST, "exists and is not a regular file", str(path))
    # O_APPEND: never truncate a node we did not create (a device ignores it anyway)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "wb") as handle:
        # a terminal (/dev/tty, /dev/stdout on one) never gets a raw control character, and
        # gets its locale's encoding: UTF-8 on a Latin-1 terminal shows bytes 0x80-0x9F, C1
        # controls to an 8-bit one ('ě' is C4 9B; 0x9B is CSI). Files and pipes: UTF-8.
        encoding = terminal_encoding() if handle.isatty() else None
        for piece in [text] if isinstance(text, str) else text:
            if encoding is not None:
                piece = for_terminal(piece if isinstance(piece, str) else piece.decode())
                piece = piece.encode(encoding, "backslashreplace")
            handle.write(piece if isinstance(piece, bytes) else piece.encode())
        handle.flush()
    return target


def _own_file(target: Path) -> bool:
    """Whether ``target`` (an existing file) lies in one of asin-tui's own folders: config
    (config.toml with its secrets, the progress store), cache, data. An output written over
    one (``report --output config.toml`` typed in the config folder, an export named after
    the cache) replaced it with a report: the credentials or the progress gone."""
    from asin_tui.store import paths  # platformdirs: only when an output already exists

    real = Path(os.path.realpath(target))
    for folder in (paths.config_dir(), paths.cache_dir(), paths.data_dir()):
        if real.is_relative_to(os.path.realpath(folder)):
            return True
    return False


def terminal_encoding() -> str:
    """The encoding a terminal of this process's locale reads (Python's own choice for its
    standard streams: UTF-8 under a C locale, in UTF-8 mode)."""
    return locale.getpreferredencoding(False)
