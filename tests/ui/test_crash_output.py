"""A bug, in a command or in the app: one line on the terminal, never a traceback there, never a
secret (not in the line, not in the file); the traceback — no frame's local values — kept in a
private crash file for the bug report."""

from __future__ import annotations

import stat

import pytest

from asin_tui import cli
from asin_tui.commands import progress
from asin_tui.store import paths

REFRESH = "Atzr|IwEBIcrash-refresh-token-0123456789"
SECRET = "crash-client-secret-abcdef0123456789"


def a_bug(*_args, **_kwargs):
    credentials = {"refresh_token": REFRESH, "client_secret": SECRET}  # a frame's locals
    raise RuntimeError(f"boom: cannot use {credentials}\nsecond line")


def crash_files():
    folder = paths.cache_dir() / "crashes"
    return folder, sorted(folder.glob("crash-*.txt")) if folder.exists() else []


def assert_kept_privately() -> str:
    folder, files = crash_files()
    [path] = files
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "Traceback" in text and "a_bug" in text and "RuntimeError: boom" in text
    assert REFRESH not in text and SECRET not in text
    return str(path)


def test_a_bug_in_a_command_is_one_line_and_a_private_file(monkeypatch, capsys):
    config = paths.config_file()  # the client secret in the config file, not the environment
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[profiles.main]\nmarketplace = "US"\nseller_id = "A2SELLER"\n'
        f'lwa_app_id = "amzn1.application-oa2-client.x"\nlwa_client_secret = "{SECRET}"\n'
        f'refresh_token = "{REFRESH}"\n'
    )
    config.chmod(0o600)
    monkeypatch.setattr(progress, "run", a_bug)
    code = cli.main(["progress", "--demo"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("asin-tui: internal error (RuntimeError: boom: cannot use")
    assert REFRESH not in err and SECRET not in err
    assert assert_kept_privately() in err


async def test_a_bug_in_the_app_is_one_line_without_local_values(monkeypatch, capsys, app):
    """Textual's own crash screen prints every frame's locals: the credentials among them."""
    from asin_tui.ui.app import AsinTuiApp

    monkeypatch.setenv("SP_API_REFRESH_TOKEN", REFRESH)
    monkeypatch.setenv("LWA_CLIENT_SECRET", SECRET)  # a seller's credentials in the environment
    monkeypatch.setattr(AsinTuiApp, "action_help", a_bug)
    with pytest.raises(RuntimeError):
        async with app.run_test() as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
    assert capsys.readouterr().err == ""  # Textual printed nothing (no traceback, no locals)
    shown = app.crash_line  # the line `asin-tui` prints once the terminal is back
    assert "\n" not in shown
    assert shown.startswith("asin-tui: internal error (RuntimeError: boom")
    assert REFRESH not in shown and SECRET not in shown and "locals" not in shown
    assert assert_kept_privately() in shown


async def test_textual_ending_the_app_outside_its_code_is_one_line_too(capsys, app):
    """Textual's input thread, when it raises (a key that was not UTF-8 did), calls ``panic``
    with a Rich traceback: printed after the screen, and the app ended with status 0."""
    import rich.traceback

    async with app.run_test() as pilot:
        await pilot.pause()
        try:
            b"/\xe9".decode("utf-8")
        except UnicodeDecodeError:
            panic = rich.traceback.Traceback()  # as Textual's driver builds it, then calls
        app.panic(panic)
    assert capsys.readouterr().err == ""
    shown = app.crash_line  # printed by `asin-tui` once the terminal is back; exit status 2
    assert shown is not None and "\n" not in shown
    assert shown.startswith("asin-tui: internal error (TextualPanic: UnicodeDecodeError: 'utf-8'")
    _, [path] = crash_files()
    text = path.read_text()
    assert "test_textual_ending_the_app_outside_its_code" in text  # its frames, no locals
    assert str(path) in shown


def test_only_the_newest_crash_files_are_kept(tmp_path):
    from asin_tui.store.crash import KEPT, record_crash

    for _ in range(KEPT + 5):
        record_crash(RuntimeError("again"), folder=tmp_path)
    assert len(list(tmp_path.glob("crash-*.txt"))) == KEPT


def test_a_crash_file_the_disk_has_no_room_for_is_not_left_empty(monkeypatch, tmp_path):
    """A full disk lets the file be made but not written: the line says the details could
    not be saved, and no empty crash file is left (one a crash, never pruned: the folder
    would fill with them while the disk stays full)."""
    import errno

    from asin_tui.store import crash

    def no_room(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(crash, "crash_text", no_room)  # what writing the traceback meets
    line = crash.record_crash(RuntimeError("boom"), folder=tmp_path)
    assert line == (
        "asin-tui: internal error (RuntimeError: boom); "
        "its details could not be saved (No space left on device)"
    )
    assert list(tmp_path.iterdir()) == []
