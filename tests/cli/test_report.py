"""`asin-tui report` end to end: over loopback against a served sandbox with a config profile
and env-var credentials, and over the built-in demo account. Shapes, order, exit codes,
--all, --output, --cached, and errors as one line with no secret and no traceback."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from asin_tui import service as service_module
from asin_tui.cli import main
from asin_tui.commands import report as report_command
from asin_tui.demo import DemoSettings
from asin_tui.domain import codes
from asin_tui.domain.models import State
from asin_tui.render import CSV_COLUMNS
from asin_tui.sandbox import transport
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.server import serve_in_thread
from asin_tui.service import AccountService, HealthRefresh
from asin_tui.store import paths
from asin_tui.store.cache import cache_path
from asin_tui.store.config import load_config
from tests.report_timing import AmazonReports

TIME_SCALE = 1000.0
SANDBOX_SECRET = "sandbox-secret"
DISTINCTIVE_SECRET = "S3cret-ZQX-distinctive-7781"
REFRESH_TOKEN = "Atzr|sandbox"


@contextlib.contextmanager
def served_sandbox(account: SandboxAccount) -> Iterator[str]:
    """``account`` served over HTTP on loopback at TIME_SCALE, for the block; its base URL."""
    server, base_url = serve_in_thread(SandboxApp(account, time_scale=TIME_SCALE))
    try:
        yield base_url
    finally:
        server.stop()


@pytest.fixture
def sandbox():
    account = SandboxAccount(seed=5, listings=60)
    server, base_url = serve_in_thread(SandboxApp(account, time_scale=TIME_SCALE))
    yield account, server, base_url
    server.stop()


def write_profile(name: str, seller_id: str, base_url: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"""[profiles.{name}]
marketplace = "US"
seller_id = "{seller_id}"
endpoint = "{base_url}"
token_endpoint = "{base_url}/auth/o2/token"
"""
    )
    path.chmod(0o600)  # as `config init` makes it: a config others can read gets a warning


def use_sandbox_profile(monkeypatch, name: str, seller_id: str, base_url: str) -> None:
    """A config profile for the sandbox at ``base_url``, its credentials in the environment."""
    write_profile(name, seller_id, base_url)
    monkeypatch.setenv("LWA_APP_ID", "amzn1.application-oa2-client.sandbox")
    monkeypatch.setenv("LWA_CLIENT_SECRET", SANDBOX_SECRET)
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", REFRESH_TOKEN)


@pytest.fixture
def profile(sandbox, monkeypatch):
    account, _, base_url = sandbox
    use_sandbox_profile(monkeypatch, "sb", account.seller_id, base_url)
    return account


def report(capsys, *argv: str) -> tuple[int, str, str]:
    """``asin-tui report ARGV``: a profile's client paced for the sandbox's faster clock, the
    demo's Amazon as fast."""
    code = main(
        ["report", *argv],
        time_scale=TIME_SCALE,
        demo=DemoSettings(drift=0.0, time_scale=TIME_SCALE),
    )
    out, err = capsys.readouterr()
    return code, out, err


def needing_attention(account: SandboxAccount) -> set[str]:
    # (a recommended attribute left out is a WARNING on a live listing: told, not listed)
    informational = {codes.VARIATION_PARENT, codes.RECOMMENDED_ATTRIBUTE}
    return {sku for sku in account.search() if account.intended_causes(sku) - informational}


async def look_at_account_health(profile: str) -> HealthRefresh:
    """What the TUI does a while after a sync: look at the pending Account Health report."""
    service = AccountService.for_profile(load_config().profile(profile), time_scale=TIME_SCALE)
    try:
        return await service.refresh_account_health()
    finally:
        await service.aclose()


def assert_clean(*outputs: str) -> None:
    for text in outputs:
        assert "Traceback" not in text
        for secret in (SANDBOX_SECRET, DISTINCTIVE_SECRET, REFRESH_TOKEN):
            assert secret not in text


# ---------------------------------------------------------------------- loopback


def test_json_over_loopback_lists_what_needs_attention_in_the_shared_order(capsys, profile):
    code, out, err = report(capsys, "--profile", "sb", "--format", "json")
    assert code == 1
    doc = json.loads(out)
    skus = [item["sku"] for item in doc["listings"]]
    assert set(skus) == needing_attention(profile)
    ranks = [(State(item["state"]).rank, item["sku"]) for item in doc["listings"]]
    assert ranks == sorted(ranks)
    assert doc["profile"] == "sb" and doc["marketplace_id"] == "ATVPDKIKX0DER"
    assert sum(doc["counts"].values()) == len(skus)
    assert all(item["findings"] for item in doc["listings"])
    assert_clean(out, err)


def test_global_options_work_before_the_subcommand_too(capsys, profile):
    code = main(["--profile", "sb", "report", "--format", "csv"], time_scale=TIME_SCALE)
    out, _ = capsys.readouterr()
    assert code == 1
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {row[0] for row in rows[1:]} == needing_attention(profile)


def test_all_writes_every_listing_atomically_to_the_output_file(capsys, profile, tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old content\n")
    code, out, err = report(
        capsys, "--profile", "sb", "--all", "--format", "csv", "--output", str(target)
    )
    assert code == 1 and out == ""
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {row[0] for row in rows[1:]} == set(profile.search())
    assert "ACTIVE" in {row[3] for row in rows[1:]}
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind
    assert_clean(target.read_text(), err)


def test_cached_answers_from_the_cache_without_the_network(capsys, profile, sandbox):
    _, server, _ = sandbox
    first = report(capsys, "--profile", "sb", "--format", "json")
    server.stop()  # from now on, any network call would fail
    code, out, err = report(capsys, "--profile", "sb", "--format", "json", "--cached")
    assert code == first[0] == 1
    assert json.loads(out)["listings"] == json.loads(first[1])["listings"]
    code, _, err = report(capsys, "--profile", "sb", "--format", "json")  # no --cached: syncs
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_wrong_credentials_exit_2_with_one_line_and_no_secret(capsys, profile, monkeypatch):
    monkeypatch.setenv("LWA_CLIENT_SECRET", DISTINCTIVE_SECRET)
    code, out, err = report(capsys, "--profile", "sb", "--format", "json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("asin-tui: ")
    assert_clean(out, err)


def test_a_profile_that_does_not_exist_exits_2_with_one_line(capsys, profile):
    code, out, err = report(capsys, "--profile", "nope")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "'nope'" in err and "sb" in err


def test_no_config_at_all_exits_2_and_says_how_to_create_one(capsys):
    code, out, err = report(capsys, "--format", "json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "config init" in err


def test_a_network_error_exits_2_with_one_line(capsys, monkeypatch):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    write_profile("down", "A2SANDBOX12345", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("LWA_APP_ID", "amzn1.application-oa2-client.sandbox")
    monkeypatch.setenv("LWA_CLIENT_SECRET", DISTINCTIVE_SECRET)
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", REFRESH_TOKEN)
    code, out, err = report(capsys, "--profile", "down")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert_clean(out, err)


def test_exit_0_when_nothing_needs_attention(capsys, monkeypatch):
    account = SandboxAccount(seed=5, listings=20, problem_share=0.0)
    with served_sandbox(account) as base_url:
        use_sandbox_profile(monkeypatch, "healthy", account.seller_id, base_url)
        code, out, _ = report(capsys, "--profile", "healthy", "--format", "json")
    assert code == 0 and json.loads(out)["listings"] == []


# ---------------------------------------------------------------------- demo


@pytest.mark.slow  # the demo in real processes
def test_demo_in_a_real_process_json_then_csv_and_table_from_the_cache(tmp_path):
    """`asin-tui report --demo` as a user runs it (the in-process sandbox at real rates)."""

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "asin_tui", "report", "--demo", *argv],
            capture_output=True,
            text=True,
            timeout=240,
        )

    synced = run("--format", "json")
    assert synced.returncode == 1, synced.stderr
    doc = json.loads(synced.stdout)
    assert doc["profile"] == "demo" and doc["listings"]
    for item in doc["listings"]:  # not live, or live but at risk (a WARNING or ERROR)
        at_risk = any(f["severity"] in ("ERROR", "WARNING") for f in item["findings"])
        assert State(item["state"]).needs_attention or at_risk, item

    as_csv = run("--format", "csv", "--cached")
    assert as_csv.returncode == 1
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert [row[0] for row in rows[1:]] == [item["sku"] for item in doc["listings"]]

    table = run("--cached")  # table is the default format
    assert table.returncode == 1
    lines = table.stdout.splitlines()
    assert lines[0].startswith("STATE")
    body = lines[1 : 1 + len(doc["listings"])]
    assert [line.split()[:2] for line in body] == [
        [item["state"], item["sku"]] for item in doc["listings"]
    ]
    assert all(len(line) <= 120 for line in lines)
    assert_clean(synced.stdout, synced.stderr, as_csv.stderr, table.stdout, table.stderr)


def test_demo_notices_are_warnings_on_stderr(capsys, monkeypatch, tmp_path):
    """A data folder the demo cannot use: the report runs, and says the fixes won't be kept."""
    blocker = tmp_path / "data-is-a-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    code = main(
        ["report", "--demo", "--format", "json"],
        demo=DemoSettings(drift=0.0, time_scale=TIME_SCALE),
    )
    out, err = capsys.readouterr()
    assert code == 1 and json.loads(out)["listings"]
    folder = transport.demo_account_path().parent
    assert err == f"asin-tui: warning: demo fixes won't be kept: {folder}: Not a directory\n"


def test_an_output_folder_that_does_not_exist_fails_before_the_sync(capsys, profile, tmp_path):
    target = tmp_path / "nope" / "x.json"
    code, out, err = report(capsys, "--profile", "sb", "--output", str(target))
    assert (code, out) == (2, "")
    assert err == f"asin-tui: --output {target}: the folder {target.parent} does not exist\n"
    assert not cache_path("sb", "ATVPDKIKX0DER").exists()  # nothing was synced


def test_demo_in_another_marketplace_is_refused_before_the_demo_is_made(capsys):
    code, out, err = report(capsys, "--demo", "--marketplace", "DE")
    assert (code, out) == (2, "")
    assert "the demo account sells in the US marketplace only" in err
    assert not cache_path(service_module.DEMO_PROFILE, "ATVPDKIKX0DER").exists()


def test_a_piped_table_is_as_wide_as_columns_says(capsys, profile, monkeypatch):
    report(capsys, "--profile", "sb", "--format", "json")  # sync once
    monkeypatch.setenv("COLUMNS", "150")
    _, out, _ = report(capsys, "--profile", "sb", "--cached")
    lines = out.splitlines()
    assert max(len(line) for line in lines) > 120 and all(len(line) <= 150 for line in lines)
    assert "SINCE" in lines[0]  # room for every column


def test_a_report_whose_listings_are_only_at_risk_exits_0(capsys, monkeypatch):
    """The contract: exit 1 only when a listing is not buyable, not discoverable or has an
    ERROR; at-risk listings (WARNING) are listed but exit 0."""
    account = SandboxAccount()  # the demo mix has every scenario, an expiring exemption too
    with served_sandbox(account) as base_url:
        use_sandbox_profile(monkeypatch, "sb", account.seller_id, base_url)
        report(capsys, "--profile", "sb", "--format", "json")  # sync once

    def only_at_risk(cache, fmt, *, needs_attention_only):  # what a JSON report streams
        for records in cache.record_batches(needs_attention_only=needs_attention_only):
            yield [r for r in records if r.at_risk and not r.needs_attention]

    monkeypatch.setattr(report_command, "report_batches", only_at_risk)
    code, out, _ = report(capsys, "--profile", "sb", "--cached", "--format", "json")
    listings = json.loads(out)["listings"]
    assert listings and code == 0
    assert all(any(f["severity"] == "WARNING" for f in item["findings"]) for item in listings)


def test_a_corrupt_cache_is_reported_as_a_warning_and_rebuilt(capsys, profile):
    cache_file = cache_path("sb", "ATVPDKIKX0DER")
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.write_bytes(b"\x00garbage, not SQLite" * 50)
    code, out, err = report(capsys, "--profile", "sb", "--format", "json")
    assert code == 1
    assert {item["sku"] for item in json.loads(out)["listings"]} == needing_attention(profile)
    assert "warning" in err and "moved" in err and "Traceback" not in err
    assert list(cache_file.parent.glob(f"{cache_file.name}.corrupt-*"))


@pytest.mark.parametrize("cached", [[], ["--cached"]], ids=["sync", "cached"])
def test_a_cache_folder_that_cannot_be_made_is_one_plain_line(monkeypatch, capsys, cached):
    """As watch says it: the reason and the path, not Python's "[Errno 20] …: '…'"."""
    blocker = paths.cache_dir().parent / "a-file"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))  # under a file: ENOTDIR
    code, out, err = report(capsys, "--demo", *cached)
    assert code == 2 and out == ""
    assert err == f"asin-tui: Not a directory: {blocker / 'cache'}\n"


def test_a_corrupt_cache_found_by_report_cached_is_said_too(capsys, profile):
    """--cached looks at the cache before it decides to sync: the file set aside then (an
    empty cache is not fresh, so the report syncs) is said once, as without --cached."""
    cache_file = cache_path("sb", "ATVPDKIKX0DER")
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.write_bytes(b"\x00garbage, not SQLite" * 50)
    code, out, err = report(capsys, "--profile", "sb", "--cached", "--format", "json")
    assert code == 1
    assert {item["sku"] for item in json.loads(out)["listings"]} == needing_attention(profile)
    [aside] = cache_file.parent.glob(f"{cache_file.name}.corrupt-*")
    [line] = err.splitlines()
    assert line.startswith("asin-tui: warning: The listing cache") and aside.name in line


# ---------------------------------------------------------------------- account health


def test_an_at_risk_account_is_said_first_in_json_and_under_the_table(capsys, monkeypatch):
    """The report does not wait for Amazon's Account Health report: the first run lists the
    listings at once; once a later look (the TUI's) has the report, the account comes first."""
    reports = AmazonReports()
    reports.hold()
    account = SandboxAccount(seed=5, listings=60, account_status="AT_RISK")
    app = SandboxApp(account, time_scale=TIME_SCALE, report_timing=reports.timing)
    server, base_url = serve_in_thread(app)
    try:
        use_sandbox_profile(monkeypatch, "risky", account.seller_id, base_url)
        code, out, err = report(capsys, "--profile", "risky", "--format", "json")
        assert code == 1 and err == ""
        doc = json.loads(out)
        assert doc["account_health"] is None and doc["last_sync"]["complete"]
        assert {item["sku"] for item in doc["listings"]} == needing_attention(account)

        reports.finish()
        assert asyncio.run(look_at_account_health("risky")).updated

        code, out, err = report(capsys, "--profile", "risky", "--format", "json", "--cached")
        assert code == 1 and err == ""
        doc = json.loads(out)
        assert doc["account_health"]["status"] == "AT_RISK"
        assert doc["account_health"]["policy_counters"]
        assert {item["sku"] for item in doc["listings"]} == needing_attention(account)
        assert all(item["findings"][0]["category"] == "ACCOUNT" for item in doc["listings"])
        code, out, _ = report(capsys, "--profile", "risky", "--cached")
        assert "ACCOUNT AT_RISK: resolve it in Seller Central" in out
    finally:
        server.stop()


# ---------------------------------------------------------------------- --output targets


#: the demo's report from its synced cache (the ``synced_demo`` fixture): these tests check
#: where the report is written, not the sync before it
CACHED_DEMO = ("--demo", "--cached", "--max-age", "1e9")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_output_to_dev_full_is_one_line_exit_2_and_the_device_stays(capsys, synced_demo):
    code, out, err = report(capsys, *CACHED_DEMO, "--format", "json", "--output", "/dev/full")
    assert (code, out) == (2, "")
    assert err == "asin-tui: cannot write /dev/full: No space left on device\n"
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


def test_output_to_a_symlink_writes_its_target_and_keeps_the_link(capsys, tmp_path, synced_demo):
    real = tmp_path / "reports" / "today.json"
    real.parent.mkdir()
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    code, _, err = report(capsys, *CACHED_DEMO, "--format", "json", "--output", str(link))
    assert code == 1 and link.is_symlink()
    assert json.loads(real.read_text())["listings"]
    assert_clean(err)


def test_output_to_a_fifo_writes_into_the_pipe(capsys, tmp_path, synced_demo):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, _, _ = report(capsys, *CACHED_DEMO, "--format", "csv", "--output", str(fifo))
    reader.join(timeout=30)
    assert code == 1 and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert tuple(next(csv.reader(io.StringIO(received[0].decode())))) == CSV_COLUMNS


def test_output_dash_is_stdout(capsys, synced_demo):
    code, out, _ = report(capsys, *CACHED_DEMO, "--format", "json", "--output", "-")
    assert code == 1 and json.loads(out)["listings"]
    assert not os.path.exists("-")


def terminated_mid_sync(args: list[str], told: str) -> None:
    """``asin-tui ARGS`` in a real process, sent SIGTERM once its cache file is open (its
    sync under way): it exits 130 with the one line ``told`` on stderr, nothing on stdout."""
    import signal
    import time

    from asin_tui.service import demo_profile
    from asin_tui.store.cache import cache_path
    from tests.conftest import ROOT

    cache = cache_path(demo_profile(), "ATVPDKIKX0DER")
    argv = [sys.executable, "-m", "asin_tui", *args]
    with subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            deadline = time.monotonic() + 60
            while not cache.exists() and process.poll() is None:
                assert time.monotonic() < deadline, "the sync never opened its cache"
                time.sleep(0.02)  # (polling for the file the command opens)
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=60)
        except BaseException:
            process.kill()  # never left running
            raise
    assert process.returncode == 130, err
    assert err.strip().splitlines() == [told]
    assert out == ""


@pytest.mark.slow  # a real `report --demo` process, at Amazon's pace
def test_sigterm_during_the_sync_is_one_line_exit_130_and_nothing_saved():
    # Python's default ended it at once and silently (status -15)
    from asin_tui.cached import CachedAccount

    terminated_mid_sync(
        ["report", "--demo", "--all"],
        "asin-tui: interrupted; a sync not finished is not saved (the cache keeps the last "
        "finished one) and an --output file is left as it was",
    )
    local = CachedAccount.open_demo("default")
    try:
        assert local.last_sync() is None  # nothing of the sync cut short was committed
    finally:
        local.close()
