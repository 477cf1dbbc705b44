"""The sandbox on loopback: a threaded HTTP server around a ``SandboxApp``.

Binds 127.0.0.1 only. The access log is off unless ``verbose`` (then one line per request on
stderr: method, path without query, status; never a header, so never a token).
"""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asin_tui.sandbox.app import SandboxApp

HOST = "127.0.0.1"
MAX_BODY_BYTES = 10 * 1024 * 1024  # far above any SP-API request this sandbox serves


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: SandboxApp, port: int = 0, *, verbose: bool = False) -> None:
        self.app = app
        self.verbose = verbose
        super().__init__((HOST, port), _Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up mid-answer is not news; keep tracebacks off the terminal."""
        if self.verbose:
            print(f"sandbox: connection error: {sys.exc_info()[1]!r}", file=sys.stderr)

    def stop(self) -> None:
        """Stop serving (from another thread) and close the socket."""
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall
    server: SandboxServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "Bad Content-Length")
            return
        if length > MAX_BODY_BYTES:
            self.send_error(413, "Request body too large")
            return
        body = self.rfile.read(length) if length > 0 else b""
        path, _, query = self.path.partition("?")
        answer = self.server.app.handle(
            self.command, path, query, self.headers.items(), body, base_url=self.server.base_url
        )
        if answer.delay:
            time.sleep(answer.delay)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.verbose:
            path = self.path.partition("?")[0]
            print(f"{self.command} {path} {code}", file=sys.stderr, flush=True)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


def serve_in_thread(
    app: SandboxApp, port: int = 0, *, verbose: bool = False
) -> tuple[SandboxServer, str]:
    """Start serving in a daemon thread; returns the server (call ``.stop()``) and its base URL."""
    server = SandboxServer(app, port, verbose=verbose)
    threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},  # so stop() returns at once
        name="sandbox-server",
        daemon=True,
    ).start()
    return server, server.base_url
