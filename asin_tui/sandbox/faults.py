"""Seeded fault injection for the sandbox: the bad days Amazon has, on demand and reproducibly.

A spec names the share of requests that go wrong and how::

    429=0.1,500=0.05,503=0.05,slow=0.02:2.0,truncate=0.02

- ``429``: refused with QuotaExceeded although the bucket had room (Amazon throttles under load);
- ``500`` / ``503``: InternalFailure / ServiceUnavailable, the request is not processed;
- ``slow=SHARE:SECONDS``: answered normally, after SECONDS (default 2.0);
- ``truncate``: processed, and a 200 answer comes back with its body cut in half.

Every request draws exactly one number from a generator seeded with ``seed``, so the same seed
and the same sequence of requests always give the same faults.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass

KINDS = ("429", "500", "503", "slow", "truncate")
DEFAULT_SLOW_SECONDS = 2.0


class FaultSpecError(ValueError):
    """A fault spec that cannot be understood; the message says which part and why."""


@dataclass(frozen=True, slots=True)
class Fault:
    """What goes wrong with one request."""

    kind: str  # one of KINDS
    delay: float = 0.0  # seconds, for "slow"


class FaultInjector:
    """Decides, request by request, which (if any) fault to inject. Thread-safe."""

    def __init__(
        self,
        shares: dict[str, float],
        *,
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
        seed: int = 0,
    ) -> None:
        self._shares = {kind: shares[kind] for kind in KINDS if shares.get(kind)}
        self._slow_seconds = slow_seconds
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @classmethod
    def parse(cls, spec: str, *, seed: int = 0) -> FaultInjector:
        """Build an injector from a spec string; FaultSpecError explains a bad one."""
        shares: dict[str, float] = {}
        slow_seconds = DEFAULT_SLOW_SECONDS
        items = [item.strip() for item in spec.split(",") if item.strip()]
        if not items:
            raise FaultSpecError("fault spec is empty (example: 429=0.1,500=0.05,slow=0.02:2.0)")
        for item in items:
            kind, share, seconds = _parse_item(item)
            if kind in shares:
                raise FaultSpecError(f"fault spec names {kind!r} twice")
            shares[kind] = share
            if seconds is not None:
                slow_seconds = seconds
        total = sum(shares.values())
        if total > 1.0 + 1e-9:
            raise FaultSpecError(f"fault shares add up to {total:g}; they must not exceed 1")
        return cls(shares, slow_seconds=slow_seconds, seed=seed)

    @property
    def spec(self) -> str:
        """The canonical spec string (for banners and logs)."""
        parts = []
        for kind, share in self._shares.items():
            suffix = f":{self._slow_seconds:g}" if kind == "slow" else ""
            parts.append(f"{kind}={share:g}{suffix}")
        return ",".join(parts)

    def draw(self) -> Fault | None:
        """The fault for the next request, or None for a normal answer."""
        with self._lock:
            roll = self._random.random()
        threshold = 0.0
        for kind, share in self._shares.items():
            threshold += share
            if roll < threshold:
                delay = self._slow_seconds if kind == "slow" else 0.0
                return Fault(kind, delay)
        return None


def _parse_item(item: str) -> tuple[str, float, float | None]:
    """``kind=share[:seconds]`` -> (kind, share, seconds or None)."""
    kind, sep, value = item.partition("=")
    kind = kind.strip()
    if not sep:
        raise FaultSpecError(f"fault spec item {item!r} needs the form KIND=SHARE")
    if kind not in KINDS:
        raise FaultSpecError(
            f"fault spec item {item!r}: unknown kind {kind!r} (expected one of {', '.join(KINDS)})"
        )
    share_text, colon, seconds_text = value.partition(":")
    if colon and kind != "slow":
        raise FaultSpecError(f"fault spec item {item!r}: only 'slow' takes :SECONDS")
    share = _number(item, share_text, "share")
    if not 0.0 <= share <= 1.0:
        raise FaultSpecError(f"fault spec item {item!r}: share must be between 0 and 1")
    seconds = _number(item, seconds_text, "seconds") if colon else None
    if seconds is not None and seconds <= 0:
        raise FaultSpecError(f"fault spec item {item!r}: seconds must be positive")
    return kind, share, seconds


def _number(item: str, text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultSpecError(f"fault spec item {item!r}: {what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise FaultSpecError(f"fault spec item {item!r}: {what} must be a finite number")
    return value
