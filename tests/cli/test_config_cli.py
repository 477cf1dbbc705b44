"""`asin-tui config path|init|show`, and every bad-config case: one line, exit 2."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path

import pytest

from asin_tui.cli import build_parser, main
from asin_tui.commands import sandbox as sandbox_command
from asin_tui.commands.config import TEMPLATE
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.server import serve_in_thread
from asin_tui.store import paths
from tests import test_watch_notifications as sqs_tests
from tests.test_watch_notifications import AWS_SECRET

# moto's SQS server and a queue, as the notifications tests have them
moto_server = sqs_tests.moto_server
aws = sqs_tests.aws
queue_url = sqs_tests.queue_url

ROOT = Path(__file__).resolve().parents[2]
SECRET = "amzn1.oa2-cs.v1.TOPSECRETvalue9876"
TOKEN = "Atzr|IwEBIrefreshTOKENvalue5432"
TIME_SCALE = 1000.0
PROFILE = '[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """``asin-tui ARGV``; a profile's client is paced for the tests' sandboxes, whose clock runs
    TIME_SCALE times faster than Amazon's."""
    code = main(list(argv), time_scale=TIME_SCALE)
    out, err = capsys.readouterr()
    return code, out, err


def write_config(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def shown_path() -> str:
    """The config path as messages show it (home abbreviated to ~)."""
    return "~/" + paths.config_file().relative_to(Path.home()).as_posix()


def test_path_prints_the_config_file(capsys):
    assert run(capsys, "config", "path") == (0, f"{paths.config_file()}\n", "")


def test_config_alone_prints_help(capsys):
    code, out, _ = run(capsys, "config")
    assert code == 0
    for action in ("path", "init", "show"):
        assert action in out


def test_template_is_the_example_file():
    assert (ROOT / "config.example.toml").read_text(encoding="utf-8") == TEMPLATE


def test_init_writes_a_private_template_and_never_overwrites(capsys):
    code, out, _ = run(capsys, "config", "init")
    target = paths.config_file()
    assert code == 0 and str(target) in out
    assert target.read_text(encoding="utf-8") == TEMPLATE
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700

    target.write_text("# my edits\n", encoding="utf-8")
    code, out, err = run(capsys, "config", "init")
    assert (code, out) == (2, "")
    assert (
        err
        == f"asin-tui: {shown_path()} already exists; edit it, or move it away and run this again\n"
    )
    assert target.read_text(encoding="utf-8") == "# my edits\n"
    assert [p.name for p in target.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_init_where_the_config_folder_cannot_be_created_is_one_line(capsys, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder's parent should be\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    code, out, err = run(capsys, "config", "init")
    assert (code, out) == (2, "")
    assert err == f"asin-tui: {paths.config_file()}: cannot write: Not a directory\n"


def test_init_then_show(capsys):
    run(capsys, "config", "init")
    code, out, err = run(capsys, "config", "show")
    assert (code, err) == (0, "")
    assert "[profiles.main]  (default)" in out
    assert "[profiles.sandbox]" in out
    assert "marketplace        US (ATVPDKIKX0DER, United States)" in out
    assert "refresh_token      not set: set SP_API_REFRESH_TOKEN" in out
    assert "refresh_token      …dbox  (from config file)" in out
    assert "Atzr|sandbox" not in out and "sandbox-secret" not in out


def test_show_masks_secrets_and_names_their_source(capsys, monkeypatch):
    write_config(PROFILE + f'lwa_client_secret = "{SECRET}"\n')
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", TOKEN)
    monkeypatch.setenv("LWA_APP_ID", "amzn1.application-oa2-client.abc")
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert "lwa_app_id         amzn1.application-oa2-client.abc  (from env LWA_APP_ID)" in out
    assert "lwa_client_secret  …9876  (from config file)" in out
    assert "refresh_token      …5432  (from env SP_API_REFRESH_TOKEN)" in out
    assert SECRET not in out and TOKEN not in out


def test_show_one_profile(capsys):
    write_config(PROFILE + '[profiles.de]\nmarketplace = "DE"\nseller_id = "A2EXAMPLE12345"\n')
    for argv in (["config", "show", "--profile", "de"], ["--profile", "de", "config", "show"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        assert "[profiles.de]" in out and "[profiles.main]" not in out
        assert "issue_locale       de_DE" in out


def test_show_warns_when_others_can_read_the_file(capsys):
    path = write_config(PROFILE)
    os.chmod(path, 0o644)
    code, _, err = run(capsys, "config", "show")
    assert code == 0
    assert f"is readable by others (mode 0644); run: chmod 600 {path}" in err


BAD_CONFIGS = [
    pytest.param(
        '[profiles.main]\nmarketplace = "US"\nseller_id = A2\n',
        "line 3: invalid TOML: this value is not valid (text goes in quotes, like "
        'seller_id = "A2EXAMPLE12345") (column 13)',
        id="invalid-toml",
    ),
    pytest.param(
        PROFILE + "sellerid = 'x'\n",
        "line 4: profiles.main.sellerid: unknown key (did you mean 'seller_id'?)",
        id="unknown-profile-key",
    ),
    pytest.param(
        'colour = "blue"\n' + PROFILE,
        "line 1: colour: unknown key (allowed: default_profile, profiles, keymap)",
        id="unknown-top-level-key",
    ),
    pytest.param(
        '[profiles.main]\nseller_id = "A2EXAMPLE12345"\n\nmarketplace = "XX"\n',
        "line 4: profiles.main.marketplace: unknown marketplace 'XX' (known: AE, AU, BE, BR, "
        "CA, DE, EG, ES, FR, IE, IN, IT, JP, MX, NL, PL, SA, SE, SG, TR, UK, US, ZA)",
        id="unknown-marketplace",
    ),
    pytest.param(
        '\n[profiles.main]\nmarketplace = "US"\n',
        "line 2: profiles.main.seller_id: required key is missing: your merchant token "
        "(Seller Central > Settings > Account Info)",
        id="missing-seller-id",
    ),
    pytest.param(
        PROFILE + "timeout = 'soon'\n",
        "line 4: profiles.main.timeout: expected a number of seconds, got a string",
        id="wrong-type-timeout",
    ),
    pytest.param(
        PROFILE + "timeout = 0\n",
        "line 4: profiles.main.timeout: expected between 0 and 3600 seconds, got 0",
        id="timeout-range",
    ),
    pytest.param(
        '[profiles.main]\nmarketplace = "US"\nseller_id = 12345\n',
        "line 3: profiles.main.seller_id: expected a string, got an integer",
        id="wrong-type-seller-id",
    ),
    pytest.param(
        PROFILE + f"refresh_token = {{ value = '{TOKEN}' }}\n",
        "line 4: profiles.main.refresh_token: expected a string, got a table",
        id="wrong-type-secret",
    ),
    pytest.param(
        PROFILE + 'endpoint = "127.0.0.1:8765"\n',
        "line 4: profiles.main.endpoint: expected an http(s) URL like http://127.0.0.1:8765, "
        "got '127.0.0.1:8765'",
        id="bad-endpoint",
    ),
    pytest.param(
        PROFILE + 'issue_locale = "english"\n',
        "line 4: profiles.main.issue_locale: expected a locale like en_US or de_DE, got 'english'",
        id="bad-locale",
    ),
    pytest.param(
        'profiles = "main"\n',
        "line 1: profiles: expected tables [profiles.<name>], got a string",
        id="profiles-not-a-table",
    ),
    pytest.param(
        '[profiles."my shop"]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n',
        "line 1: profiles.\"my shop\": a profile name may only use letters, digits, '-' and '_'",
        id="bad-profile-name",
    ),
    pytest.param(
        'default_profile = "shop"\n' + PROFILE,
        "line 1: default_profile: expected the name of a profile (profiles: main)",
        id="unknown-default-profile",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_CONFIGS)
def test_bad_config_is_one_line_and_exit_2(capsys, text, expected):
    write_config(text)
    code, out, err = run(capsys, "config", "show")
    assert (code, out) == (2, "")
    assert err == f"asin-tui: {shown_path()}, {expected}\n"
    assert TOKEN not in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["config", "show"],
            "no config file; create one with `asin-tui config init` (or try --demo)",
        ),
        (["config", "show", "--profile", "shop"], "profile 'shop' not found (profiles: main)"),
    ],
)
def test_missing_file_or_profile_is_one_line_and_exit_2(capsys, argv, expected):
    if "--profile" in argv:
        write_config(PROFILE)
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == f"asin-tui: {shown_path()}: {expected}\n"


def test_file_that_is_not_utf8(capsys):
    paths.config_file().parent.mkdir(parents=True)
    paths.config_file().write_bytes(b'[profiles.main]\nmarketplace = "\xff"\n')
    code, _, err = run(capsys, "config", "show")
    assert code == 2
    assert err == f"asin-tui: {shown_path()}, line 2: not UTF-8 text: save it as UTF-8\n"


def test_the_templates_sandbox_profile_reports_on_sandbox_serve_defaults(capsys):
    """`config init` then `sandbox serve` with its defaults: the sandbox profile just works."""
    serve_args = build_parser().parse_args(["sandbox", "serve"])
    app = SandboxApp(sandbox_command.account_for(serve_args), time_scale=TIME_SCALE)
    server, base_url = serve_in_thread(app)
    try:
        assert run(capsys, "config", "init")[0] == 0
        template_url = f"http://127.0.0.1:{serve_args.port}"
        path = paths.config_file()
        path.write_text(path.read_text(encoding="utf-8").replace(template_url, base_url))
        code, out, err = run(capsys, "--profile", "sandbox", "report", "--format", "json")
    finally:
        server.stop()
    assert (code, err) == (1, "")
    assert len(json.loads(out)["listings"]) > 0


# ------------------------------------------------------------------ add-profile


BANNER_PROFILE = re.compile(r"^  asin-tui (config add-profile .*)$", re.MULTILINE)


def served_banner(base_url: str, **serve_options: str) -> str:
    argv = ["sandbox", "serve"] + [f"--{k.replace('_', '-')}={v}" for k, v in serve_options.items()]
    serve_args = build_parser().parse_args(argv)
    app = SandboxApp(sandbox_command.account_for(serve_args))
    return sandbox_command._banner(app, base_url, None)


def test_the_profile_sandbox_serve_prints_adds_to_a_config_init_file_without_a_clash(capsys):
    """`config init` writes [profiles.sandbox]; what `sandbox serve` prints has a name of its
    own, both as a command and as a block to paste."""
    assert run(capsys, "config", "init")[0] == 0
    banner = served_banner("http://127.0.0.1:8765")
    assert "[profiles.sandbox]" not in banner and "[profiles.sandbox-8765]" in banner
    pasted = banner.split("or paste into config.toml (asin-tui config path):\n", 1)[1]
    block = "\n".join(line[2:] for line in pasted.splitlines() if line.startswith("  "))
    path = paths.config_file()
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n" + block + "\n", encoding="utf-8")
    code, out, err = run(capsys, "config", "show", "--profile", "sandbox-8765")
    assert (code, err) == (0, "")
    path.write_text(before, encoding="utf-8")
    command = BANNER_PROFILE.search(banner).group(1).split()
    code, out, err = run(capsys, *command)
    assert (code, err) == (0, "")
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)  # every comment and profile kept, byte for byte
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    code, out, _ = run(capsys, "config", "show", "--profile", "sandbox-8765")
    assert code == 0
    assert "endpoint           http://127.0.0.1:8765" in out
    assert "token_endpoint     http://127.0.0.1:8765/auth/o2/token" in out


def test_add_profile_refuses_an_existing_name_and_bad_values_and_changes_nothing(capsys):
    path = write_config("# mine\n" + PROFILE)
    path.chmod(0o600)
    cases = [
        (["main", "--seller-id", "A2OTHER"], "a profile named 'main' exists already"),
        (["de", "--seller-id", "A2X", "--marketplace", "XX"], "unknown marketplace 'XX'"),
        (["de", "--seller-id", "A2X", "--endpoint", "ftp://x"], "expected an http(s) URL"),
        (["bad name", "--seller-id", "A2X"], "a profile name may only use letters"),
    ]
    for argv, expected in cases:
        code, out, err = run(capsys, "config", "add-profile", *argv)
        assert (code, out) == (2, ""), argv
        assert expected in err and err.count("\n") == 1, err
        assert path.read_text(encoding="utf-8") == "# mine\n" + PROFILE


def test_add_profile_creates_a_private_file_when_there_is_none(capsys):
    code, out, err = run(
        capsys, "config", "add-profile", "shop-de", "--seller-id", "A2EXAMPLE12345",
        "--marketplace", "DE",
    )  # fmt: skip
    assert (code, err) == (0, "")
    path = paths.config_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    code, out, _ = run(capsys, "config", "show")
    assert "[profiles.shop-de]  (default)" in out and "issue_locale       de_DE" in out


def test_add_profile_into_a_file_that_is_not_toml_leaves_it_alone(capsys):
    path = write_config("[profiles.main\n")
    code, _, err = run(capsys, "config", "add-profile", "x", "--seller-id", "A2X")
    assert code == 2 and "invalid TOML" in err
    assert path.read_text(encoding="utf-8") == "[profiles.main\n"


# ------------------------------------------------------------------ check


@pytest.fixture
def served(monkeypatch):
    """A sandbox on loopback, as `sandbox serve` runs it, and a profile for it."""
    servers = []

    def serve(*forbidden: str) -> str:
        serve_args = build_parser().parse_args(["sandbox", "serve", "--listings", "20"])
        app = SandboxApp(
            sandbox_command.account_for(serve_args), time_scale=TIME_SCALE, forbidden=forbidden
        )
        server, base_url = serve_in_thread(app)
        servers.append(server)
        seller = app.account.seller_id
        write_config(
            f'[profiles.sb]\nmarketplace = "US"\nseller_id = "{seller}"\n'
            f'endpoint = "{base_url}"\ntoken_endpoint = "{base_url}/auth/o2/token"\n'
        ).chmod(0o600)
        return base_url

    monkeypatch.setenv("LWA_APP_ID", "amzn1.application-oa2-client.sandbox")
    monkeypatch.setenv("LWA_CLIENT_SECRET", "sandbox-secret")
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", "Atzr|sandbox")
    yield serve
    for server in servers:
        server.stop()


def check_lines(out: str) -> dict[str, str]:
    """Feature name -> its line's status (works / will not work / not checked / refused)."""
    lines = {}
    for line in out.splitlines()[1:-1]:
        status, rest = line[2:16].strip(), line[16:]
        lines[rest.split(":")[0].split(" — ")[0]] = status
    return lines


def test_check_says_every_feature_works_with_every_role(capsys, served):
    served()
    code, out, err = run(capsys, "config", "check", "--profile", "sb")
    assert (code, err) == (0, "")
    assert set(check_lines(out).values()) == {"works"}
    assert len(check_lines(out)) == 6
    assert out.splitlines()[-1].startswith("5 of 5 features will work")


def test_check_names_the_feature_and_the_role_a_403_takes_away(capsys, served):
    served("getInventorySummaries")
    code, out, err = run(capsys, "config", "check", "--profile", "sb")
    assert (code, err) == (1, "")
    lines = check_lines(out)
    assert lines.pop("FBA inventory (stock, inbound, stranded units)") == "will not work"
    assert set(lines.values()) == {"works"}
    [refused] = [line for line in out.splitlines() if line.startswith("✗")]
    assert "getInventorySummaries refused (403 Unauthorized" in refused
    assert "add the Amazon Fulfillment role to the app, then authorise it again" in refused


def test_check_with_wrong_credentials_exits_2_and_checks_nothing_else(capsys, served, monkeypatch):
    served()
    monkeypatch.setenv("LWA_CLIENT_SECRET", "a-wrong-secret-1234567")
    code, out, err = run(capsys, "config", "check", "--profile", "sb")
    assert code == 2
    lines = check_lines(out)
    assert lines.pop("Credentials (LWA access token)") == "refused"
    assert set(lines.values()) == {"not checked"}
    assert "a-wrong-secret-1234567" not in out + err


def test_check_without_credentials_says_which_to_set(capsys, monkeypatch):
    write_config(PROFILE).chmod(0o600)
    for name in ("LWA_APP_ID", "LWA_CLIENT_SECRET", "SP_API_REFRESH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "config", "check")
    assert code == 2 and "no credentials: set" in err and "SP_API_REFRESH_TOKEN" in err


# ---------------------------------------------------------------- the notifications queue


def with_queue(url: str, endpoint: str) -> None:
    """The served profile, with watch's fast path: [profiles.sb.notifications]."""
    path = paths.config_file()
    path.write_text(
        path.read_text(encoding="utf-8")
        + f'[profiles.sb.notifications]\nqueue_url = "{url}"\nregion = "us-east-1"\n'
        f'endpoint_url = "{endpoint}"\n',
        encoding="utf-8",
    )


QUEUE_LINE = "SP-API notifications (watch's fast path)"


def test_check_says_the_notifications_queue_receives_and_takes_nothing(
    capsys, served, queue_url, moto_server
):
    import boto3

    served()
    with_queue(queue_url, moto_server)
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=moto_server)
    sqs.send_message(QueueUrl=queue_url, MessageBody='{"waiting": true}')
    code, out, err = run(capsys, "config", "check", "--profile", "sb")
    assert (code, err) == (0, "")
    name = queue_url.rsplit("/", 1)[-1]
    assert f"✓ works         {QUEUE_LINE}: SQS queue {name} receives (1 message waiting)" in out
    assert out.splitlines()[-1].startswith("6 of 6 features will work")
    kept = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0).get("Messages", [])
    assert [m["Body"] for m in kept] == ['{"waiting": true}']  # the check took nothing
    assert AWS_SECRET not in out + err and "AKIAIOSFODNN7EXAMPLE" not in out + err


def test_check_says_in_one_line_when_the_queue_cannot_be_read(capsys, served, aws, moto_server):
    served()
    with_queue(f"{moto_server}/123456789012/no-such-queue", moto_server)
    code, out, err = run(capsys, "config", "check", "--profile", "sb")
    assert (code, err) == (1, "")
    [line] = [x for x in out.splitlines() if QUEUE_LINE in x]
    assert line.startswith(f"✗ will not work {QUEUE_LINE}: SQS queue no-such-queue: ")
    assert "NonExistentQueue" in line
    assert "Traceback" not in out and out.splitlines()[-1].startswith("5 of 6 features")
    assert AWS_SECRET not in out + err and "AKIAIOSFODNN7EXAMPLE" not in out + err


def test_check_without_the_aws_sdk_says_what_to_install(capsys, served, aws, monkeypatch):
    served()
    with_queue("https://sqs.us-east-1.amazonaws.com/123456789012/asin-tui", "http://127.0.0.1:9")
    monkeypatch.setitem(sys.modules, "boto3", None)  # not installed
    code, out, _ = run(capsys, "config", "check", "--profile", "sb")
    assert code == 1
    [line] = [x for x in out.splitlines() if QUEUE_LINE in x]
    assert line.endswith("pip install 'asin-tui[notifications]'")


def test_a_config_saved_with_a_byte_order_mark_is_read_and_kept(capsys):
    """A config saved "UTF-8 with BOM" (Windows Notepad, then copied to the server) was
    refused as 'line 1: … neither `key = value` nor a [table] header (column 1)', a fault
    no seller can see in the file. It reads as without the mark; add-profile keeps the file
    byte for byte, mark and all; a bad value still names its own line."""
    path = write_config("\ufeff# mine\n" + PROFILE)
    path.chmod(0o600)
    code, out, err = run(capsys, "config", "show")
    assert (code, err) == (0, "") and "[profiles.main]" in out
    code, _, err = run(
        capsys, "config", "add-profile", "de", "--seller-id", "A2X", "--marketplace", "DE"
    )
    assert (code, err) == (0, "")
    after = path.read_text(encoding="utf-8")
    assert after.startswith("\ufeff# mine\n" + PROFILE) and "[profiles.de]" in after
    assert run(capsys, "config", "show", "--profile", "de")[0] == 0
    write_config("\ufeff" + PROFILE + 'timeout = "soon"\n')
    code, _, err = run(capsys, "config", "show")
    assert code == 2 and "line 4: profiles.main.timeout" in err, err
