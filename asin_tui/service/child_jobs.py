"""The account service's jobs in a child process (``AccountService.for_profile(profile,
sync_in_child=True)``, asin_tui.child): a sync, and the storing of an Account Health report
that changes what a diagnosis acts on. Each job crosses to the child pickled over its stdin:
the profile's credentials inside ``client_factory`` never touch the disk, argv or the
environment; the child builds a service of its own on the same cache file.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asin_tui.store.cache import ListingCache
from asin_tui.store.config import without_secrets

if TYPE_CHECKING:
    from asin_tui.service import (
        AccountService,
        Freshness,
        HealthRefresh,
        ProgressCallback,
        SyncSummary,
    )
    from asin_tui.spapi.calls import ReportRequest
    from asin_tui.spapi.client import AccessToken, SpApi


@dataclass(frozen=True, slots=True)
class ChildJob:
    """What a child process needs to open the account (sent over a pipe: the credentials
    inside ``client_factory`` never touch the disk, argv or the environment)."""

    profile_name: str
    marketplace_id: str
    seller_id: str
    client_factory: Callable[[], SpApi]
    cache_path: Path
    sync_batch: int

    def service(self, **options: Any) -> AccountService:
        """The account's service in the child: its own, on the same cache file."""
        from asin_tui.service import AccountService

        return AccountService(
            profile_name=self.profile_name,
            marketplace_id=self.marketplace_id,
            seller_id=self.seller_id,
            client_factory=options.pop("client_factory", self.client_factory),
            cache=ListingCache(self.cache_path),
            sync_batch=self.sync_batch,
            **options,
        )


@dataclass(frozen=True, slots=True)
class ChildSync(ChildJob):
    """A sync's job in its child process."""

    freshness: Freshness
    include_all: bool
    access: AccessToken | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class HealthFound:
    """What one look at the pending Account Health report found (crosses to a child)."""

    document: Mapping[str, Any] | None  # the report, when Amazon was done with it
    fetched_at: datetime
    pending: ReportRequest | None  # still pending (or asked again): looked at later
    error: str | None  # why the look failed


@dataclass(frozen=True, slots=True)
class ChildHealth(ChildJob):
    """Store an Account Health report that changes the gate and diagnose every cached
    listing again with it (``refresh_account_health``), in a child process: its client is
    never opened (nothing is fetched there)."""

    found: HealthFound = field(repr=False)


async def child_health_main(job: ChildHealth, *, send: ProgressCallback) -> HealthRefresh:
    """``_store_account_health`` in a child process (asin_tui.child): a service of its own
    on the same cache file; cancelled, it stops between two batches, the report not stored."""
    service = job.service()
    stop = threading.Event()
    work = asyncio.ensure_future(asyncio.to_thread(service._store_account_health, job.found, stop))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        stop.set()  # the thread stops at its next batch, the report not stored: wait for it
        with contextlib.suppress(BaseException):
            await work
        raise
    finally:
        await service.aclose()


def child_env() -> dict[str, str]:
    """A child process's environment: this one's without the secrets. The job carries the
    profile's credentials over its stdin; the child needs none of LWA_CLIENT_SECRET & co, and
    each copy is one more place to leak from (its /proc/<pid>/environ, a crash report)."""
    return without_secrets(os.environ)


def _client_with_token(factory: Callable[[], SpApi], access: AccessToken | None) -> SpApi:
    """The client ``factory`` builds, calling with ``access`` (another process's LWA token)
    until it is used up."""
    api = factory()
    if access is not None:
        api.use_access_token(access)
    return api


async def child_sync_main(job: ChildSync, *, send: ProgressCallback) -> SyncSummary:
    """A sync as the child process runs it (asin_tui.child): a service of its own on the same
    cache file, its progress sent back coalesced; cancelled, it discards what it staged."""
    service = job.service(
        client_factory=functools.partial(_client_with_token, job.client_factory, job.access),
        freshness=job.freshness,
    )
    try:
        return await service.sync(include_all=job.include_all, progress=send)
    finally:
        await service.aclose()
