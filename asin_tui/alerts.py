"""The alert channels of `asin-tui watch` (a profile's ``[profiles.NAME.alerts]``):

- webhook: an HTTP POST of the event's JSON with a Slack-compatible ``text`` field (httpx),
  whose ``&``, ``<`` and ``>`` are escaped as Slack asks (a listing's text could otherwise
  write ``<!here>`` or a ``<https://…|link>`` into the seller's channel);
- e-mail over SMTP (stdlib smtplib, STARTTLS unless turned off), the event's line as subject
  and its JSON as the body;
- a command, run without a shell, with the event's JSON on stdin and the environment without
  asin-tui's secrets (the LWA client secret, the refresh token, the SMTP password).

Every JSON sent is asin_tui.watch.event_json (the same data, terminal-safe). A channel
raises AlertError with a one-line reason; the reason never carries the webhook URL
(Slack's carry a secret), the SMTP password or the command's output.
"""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage

import httpx

from asin_tui.background import in_daemon_thread
from asin_tui.store.config import Alerts, without_secrets
from asin_tui.watch import Channel, event_json

TIMEOUT = 20.0  # seconds for one attempt of one channel


class AlertError(Exception):
    """A channel could not send (one line, nothing secret)."""


_JSON = {"Content-Type": "application/json"}


def slack_text(text: str) -> str:
    """``text`` as Slack's mrkdwn shows it literally: ``&``, ``<``, ``>`` escaped (Slack's
    "Formatting text for app surfaces": control sequences are written between ``<`` ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class WebhookChannel(Channel):
    name = "webhook"

    def __init__(
        self, url: str, timeout: float = TIMEOUT, tls: ssl.SSLContext | None = None
    ) -> None:
        self._url = url
        self._timeout = timeout
        #: None until the first send: httpx's default (certifi's certificates, or
        #: SSL_CERT_FILE / SSL_CERT_DIR), host name checked. Made once for the channel, not
        #: per alert: reading the certificate bundle is ~20 ms of CPU each time.
        self._tls = tls

    async def send(self, payload: Mapping[str, object], text: str) -> None:
        body = event_json({**payload, "text": slack_text(text)}).encode()
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        try:
            async with httpx.AsyncClient(
                timeout=self._timeout, follow_redirects=False, verify=self._tls
            ) as client:
                # the whole POST within the timeout: httpx's applies to each read, and an
                # answer trickled a byte at a time would hold every later alert
                response = await asyncio.wait_for(
                    client.post(self._url, content=body, headers=_JSON), self._timeout
                )
        except (httpx.TimeoutException, TimeoutError):
            raise AlertError("the webhook did not answer in time") from None
        except httpx.HTTPError as exc:
            raise AlertError(f"the webhook cannot be reached ({type(exc).__name__})") from None
        if not 200 <= response.status_code < 300:
            raise AlertError(f"the webhook answered HTTP {response.status_code}")


class SmtpChannel(Channel):
    name = "email"

    def __init__(
        self, alerts: Alerts, timeout: float = TIMEOUT, tls: ssl.SSLContext | None = None
    ) -> None:
        assert alerts.smtp_host and alerts.mail_from and alerts.mail_to
        self._alerts = alerts
        self._timeout = timeout
        self._tls = tls  # None: the system's trusted certificates, host name checked

    async def send(self, payload: Mapping[str, object], text: str) -> None:
        # the whole exchange within the timeout: smtplib's applies to each socket call, and a
        # server answering a byte at a time would hold every later alert (the daemon thread
        # is left to its socket timeout; it never holds the process at exit)
        try:
            await asyncio.wait_for(
                in_daemon_thread(lambda: self._send(payload, text), "asin-tui-smtp"),
                self._timeout,
            )
        except TimeoutError:
            raise AlertError(
                f"the SMTP server {self._alerts.smtp_host}:{self._alerts.smtp_port} did not "
                f"finish in {self._timeout:g} s"
            ) from None

    def _send(self, payload: Mapping[str, object], text: str) -> None:
        a = self._alerts
        message = EmailMessage()
        message["From"] = a.mail_from
        message["To"] = ", ".join(a.mail_to)
        message["Subject"] = f"asin-tui: {' '.join(text.split())[:180]}"
        message.set_content(text + "\n\n" + event_json(payload, indent=2))
        try:
            with smtplib.SMTP(a.smtp_host or "", a.smtp_port, timeout=self._timeout) as smtp:
                if a.smtp_starttls:
                    smtp.starttls(context=self._tls or ssl.create_default_context())
                if a.smtp_user:
                    smtp.login(a.smtp_user, a.smtp_password or "")
                smtp.send_message(message)
        except smtplib.SMTPAuthenticationError:
            raise AlertError("the SMTP server refused the user name or password") from None
        except smtplib.SMTPNotSupportedError:
            raise AlertError("the SMTP server does not offer STARTTLS") from None
        except smtplib.SMTPResponseException as exc:
            raise AlertError(f"the SMTP server answered {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise AlertError(
                f"the SMTP server {a.smtp_host}:{a.smtp_port} cannot be reached "
                f"({type(exc).__name__})"
            ) from None


class CommandChannel(Channel):
    name = "command"

    def __init__(self, argv: tuple[str, ...], timeout: float = TIMEOUT) -> None:
        self._argv = argv
        self._timeout = timeout

    async def send(self, payload: Mapping[str, object], text: str) -> None:
        data = event_json({**payload, "text": text}).encode() + b"\n"
        try:
            process = await asyncio.create_subprocess_exec(
                *self._argv,
                env=without_secrets(os.environ),  # the program needs none of asin-tui's
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError as exc:
            raise AlertError(f"{self._argv[0]} cannot be run: {exc.strerror or exc}") from None
        try:
            await asyncio.wait_for(process.communicate(data), timeout=self._timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AlertError(f"{self._argv[0]} did not finish in {self._timeout:g} s") from None
        if process.returncode != 0:
            raise AlertError(f"{self._argv[0]} exited with status {process.returncode}")


def channels_for(alerts: Alerts | None) -> list[Channel]:
    """The channels a profile's alerts table sets up (none: stdout only)."""
    if alerts is None:
        return []
    channels: list[Channel] = []
    if alerts.webhook_url:
        channels.append(WebhookChannel(alerts.webhook_url))
    if alerts.smtp_host:
        channels.append(SmtpChannel(alerts))
    if alerts.command:
        channels.append(CommandChannel(alerts.command))
    return channels
