"""`asin-tui watch`'s fast path: SP-API notifications read from an SQS queue.

A profile's ``[profiles.NAME.notifications]`` names an SQS queue that an Amazon EventBridge
rule fills with the seller's LISTINGS_ITEM_STATUS_CHANGE and LISTINGS_ITEM_ISSUES_CHANGE
notifications (README, "Notifications (fast path)"). The listener long-polls the queue; each
listing named is read again at once (Watcher.recheck: getListingsItem) and its events are
stored and sent. A message is deleted only after the re-check that answers it is stored; one
whose re-check failed comes back when its visibility timeout ends (and the rounds read the
listing anyway). A message that is not a listings notification for a watched account is
counted, told in one line and deleted.

The AWS SDK (boto3) is an optional extra: ``pip install 'asin-tui[notifications]'``. Without
it a profile with notifications configured gets one line and the periodic rounds. AWS
credentials come from the SDK's standard chain (environment, ~/.aws, an instance role); they
are never read, logged or shown here. The SDK's blocking calls run in daemon threads, so a
signal stops `watch` at once even in the middle of a 20-second long poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from asin_tui.background import in_daemon_thread
from asin_tui.domain.notifications import ForeignMessage, ListingNotice, parse_message
from asin_tui.domain.redact import redact
from asin_tui.service import SpApiError
from asin_tui.store.cache import CacheError
from asin_tui.store.config import Notifications
from asin_tui.watch import RoundResult, Watcher

EXTRA_HINT = "pip install 'asin-tui[notifications]'"
WAIT_SECONDS = 20  # SQS's longest long poll: one request in 20 s when the queue is quiet
BATCH = 10  # SQS's most messages a receive
#: Seconds a received message stays hidden from other readers: longer than a re-check of a
#: batch takes; a message whose re-check failed comes back after it.
VISIBILITY_SECONDS = 120
RETRY_PAUSE = (5.0, 15.0, 60.0)  # seconds before receiving again after a queue error

_T = TypeVar("_T")
#: An AWS access key id (not secret, but it names the credentials): kept out of messages
_ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b")


class NotificationsUnavailable(Exception):
    """The AWS SDK is not installed (one line saying what to install)."""


class QueueError(Exception):
    """The queue cannot be read or written now (one line, nothing secret)."""


class OutputLost(Exception):
    """A re-check's result could not be told (``on_result`` raised: stdout is gone, a reader
    that left or a full disk; the cause is ``__cause__``). The listener stops with it: the
    batch's messages are not deleted, so they come back and the next watch tells them."""


@dataclass(frozen=True, slots=True)
class Message:
    receipt: str
    body: str


@dataclass
class Handled:
    """What one batch of messages did."""

    results: list[tuple[Watcher, RoundResult]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # why each foreign message was dropped
    kept: int = 0  # messages left on the queue (their re-check failed)


class SqsQueue:
    """One SQS queue through boto3 (a client made once; its calls run in daemon threads)."""

    def __init__(self, settings: Notifications, *, wait_seconds: int = WAIT_SECONDS) -> None:
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise NotificationsUnavailable(
                f"notifications need the AWS SDK for Python: {EXTRA_HINT}"
            ) from None
        self.url = settings.queue_url
        self.wait_seconds = wait_seconds
        try:
            session = boto3.session.Session(
                profile_name=settings.aws_profile, region_name=settings.region
            )
            self._client = session.client(
                "sqs",
                endpoint_url=settings.endpoint_url,
                config=Config(
                    connect_timeout=10,
                    read_timeout=wait_seconds + 10,
                    retries={"max_attempts": 3, "mode": "standard"},
                ),
            )
        except Exception as exc:  # a named AWS profile that does not exist, a bad region
            raise QueueError(_aws_error(exc)) from None

    async def receive(self) -> list[Message]:
        answer = await _in_thread(
            lambda: self._client.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=BATCH,
                WaitTimeSeconds=self.wait_seconds,
                VisibilityTimeout=VISIBILITY_SECONDS,
            )
        )
        messages = []
        for raw in answer.get("Messages") or ():
            receipt, body = raw.get("ReceiptHandle"), raw.get("Body")
            if isinstance(receipt, str):
                messages.append(Message(receipt, body if isinstance(body, str) else ""))
        return messages

    async def check(self) -> int:
        """`config check`: the queue can be reached and read with these AWS credentials —
        its attributes (sqs:GetQueueAttributes), then one receive that takes nothing
        (sqs:ReceiveMessage with no wait and a visibility timeout of 0: a message it sees is
        visible again at once; only its receive count goes up by one). Returns the messages
        waiting (Amazon's approximate count); raises QueueError (one line) otherwise."""
        answer = await _in_thread(
            lambda: self._client.get_queue_attributes(
                QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"]
            )
        )
        await _in_thread(
            lambda: self._client.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=1, WaitTimeSeconds=0, VisibilityTimeout=0
            )
        )
        waiting = (answer.get("Attributes") or {}).get("ApproximateNumberOfMessages", "0")
        try:
            return int(waiting)
        except (TypeError, ValueError):
            return 0

    async def delete(self, receipts: Sequence[str]) -> None:
        for start in range(0, len(receipts), BATCH):
            part = receipts[start : start + BATCH]
            entries = [{"Id": str(i), "ReceiptHandle": r} for i, r in enumerate(part)]
            answer = await _in_thread(
                functools.partial(
                    self._client.delete_message_batch, QueueUrl=self.url, Entries=entries
                )
            )
            if answer.get("Failed"):
                raise QueueError(f"{len(answer['Failed'])} message(s) could not be deleted")


async def _in_thread(call: Callable[[], _T]) -> _T:
    """``call()`` in a daemon thread (background.in_daemon_thread: cancelled at once, the
    process exits during a long poll); its failure is a QueueError (one line, no key id)."""
    try:
        return await in_daemon_thread(call, "asin-tui-sqs")
    except Exception as exc:
        raise QueueError(_aws_error(exc)) from None


def _aws_error(exc: BaseException) -> str:
    """One line for an AWS SDK error: its code and message (never a credential; redacted)."""
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):
        error = response["Error"]
        text = f"{error.get('Code', 'error')}: {error.get('Message', '')}".strip(": ")
    else:
        text = str(exc) or type(exc).__name__
    text = _ACCESS_KEY_ID.sub("(an AWS access key id)", " ".join(text.split()))
    return redact(text)[:300]


class Listener:
    """Reads one queue for the watchers of the accounts it serves (a notification goes to the
    watcher whose seller and marketplace it names)."""

    def __init__(
        self,
        queue: SqsQueue,
        watchers: Sequence[Watcher],
        *,
        say: Callable[[str], None],
        on_result: Callable[[Watcher, RoundResult], None],
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.queue = queue
        self.watchers = list(watchers)
        self._say = say
        self._on_result = on_result
        self._sleep = sleep
        self.dropped = 0  # foreign or malformed messages dropped since the start
        self.rechecked = 0  # listings read again because of a notification

    async def run(self, stop: asyncio.Event) -> None:
        """Receive and handle until ``stop`` is set; a queue error is told once and retried
        after a pause (the rounds go on meanwhile). A result that cannot be told (stdout
        gone) ends it with :class:`OutputLost`, the batch's messages left on the queue."""
        failures = 0
        while not stop.is_set():
            try:
                messages = await self.queue.receive()
            except QueueError as exc:
                pause = RETRY_PAUSE[min(failures, len(RETRY_PAUSE) - 1)]
                if failures == 0:
                    self._say(f"notifications: cannot read the queue ({exc}); trying again")
                failures += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=pause)
                continue
            if failures:
                self._say("notifications: reading the queue again")
                failures = 0
            if messages:
                try:
                    await self.handle(messages)
                except OutputLost:  # nowhere to tell anything: `watch` ends (cli.main's code)
                    raise
                except Exception as exc:  # never a traceback: the messages come back later
                    self._say(f"notifications: a batch failed ({_one_line(exc)})")

    async def handle(self, messages: Sequence[Message]) -> Handled:
        """Re-check the listings the messages name (one re-check per SKU however many
        notifications name it), then delete the messages answered; drop the foreign ones."""
        handled = Handled()
        wanted: dict[int, dict[str, list[str]]] = {}  # watcher index -> sku -> receipts
        foreign: list[str] = []
        for message in messages:
            try:
                notice = parse_message(message.body)
                index = self._watcher_for(notice)
            except ForeignMessage as exc:
                handled.dropped.append(str(exc))
                foreign.append(message.receipt)
                continue
            wanted.setdefault(index, {}).setdefault(notice.sku, []).append(message.receipt)
        for reason in handled.dropped:
            self._say(f"notifications: dropped a message: {reason}")
        self.dropped += len(handled.dropped)
        done = list(foreign)
        for index, by_sku in wanted.items():
            watcher = self.watchers[index]
            try:
                result = await watcher.recheck(by_sku)
            except (SpApiError, CacheError, OSError) as exc:
                self._say(f"{watcher.profile}: notification re-check failed: {_one_line(exc)}")
                handled.kept += sum(len(r) for r in by_sku.values())
                continue
            self.rechecked += len(by_sku) - len(result.unchecked)
            handled.results.append((watcher, result))
            try:
                self._on_result(watcher, result)
            except Exception as exc:  # told nowhere: nothing deleted, the messages come back
                raise OutputLost(_one_line(exc)) from exc
            for sku, receipts in by_sku.items():
                if sku in result.unchecked:
                    handled.kept += len(receipts)
                else:
                    done += receipts
        if done:
            try:
                await self.queue.delete(done)
            except QueueError as exc:  # they come back and are re-checked once more
                self._say(f"notifications: could not delete answered messages ({exc})")
        return handled

    def _watcher_for(self, notice: ListingNotice) -> int:
        for index, watcher in enumerate(self.watchers):
            service = watcher.service
            if notice.concerns(service.seller_id, service.marketplace_id):
                return index
        raise ForeignMessage("for a seller or marketplace this watch does not watch")


def _one_line(exc: BaseException) -> str:
    return redact(" ".join(str(exc).split()) or type(exc).__name__)
