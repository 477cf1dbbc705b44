"""The e-mail channel against a local SMTP server (aiosmtpd) on loopback: STARTTLS, login,
the event in the message; a server without STARTTLS gets no password. And the webhook over
HTTPS on loopback: its certificate is checked at every alert."""

from __future__ import annotations

import contextlib
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult  # noqa: E402

from asin_tui.alerts import AlertError, SmtpChannel, WebhookChannel  # noqa: E402
from asin_tui.store.config import Alerts  # noqa: E402

PASSWORD = "smtp-secret-9876"
EVENT = {"event": "BECAME_INACTIVE", "sku": "MUG-1", "profile": "main"}


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode())
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"alerts" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok)


def serve(inbox: Inbox, certificate=None) -> Controller:
    options = {}
    if certificate is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*map(str, certificate))
        options = {"tls_context": context, "require_starttls": True}
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=True,
        **options,
    )
    controller.start()
    return controller


def alerts(port: int, **more) -> Alerts:
    values = dict(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_user="alerts",
        smtp_password=PASSWORD,
        mail_from="alerts@example.com",
        mail_to=("seller@example.com",),
    )
    return Alerts(**(values | more))


async def test_an_event_is_mailed_over_starttls_with_login(certificate):
    inbox = Inbox()
    controller = serve(inbox, certificate)
    try:
        trust = ssl.create_default_context(cafile=str(certificate[0]))
        channel = SmtpChannel(alerts(controller.port), tls=trust)
        await channel.send(EVENT, "[main] MUG-1 (no ASIN) went off sale")
    finally:
        controller.stop()
    [(sender, to, body)] = inbox.messages
    assert sender == "alerts@example.com" and to == ["seller@example.com"]
    assert "Subject: asin-tui: [main] MUG-1 (no ASIN) went off sale" in body
    assert '"event": "BECAME_INACTIVE"' in body and PASSWORD not in body


async def test_a_server_without_starttls_gets_no_password_and_is_reported(certificate):
    inbox = Inbox()
    controller = serve(inbox)  # no TLS offered
    try:
        channel = SmtpChannel(alerts(controller.port))
        with pytest.raises(AlertError) as caught:
            await channel.send(EVENT, "line")
    finally:
        controller.stop()
    assert str(caught.value) == "the SMTP server does not offer STARTTLS"
    assert inbox.messages == []


async def test_a_server_that_is_down_is_one_line_without_the_password():
    channel = SmtpChannel(alerts(free_port()), timeout=5)
    with pytest.raises(AlertError) as caught:
        await channel.send(EVENT, "line")
    message = str(caught.value)
    assert message.startswith("the SMTP server 127.0.0.1:") and "cannot be reached" in message
    assert PASSWORD not in message and "\n" not in message


class _Hook(http.server.BaseHTTPRequestHandler):
    """A webhook receiver: keeps each POST's body (``server.bodies``), answers 204."""

    def do_POST(self) -> None:
        self.server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def https_webhook(certificate):
    """A webhook receiver over HTTPS on loopback with ``certificate``; yields it and its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.bodies = []  # type: ignore[attr-defined]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server, f"https://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_webhook_over_https_has_its_certificate_checked_at_every_alert(certificate):
    """A channel makes its TLS context once (not per alert) and it goes on checking: a
    certificate nobody vouches for is refused at the second alert as at the first."""
    with https_webhook(certificate) as (server, url):
        untrusted = WebhookChannel(url, timeout=10.0)
        for _ in range(2):
            with pytest.raises(AlertError, match="the webhook cannot be reached"):
                await untrusted.send(EVENT, "line")
        trust = ssl.create_default_context(cafile=str(certificate[0]))
        trusted = WebhookChannel(url, timeout=10.0, tls=trust)
        for _ in range(2):
            await trusted.send(EVENT, "line")
    assert [json.loads(body)["sku"] for body in server.bodies] == ["MUG-1", "MUG-1"]


@contextlib.contextmanager
def trickling_server(answer: bytes, *, wait_for_request: bool = False):
    """A loopback server that sends ``answer`` one byte every 0.1 s (each read well within
    any timeout); yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def trickle() -> None:
        connection, _ = listener.accept()
        if wait_for_request:
            connection.recv(65536)
        for byte in answer:
            if stop.is_set():
                break
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                break
            time.sleep(0.1)
        connection.close()

    threading.Thread(target=trickle, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()


async def test_a_server_that_trickles_its_greeting_gives_up_in_time():
    """smtplib's timeout is per socket call: a server sending its greeting a byte at a time
    must not hold the round, and every later alert, for ever."""
    started = time.monotonic()
    with (
        trickling_server(b"220 " + b"x" * 1000) as port,
        pytest.raises(AlertError, match="did not finish in 1 s"),
    ):
        await SmtpChannel(alerts(port), timeout=1.0).send(EVENT, "line")
    assert time.monotonic() - started < 5  # 100 s if each read decided
