"""Config profiles: parsing, defaults, env-over-file credentials, masking, error positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from asin_tui.domain.marketplaces import MARKETPLACES
from asin_tui.store import paths
from asin_tui.store.config import (
    PROFILE_KEYS,
    ConfigError,
    ConfigNotFound,
    Credentials,
    load_config,
    locate_key,
    mask,
    missing_credentials,
)

ROOT = Path(__file__).resolve().parents[2]
SECRET = "amzn1.oa2-cs.v1.TOPSECRETvalue9876"
TOKEN = "Atzr|IwEBIrefreshTOKENvalue5432"


def write(text: str, path: Path | None = None) -> Path:
    path = path or paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_parses_and_validates():
    config = load_config(ROOT / "config.example.toml", environ={})
    assert list(config.profiles) == ["main", "sandbox"]
    assert config.profile().name == "main"
    sandbox = config.profile("sandbox")
    assert sandbox.endpoint == "http://127.0.0.1:8765"
    assert sandbox.token_endpoint == "http://127.0.0.1:8765/auth/o2/token"
    assert sandbox.credentials.as_dict() == {
        "lwa_app_id": "amzn1.application-oa2-client.sandbox",
        "lwa_client_secret": "sandbox-secret",
        "refresh_token": "Atzr|sandbox",
    }
    assert missing_credentials(sandbox) == []


def test_example_file_documents_every_profile_key():
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for key in (*PROFILE_KEYS, "default_profile"):
        assert f"{key} =" in text, key


def test_minimal_profile_gets_the_marketplace_defaults():
    write('[profiles.de]\nmarketplace = "A1PA6795UKMFR9"\nseller_id = "A2EXAMPLE12345"\n')
    profile = load_config(environ={}).profile()
    assert profile.name == "de"
    assert profile.marketplace is MARKETPLACES["DE"]
    assert profile.issue_locale == "de_DE"
    assert (profile.endpoint, profile.token_endpoint, profile.timeout) == (None, None, None)
    assert profile.source == paths.config_file()
    assert missing_credentials(profile) == [
        "LWA_APP_ID (or lwa_app_id in [profiles.de])",
        "LWA_CLIENT_SECRET (or lwa_client_secret in [profiles.de])",
        "SP_API_REFRESH_TOKEN (or refresh_token in [profiles.de])",
    ]


def test_every_key_is_read():
    write(
        f"""
[profiles.uk]
marketplace = "uk"
seller_id = "A2EXAMPLE12345"
lwa_app_id = "amzn1.application-oa2-client.abc"
lwa_client_secret = "{SECRET}"
refresh_token = "{TOKEN}"
endpoint = "http://127.0.0.1:9000/"
token_endpoint = "https://auth.example.test/o2/token"
issue_locale = "en_US"
timeout = 12.5
"""
    )
    profile = load_config(environ={}).profile("uk")
    assert profile.marketplace.code == "UK"
    assert profile.endpoint == "http://127.0.0.1:9000"
    assert profile.token_endpoint == "https://auth.example.test/o2/token"
    assert profile.issue_locale == "en_US"
    assert profile.timeout == 12.5
    assert profile.credentials.lwa_client_secret == SECRET
    assert profile.credentials.refresh_token == TOKEN


def test_environment_wins_over_the_file_and_says_so():
    write(
        f'[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'
        f'lwa_app_id = "file-app"\nlwa_client_secret = "{SECRET}"\nrefresh_token = "{TOKEN}"\n'
    )
    environ = {"LWA_APP_ID": "env-app", "SP_API_REFRESH_TOKEN": "  ", "LWA_CLIENT_SECRET": ""}
    credentials = load_config(environ=environ).profile().credentials
    assert credentials.lwa_app_id == "env-app"
    assert credentials.lwa_client_secret == SECRET  # empty env var: not set
    assert credentials.refresh_token == TOKEN  # blank env var: not set
    assert credentials.sources == {
        "lwa_app_id": "env LWA_APP_ID",
        "lwa_client_secret": "config file",
        "refresh_token": "config file",
    }


def test_process_environment_is_the_default(monkeypatch):
    write('[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n')
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", TOKEN)
    assert load_config().profile().credentials.refresh_token == TOKEN


def test_default_profile_then_first_profile():
    body = 'marketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'
    write(f"[profiles.a]\n{body}[profiles.b]\n{body}")
    assert load_config(environ={}).profile().name == "a"
    write(f'default_profile = "b"\n[profiles.a]\n{body}[profiles.b]\n{body}')
    config = load_config(environ={})
    assert config.profile().name == "b"
    assert config.profile("a").name == "a"


def test_missing_profile_lists_the_existing_ones():
    write('[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(environ={}).profile("shop")
    assert str(caught.value).endswith("profile 'shop' not found (profiles: main)")


def test_no_profiles_at_all():
    write("# nothing yet\n")
    with pytest.raises(ConfigError, match=r"no profiles: add a \[profiles.<name>\] table"):
        load_config(environ={}).profile()


def test_no_config_file_says_how_to_create_one():
    with pytest.raises(ConfigNotFound) as caught:
        load_config(environ={})
    assert "asin-tui config init" in str(caught.value)
    assert caught.value.path == paths.config_file()


@pytest.mark.parametrize(
    ("secret", "shown"),
    [(SECRET, "…9876"), ("Atzr|sandbox", "…dbox"), ("eleven-char", "…"), (None, "(not set)")],
)
def test_mask_shows_at_most_the_last_four(secret, shown):
    assert mask(secret) == shown


def test_reprs_never_show_secrets():
    write(
        f'[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'
        f'lwa_app_id = "amzn1.application-oa2-client.abc"\n'
        f'lwa_client_secret = "{SECRET}"\nrefresh_token = "{TOKEN}"\n'
    )
    profile = load_config(environ={}).profile()
    for text in (repr(profile), str(profile), repr(profile.credentials), str(load_config())):
        assert SECRET not in text and TOKEN not in text
        assert SECRET[-8:] not in text and TOKEN[-8:] not in text
    assert "…9876" in repr(profile.credentials)
    assert "amzn1.application-oa2-client.abc" in repr(profile.credentials)  # not a secret


def test_secrets_never_reach_error_messages():
    write(
        f'[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'
        f'refresh_token = "{TOKEN}"\nlwa_client_secret = ["{SECRET}"]\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(environ={})
    assert str(caught.value).endswith(
        "line 5: profiles.main.lwa_client_secret: expected a string, got an array"
    )
    assert SECRET not in str(caught.value) and TOKEN not in str(caught.value)


def test_credentials_as_dict_has_only_set_keys():
    assert Credentials(lwa_app_id="id").as_dict() == {"lwa_app_id": "id"}


@pytest.mark.parametrize(
    ("text", "keys", "line"),
    [
        ('[profiles.main]\nseller_id = "x"\n', ("profiles", "main", "seller_id"), 2),
        ('[profiles."my shop"]\n\n"seller_id" = 1\n', ("profiles", "my shop", "seller_id"), 3),
        ('[profiles]\nmain.timeout = "x"\n', ("profiles", "main", "timeout"), 2),
        ('x = 1\nprofiles.main.marketplace = "XX"\n', ("profiles", "main", "marketplace"), 2),
        ('[profiles]\nmain = { marketplace = "XX" }\n', ("profiles", "main", "marketplace"), 2),
        ("[profiles.main]\na = 1\n", ("profiles", "main", "seller_id"), 1),  # the parent table
        ("a = 1\n", ("profiles", "main"), None),
    ],
)
def test_locate_key_handles_quoted_dotted_and_inline_keys(text, keys, line):
    assert locate_key(text, keys) == line


def test_example_file_documents_every_alerts_key():
    from asin_tui.store.config import ALERT_KEYS

    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert "[profiles.main.alerts]" in text
    for key in ALERT_KEYS:
        assert f"# {key} =" in text, key


ALERTS_PROFILE = '[profiles.a]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'


def test_alerts_are_read_strictly():
    write(
        ALERTS_PROFILE + "[profiles.a.alerts]\n"
        'webhook_url = "http://127.0.0.1:9/hook"\ncommand = ["notify-send", "x"]\n'
        'smtp_host = "smtp.example.com"\nmail_from = "a@example.com"\n'
        'mail_to = "b@example.com"\nsmtp_password = "file-password-1234"\nmfn_quantity = 5\n'
    )
    alerts = load_config(environ={"ASIN_TUI_SMTP_PASSWORD": "env-password-5678"}).profile().alerts
    assert alerts.webhook_url == "http://127.0.0.1:9/hook"
    assert alerts.command == ("notify-send", "x") and alerts.mail_to == ("b@example.com",)
    assert alerts.smtp_password == "env-password-5678"  # the environment wins
    assert alerts.thresholds.mfn_quantity == 5 and alerts.smtp_port == 587
    assert "5678" not in repr(alerts) and "127.0.0.1" not in repr(alerts)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('webhok_url = "http://x.test"', "unknown key (did you mean 'webhook_url'?)"),
        ('command = "notify-send x"', "expected the command as an array of strings"),
        ('smtp_host = "smtp.example.com"', "mail_from: required for e-mail alerts"),
        ("mfn_quantity = -1", "expected a whole number of units"),
        ('webhook_url = "ftp://x"', "expected an http(s) URL"),
        ('webhook_url = "http://127.0.0.1:"', "expected an http(s) URL"),  # no port after ':'
        ('webhook_url = "http://127.0.0.1:99999"', "expected an http(s) URL"),
        ('webhook_url = "http://127.0.0.1:port"', "expected an http(s) URL"),
    ],
)
def test_a_bad_alerts_key_is_one_line_naming_it(table, message):
    write(ALERTS_PROFILE + "[profiles.a.alerts]\n" + table + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(environ={})
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert "profiles.a.alerts." in str(caught.value)


def test_config_show_names_the_alert_channels_but_never_the_webhook_url_or_password(capsys):
    from asin_tui import cli

    write(
        ALERTS_PROFILE + "[profiles.a.alerts]\n"
        'webhook_url = "https://hooks.example.com/services/T0/B0/SECRETPART"\n'
        'smtp_host = "smtp.example.com"\nmail_from = "a@example.com"\n'
        'mail_to = "b@example.com"\nsmtp_password = "file-password-q7z9"\n'
    )
    assert cli.main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "webhook" in out and "e-mail via smtp.example.com:587 to b@example.com" in out
    assert "SECRETPART" not in out and "file-password" not in out and "q7z9" not in out


def test_example_file_documents_every_notifications_key():
    from asin_tui.store.config import NOTIFICATION_KEYS

    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert "[profiles.main.notifications]" in text
    for key in NOTIFICATION_KEYS:
        assert f"# {key} =" in text, key


def test_notifications_take_the_region_from_an_aws_queue_url():
    write(
        ALERTS_PROFILE + "[profiles.a.notifications]\n"
        'queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/asin-tui"\n'
    )
    notifications = load_config(environ={}).profile().notifications
    assert notifications.region == "eu-west-1"
    assert notifications.endpoint_url is None and notifications.aws_profile is None


def test_a_local_queue_names_its_region_and_its_endpoint_is_the_queue_s_host():
    write(
        ALERTS_PROFILE + "[profiles.a.notifications]\n"
        'queue_url = "http://127.0.0.1:5000/123456789012/q"\nregion = "us-east-1"\n'
        'aws_profile = "asin-tui"\n'
    )
    notifications = load_config(environ={}).profile().notifications
    assert notifications.endpoint_url == "http://127.0.0.1:5000"
    assert (notifications.region, notifications.aws_profile) == ("us-east-1", "asin-tui")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('region = "us-east-1"', "queue_url: required key is missing"),
        ('queue_url = "http://127.0.0.1:5000/1/q"', "region: required with a queue URL"),
        ('queue_url = "sqs://q"', "expected an http(s) URL"),
        (
            'queue_url = "https://sqs.us-east-1.amazonaws.com/123456789012/q"\nregion = "east"',
            "expected an AWS region",
        ),
        (
            'queue_url = "https://sqs.us-east-1.amazonaws.com/123456789012/q"\n'
            'aws_secret_access_key = "x"',
            "unknown key",
        ),
    ],
)
def test_a_bad_notifications_key_is_one_line_naming_it(table, message):
    write(ALERTS_PROFILE + "[profiles.a.notifications]\n" + table + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(environ={})
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert "profiles.a.notifications" in str(caught.value)


def test_config_show_names_the_notifications_queue(capsys):
    from asin_tui import cli

    write(
        ALERTS_PROFILE + "[profiles.a.notifications]\n"
        'queue_url = "https://sqs.us-east-1.amazonaws.com/123456789012/asin-tui"\n'
    )
    assert cli.main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "SQS queue asin-tui in us-east-1" in out


def test_a_bad_webhook_url_is_never_quoted_in_the_error():
    """A webhook URL is a secret (Slack's carry a token): a typo in it is told without it."""
    write(
        ALERTS_PROFILE + '[profiles.a.alerts]\nwebhook_url = "htps://hooks.example/T0/SECRETPART"\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(environ={})
    assert "expected an http(s) URL" in str(caught.value)
    assert "SECRETPART" not in str(caught.value)


@pytest.mark.parametrize("key", ["endpoint", "token_endpoint"])
def test_an_endpoint_with_a_password_in_it_is_refused_without_showing_it(key):
    """`config show` and `config check` print the endpoints: a password in one would show."""
    write(
        ALERTS_PROFILE.replace(
            "[profiles.a]\n", f'[profiles.a]\n{key} = "http://me:hunter2@127.0.0.1:9"\n'
        )
    )
    with pytest.raises(ConfigError) as caught:
        load_config(environ={})
    assert "user name or password in the URL" in str(caught.value)
    assert "hunter2" not in str(caught.value)
