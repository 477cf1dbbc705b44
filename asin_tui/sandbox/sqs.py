"""The sandbox's notifications delivered to an SQS queue, as Amazon EventBridge would deliver
them (`asin-tui sandbox serve --notify-sqs QUEUE_URL`): a thread that, a few times a second,
lets the account settle (drift and processed patches are due on the clock, not only when a
request comes), takes its notifications and sends each, in its EventBridge envelope, as one
message. For a local SQS (moto's server mode) in tests and benchmarks; the AWS SDK (boto3) is
the `notifications` extra.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.notifications import eventbridge_event

SANDBOX_AWS_ACCOUNT = "000000000000"
TICK = 0.2  # seconds between looks at the account


class SqsUnavailable(Exception):
    """boto3 is missing or the queue cannot be reached (one line)."""


class SqsForwarder:
    """Sends the app's notifications to ``queue_url`` until stopped."""

    def __init__(
        self,
        app: SandboxApp,
        queue_url: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        tick: float = TICK,
        on_error: Callable[[str], None] = lambda line: None,
    ) -> None:
        try:
            import boto3
        except ImportError:
            raise SqsUnavailable(
                "--notify-sqs needs the AWS SDK for Python: pip install 'asin-tui[notifications]'"
            ) from None
        self.app = app
        self.queue_url = queue_url
        self.region = region
        self.tick = tick
        self.sent = 0
        self._on_error = on_error
        self._client = boto3.session.Session(region_name=region).client(
            "sqs", endpoint_url=endpoint_url
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-sqs", daemon=True)
        self.app.account.start_notifications()

    def start(self) -> SqsForwarder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def forward(self) -> int:
        """Send what is due now; returns how many messages were sent."""
        notifications = self.app.take_notifications()
        for start in range(0, len(notifications), 10):
            entries = [
                {
                    "Id": str(i),
                    "MessageBody": json.dumps(
                        eventbridge_event(n, aws_account_id=SANDBOX_AWS_ACCOUNT, region=self.region)
                    ),
                }
                for i, n in enumerate(notifications[start : start + 10])
            ]
            self._client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            self.sent += len(entries)
        return len(notifications)

    def _run(self) -> None:
        failing = False
        while not self._stop.wait(self.tick):
            try:
                self.forward()
                failing = False
            except Exception as exc:  # the queue went away: say so once, keep serving
                if not failing:
                    self._on_error(
                        f"sandbox: notifications not delivered to SQS ({type(exc).__name__})"
                    )
                failing = True
