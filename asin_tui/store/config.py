"""Configuration profiles: ``$XDG_CONFIG_HOME/asin-tui/config.toml``.

Schema (strict: an unknown key is an error, with a "did you mean" hint)::

    default_profile = "main"          # optional; else the first profile
    [profiles.<name>]
    marketplace = "US"                # required: code or marketplace id
    seller_id = "A2EXAMPLE12345"      # required: the merchant token
    refresh_token / lwa_app_id / lwa_client_secret   # optional; env vars win
    endpoint = "http://127.0.0.1:8765"               # optional: sandbox or test server
    token_endpoint = "http://127.0.0.1:8765/auth/o2/token"   # optional
    issue_locale = "en_US"            # optional; default: the marketplace's language tag
    timeout = 30                      # optional; seconds
    [keymap]                          # optional: binding id = key(s) of the terminal app
    "list.filter" = "f"               # or ["f", "slash"]; ids: asin_tui.store.keymap

Every problem is a :class:`ConfigError` whose text is one line naming the file, the line
(when known) and the key. Secrets never appear in an error, a repr or a log line: they
are shown only through :func:`mask`.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from asin_tui.domain.marketplaces import Marketplace, UnknownMarketplace, resolve_marketplace
from asin_tui.domain.text import visible
from asin_tui.store import paths
from asin_tui.store.atomic import read_regular_file
from asin_tui.store.keymap import BINDING_IDS, check_deliberate, key_string, unknown_id_hint
from asin_tui.store.toml_words import dotted_key, toml_problem

if TYPE_CHECKING:  # domain.events (and stock cover) load when alerts are used, not for a report
    from asin_tui.domain.events import Thresholds

#: credential key -> the environment variable that overrides it (python-amazon-sp-api's names)
CREDENTIAL_ENV: dict[str, str] = {
    "lwa_app_id": "LWA_APP_ID",
    "lwa_client_secret": "LWA_CLIENT_SECRET",
    "refresh_token": "SP_API_REFRESH_TOKEN",
}
SECRET_KEYS = frozenset({"lwa_client_secret", "refresh_token"})
SMTP_PASSWORD_ENV = "ASIN_TUI_SMTP_PASSWORD"
#: The environment variables that can hold one of asin-tui's secrets.
SECRET_ENV = (*(CREDENTIAL_ENV[key] for key in sorted(SECRET_KEYS)), SMTP_PASSWORD_ENV)


def without_secrets(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` for a program asin-tui runs that needs none of its secrets (an alert
    command): every variable but SECRET_ENV's."""
    return {name: value for name, value in environ.items() if name not in SECRET_ENV}


TOP_LEVEL_KEYS = ("default_profile", "profiles", "keymap")
#: The largest config file read (a profile takes a few hundred bytes: thousands fit). A larger
#: one (a log or a disk image named by mistake) is one line, never read into memory whole.
MAX_CONFIG_BYTES = 1 << 20
#: required profile key -> what to put there
REQUIRED_KEYS: dict[str, str] = {
    "marketplace": "a code such as US or DE, or a marketplace id",
    "seller_id": "your merchant token (Seller Central > Settings > Account Info)",
}

_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_SELLER_ID = re.compile(r"[A-Za-z0-9]{1,32}")
#: Patterns used now and then (a locale, an error's line, the notifications table) are kept
#: as text, compiled when first used (re's cache): ~1 ms of every command's start.
_LOCALE = r"[a-z]{2,3}_[A-Z]{2}"
_MASK_MIN_LENGTH = 12  # shorter secrets are masked entirely: four characters would be too many


def mask(secret: str | None) -> str:
    """``"…abcd"``: the last four characters of a secret, enough to tell two apart.

    Secrets shorter than 12 characters show nothing but ``"…"``; ``None`` is ``"(not set)"``.
    """
    if not secret:
        return "(not set)"
    return "…" + secret[-4:] if len(secret) >= _MASK_MIN_LENGTH else "…"


class ConfigError(Exception):
    """A problem with the configuration, told in one line: file, line, key, what is wrong."""

    def __init__(
        self, path: Path, message: str, *, key: str | None = None, line: int | None = None
    ) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.key = key
        self.line = line

    def __str__(self) -> str:
        where = display_path(self.path) + (f", line {self.line}" if self.line else "")
        return f"{where}: {self.key + ': ' if self.key else ''}{self.message}"


class ConfigNotFound(ConfigError):
    """There is no config file yet (the UI can offer the demo instead)."""


@dataclass(frozen=True, repr=False)
class Credentials:
    """LWA credentials for one profile. ``sources`` says where each came from (env or file)."""

    lwa_app_id: str | None = None
    lwa_client_secret: str | None = None
    refresh_token: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def shown(self, key: str) -> str:
        """The value of a credential as it may be displayed: secrets masked."""
        value = getattr(self, key)
        return mask(value) if key in SECRET_KEYS else (value or "(not set)")

    def as_dict(self) -> dict[str, str]:
        """The ``credentials=`` mapping python-amazon-sp-api's clients take (set keys only)."""
        return {key: getattr(self, key) for key in CREDENTIAL_ENV if getattr(self, key)}

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={self.shown(key)!r}" for key in CREDENTIAL_ENV)
        return f"Credentials({shown})"


@dataclass(frozen=True, repr=False)
class Alerts:
    """``[profiles.NAME.alerts]``: the channels `asin-tui watch` sends events through, and
    when a live listing counts as at risk. The SMTP password never shows in a repr."""

    webhook_url: str | None = None
    command: tuple[str, ...] = ()  # argv, run without a shell, the event JSON on stdin
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None  # ASIN_TUI_SMTP_PASSWORD wins
    smtp_starttls: bool = True
    mail_from: str | None = None
    mail_to: tuple[str, ...] = ()
    exemption_days: int = 14
    mfn_quantity: int = 2
    cover_days: int = 14

    @property
    def thresholds(self) -> Thresholds:
        from asin_tui.domain.events import Thresholds

        return Thresholds(
            exemption_days=self.exemption_days,
            mfn_quantity=self.mfn_quantity,
            cover_days=self.cover_days,
        )

    def __repr__(self) -> str:
        return (
            f"Alerts(webhook_url={'set' if self.webhook_url else None}, command={self.command!r},"
            f" smtp_host={self.smtp_host!r}, smtp_password={'set' if self.smtp_password else None})"
        )


@dataclass(frozen=True)
class Notifications:
    """``[profiles.NAME.notifications]``: the SQS queue an EventBridge rule fills with the
    seller's SP-API listings notifications (`watch`'s fast path). AWS credentials come from
    the AWS SDK's standard chain (environment, ~/.aws, an instance role): never from here."""

    queue_url: str
    region: str  # the queue URL's region unless given
    endpoint_url: str | None = None  # another SQS endpoint (a VPC endpoint, a local SQS)
    aws_profile: str | None = None  # a named profile of ~/.aws/config (None: the default chain)


@dataclass(frozen=True)
class Profile:
    """One seller account in one marketplace, validated and with credentials resolved."""

    name: str
    marketplace: Marketplace
    seller_id: str
    credentials: Credentials
    endpoint: str | None = None  # None: Amazon's production endpoint for the region
    token_endpoint: str | None = None  # None: Amazon's LWA token endpoint
    issue_locale: str = ""  # filled with the marketplace's language tag when not configured
    timeout: float | None = None  # seconds; None: the client's default
    source: Path | None = None
    alerts: Alerts | None = None  # [profiles.NAME.alerts]: where `watch` sends events
    #: [profiles.NAME.notifications]: the SQS queue `watch` reads SP-API notifications from
    notifications: Notifications | None = None

    def __post_init__(self) -> None:
        if not self.issue_locale:
            object.__setattr__(self, "issue_locale", self.marketplace.language_tag)


@dataclass(frozen=True)
class Config:
    """The parsed config file: its profiles, in file order, the default's name, and the
    keys remapped by ``[keymap]`` (binding id -> Textual key string, for App.set_keymap)."""

    path: Path
    profiles: dict[str, Profile]
    default_profile: str | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)

    def profile(self, name: str | None = None) -> Profile:
        """The named profile; without a name the default profile, else the first one."""
        if not self.profiles:
            raise ConfigError(
                self.path,
                "no profiles: add a [profiles.<name>] table (see `asin-tui config init`)",
            )
        chosen = name or self.default_profile or next(iter(self.profiles))
        if chosen not in self.profiles:
            known = ", ".join(self.profiles)
            raise ConfigError(self.path, f"profile {chosen!r} not found (profiles: {known})")
        return self.profiles[chosen]


def missing_credentials(profile: Profile) -> list[str]:
    """What to set for each credential the profile lacks, e.g. ``LWA_APP_ID (or lwa_app_id …)``."""
    return [
        credential_hint(profile.name, key)
        for key in CREDENTIAL_ENV
        if not getattr(profile.credentials, key)
    ]


def credential_hint(profile_name: str, key: str) -> str:
    """Where a credential can be set: ``SP_API_REFRESH_TOKEN (or refresh_token in [profiles.x])``."""
    return f"{CREDENTIAL_ENV[key]} (or {key} in [profiles.{profile_name}])"


def display_path(path: Path) -> str:
    """``~/.config/asin-tui/config.toml`` rather than the full home path."""
    try:
        return "~/" + Path(path).relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def exposure_warning(path: Path) -> str | None:
    """One line telling that the config file (where credentials may be kept) can be read or
    changed by other local users, and how to fix it; None when it is private (or gone)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    exposed = "readable" if mode & 0o044 else "writable" if mode & 0o022 else "usable"
    return (
        f"{visible(display_path(path))} is {exposed} by others (mode {mode:04o}); "
        f"run: chmod 600 {visible(path)}"
    )


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate the config file; credentials from ``environ`` win over the file."""
    source = _Source(Path(path) if path else paths.config_file())
    data = source.parse()
    return _build_config(source, data, os.environ if environ is None else environ)


# ------------------------------------------------------------------------- reading


class _Source:
    """The config text, kept to turn a key path into the line that defines it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = ""

    def parse(self) -> dict[str, Any]:
        try:
            raw = read_regular_file(self.path, limit=MAX_CONFIG_BYTES)
            self.text = _without_bom(raw.decode("utf-8"))
        except FileNotFoundError:
            raise ConfigNotFound(
                self.path, "no config file; create one with `asin-tui config init` (or try --demo)"
            ) from None
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ConfigError(self.path, "not UTF-8 text: save it as UTF-8", line=line) from None
        except OSError as exc:
            raise ConfigError(self.path, f"cannot read: {exc.strerror}") from None
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            raise _toml_error(self.path, exc) from None
        except RecursionError:
            raise ConfigError(
                self.path, "invalid TOML: arrays or tables nested too deeply"
            ) from None

    def error(self, keys: tuple[str, ...], message: str) -> ConfigError:
        return ConfigError(
            self.path, message, key=dotted_key(keys), line=locate_key(self.text, keys)
        )


def _without_bom(text: str) -> str:
    """The TOML text without the byte order mark an editor may put first ("UTF-8 with BOM":
    Windows Notepad, a file saved there and copied to the server); tomllib takes U+FEFF for
    a character that begins no statement."""
    return text.removeprefix("\ufeff")


def _toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> ConfigError:
    """tomllib's message in words, its line moved to the front (tomllib 3.11 only puts the
    position in its message)."""
    words, line = toml_problem(str(exc))
    return ConfigError(path, f"invalid TOML: {words}", line=line)


# Finding a key's line: TOML gives no positions, so scan the text for table headers and
# `key =` lines, and let tomllib itself decode each (possibly quoted, dotted) key.
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_KEY = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER_LINE = rf"\s*\[\[?\s*({_KEY})\s*\]\]?"
_KEY_LINE = rf"\s*({_KEY})\s*="


def _key_parts(key_text: str) -> tuple[str, ...]:
    try:
        node: Any = tomllib.loads(f"{key_text} = 0")
    except tomllib.TOMLDecodeError:
        return ()
    parts: list[str] = []
    while isinstance(node, dict):
        ((name, node),) = node.items()
        parts.append(name)
    return tuple(parts)


def locate_key(text: str, keys: tuple[str, ...]) -> int | None:
    """The line defining ``keys`` (a dotted path); else the line of its nearest parent."""
    table: tuple[str, ...] = ()
    best_line, best_depth = None, 0
    for number, line in enumerate(text.splitlines(), start=1):
        if header := re.match(_HEADER_LINE, line):
            table = _key_parts(header.group(1))
            found = table
        elif assignment := re.match(_KEY_LINE, line):
            found = table + _key_parts(assignment.group(1))
        else:
            continue
        if found == keys:
            return number
        if found and keys[: len(found)] == found and len(found) > best_depth:
            best_line, best_depth = number, len(found)
    return best_line


# ------------------------------------------------------------------------- validation


class _Invalid(ValueError):
    """A value that fails its key's rule; the message never contains a secret."""


_TOML_TYPES = {
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    dict: "a table",
    list: "an array",
}


def _type_name(value: object) -> str:
    return _TOML_TYPES.get(type(value), "a date/time")


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected a string, got {_type_name(value)}")
    return value.strip()


def _marketplace(value: object) -> Marketplace:
    try:
        return resolve_marketplace(_string(value))
    except UnknownMarketplace as exc:
        raise _Invalid(str(exc)) from None


def _seller_id(value: object) -> str:
    text = _string(value)
    if not _SELLER_ID.fullmatch(text):
        raise _Invalid(
            f"expected your merchant token (letters and digits, like A2EXAMPLE12345), got {text!r}"
        )
    return text


def _credential(value: object) -> str | None:
    return _string(value) or None


def _is_http_url(text: str) -> bool:
    parts = urlsplit(text)
    try:
        port_ok = parts.port is not None or not parts.netloc.endswith(":")  # "host:" has none
    except ValueError:  # not a number, or out of range
        port_ok = False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port_ok


def _url(value: object) -> str:
    """An endpoint's URL (SP-API, LWA, SQS): shown by `config show` and `config check`, so
    no user name or password in it (none of these services takes one there)."""
    text = _string(value)
    if not _is_http_url(text):
        raise _Invalid(f"expected an http(s) URL like http://127.0.0.1:8765, got {text!r}")
    if urlsplit(text).username is not None or "@" in urlsplit(text).netloc:
        raise _Invalid(
            "a user name or password in the URL is not taken (it would be shown and logged "
            "with it); nothing here needs one"
        )
    return text.rstrip("/")


def _secret_url(value: object) -> str:
    """A webhook's URL: a secret itself (Slack's carry a token, some a password), so never
    quoted in an error."""
    text = _string(value)
    if not _is_http_url(text):
        raise _Invalid(
            "expected an http(s) URL like https://hooks.slack.com/services/… (not shown)"
        )
    return text.rstrip("/")


def _locale(value: object) -> str:
    text = _string(value)
    if not re.fullmatch(_LOCALE, text):
        raise _Invalid(f"expected a locale like en_US or de_DE, got {text!r}")
    return text


def _timeout(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"expected a number of seconds, got {_type_name(value)}")
    if not 0 < value <= 3600:
        raise _Invalid(f"expected between 0 and 3600 seconds, got {value}")
    return float(value)


_PROFILE_KEYS: dict[str, Callable[[object], Any]] = {
    "marketplace": _marketplace,
    "seller_id": _seller_id,
    "lwa_app_id": _credential,
    "lwa_client_secret": _credential,
    "refresh_token": _credential,
    "endpoint": _url,
    "token_endpoint": _url,
    "issue_locale": _locale,
    "timeout": _timeout,
}
PROFILE_KEYS = tuple(_PROFILE_KEYS)
PROFILE_TABLES = ("alerts", "notifications")


def _argv(value: object) -> tuple[str, ...]:
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        raise _Invalid('expected the command as an array of strings, like ["notify-send", "asin"]')
    if not value[0].strip():
        raise _Invalid("the command's first string must name the program")
    return tuple(value)


def _host(value: object) -> str:
    text = _string(value)
    if not text or any(c.isspace() or c in "/:@" for c in text):
        raise _Invalid(f"expected a host name like smtp.example.com, got {text!r}")
    return text


def _port(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise _Invalid("expected a port number between 1 and 65535")
    return value


def _address(value: object) -> str:
    text = _string(value)
    if not re.fullmatch(r"[^@\s<>,]+@[^@\s<>,]+", text):
        raise _Invalid(f"expected an e-mail address like you@example.com, got {text!r}")
    return text


def _addresses(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _Invalid("expected at least one e-mail address")
    return tuple(_address(v) for v in items)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_type_name(value)}")
    return value


def _days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
        raise _Invalid("expected a whole number of days between 0 and 365")
    return value


def _quantity(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100000:
        raise _Invalid("expected a whole number of units, 0 or more")
    return value


_ALERT_KEYS: dict[str, Callable[[object], Any]] = {
    "webhook_url": _secret_url,
    "command": _argv,
    "smtp_host": _host,
    "smtp_port": _port,
    "smtp_user": _credential,
    "smtp_password": _credential,
    "smtp_starttls": _flag,
    "mail_from": _address,
    "mail_to": _addresses,
    "exemption_days": _days,
    "mfn_quantity": _quantity,
    "cover_days": _days,
}
ALERT_KEYS = tuple(_ALERT_KEYS)


def _build_alerts(
    source: _Source, keys: tuple[str, ...], table: object, environ: Mapping[str, str]
) -> Alerts:
    if not isinstance(table, dict):
        raise source.error(keys, f"expected a table [{dotted_key(keys)}], got {_type_name(table)}")
    _reject_unknown(source, keys, table, ALERT_KEYS)
    values: dict[str, Any] = {}
    for key, value in table.items():
        try:
            values[key] = _ALERT_KEYS[key](value)
        except _Invalid as exc:
            raise source.error((*keys, key), str(exc)) from None
    if password := environ.get(SMTP_PASSWORD_ENV, "").strip():
        values["smtp_password"] = password
    mail = ("smtp_host", "mail_from", "mail_to")
    given = [k for k in mail if k in values]
    if given and len(given) < len(mail):
        missing = next(k for k in mail if k not in values)
        raise source.error((*keys, missing), "required for e-mail alerts (with smtp_host)")
    return Alerts(**values)


_REGION = r"[a-z]{2}(-[a-z]+)+-\d"
#: https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (the form the SQS console shows)
_QUEUE_URL = r"https://sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/\d{12}/[\w-]{1,80}"


def _region(value: object) -> str:
    text = _string(value)
    if not re.fullmatch(_REGION, text):
        raise _Invalid(f"expected an AWS region like us-east-1, got {text!r}")
    return text


def _aws_profile(value: object) -> str:
    text = _string(value)
    if not text or any(c.isspace() for c in text):
        raise _Invalid(f"expected the name of a profile in ~/.aws/config, got {text!r}")
    return text


_NOTIFICATION_KEYS: dict[str, Callable[[object], Any]] = {
    "queue_url": _url,
    "region": _region,
    "endpoint_url": _url,
    "aws_profile": _aws_profile,
}
NOTIFICATION_KEYS = tuple(_NOTIFICATION_KEYS)


def _build_notifications(source: _Source, keys: tuple[str, ...], table: object) -> Notifications:
    if not isinstance(table, dict):
        raise source.error(keys, f"expected a table [{dotted_key(keys)}], got {_type_name(table)}")
    _reject_unknown(source, keys, table, NOTIFICATION_KEYS)
    if "queue_url" not in table:
        raise source.error(
            (*keys, "queue_url"),
            "required key is missing: the SQS queue URL, like "
            "https://sqs.us-east-1.amazonaws.com/123456789012/asin-tui",
        )
    values: dict[str, Any] = {}
    for key, value in table.items():
        try:
            values[key] = _NOTIFICATION_KEYS[key](value)
        except _Invalid as exc:
            raise source.error((*keys, key), str(exc)) from None
    aws = re.fullmatch(_QUEUE_URL, values["queue_url"])
    if "region" not in values:
        if aws is None:
            raise source.error(
                (*keys, "region"), "required with a queue URL that names no AWS region"
            )
        values["region"] = aws.group(1)
    if aws is None and "endpoint_url" not in values:
        values["endpoint_url"] = _endpoint_of(values["queue_url"])
    return Notifications(**values)


def _endpoint_of(queue_url: str) -> str:
    """A local or private SQS's endpoint: the queue URL's scheme and authority."""
    parts = urlsplit(queue_url)
    return f"{parts.scheme}://{parts.netloc}"


def _reject_unknown(source: _Source, keys: tuple[str, ...], table: dict, allowed) -> None:
    for key in table:
        if key not in allowed:
            import difflib  # a typo's hint only: not at every command's start

            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
            raise source.error((*keys, key), f"unknown key ({hint})")


def _build_config(source: _Source, data: dict[str, Any], environ: Mapping[str, str]) -> Config:
    _reject_unknown(source, (), data, TOP_LEVEL_KEYS)
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise source.error(
            ("profiles",), f"expected tables [profiles.<name>], got {_type_name(tables)}"
        )
    profiles = {
        name: _build_profile(source, name, table, environ) for name, table in tables.items()
    }
    default = data.get("default_profile")
    if default is not None and (not isinstance(default, str) or default not in profiles):
        known = ", ".join(profiles) or "none defined"
        raise source.error(
            ("default_profile",), f"expected the name of a profile (profiles: {known})"
        )
    keymap = _build_keymap(source, data.get("keymap", {}))
    return Config(path=source.path, profiles=profiles, default_profile=default, keymap=keymap)


def _build_keymap(source: _Source, table: object) -> dict[str, str]:
    """``[keymap]``: binding id = "key" or ["key", ...]. An id may be quoted
    (``"list.filter" = "f"``) or dotted (``list.filter = "f"``, ``[keymap.list]``)."""
    if not isinstance(table, dict):
        raise source.error(
            ("keymap",), f'expected a table [keymap] of id = "key", got {_type_name(table)}'
        )
    keymap: dict[str, str] = {}
    for keys, value in _leaves(table):
        binding_id, where = ".".join(keys), ("keymap", *keys)
        if binding_id not in BINDING_IDS:
            raise source.error(where, f"unknown binding id ({unknown_id_hint(binding_id)})")
        try:
            keymap[binding_id] = key_string(value)
            check_deliberate(binding_id, keymap[binding_id])
        except ValueError as exc:
            raise source.error(where, str(exc)) from None
    return keymap


def _leaves(table: dict, prefix: tuple[str, ...] = ()):
    """(key path, value) of every non-table value under ``table``."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def _build_profile(
    source: _Source, name: str, table: object, environ: Mapping[str, str]
) -> Profile:
    keys = ("profiles", name)
    if not _PROFILE_NAME.fullmatch(name):
        raise source.error(keys, "a profile name may only use letters, digits, '-' and '_'")
    if not isinstance(table, dict):
        raise source.error(keys, f"expected a table [profiles.{name}], got {_type_name(table)}")
    _reject_unknown(source, keys, table, PROFILE_KEYS + PROFILE_TABLES)
    for required, hint in REQUIRED_KEYS.items():
        if required not in table:
            raise source.error((*keys, required), f"required key is missing: {hint}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in PROFILE_TABLES:
            continue
        try:
            values[key] = _PROFILE_KEYS[key](value)
        except _Invalid as exc:
            raise source.error((*keys, key), str(exc)) from None
    alerts = (
        _build_alerts(source, (*keys, "alerts"), table["alerts"], environ)
        if "alerts" in table
        else None
    )
    notifications = (
        _build_notifications(source, (*keys, "notifications"), table["notifications"])
        if "notifications" in table
        else None
    )
    return Profile(
        name=name,
        marketplace=values["marketplace"],
        seller_id=values["seller_id"],
        credentials=_resolve_credentials(values, environ),
        endpoint=values.get("endpoint"),
        token_endpoint=values.get("token_endpoint"),
        issue_locale=values.get("issue_locale", ""),
        timeout=values.get("timeout"),
        source=source.path,
        alerts=alerts,
        notifications=notifications,
    )


def _resolve_credentials(values: dict[str, Any], environ: Mapping[str, str]) -> Credentials:
    resolved: dict[str, str] = {}
    sources: dict[str, str] = {}
    for key, env in CREDENTIAL_ENV.items():
        if from_env := environ.get(env, "").strip():
            resolved[key], sources[key] = from_env, f"env {env}"
        elif values.get(key):
            resolved[key], sources[key] = values[key], "config file"
    return Credentials(**resolved, sources=sources)


# ------------------------------------------------------------------------- adding a profile

#: What a new config file starts with when `config add-profile` creates it.
NEW_FILE_HEADER = """\
# asin-tui configuration (`asin-tui config init` writes a commented template with every key).
# One [profiles.<name>] table per seller account and marketplace; `asin-tui --profile NAME`.
"""


def with_profile(path: Path, text: str | None, name: str, values: Mapping[str, str]) -> str:
    """The config ``text`` (None: no file yet) with a ``[profiles.NAME]`` table appended;
    what is there (comments, order, spacing) is kept byte for byte. ``values``: profile key
    -> string (marketplace, seller_id, endpoint, token_endpoint). ConfigError (one line)
    for a name that exists or is not a valid name, a value the profile would reject, or a
    file that is not valid TOML to begin with (it is not touched then)."""
    keys = ("profiles", name)
    source = _Source(path)
    if not _PROFILE_NAME.fullmatch(name):
        raise ConfigError(path, "a profile name may only use letters, digits, '-' and '_'")
    if text is not None:
        source.text = _without_bom(text)
        try:
            data = tomllib.loads(source.text)
        except tomllib.TOMLDecodeError as exc:
            raise _toml_error(path, exc) from None
        profiles = data.get("profiles")
        if isinstance(profiles, dict) and name in profiles:
            raise source.error(keys, f"a profile named {name!r} exists already; choose another")
    unknown = set(values) - set(PROFILE_KEYS)
    if unknown:
        raise ValueError(f"not profile keys: {sorted(unknown)}")
    table = "".join(f"{key} = {_toml_string(value)}\n" for key, value in values.items())
    before = text if text is not None else NEW_FILE_HEADER
    separator = (
        "" if not before or before.endswith("\n\n") else ("\n" if before.endswith("\n") else "\n\n")
    )
    new_text = f"{before}{separator}[profiles.{name}]\n{table}"
    checked = _Source(path)
    checked.text = _without_bom(new_text)
    try:
        data = tomllib.loads(checked.text)
    except tomllib.TOMLDecodeError:  # e.g. `profiles = {…}` inline: no table can be added
        raise ConfigError(
            path, "cannot add a [profiles.…] table to this file's profiles: add it by hand"
        ) from None
    _build_profile(checked, name, data["profiles"][name], {})  # the values, as loading would
    return new_text


def _toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, for what json.dumps writes)."""
    import json

    return json.dumps(value, ensure_ascii=False)
