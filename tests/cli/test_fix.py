"""`asin-tui fix FILE.csv` on the demo account: validation only unless --apply, only VALID
rows sent, every exit code, and bad files named by line and column before anything is sent."""

from __future__ import annotations

import json
import os
import sys

import pytest

from asin_tui.cli import main
from asin_tui.demo import DemoSettings
from asin_tui.domain import codes
from asin_tui.domain.bulk import RowOutcome
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.transport import demo_account_path


@pytest.fixture(scope="module")
def demo_skus() -> dict[str, list[str]]:
    """SKUs of the demo account by their only cause (the account is generated the same way
    every time)."""
    account = SandboxAccount()  # what demo_app generates (never the real demo's files)
    found: dict[str, list[str]] = {}
    for sku in account.search(sort_by="sku"):
        causes = account.intended_causes(sku)
        if len(causes) == 1:
            found.setdefault(next(iter(causes)), []).append(sku)
    return found


#: the demo applying an accepted patch at once: `fix --apply` reads the listing back as fixed
PATCHES_AT_ONCE = DemoSettings(drift=0.0, patch_delay=0.0)


def fix(
    capsys, tmp_path, text: str | bytes, *args: str, demo: DemoSettings = PATCHES_AT_ONCE
) -> tuple[int, str, str]:
    path = tmp_path / "fix.csv"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    code = main(["fix", "--demo", str(path), *args], demo=demo)
    out, err = capsys.readouterr()
    return code, out, err


def journal_skus() -> list[str]:
    """The SKUs the demo account accepted a real change for (its saved journal)."""
    path = demo_account_path()
    if not path.exists():
        return []
    return [change["sku"] for change in json.loads(path.read_text())["changes"]]


def test_without_apply_every_row_is_only_validated(capsys, tmp_path, demo_skus):
    good, zero = demo_skus[codes.OUT_OF_STOCK_MFN][:2]
    code, out, err = fix(
        capsys, tmp_path, f"sku,quantity\n{good},5\n{zero},0\n", "--format", "json"
    )
    assert code == 1, err  # a row is invalid
    rows = json.loads(out)
    assert [r["sku"] for r in rows] == [good, zero]
    assert rows[0]["preview"] == "VALID" and rows[0]["submitted"] is False
    assert rows[0]["patches"][0]["path"] == "/attributes/fulfillment_availability"
    assert rows[1]["preview"] is None and "At least 1 unit" in rows[1]["issues"][0]["message"]
    assert set(rows[0]) >= {
        "sku",
        "patches",
        "preview",
        "issues",
        "submitted",
        "submission_id",
        "state_after",
    }
    assert journal_skus() == []  # nothing written

    code, out, _ = fix(capsys, tmp_path, f"sku,quantity\n{good},5\n")
    assert code == 0
    assert "nothing was sent" in out and "Set quantity to 5 (was 0)" in out


def test_apply_sends_only_the_valid_rows_and_exits_1_for_the_rest(capsys, tmp_path, demo_skus):
    first, second, zero = demo_skus[codes.OUT_OF_STOCK_MFN][:3]
    text = f"sku,quantity,handling_time\n{first},4,\n{zero},0,\n{second},2,3\n"
    code, out, err = fix(capsys, tmp_path, text, "--apply", "--yes", "--format", "json")
    assert code == 1, err
    rows = {r["sku"]: r for r in json.loads(out)}
    assert sorted(journal_skus()) == sorted([first, second])
    for sku in (first, second):
        assert rows[sku]["submitted"] and rows[sku]["submission_id"]
        assert rows[sku]["state_after"] == "ACTIVE" and rows[sku]["outcome"] == "fixed"
    assert not rows[zero]["submitted"]

    # all valid and applied: exit 0; run again, nothing is sent twice
    code, out, err = fix(capsys, tmp_path, f"sku,quantity\n{first},4\n", "--apply", "--yes")
    assert code == 0, err
    assert journal_skus().count(first) == 1


def test_apply_with_no_terminal_to_ask_on_sends_nothing_without_yes(
    capsys, tmp_path, demo_skus, monkeypatch
):
    # ssh host 'asin-tui fix f.csv --apply' (no -t), a pipe, cron: no one to type 'yes'
    sku = demo_skus[codes.OUT_OF_STOCK_MFN][0]
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    code, out, err = fix(capsys, tmp_path, f"sku,quantity\n{sku},8\n", "--apply")
    assert (code, out) == (2, "") and journal_skus() == []
    assert err.count("\n") == 1 and "add --yes" in err and "nothing was sent" in err


def test_a_person_at_a_terminal_types_yes_before_anything_is_sent(
    capsys, tmp_path, demo_skus, monkeypatch
):
    from asin_tui.commands import fix as fix_command

    sku = demo_skus[codes.OUT_OF_STOCK_MFN][0]
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(["y", "yes"])
    asked = []

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(fix_command, "ask", answer)  # the question on the terminal
    code, _, err = fix(capsys, tmp_path, f"sku,quantity\n{sku},8\n", "--apply")
    assert code == 1 and journal_skus() == []  # "y" is not "yes"
    assert "Send these changes to Amazon? 1 listing in " in err
    assert sku in err and "Set quantity to 8 (was 0)" in err
    assert "nothing was sent" in err
    code, _, err = fix(capsys, tmp_path, f"sku,quantity\n{sku},8\n", "--apply")
    assert code == 0 and journal_skus() == [sku]
    assert len(asked) == 2 and "Type yes" in asked[0]


def test_a_terminal_sees_each_change_once_with_its_count_and_each_listing_on_asking(
    capsys, tmp_path, demo_skus, monkeypatch
):
    from asin_tui.commands import fix as fix_command

    monkeypatch.setattr(fix_command, "SHOWN_EACH", 3)  # the demo has 8 such listings
    skus = demo_skus[codes.OUT_OF_STOCK_MFN][:5]
    text = "sku,quantity\n" + "".join(f"{s},{9 if s == skus[-1] else 8}\n" for s in skus)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(["list", "y", "list", "yes"])
    asked, shown = [], []

    def answer(prompt: str) -> str:
        asked.append(prompt)
        shown.append(capsys.readouterr().err)  # what was on the terminal when asked
        return next(answers)

    monkeypatch.setattr(fix_command, "ask", answer)  # the question on the terminal
    code, _, _ = fix(capsys, tmp_path, text, "--apply")
    assert code == 1 and journal_skus() == []  # "y" is not "yes"
    first = shown[0]
    assert "Send these changes to Amazon? 5 listings in " in first
    assert (
        f"Set quantity to 8 — 4 listings: {skus[0]}, {skus[1]}, {skus[2]} and 1 more (was 0)"
        in first
    )
    assert f"Set quantity to 9 — 1 listing: {skus[4]} (was 0)" in first
    assert f"{skus[3]}: Set quantity" not in first  # not one line a listing before asked
    assert "type list" in first and "(list: each listing's change)" in asked[0]
    each = shown[1]  # "list": each listing's change, then asked again
    assert [line for line in each.splitlines() if line] == [
        f"{s}: Set quantity to {9 if s == skus[-1] else 8} (was 0)" for s in skus
    ]
    assert len(asked) == 2

    code, _, _ = fix(capsys, tmp_path, text, "--apply")
    assert code == 0 and sorted(journal_skus()) == sorted(skus)  # listed, then "yes"
    assert len(asked) == 4


def test_the_terminal_confirmation_of_2000_listings_is_as_long_as_of_20():
    from asin_tui.bulk import RowResult
    from asin_tui.commands.fix import confirmation_lines

    def batch(size: int) -> list[RowResult]:
        return [
            RowResult(
                f"SKU-{i}" if i else "EVIL\x1b[2J",
                changes=[f"Set quantity to {12 if i % 10 else 5} (was 0)"],
                preview="VALID",
                outcome=RowOutcome.VALID,
            )
            for i in range(size)
        ]

    small = confirmation_lines(batch(20), 3, "ATVPDKIKX0DER")
    large = confirmation_lines(batch(2000), 3, "ATVPDKIKX0DER")
    assert len(small) == len(large)
    assert large[0].startswith("Send these changes to Amazon? 2000 listings in ")
    assert "SKU-11 and 1988 more" in large[1]
    assert any(
        "Set quantity to 12 — 1800 listings: SKU-1, SKU-2, SKU-3 and 1797 more" in line
        for line in large
    )
    assert any("Set quantity to 5 — 200 listings" in line for line in large)
    assert "3 other rows are not valid and will not be sent." in large
    assert "\x1b" not in "".join(large) and "EVIL\\x1b[2J" in large[1]  # shown, not obeyed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sku,quantity\nA,1\nA,2\n", "line 3, column 'sku': 'A' is on line 2 already"),
        ("quantity\n1\n", "the header has no 'sku' column"),
        ("sku,quantity,quantity\nA,1,1\n", "column 'quantity': given twice"),
        ("sku,quantity\nA,1,2\n", "line 2: 3 cells, the header has 2 columns"),
        ("sku,quantity\n", "no rows under the header"),
        (b"sku,quantity\n\xff,1\n", "not UTF-8 text"),
        # a cell a listing would show (or a terminal run): damaged or hostile, never sent
        (
            "sku,brand\nA,Ac\x1b]52;c;aGk=\x07me\n",
            "line 2, column 'brand': 'Ac\\x1b]52;c;aGk=\\x07me': holds \\x1b, a control character",
        ),
        ("sku,brand\nA,X\u202eY\n", "'X\\u202eY': holds \\u202e, a control character"),
        ("sku,brand\nA,X\u009b2J\n", "holds \\x9b, a control character"),
        # a SKU of 100,000 characters ended in "internal error (InvalidURL: URL too long)"
        (
            "sku,quantity\n" + "S" * 100_000 + ",5\n",
            f"line 2, column 'sku': '{'S' * 40}'… has 100000 characters: an Amazon SKU has at most 40",
        ),
    ],
)
def test_a_file_that_is_not_a_batch_exits_2_naming_where(capsys, tmp_path, text, message):
    code, out, err = fix(capsys, tmp_path, text)
    assert code == 2 and out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_fifo_a_device_or_an_oversized_file_is_one_line_never_a_hang(capsys, tmp_path):
    # a named pipe with no writer blocked `fix` for good; /dev/zero read until memory ran out
    from asin_tui import bulk

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path, message in ((fifo, "a named pipe (FIFO)"), ("/dev/zero", "a character device")):
        code = main(["fix", "--demo", str(path)], demo=PATCHES_AT_ONCE)
        out, err = capsys.readouterr()
        assert code == 2 and out == "" and f"not a regular file: {message}" in err
        assert len(err.strip().splitlines()) == 1
    code = main(["fix", "--demo", str(tmp_path / "none.csv")], demo=PATCHES_AT_ONCE)
    out, err = capsys.readouterr()  # said as the system says it, not as Python's repr
    assert code == 2 and "none.csv: No such file or directory" in err and "Errno" not in err
    big = tmp_path / "fix.csv"
    with big.open("wb") as handle:  # one byte over the limit, sparse: no disk used
        handle.write(b"sku,quantity\n")
        handle.truncate(bulk.MAX_CSV_BYTES + 1)
    code = main(["fix", "--demo", str(big)], demo=PATCHES_AT_ONCE)
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "fix.csv: larger than 64 MB: not a values CSV" in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_sku_column_or_a_value_the_schema_rejects_exit_2_before_any_call(
    capsys, tmp_path, demo_skus
):
    sku = demo_skus[codes.OUT_OF_STOCK_MFN][0]
    # BOM, CRLF and a spreadsheet-defused cell ('-1 is the text -1) are read as meant
    text = f"\ufeffsku,quantity\r\n{sku},'-1\r\n".encode()
    code, _, err = fix(capsys, tmp_path, text)
    assert code == 2
    assert "line 2, column 'quantity': '-1': must be at least 0; nothing was sent" in err
    code, _, err = fix(capsys, tmp_path, f"sku,quantity,colour_nonsense\n{sku},1,red\n")
    assert code == 2 and "column 'colour_nonsense': not quantity, handling_time, price" in err
    code, _, err = fix(capsys, tmp_path, f"sku,quantity\n{sku},1\nNO-SUCH-SKU,1\n")
    assert code == 2 and "line 3, column 'sku': no listing 'NO-SUCH-SKU'" in err
    code, _, err = fix(capsys, tmp_path, f"sku,handling_time\n{sku},99\n")
    assert code == 2 and "line 2, column 'handling_time': '99': must be at most 30" in err
    assert journal_skus() == []


def test_a_config_error_exits_2_in_one_line(capsys, tmp_path):
    path = tmp_path / "fix.csv"
    path.write_text("sku,quantity\nA,1\n")
    code = main(["fix", "--profile", "nope", str(path)])
    _, err = capsys.readouterr()
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_ctrl_c_during_the_batch_says_how_to_resume(capsys, tmp_path, demo_skus, monkeypatch):
    from asin_tui.bulk import BulkFix

    async def interrupted(self, results):
        raise KeyboardInterrupt

    monkeypatch.setattr(BulkFix, "apply", interrupted)
    sku = demo_skus[codes.OUT_OF_STOCK_MFN][0]
    code, _, err = fix(capsys, tmp_path, f"sku,quantity\n{sku},8\n", "--apply", "--yes")
    assert code == 130
    assert "run the same command again" in err and "Traceback" not in err


def test_amazon_unreachable_for_every_row_is_a_network_error(
    capsys, tmp_path, demo_skus, monkeypatch
):
    from asin_tui.service import AccountService
    from asin_tui.spapi.errors import Unavailable

    async def down(self, sku, patches, *, preview, on_send=None):
        raise Unavailable("connection failed (ConnectError)", operation="patchListingsItem")

    monkeypatch.setattr(AccountService, "patch", down)
    first, second = demo_skus[codes.OUT_OF_STOCK_MFN][:2]
    text = f"sku,quantity\n{first},8\n{second},2\n"
    # Amazon's pauses between a row's tries (bulk.ROW_PAUSE) pass 1000x faster on this demo
    code, out, err = fix(
        capsys, tmp_path, text, demo=DemoSettings(drift=0.0, patch_delay=0.0, time_scale=1000)
    )
    assert code == 2 and out == ""
    assert "no answer from Amazon for any row" in err and "connection failed" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.slow  # a real `fix --apply` process on the demo, at Amazon's pace
def test_sigterm_during_the_batch_says_how_to_resume(tmp_path, demo_skus, synced_demo):
    # Python's default for SIGTERM (`kill PID`, `timeout`) ended the batch at once, silently
    import signal
    import subprocess
    import time

    from asin_tui.store import paths

    rows = "".join(f"{sku},{n + 3}\n" for n, sku in enumerate(demo_skus[codes.OUT_OF_STOCK_MFN]))
    path = tmp_path / "fix.csv"
    path.write_text("sku,quantity\n" + rows, encoding="utf-8")
    progress = paths.config_dir() / "progress"
    argv = [sys.executable, "-m", "asin_tui", "fix", "--demo", "--apply", "--yes", str(path)]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as batch:
        try:
            deadline = time.monotonic() + 60
            while not any(progress.glob("*.sqlite")) and batch.poll() is None:
                assert time.monotonic() < deadline, "the batch never saved a submit"
                time.sleep(0.05)  # (polling for the file its first submit saves)
            batch.send_signal(signal.SIGTERM)
            err = batch.communicate(timeout=60)[1]
        except BaseException:
            batch.kill()  # never left running
            raise
    assert batch.returncode == 130, err
    assert err.decode().strip().splitlines() == [
        "asin-tui: interrupted; every submit was saved as it went: run the same command "
        "again to finish (nothing Amazon took is sent twice)"
    ]


def test_a_demo_fix_its_journal_cannot_keep_is_told_not_lost_silently(
    capsys, tmp_path, demo_skus, monkeypatch
):
    # a full disk under the demo's data folder: the accepted fix lived in this process only,
    # and `fix` said it was submitted, with no word that the next run would not have it
    import errno

    journal = demo_account_path()
    replace = os.replace

    def disk_full(src, dst, *args, **kwargs):
        if os.fspath(dst) == os.fspath(journal):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", disk_full)
    first, second = demo_skus[codes.OUT_OF_STOCK_MFN][:2]
    text = f"sku,quantity\n{first},4\n{second},5\n"
    code, out, err = fix(capsys, tmp_path, text, "--apply", "--yes", "--format", "json")
    assert code == 0, err
    assert all(row["submitted"] for row in json.loads(out))
    assert journal_skus() == []  # nothing kept: and the seller is told so, once
    assert err.strip().splitlines() == [
        f"asin-tui: warning: demo fix not kept after this run: {journal}: "
        f"{os.strerror(errno.ENOSPC)}"
    ]
    assert "Traceback" not in err
