"""What a bug leaves behind: one line on the terminal, the whole traceback in a private file.

An exception nobody expected (a bug) must neither flood the seller's terminal nor show a
secret. Textual's own crash screen prints every frame's local values, and a frame of the
SP-API library holds the LWA form (refresh token, client secret); an exception's text can
quote an answer that echoed them. So:

* the terminal gets one line: the exception's type and first line, masked
  (:func:`asin_tui.domain.redact.redact`) and terminal-safe (:func:`asin_tui.domain.text.visible`),
  and where the details are;
* the file ``<cache folder>/crashes/crash-<UTC time>.txt`` (0600, its folder 0700) gets the
  traceback as Python prints it — file, line and code of each frame, never a local value —
  masked the same way: what a bug report needs. The newest KEPT files are kept.

Known secrets (the credentials and SMTP password in the environment and in the config file's
profiles) are masked in every encoding; any LWA token or client secret also by its shape.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from asin_tui.domain.redact import redact
from asin_tui.domain.text import visible
from asin_tui.store import paths
from asin_tui.store.atomic import ensure_private_dir
from asin_tui.store.config import SECRET_ENV


def crash_text(exc: BaseException, secrets: Iterable[str | None] = ()) -> str:
    """The traceback of ``exc`` as Python prints it (no local values), secrets masked."""
    return _masked("".join(traceback.format_exception(exc)), secrets)


def record_crash(
    exc: BaseException, secrets: Iterable[str | None] = (), folder: Path | None = None
) -> str:
    """Write the crash file (see the module doc) and return the one line for the terminal;
    when the file cannot be written (a full disk) the line says so and is all there is."""
    secrets = list(secrets)
    first = (str(exc).strip().splitlines() or [""])[0]
    what = type(exc).__name__ + (f": {first}" if first else "")
    line = f"asin-tui: internal error ({visible(_masked(what, secrets))[:300]})"
    made: Path | None = None  # the file once this call made it
    try:
        where = ensure_private_dir(folder or paths.cache_dir() / "crashes")
        path = where / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S%f}Z.txt"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        made = path
        with os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace") as out:
            out.write(crash_text(exc, secrets))
    except OSError as error:
        if made is not None:  # made but not written (a full disk): not left empty or cut
            with contextlib.suppress(OSError):
                made.unlink()
        return f"{line}; its details could not be saved ({error.strerror or error})"
    _prune(where)
    return f"{line}; the details are in {visible(str(path))}: please report it"


#: Crash files kept: the newest (a bug met at every start must not fill the disk).
KEPT = 20


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("crash-*.txt"))  # the UTC time in the name: oldest first
    for old in files[:-KEPT]:
        with contextlib.suppress(OSError):
            old.unlink()


def _masked(text: str, secrets: Iterable[str | None]) -> str:
    return redact(text, [*secrets, *known_secrets()])


def known_secrets() -> list[str | None]:
    """The secrets the environment and the config file hold (none when it cannot be read:
    a crash report never fails for it)."""
    found: list[str | None] = [os.environ.get(name) for name in SECRET_ENV]
    try:
        from asin_tui.store.config import load_config

        profiles = load_config().profiles.values()
    except Exception:  # no config, a broken one: the environment's and the shapes only
        return found
    for profile in profiles:
        found += [profile.credentials.lwa_client_secret, profile.credentials.refresh_token]
        if profile.alerts is not None:
            found.append(profile.alerts.smtp_password)
    return found
