"""Saved wizard progress: round trip, schema, merging writers, locking, bad files moved aside."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from asin_tui.domain.models import WizardStep
from asin_tui.store import cases, paths
from asin_tui.store.cases import (
    DB_VERSION,
    SCHEMA_VERSION,
    SUBMITTING,
    CaseRecord,
    CaseStore,
    CaseStoreError,
    CaseStoreLocked,
    ChecklistTick,
    DraftRecord,
    Outcome,
    PatchMode,
    PatchRecord,
    StepRecord,
    StepStatus,
)
from asin_tui.store.config import display_path, load_config

US = "ATVPDKIKX0DER"
T0 = datetime(2025, 5, 1, 9, 0, 0, 123456, tzinfo=UTC)


def full_progress(sku: str = 'SKU "1" / ü.x') -> CaseRecord:
    """A progress with every field set to something other than its default."""
    progress = CaseRecord(
        sku=sku,
        current_step=WizardStep.VERIFY,
        outcome=Outcome.ESCALATED,
        case_draft_path="/home/seller/.local/share/asin-tui/cases/SKU-1.md",
        started_at=T0,
        updated_at=T0 + timedelta(minutes=12),
    )
    progress.steps[WizardStep.STOCK] = StepRecord(
        status=StepStatus.PASSED, notes="ordered 40 units\nETA Friday", updated_at=T0
    )
    progress.steps[WizardStep.OVERVIEW] = StepRecord(status=StepStatus.NOT_APPLICABLE)
    progress.steps[WizardStep.POLICY] = StepRecord(
        status=StepStatus.NEEDS_ACTION,
        checklist=[
            ChecklistTick(
                "Upload the safety data sheet", done=True, note="sent on 1 May", updated_at=T0
            ),
            ChecklistTick("Appeal via Account Health"),
        ],
        updated_at=T0 + timedelta(minutes=5),
    )
    progress.patches = [
        PatchRecord(
            submitted_at=T0 + timedelta(minutes=10),
            mode=PatchMode.VALIDATION_PREVIEW,
            patches=[{"op": "replace", "path": "/attributes/color", "value": [{"value": "Rot"}]}],
            status="INVALID",
            submission_id="f1e2d3",
            issues=[{"code": "90220", "message": "'color' is required", "severity": "ERROR"}],
        ),
        PatchRecord(
            submitted_at=T0 + timedelta(minutes=11),
            mode=PatchMode.REAL,
            patches=[],
            status="ACCEPTED",
        ),
    ]
    progress.draft = DraftRecord(
        stock_action="set_mfn_quantity",
        mfn_quantity=40,
        handling_time=2,
        attributes={"color": "Rot", "item name.x": "Tasse ü"},
        price="31.00",
        minimum="20",
        maximum="45.5",
        updated_at=T0 + timedelta(minutes=9),
    )
    return progress


def store(profile: str = "main", **kwargs) -> CaseStore:
    """A store that archives nothing (the SKUs here date from 2025) unless told to."""
    kwargs.setdefault("archive_after", None)
    return CaseStore(profile, US, **kwargs)


def test_file_lives_in_the_progress_dir_per_profile_and_marketplace():
    assert store().path == paths.cases_dir() / f"main-{US}.sqlite"
    assert store().legacy_path == paths.cases_dir() / f"main-{US}.toml"  # imported from
    assert CaseStore("demo", "A1PA6795UKMFR9", Path("/x")).path == Path(
        "/x/demo-A1PA6795UKMFR9.sqlite"
    )


@pytest.mark.parametrize(
    ("profile", "marketplace"), [("../etc", US), ("main", "US/../x"), ("", US)]
)
def test_names_that_would_escape_the_folder_are_refused(profile, marketplace):
    with pytest.raises(ValueError, match="letters, digits"):
        CaseStore(profile, marketplace)


def test_round_trip_of_every_field():
    progress = full_progress()
    store().update(progress.sku, progress)
    loaded = CaseStore("main", US).load()
    assert loaded == {progress.sku: progress}


def test_an_untouched_progress_round_trips():
    progress = CaseRecord(sku="plain", started_at=T0, updated_at=T0)
    store().update("plain", progress)
    assert store().get("plain") == progress
    assert store().get("other") is None


def _times(table: dict) -> dict:
    """A record's times (its keys ending in _at: ISO 8601 text) as datetimes."""
    return {
        key: datetime.fromisoformat(value) if key.endswith("_at") else value
        for key, value in table.items()
    }


def stored_rows(path: Path, table: str = "cases") -> dict[str, dict]:
    """The progress file's rows as SQLite holds them: SKU -> its record (JSON; times as
    ISO 8601 text)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(f"SELECT sku, outcome, record FROM {table}").fetchall()
    finally:
        conn.close()
    found = {sku: json.loads(record, object_hook=_times) for sku, _, record in rows}
    assert all(found[sku]["outcome"] == outcome for sku, outcome, _ in rows)
    return found


def test_file_schema():
    store().update("A-1", full_progress("A-1"))
    path = store().path
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (DB_VERSION,) == (1,)
    conn.close()
    assert SCHEMA_VERSION == 2  # each record is a SKU's table of the version 2 TOML schema
    sku = stored_rows(path)["A-1"]
    assert set(sku) == {
        "current_step",
        "outcome",
        "started_at",
        "updated_at",
        "case_draft_path",
        "steps",
        "patches",
        "draft",
    }
    assert (sku["current_step"], sku["outcome"]) == ("verify", "escalated")
    assert sku["updated_at"] == T0 + timedelta(minutes=12)  # a real TOML date-time
    assert set(sku["steps"]) == {"overview", "stock", "policy"}  # untouched steps left out
    assert sku["steps"]["stock"] == {
        "status": "passed",
        "notes": "ordered 40 units\nETA Friday",
        "updated_at": T0,
    }
    assert sku["steps"]["policy"]["checklist"][0] == {
        "item": "Upload the safety data sheet",
        "done": True,
        "note": "sent on 1 May",
        "updated_at": T0,
    }
    assert sku["steps"]["policy"]["checklist"][1] == {
        "item": "Appeal via Account Health",
        "done": False,
        "note": "",
    }
    assert sku["draft"] == {
        "stock_action": "set_mfn_quantity",
        "mfn_quantity": 40,
        "handling_time": 2,
        "price": "31.00",
        "minimum": "20",
        "maximum": "45.5",
        "attributes": {"color": "Rot", "item name.x": "Tasse ü"},
        "updated_at": T0 + timedelta(minutes=9),
    }
    preview = sku["patches"][0]
    assert set(preview) == {"submitted_at", "mode", "patches", "status", "submission_id", "issues"}
    assert preview["mode"] == "VALIDATION_PREVIEW"
    assert preview["patches"].startswith('[{"op": "replace"')  # JSON text
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert oct(path.parent.stat().st_mode & 0o777) == oct(0o700)


def test_update_with_a_function_reads_modifies_and_stamps():
    before = datetime.now(UTC)

    def to_stock(progress: CaseRecord) -> None:
        progress.current_step = WizardStep.STOCK

    saved = store().update("A-1", to_stock)
    assert saved.current_step is WizardStep.STOCK
    assert saved.started_at >= before and saved.updated_at >= saved.started_at
    again = store().update("A-1", lambda p: p)
    assert again.current_step is WizardStep.STOCK  # got the saved progress, not a fresh one
    assert again.updated_at > saved.updated_at


def test_interleaved_instances_lose_nothing():
    """Two app instances, each with its own store object, saving different SKUs."""
    first, second = store(), store()
    first.load(), second.load()
    first.update("A-1", lambda p: setattr(p, "current_step", WizardStep.STOCK))
    second.update("B-2", lambda p: setattr(p, "current_step", WizardStep.POLICY))
    first.update("A-1", lambda p: setattr(p, "outcome", Outcome.RESOLVED))
    loaded = store().load()
    assert loaded["A-1"].current_step is WizardStep.STOCK
    assert loaded["A-1"].outcome is Outcome.RESOLVED
    assert loaded["B-2"].current_step is WizardStep.POLICY


def test_latest_change_wins_per_sku():
    old = CaseRecord(sku="A-1", current_step=WizardStep.STOCK, started_at=T0, updated_at=T0)
    new = CaseRecord(
        sku="A-1", current_step=WizardStep.APPLY, started_at=T0, updated_at=T0 + timedelta(1)
    )
    store().update("A-1", new)
    assert store().update("A-1", old) == new  # a stale copy does not overwrite
    assert store().get("A-1") == new
    newer = CaseRecord(sku="A-1", started_at=T0, updated_at=T0 + timedelta(2))
    assert store().update("A-1", newer) == newer


def test_a_file_without_the_newer_optional_keys_still_loads():
    """Files written before drafts and checklist stamps existed are schema 1 all the same."""
    progress_store = store()
    progress_store.legacy_path.parent.mkdir(parents=True)
    progress_store.legacy_path.write_text(
        'schema_version = 1\n[skus.A]\ncurrent_step = "policy"\noutcome = "open"\n'
        "started_at = 2025-05-01T09:00:00Z\nupdated_at = 2025-05-01T09:30:00Z\n"
        '[[skus.A.steps.policy.checklist]]\nitem = "Appeal"\ndone = true\nnote = "x"\n'
        "[skus.A.steps.policy]\nstatus = 'needs_action'\n"
    )
    progress = progress_store.get("A")
    assert progress.draft is None
    assert progress.steps[WizardStep.POLICY].checklist == [ChecklistTick("Appeal", True, "x")]
    assert progress_store.take_warnings() == []
    empty = CaseRecord(sku="B", draft=DraftRecord(), started_at=T0, updated_at=T0)
    progress_store.update("B", empty)
    assert store().get("B") == empty  # an empty draft is kept as one (a cleared draft)


@pytest.mark.parametrize(
    ("draft", "reason"),
    [
        ("mfn_quantity = 'many'", "draft.mfn_quantity: expected int"),
        ("colour = 'Rot'", "draft: unknown key 'colour'"),
        ("[skus.A.draft.attributes]\ncolor = 3", "draft.attributes.color: expected str"),
    ],
)
def test_a_bad_draft_is_a_corrupt_file(draft, reason):
    progress_store = store()
    progress_store.legacy_path.parent.mkdir(parents=True)
    progress_store.legacy_path.write_text(
        'schema_version = 1\n[skus.A]\ncurrent_step = "stock"\noutcome = "open"\n'
        "started_at = 2025-05-01T09:00:00Z\nupdated_at = 2025-05-01T09:30:00Z\n"
        f"[skus.A.draft]\n{draft}\n"
    )
    assert progress_store.load() == {}
    (warning,) = progress_store.take_warnings()
    assert reason in str(warning)


def test_two_instances_saving_the_same_sku_keep_each_others_changes():
    """Each app holds its own copy of the SKU's progress and saves it whole, interleaved."""
    first, second = store(), store()
    first.update("A-1", full_progress("A-1"))
    mine, theirs = first.get("A-1"), second.get("A-1")

    policy = mine.steps[WizardStep.POLICY]  # instance 1 ticks the appeal and notes it
    policy.checklist[1].set(done=True, note="case 123")
    policy.updated_at = T0 + timedelta(minutes=20)
    mine.patches.append(
        PatchRecord(T0 + timedelta(minutes=21), PatchMode.REAL, [], "ACCEPTED", "sub-1")
    )
    mine.updated_at = T0 + timedelta(minutes=22)
    first.update("A-1", mine)

    theirs.steps[WizardStep.STOCK].notes = "40 units arrive Monday"  # instance 2, later
    theirs.steps[WizardStep.STOCK].updated_at = T0 + timedelta(minutes=30)
    theirs.steps[WizardStep.POLICY].checklist.append(ChecklistTick("Call the brand owner"))
    theirs.patches.append(
        PatchRecord(T0 + timedelta(minutes=31), PatchMode.VALIDATION_PREVIEW, [], "VALID")
    )
    theirs.current_step = WizardStep.APPLY
    theirs.draft.mfn_quantity = 12
    theirs.draft.updated_at = T0 + timedelta(minutes=31)
    theirs.updated_at = T0 + timedelta(minutes=32)
    second.update("A-1", theirs)

    merged = store().get("A-1")
    assert merged.current_step is WizardStep.APPLY  # where the last one stood
    assert merged.steps[WizardStep.STOCK].notes == "40 units arrive Monday"
    items = {item.item: item for item in merged.steps[WizardStep.POLICY].checklist}
    assert set(items) == {
        "Upload the safety data sheet",
        "Appeal via Account Health",
        "Call the brand owner",
    }
    assert (items["Appeal via Account Health"].done, items["Appeal via Account Health"].note) == (
        True,
        "case 123",
    )  # instance 2's untouched copy of the item does not undo instance 1's tick
    assert [p.status for p in merged.patches] == ["INVALID", "ACCEPTED", "ACCEPTED", "VALID"]
    assert merged.draft.mfn_quantity == 12

    stale = store().get("A-1")  # instance 1 saves again from an old copy: nothing is lost
    stale.steps[WizardStep.STOCK] = StepRecord(StepStatus.PASSED, updated_at=T0)
    stale.patches = []
    stale.updated_at = T0
    assert first.update("A-1", stale) == merged


def test_a_submitting_record_is_replaced_by_its_answer():
    progress = CaseRecord(sku="A-1", started_at=T0, updated_at=T0)
    sent = T0 + timedelta(minutes=1)
    progress.patches = [PatchRecord(sent, PatchMode.REAL, [{"op": "add"}], SUBMITTING)]
    store().update("A-1", progress)
    answered = CaseRecord(sku="A-1", started_at=T0, updated_at=T0 + timedelta(minutes=2))
    answered.patches = [PatchRecord(sent, PatchMode.REAL, [{"op": "add"}], "ACCEPTED", "s-1")]
    store().update("A-1", answered)
    progress.updated_at = T0 + timedelta(minutes=3)  # a stale copy still saying SUBMITTING
    saved = store().update("A-1", progress)
    assert [(p.status, p.submission_id) for p in saved.patches] == [("ACCEPTED", "s-1")]


def test_progress_for_another_sku_is_refused():
    with pytest.raises(ValueError, match="cannot be saved as"):
        store().update("A-1", CaseRecord(sku="B-2"))


def _bump_many(directory: str, worker: int, rounds: int, start) -> None:
    progress_store = CaseStore("main", US, Path(directory))
    start.wait(timeout=30)  # both processes begin together, so their writes interleave
    for n in range(rounds):
        progress_store.update(f"W{worker}-{n}", lambda p: setattr(p, "outcome", Outcome.OPEN))
        progress_store.update(
            "SHARED",
            lambda p, n=n: p.steps[WizardStep.POLICY].checklist.append(
                ChecklistTick(f"worker {worker} round {n}")
            ),
        )


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    rounds = 15
    context = multiprocessing.get_context("fork")
    start = context.Barrier(2)
    workers = [
        context.Process(target=_bump_many, args=(str(tmp_path), worker, rounds, start))
        for worker in (1, 2)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    loaded = CaseStore("main", US, tmp_path).load()
    assert {f"W{w}-{n}" for w in (1, 2) for n in range(rounds)} < set(loaded)
    shared = loaded["SHARED"].steps[WizardStep.POLICY].checklist
    assert len(shared) == 2 * rounds  # the same SKU, changed by both: every change kept


class _Rows(list):
    def fetchone(self):
        return self[0] if self else None


class _OtherProcessCommitsAfterFirstRead:
    """A connection to a new, empty case file whose first read is answered, and then another
    asin-tui commits the file's tables and version (as when two start at once)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._path = path
        self._committed = False

    def execute(self, *args):
        rows = _Rows(self._conn.execute(*args).fetchall())
        if not self._committed:
            self._committed = True
            cases._connect(self._path, 5).close()  # the other process makes the file
        return rows

    def close(self) -> None:
        self._conn.close()


def test_a_file_another_process_is_making_is_never_taken_for_damaged(tmp_path):
    # The 19:33 UTC fast-set run lost one process's 15 saves (the file it had open set aside
    # as damaged by the other): the check read the tables, then the version, and another
    # process committed both in between: no tables but a version, "not a progress file".
    path = tmp_path / "main.sqlite"
    path.touch()
    conn = _OtherProcessCommitsAfterFirstRead(path)
    try:
        assert cases._checked_version(conn) is None  # empty as one snapshot saw it
        assert cases._checked_version(conn) == cases.DB_VERSION  # then made, whole
    finally:
        conn.close()


def test_a_held_lock_gives_a_clear_error():
    progress_store = store(lock_timeout=0.1)
    progress_store.update("A-1", lambda p: None)
    other = sqlite3.connect(progress_store.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another asin-tui in the middle of its save
        with pytest.raises(CaseStoreLocked, match="another asin-tui is saving progress"):
            progress_store.update("A-1", lambda p: None)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert progress_store.update("A-1", lambda p: None).sku == "A-1"


def test_open_items_newest_first():
    for sku, minutes, outcome in (
        ("A", 1, Outcome.OPEN),
        ("B", 3, Outcome.OPEN),
        ("C", 2, Outcome.RESOLVED),
        ("D", 4, Outcome.ESCALATED),
    ):
        when = T0 + timedelta(minutes=minutes)
        store().update(sku, CaseRecord(sku=sku, outcome=outcome, updated_at=when))
    assert [p.sku for p in store().open_items()] == ["B", "A"]


def test_last_note_is_from_the_step_touched_last():
    progress = full_progress()
    assert progress.last_note() == "sent on 1 May"  # policy (minute 5) beats stock (minute 0)
    progress.steps[WizardStep.POLICY].updated_at = None
    assert progress.last_note() == "ordered 40 units\nETA Friday"
    assert CaseRecord(sku="x").last_note() == ""


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param("schema_version = 1\n[skus.A\n", "not valid TOML", id="bad-toml"),
        pytest.param(b"schema_version = 1\n# \xff\n", "not valid TOML", id="not-utf8"),
        pytest.param(
            'schema_version = 1\n[skus.A]\ncurrent_step = "stock"\noutcome = "open"\n'
            "started_at = 2025-05-01T09:00:00Z\nupdated_at = 'yesterday'\n",
            'skus."A".updated_at: expected datetime',
            id="wrong-type",
        ),
        pytest.param(
            'schema_version = 1\n[skus.A]\ncurrent_step = "dance"\noutcome = "open"\n'
            "started_at = 2025-05-01T09:00:00Z\nupdated_at = 2025-05-01T09:00:00Z\n",
            "skus.\"A\".current_step: unknown value 'dance'",
            id="unknown-step",
        ),
        pytest.param("[skus]\n", "file.schema_version: missing", id="no-version"),
        pytest.param("schema_version = 1\nowner = 'me'\n", "unknown key 'owner'", id="extra-key"),
    ],
)
def test_a_corrupt_file_is_moved_aside_with_a_message(content, reason):
    progress_store = store()
    progress_store.legacy_path.parent.mkdir(parents=True)
    raw = content if isinstance(content, bytes) else content.encode()
    progress_store.legacy_path.write_bytes(raw)

    assert progress_store.load() == {}
    (warning,) = progress_store.take_warnings()
    assert warning.moved_to.name.startswith(f"main-{US}.corrupt-")
    assert warning.moved_to.name.endswith("Z.toml")
    assert warning.moved_to.read_bytes() == raw  # kept as it was
    assert not progress_store.legacy_path.exists()
    assert reason in str(warning)
    assert f"it was kept as {warning.moved_to.name} and progress starts afresh" in str(warning)
    assert progress_store.take_warnings() == []

    progress_store.update("A-1", lambda p: None)  # new progress goes into a fresh file
    assert warning.moved_to.read_bytes() == raw
    assert list(store().load()) == ["A-1"]


def test_a_newer_file_is_moved_aside_not_overwritten():
    progress_store = store()
    progress_store.legacy_path.parent.mkdir(parents=True)
    newer = f"schema_version = {SCHEMA_VERSION + 1}\n[skus.A]\nshiny = true\n"
    progress_store.legacy_path.write_text(newer)
    saved = progress_store.update("B", lambda p: None)
    (warning,) = progress_store.take_warnings()
    assert warning.moved_to.name.startswith(f"main-{US}.newer-")
    assert warning.moved_to.read_text() == newer
    assert f"written by a newer asin-tui, schema_version {SCHEMA_VERSION + 1}" in str(warning)
    assert store().load() == {"B": saved}


def test_two_bad_files_in_the_same_second_are_both_kept():
    progress_store = store()
    progress_store.legacy_path.parent.mkdir(parents=True)
    for content in ("garbage 1 [", "garbage 2 ["):
        progress_store.legacy_path.write_text(content)
        progress_store.load()
    kept = sorted(w.moved_to.read_text() for w in progress_store.take_warnings())
    assert kept == ["garbage 1 [", "garbage 2 ["]


def test_naive_times_from_a_hand_edit_are_read_as_utc():
    progress_store = store()
    progress_store.legacy_path.parent.mkdir(parents=True)
    progress_store.legacy_path.write_text(
        'schema_version = 1\n[skus.A]\ncurrent_step = "stock"\noutcome = "open"\n'
        "started_at = 2025-05-01T09:00:00\nupdated_at = 2025-05-01T09:30:00\n"
    )
    progress = progress_store.get("A")
    assert progress.updated_at == datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
    assert progress.steps[WizardStep.STOCK] == StepRecord()
    assert progress_store.take_warnings() == []


def test_a_failed_save_is_a_clear_error_and_keeps_the_old_file(monkeypatch):
    store().update("A-1", full_progress("A-1"))
    before = store().load()
    connect = cases._connect

    def full_disk(path, timeout):  # SQLite's own "database or disk is full" (SQLITE_FULL)
        conn = connect(path, timeout)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    big = full_progress("B-2")
    big.steps[WizardStep.STOCK].notes = "x" * 50_000  # needs pages the file cannot get
    with monkeypatch.context() as patched:
        patched.setattr(cases, "_connect", full_disk)
        with pytest.raises(CaseStoreError) as failed:
            store().update("B-2", big)
    assert str(failed.value) == f"{display_path(store().path)}: cannot save: the disk is full"
    assert store().load() == before  # nothing half-saved, nothing lost
    assert store().update("B-2", big).steps[WizardStep.STOCK].notes == "x" * 50_000


def test_no_secrets_in_the_progress_file(monkeypatch):
    secret, token = "amzn1.oa2-cs.v1.SECRETsecretQzXw", "Atzr|IwEBItokenTOKENJkVb"
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text(
        f'[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'
        f'lwa_client_secret = "{secret}"\nlwa_app_id = "amzn1.application-oa2-client.app"\n'
    )
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", token)
    profile = load_config().profile()
    assert profile.credentials.refresh_token == token
    progress_store = CaseStore(profile.name, profile.marketplace.marketplace_id)
    progress_store.update("A-1", full_progress("A-1"))
    progress_store.update("A-2", lambda p: None)
    folder = progress_store.path.parent
    text = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file()).decode("latin-1")
    assert "A-2" in text  # the file and its write-ahead log were read
    for value in (secret, token, "amzn1.application-oa2-client.app", secret[-4:], token[-4:]):
        assert value not in text
    for word in ("secret", "token", "lwa_"):
        assert word not in text.lower()
    for path in folder.iterdir():
        assert oct(path.stat().st_mode & 0o777) == oct(0o600), path.name


# ---------------------------------------------------------------------- archive, read-only, cache


def closed(sku: str, days_ago: int, outcome: Outcome = Outcome.RESOLVED) -> CaseRecord:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    item = CaseRecord(sku, outcome=outcome, started_at=when, updated_at=when)
    item.steps[WizardStep.STOCK] = StepRecord(StepStatus.PASSED, "restocked", updated_at=when)
    return item


def test_closed_skus_untouched_for_90_days_move_to_the_archive_on_the_next_save():
    archiving = store(archive_after=timedelta(days=90))
    for item in (
        closed("OLD-RESOLVED", 120),
        closed("OLD-ESCALATED", 91, Outcome.ESCALATED),
        closed("RECENT-RESOLVED", 10),
        CaseRecord("OPEN-OLD", started_at=T0, updated_at=T0),  # open work is never archived
    ):
        archiving.update(item.sku, item)
    assert set(stored_rows(archiving.path)) == {"RECENT-RESOLVED", "OPEN-OLD"}
    assert set(stored_rows(archiving.path, "archive")) == {"OLD-RESOLVED", "OLD-ESCALATED"}
    assert archiving.get("OLD-RESOLVED").steps[WizardStep.STOCK].notes == "restocked"
    assert set(archiving.archived()) == {"OLD-RESOLVED", "OLD-ESCALATED"}
    outcomes = {Outcome.RESOLVED, Outcome.ESCALATED}
    assert [p.sku for p in archiving.items(outcomes)] == ["RECENT-RESOLVED"]
    assert {p.sku for p in archiving.items(outcomes, with_archive=True)} == {
        "RECENT-RESOLVED",
        "OLD-RESOLVED",
        "OLD-ESCALATED",
    }


def test_a_read_only_store_reports_a_newer_file_and_leaves_it_in_place():
    path = store().legacy_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("schema_version = 99\n")
    reader = store(read_only=True)
    assert reader.load() == {}
    (warning,) = reader.take_warnings()
    assert "newer asin-tui, schema_version 99" in str(warning)
    assert "left as it is" in str(warning) and warning.moved_to is None
    assert path.read_text() == "schema_version = 99\n"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no lock, no copy
    with pytest.raises(CaseStoreError, match="read-only"):
        reader.update("A-1", CaseRecord("A-1"))


def test_a_progress_file_of_a_newer_asin_tui_is_moved_aside_or_only_reported():
    store().update("A-1", lambda p: None)
    conn = sqlite3.connect(store().path)
    conn.execute(f"PRAGMA user_version = {DB_VERSION + 1}")
    conn.close()
    reader = store(read_only=True)
    assert reader.load() == {}
    (warning,) = reader.take_warnings()
    assert f"written by a newer asin-tui, version {DB_VERSION + 1}" in str(warning)
    assert "left as it is" in str(warning)
    writer = store()
    assert writer.load() == {}
    (warning,) = writer.take_warnings()
    assert warning.moved_to.name.startswith(f"main-{US}.newer-")
    assert warning.moved_to.name.endswith("Z.sqlite")
    writer.update("B", lambda p: None)
    assert list(store().load()) == ["B"]
    assert list(store(dir=warning.moved_to.parent).load()) == ["B"]  # the name is the store's


def test_a_change_made_by_another_instance_is_seen_despite_the_cache():
    first, second = store(), store()
    first.update("A-1", lambda p: p.steps[WizardStep.STOCK].__setattr__("notes", "one"))
    second.update("B-2", lambda p: None)
    first.update("A-1", lambda p: p.steps[WizardStep.POLICY].__setattr__("notes", "two"))
    assert set(first.load()) == {"A-1", "B-2"}, "the other instance's SKU is kept"
    again = store().get("A-1")
    assert (again.steps[WizardStep.STOCK].notes, again.steps[WizardStep.POLICY].notes) == (
        "one",
        "two",
    )


def test_what_get_returns_can_be_changed_without_touching_the_store():
    keeper = store()
    keeper.update("A-1", lambda p: None)
    copy_ = keeper.get("A-1")
    copy_.steps[WizardStep.STOCK].notes = "not saved"
    keeper.update("B-2", lambda p: None)
    assert store().get("A-1").steps[WizardStep.STOCK].notes == ""


def written_bytes() -> int:
    with open("/proc/self/io") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("wchar:"))


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux's /proc/self/io")
def test_a_save_writes_as_much_with_2000_skus_saved_as_with_20():
    """A bulk batch saves each listing as it goes: one save's cost must not grow with what is
    saved already (the TOML file was rewritten whole on every save: O(rows²) a batch)."""
    costs = {}
    for count in (20, 2000):
        writer = store(f"n{count}")
        for n in range(count):
            writer.update(f"SKU-{n:05d}", full_progress(f"SKU-{n:05d}"))
        before = written_bytes()
        for n in range(10):
            writer.update(f"SKU-{n:05d}", lambda p: p.draft.__setattr__("mfn_quantity", 7))
        costs[count] = (written_bytes() - before) / 10
    assert costs[2000] < 2 * costs[20] + 4096, costs
    assert costs[2000] < 64 * 1024, costs  # a few pages of the write-ahead log, not the file


def test_headers_say_where_each_case_stands_without_its_steps_patches_or_draft():
    """What the list's Wizard column reads at every start (load_headers)."""
    store().update("A-1", full_progress("A-1"))
    waiting = CaseRecord("B-2", current_step=WizardStep.VERIFY, started_at=T0, updated_at=T0)
    waiting.set_outcome(Outcome.WAITING, waiting_for="Amazon", recheck_at=T0 + timedelta(1))
    store().update("B-2", waiting)
    full, heads = store().load(), store().load_headers()
    assert list(heads) == list(full) == ["A-1", "B-2"]
    for sku, case in full.items():
        head = heads[sku]
        for key in ("current_step", "outcome", "waiting_for", "recheck_at", "resolved_state"):
            assert getattr(head, key) == getattr(case, key), (sku, key)
        assert head.updated_at == case.updated_at and head.overdue() == case.overdue()
        assert head.patches == [] and head.draft is None
        assert all(step == StepRecord() for step in head.steps.values())
    assert full["A-1"].patches and full["A-1"].draft is not None  # the full load keeps them


def test_a_new_file_another_process_is_making_is_waited_for(tmp_path):
    # Another asin-tui is writing the new case file, not yet in write-ahead-log mode, when this
    # one opens it: SQLite refuses the switch to WAL at once (SQLITE_BUSY without calling its
    # busy handler); the open waits for the lock like every other write instead of failing.
    path = CaseStore("main", US, tmp_path).path
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE making (x)")  # still in rollback-journal mode
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO making VALUES (1)")
    released = threading.Timer(0.3, other.execute, ("COMMIT",))
    released.start()
    try:
        saved = CaseStore("main", US, tmp_path).update(
            "A-1", lambda p: setattr(p, "outcome", Outcome.OPEN)
        )
    finally:
        released.join()
        other.close()
    assert saved.outcome is Outcome.OPEN
    assert CaseStore("main", US, tmp_path).load()["A-1"].outcome is Outcome.OPEN
