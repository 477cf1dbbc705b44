"""The progress file as SQLite: a seller's saved progress in the earlier TOML file survives the
upgrade, a damaged file is set aside with one line and what can be read is kept, one bad record
costs only itself."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime, timedelta

import pytest

from asin_tui.domain.models import StepStatus, WizardStep
from asin_tui.domain.text import quoted, unsafe_chars
from asin_tui.store.cases import (
    CaseRecord,
    CaseStore,
    CaseStoreError,
    ChecklistTick,
    Outcome,
    PatchMode,
)

US = "ATVPDKIKX0DER"

#: A progress file as asin-tui wrote it until the SQLite store (schema_version 2), as it was
#: written: a SKU waiting on Amazon and one left open in the wizard with everything set.
TODAYS_FILE = """schema_version = 2

[skus.LAMP-01]
current_step = "verify"
outcome = "waiting"
started_at = 2025-05-01 09:00:00.123456+00:00
updated_at = 2026-11-30 08:00:00+00:00
outcome_at = 2026-11-30 08:00:00+00:00
waiting_for = "Amazon to process the change"
recheck_at = 2026-12-01 08:00:00+00:00

[skus.MUG-RED-12oz]
current_step = "stock"
outcome = "open"
started_at = 2025-05-01 09:00:00.123456+00:00
updated_at = 2025-05-01 09:12:00.123456+00:00
case_draft_path = "/home/seller/.local/share/asin-tui/cases/SKU-1.md"

[skus.MUG-RED-12oz.steps.overview]
status = "not_applicable"

[skus.MUG-RED-12oz.steps.stock]
status = "passed"
notes = "ordered 40 units\\nETA Friday"
updated_at = 2025-05-01 09:00:00.123456+00:00

[skus.MUG-RED-12oz.steps.policy]
status = "needs_action"
updated_at = 2025-05-01 09:05:00.123456+00:00

[[skus.MUG-RED-12oz.steps.policy.checklist]]
item = "Upload the safety data sheet"
done = true
note = "sent on 1 May"
updated_at = 2025-05-01 09:00:00.123456+00:00

[[skus.MUG-RED-12oz.steps.policy.checklist]]
item = "Appeal via Account Health"
done = false
note = ""

[[skus.MUG-RED-12oz.patches]]
submitted_at = 2025-05-01 09:10:00.123456+00:00
mode = "VALIDATION_PREVIEW"
patches = "[{\\"op\\": \\"replace\\", \\"path\\": \\"/attributes/color\\", \\"value\\": [{\\"value\\": \\"Rot\\"}]}]"
status = "INVALID"
issues = "[{\\"code\\": \\"90220\\", \\"message\\": \\"'color' is required\\", \\"severity\\": \\"ERROR\\"}]"
submission_id = "f1e2d3"

[[skus.MUG-RED-12oz.patches]]
submitted_at = 2025-05-01 09:11:00.123456+00:00
mode = "REAL"
patches = "[]"
status = "SUBMITTING"
issues = "[]"

[skus.MUG-RED-12oz.draft]
stock_action = "set_mfn_quantity"
mfn_quantity = 40
handling_time = 2
price = "31.00"
updated_at = 2025-05-01 09:09:00.123456+00:00

[skus.MUG-RED-12oz.draft.attributes]
color = "Rot"
"item name.x" = "Tasse ü"
"""

TODAYS_ARCHIVE = """schema_version = 2

[skus.OLD-1]
current_step = "overview"
outcome = "resolved"
started_at = 2025-05-01 09:00:00.123456+00:00
updated_at = 2025-05-01 09:00:00.123456+00:00
resolved_state = "ACTIVE"

[skus.OLD-1.steps.stock]
status = "passed"
notes = "restocked"
updated_at = 2025-05-01 09:00:00.123456+00:00
"""


def store(**options) -> CaseStore:
    return CaseStore("main", US, **options)


def write_todays_files() -> CaseStore:
    progress = store()
    progress.legacy_path.parent.mkdir(parents=True)
    progress.legacy_path.write_text(TODAYS_FILE, encoding="utf-8")
    progress.legacy_archive_path.write_text(TODAYS_ARCHIVE, encoding="utf-8")
    return progress


def assert_todays_progress(found: dict[str, CaseRecord]) -> None:
    assert list(found) == ["LAMP-01", "MUG-RED-12oz"]
    lamp = found["LAMP-01"]
    assert (lamp.outcome, lamp.current_step) == (Outcome.WAITING, WizardStep.VERIFY)
    assert lamp.waiting_for == "Amazon to process the change"
    assert lamp.recheck_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    mug = found["MUG-RED-12oz"]
    assert (mug.outcome, mug.current_step) == (Outcome.OPEN, WizardStep.STOCK)
    assert mug.steps[WizardStep.STOCK].notes == "ordered 40 units\nETA Friday"
    assert mug.steps[WizardStep.OVERVIEW].status is StepStatus.NOT_APPLICABLE
    assert mug.steps[WizardStep.POLICY].checklist[0] == ChecklistTick(
        "Upload the safety data sheet",
        True,
        "sent on 1 May",
        datetime(2025, 5, 1, 9, 0, 0, 123456, tzinfo=UTC),
    )
    assert [(p.mode, p.status) for p in mug.patches] == [
        (PatchMode.VALIDATION_PREVIEW, "INVALID"),
        (PatchMode.REAL, "SUBMITTING"),  # what a resumed batch re-checks before any resend
    ]
    assert mug.patches[0].issues[0]["message"] == "'color' is required"
    assert mug.draft.mfn_quantity == 40
    assert mug.draft.attributes == {"color": "Rot", "item name.x": "Tasse ü"}
    assert mug.case_draft_path == "/home/seller/.local/share/asin-tui/cases/SKU-1.md"


def test_a_sellers_progress_in_todays_toml_file_survives_the_upgrade():
    progress = write_todays_files()
    assert_todays_progress(progress.load())
    assert progress.take_warnings() == []
    assert progress.archived()["OLD-1"].steps[WizardStep.STOCK].notes == "restocked"
    assert progress.get("OLD-1").resolved_state == "ACTIVE"  # its history, from the archive
    folder = progress.path.parent
    kept = sorted(p.name for p in folder.glob("*.toml"))
    assert sorted(name.split(".imported-")[0] for name in kept) == [
        f"main-{US}",
        f"main-{US}.archive",
    ]
    texts = {p.read_text(encoding="utf-8") for p in folder.glob("*.toml")}
    assert texts == {TODAYS_FILE, TODAYS_ARCHIVE}  # kept as they were, never read again
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    again = store()
    assert_todays_progress(again.load())  # from the SQLite file now
    again.update("LAMP-01", lambda case: case.set_outcome(Outcome.RESOLVED))
    assert store().get("LAMP-01").outcome is Outcome.RESOLVED


def test_asin_tui_progress_reads_todays_file_before_any_import_and_writes_nothing():
    progress = write_todays_files()
    before = sorted(p.name for p in progress.path.parent.iterdir())
    reader = store(read_only=True)
    assert_todays_progress(reader.load())
    assert {c.sku for c in reader.items(set(Outcome), with_archive=True)} == {
        "LAMP-01",
        "MUG-RED-12oz",
        "OLD-1",
    }
    assert reader.take_warnings() == []
    assert sorted(p.name for p in progress.path.parent.iterdir()) == before


def test_an_earlier_asin_tui_still_running_saves_to_the_toml_file_again_nothing_is_lost():
    progress = write_todays_files()
    progress.update("NEW-1", lambda case: None)
    later = TODAYS_FILE.replace(
        'current_step = "stock"\noutcome = "open"\nstarted_at = 2025-05-01 09:00:00.123456+00:00\n'
        "updated_at = 2025-05-01 09:12:00.123456+00:00",
        'current_step = "apply"\noutcome = "open"\nstarted_at = 2025-05-01 09:00:00.123456+00:00\n'
        "updated_at = 2026-12-01 09:12:00.123456+00:00",
    )
    assert later != TODAYS_FILE
    progress.legacy_path.write_text(later, encoding="utf-8")  # the other instance's save
    found = store().load()
    assert set(found) == {"LAMP-01", "MUG-RED-12oz", "NEW-1"}
    assert found["MUG-RED-12oz"].current_step is WizardStep.APPLY  # its newer save wins
    assert found["MUG-RED-12oz"].draft.mfn_quantity == 40


def test_a_file_that_is_no_database_is_set_aside_with_one_line_and_saving_goes_on():
    progress = store()
    progress.path.parent.mkdir(parents=True)
    progress.path.write_bytes(b"this is not a database, but it may be someone's data\n" * 40)
    assert progress.load() == {}
    (warning,) = progress.take_warnings()
    text = str(warning)
    assert "\n" not in text and "could not be used (file is not a database)" in text
    assert warning.moved_to.name.startswith(f"main-{US}.corrupt-")
    assert warning.moved_to.read_bytes().startswith(b"this is not a database")  # kept
    progress.update("A-1", lambda case: None)
    assert list(store().load()) == ["A-1"]


def test_a_file_damaged_under_a_running_app_is_set_aside_and_its_readable_rows_kept():
    progress = store()
    for n in range(300):
        progress.update(f"SKU-{n:03d}", lambda case: None)
    progress.close()
    conn = sqlite3.connect(progress.path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    raw = bytearray(progress.path.read_bytes())
    page = 4096
    last = len(raw) // page - 1
    raw[last * page : (last + 1) * page] = b"\xff" * page  # one page of the file destroyed
    progress.path.write_bytes(bytes(raw))

    reader = store()
    try:
        found = reader.load()
    except CaseStoreError as exc:  # found damaged in the middle of the read: one line
        assert "\n" not in str(exc) and "damaged" in str(exc) and "set aside" in str(exc)
        found = reader.load()
    warnings = [str(w) for w in reader.take_warnings()]
    assert any("could not be used" in w and "kept as" in w for w in warnings), warnings
    assert 0 < len(found) < 300  # the rows on the pages left whole are carried over
    (moved,) = progress.path.parent.glob(f"main-{US}.corrupt-*.sqlite")
    assert moved.read_bytes()[:16] == b"SQLite format 3\x00"
    reader.update("NEW", lambda case: None)
    assert "NEW" in store().load()


def test_one_unreadable_record_costs_only_itself_and_is_kept_when_replaced():
    progress = store()
    for sku in ("A", "B", "C"):
        progress.update(sku, lambda case: None)
    progress.close()
    conn = sqlite3.connect(progress.path)
    conn.execute("UPDATE cases SET record = 'current_step = [' WHERE sku = 'B'")
    conn.commit()
    conn.close()

    reader = store()
    assert list(reader.load()) == ["A", "C"]
    (warning,) = reader.take_warnings()
    assert "Saved progress of 'B'" in str(warning) and "it is skipped" in str(warning)
    assert reader.get("B") is None
    assert reader.take_warnings() == []  # told once
    reader.update("B", lambda case: setattr(case, "current_step", WizardStep.STOCK))
    assert store().get("B").current_step is WizardStep.STOCK
    conn = sqlite3.connect(progress.path)
    kept = conn.execute("SELECT sku, record FROM set_aside").fetchall()
    conn.close()
    assert kept == [("B", "current_step = [")]


def test_an_unreadable_record_of_a_hostile_sku_is_told_terminal_safe_and_quoted_once():
    sku = "B\x00\x1b[2J\u009b31m\u202e"  # a SKU as a listing may carry it (data, not text)
    progress = store()
    progress.update(sku, lambda case: None)
    progress.close()
    conn = sqlite3.connect(progress.path)
    conn.execute("UPDATE cases SET record = '{\"bogus\": 1}' WHERE sku = ?", (sku,))
    conn.commit()
    conn.close()

    reader = store()
    assert reader.load() == {}
    (warning,) = reader.take_warnings()
    text = str(warning)
    assert f"Saved progress of {quoted(sku)} in" in text  # one backslash each, not two
    assert "\\\\" not in text and not unsafe_chars(text) and "\n" not in text
    assert "unknown key 'bogus'" in text


@pytest.mark.parametrize("days", [120])
def test_archived_skus_of_the_toml_archive_are_not_brought_back(days):
    progress = write_todays_files()
    progress.update(
        "DONE",
        CaseRecord(
            "DONE",
            outcome=Outcome.RESOLVED,
            started_at=datetime.now(UTC) - timedelta(days=days),
            updated_at=datetime.now(UTC) - timedelta(days=days),
        ),
    )
    assert "DONE" not in store().load()
    assert set(store().archived()) == {"OLD-1", "DONE"}


def test_a_record_kept_as_toml_text_by_the_first_sqlite_files_is_read_and_saved_as_json():
    progress = store()
    progress.update("A", lambda case: None)
    progress.close()
    conn = sqlite3.connect(progress.path)
    conn.execute(
        "UPDATE cases SET record = ? WHERE sku = 'A'",
        (
            'current_step = "stock"\noutcome = "open"\n'
            "started_at = 2025-05-01T09:00:00Z\nupdated_at = 2025-05-01T09:30:00Z\n"
            '[steps.stock]\nstatus = "passed"\nnotes = "restocked"\n',
        ),
    )
    conn.commit()
    conn.close()
    reader = store()
    case = reader.get("A")
    assert (case.current_step, case.steps[WizardStep.STOCK].notes) == (
        WizardStep.STOCK,
        "restocked",
    )
    assert reader.take_warnings() == []
    reader.update("A", lambda case: setattr(case, "current_step", WizardStep.APPLY))
    conn = sqlite3.connect(progress.path)
    (record,) = conn.execute("SELECT record FROM cases WHERE sku = 'A'").fetchone()
    conn.close()
    assert record.startswith("{") and '"notes":"restocked"' in record
    assert store().get("A").current_step is WizardStep.APPLY


def test_on_a_full_disk_todays_file_is_read_where_it_is_and_imported_once_there_is_room(
    monkeypatch,
):
    progress = write_todays_files()

    def disk_full(self, table, cases):
        raise CaseStoreError(f"{self.path.name}: cannot save: the disk is full")

    with monkeypatch.context() as patched:
        patched.setattr(CaseStore, "_merge_in", disk_full)
        assert_todays_progress(progress.load())  # nothing lost, nothing moved
        (warning,) = progress.take_warnings()
        text = str(warning)
        assert "\n" not in text and "not moved into" in text and "the disk is full" in text
        assert progress.get("OLD-1").resolved_state == "ACTIVE"
        assert progress.take_warnings() == []  # told once
        assert progress.legacy_path.read_text(encoding="utf-8") == TODAYS_FILE
    assert_todays_progress(progress.load())  # room again: imported now
    assert not progress.legacy_path.exists()
    assert_todays_progress(store().load())


def test_reading_an_older_asin_tuis_world_readable_files_makes_them_private():
    # `asin-tui progress` only reads; files an older asin-tui left 0644 in a 0755 folder held
    # the seller's SKUs and notes for anyone on the machine until the app next saved
    writer = write_todays_files()
    writer.update("NEW", lambda case: None)
    writer.close()
    folder = writer.path.parent
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for path in folder.iterdir():
        path.chmod(0o644)
    folder.chmod(0o755)

    assert "NEW" in store(read_only=True).load()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    assert set(before) <= set(modes) and set(modes.values()) == {0o600}, modes
    assert {name: (folder / name).read_bytes() for name in before} == before  # only the modes
