"""`asin-tui sandbox serve`: banner, credentials, profile, a token call, clean Ctrl-C; usage errors."""

from __future__ import annotations

import math
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import httpx
import pytest

from asin_tui.cli import main
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    SandboxApp,
)

STARTUP_SECONDS = 20
US = "ATVPDKIKX0DER"


def _read_banner(process: subprocess.Popen[bytes]) -> str:
    """Everything the server prints up to its "Press Ctrl-C" line (fails after a deadline)."""
    output = b""
    deadline = time.monotonic() + STARTUP_SECONDS
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline and b"Press Ctrl-C" not in output:
            if selector.select(timeout=0.2):
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
    if b"Press Ctrl-C" not in output:
        process.kill()
        pytest.fail(f"no banner; got {output!r}, stderr {process.stderr.read()!r}")
    return output.decode("utf-8")


def popen_as_in_a_terminal(args: list[str], **kwargs) -> subprocess.Popen[bytes]:
    """``subprocess.Popen`` with SIGINT at its default in the child, as a shell starts a
    command in the foreground, so the test's Ctrl-C (SIGINT) reaches it. A test process
    started in the background (``pytest &``, some CI runners) ignores SIGINT, a child
    inherits an ignored signal, and Python then leaves it ignored: the command never
    stopped (unless an earlier test in the same worker had set a SIGINT handler, which a
    child does not inherit: order-dependent)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(args, **kwargs)
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _served(*options: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`asin-tui sandbox serve --port 0 OPTIONS` in a real process: (process, its banner)."""
    process = popen_as_in_a_terminal(
        [sys.executable, "-m", "asin_tui", "sandbox", "serve", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        yield process, _read_banner(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def _profile_value(banner: str, key: str) -> str:
    return re.search(rf'^  {key} = "([^"]+)"$', banner, re.MULTILINE).group(1)


def test_serve_prints_profile_answers_and_stops_on_ctrl_c():
    with _served("--listings", "30") as (process, banner):
        url = _profile_value(banner, "endpoint")
        seller = _profile_value(banner, "seller_id")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and re.fullmatch(r"A[0-9A-Z]+", seller)
        assert f"serving at {url}" in banner
        assert f'token_endpoint = "{url}/auth/o2/token"' in banner
        assert 'marketplace = "US"' in banner
        for line in (
            "export LWA_APP_ID=amzn1.application-oa2-client.sandbox",
            "export LWA_CLIENT_SECRET=sandbox-secret",
            "export SP_API_REFRESH_TOKEN='Atzr|sandbox'",
        ):
            assert line in banner
        form = {
            "grant_type": "refresh_token",
            "client_id": "amzn1.application-oa2-client.sandbox",
            "client_secret": "sandbox-secret",
            "refresh_token": "Atzr|sandbox",
        }
        token = httpx.post(f"{url}/auth/o2/token", data=form).json()["access_token"]
        search = httpx.get(
            f"{url}/listings/2021-08-01/items/{seller}",
            params={"marketplaceIds": "ATVPDKIKX0DER"},
            headers={"x-amz-access-token": token},
        )
        assert search.status_code == 200 and search.json()["numberOfResults"] == 30
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        rest = (process.stderr.read() + process.stdout.read()).decode("utf-8")
        assert "Traceback" not in rest
        assert "sandbox stopped." in rest
        assert token not in rest


def test_python_amazon_sp_api_searches_and_gets_from_the_served_process():
    """The library, unmodified (only the LWA host redirected), against `sandbox serve` as a
    user runs it: the process serves the account its options generate."""
    from sp_api.api import ListingsItems  # here: the package imports all ~45 of its clients
    from sp_api.auth import AccessTokenClient

    expected = SandboxAccount(seed=11, listings=40)
    with _served("--listings", "40", "--seed", "11") as (_, banner):
        url = _profile_value(banner, "endpoint")
        seller = _profile_value(banner, "seller_id")
        lwa = type(
            "SandboxLWA", (AccessTokenClient,), {"scheme": "http://", "host": url[len("http://") :]}
        )
        marketplace = SimpleNamespace(endpoint=url, marketplace_id=US, region="us-east-1")
        listings = ListingsItems(
            marketplace,
            credentials={
                "refresh_token": SANDBOX_REFRESH_TOKEN,
                "lwa_app_id": SANDBOX_CLIENT_ID,
                "lwa_client_secret": SANDBOX_CLIENT_SECRET,
            },
            auth_token_client_class=lwa,
        )
        found, token = [], None
        while True:
            page = listings.search_listings_items(
                seller,
                marketplaceIds=US,
                withoutStatus="BUYABLE",
                includedData="summaries",
                pageSize=5,
                **({"pageToken": token} if token else {}),
            )
            found += [item["sku"] for item in page.payload["items"]]
            token = page.next_token
            if not token:
                break
        assert sorted(found) == sorted(expected.search(without_status=["BUYABLE"]))
        assert len(found) > 5  # more than one page
        item = listings.get_listings_item(
            seller, found[0], marketplaceIds=US, includedData="summaries,issues"
        ).payload
        assert item["sku"] == found[0]
        assert item == expected.item(found[0], ["summaries", "issues"])


def test_port_in_use_is_one_clear_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["sandbox", "serve", "--port", str(port), "--listings", "5"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"asin-tui: port {port} on 127.0.0.1 is already in use; choose another with --port"
    )


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--faults", "429=2"], "--faults: fault spec item '429=2': share must be between 0 and 1"),
        (["--time-scale", "0"], "--time-scale must be a positive number, not 0"),
        (["--time-scale", "inf"], "--time-scale must be a positive number, not inf"),
        (["--time-scale", "nan"], "--time-scale must be a positive number, not nan"),
        (["--patch-delay", "-1"], "--patch-delay must be 0 or more seconds, not -1"),
        (["--patch-delay", "nan"], "--patch-delay must be 0 or more seconds, not nan"),
        (["--problem-share", "1.5"], "--problem-share must be between 0 and 1"),
        (["--listings", "0"], "--listings must be between 1 and 1,000,000, not 0"),
        (["--listings", "100000000"], "--listings must be between 1 and 1,000,000, not 100000000"),
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--marketplace", "XX"], "--marketplace: unknown code 'XX'"),
    ],
)
def test_bad_options_are_usage_errors(capsys, options, fragment):
    assert main(["sandbox", "serve", *options]) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("time_scale", [0.0, -1.0, math.inf, math.nan])
def test_the_app_refuses_a_time_scale_that_is_not_positive_and_finite(time_scale):
    with pytest.raises(ValueError, match="time_scale must be a positive finite number"):
        SandboxApp(SandboxAccount(listings=1), time_scale=time_scale)


def test_account_status_option_serves_an_at_risk_seller(monkeypatch, capsys):
    from asin_tui.commands import sandbox as command

    served = []

    class Server:
        base_url = "http://127.0.0.1:1"

        def __init__(self, app, port, verbose):
            served.append(app)

        def serve_forever(self):
            raise KeyboardInterrupt

        def server_close(self):
            pass

    monkeypatch.setattr(command, "SandboxServer", Server)
    monkeypatch.setattr(command.signal, "signal", lambda *_: None)  # keep pytest's SIGTERM
    argv = ["sandbox", "serve", "--listings", "5", "--account-status", "AT_RISK"]
    assert main(argv) == 0
    (app,) = served
    status = app.account.account_health_report()["accountStatuses"][0]["status"]
    assert status == "AT_RISK"
    assert "Account Health status: AT_RISK" in capsys.readouterr().out
