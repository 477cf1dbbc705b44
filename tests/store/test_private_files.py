"""Account data is the seller's alone: the listing cache folder is 0700 and its files 0600
(-wal, -shm and copies set aside too), the demo account's folder and state likewise, and so are
the exports asin-tui writes; folders and files an older asin-tui left 0755/0644 are made
private when opened."""

from __future__ import annotations

import os
import stat

import pytest

from asin_tui.cli import main
from asin_tui.demo import DemoSettings
from asin_tui.sandbox.transport import demo_account_path, demo_app
from asin_tui.store import paths
from asin_tui.store.cache import ListingCache, cache_path
from asin_tui.ui.export import ExportRequest


@pytest.fixture(autouse=True)
def permissive_umask():
    """A umask that lets anyone read what is created, as many systems have."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode_of(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_new_cache_is_private_down_to_its_wal_files():
    path = cache_path("main", "ATVPDKIKX0DER")
    cache = ListingCache(path)
    cache.write_product_types({"MUG": ({"a": 1}, {"b": 2})})  # a write: -wal and -shm exist
    sides = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
    assert all(side.exists() for side in sides)
    assert mode_of(paths.cache_dir()) == 0o700
    assert {mode_of(p) for p in (path, *sides)} == {0o600}
    cache.close()


def test_an_old_world_readable_cache_is_made_private_when_opened():
    path = cache_path("main", "ATVPDKIKX0DER")
    ListingCache(path).close()
    folder = paths.cache_dir()
    aside = path.with_name(path.name + ".corrupt-20250101T000000Z")
    aside.write_bytes(b"old")
    wal = path.with_name(path.name + "-wal")
    wal.write_bytes(b"")
    other = folder / "someone-elses-notes.txt"  # not the cache's: left as it is
    other.write_text("x")
    for file in (path, aside, wal, other):
        os.chmod(file, 0o644)
    os.chmod(folder, 0o755)
    cache = ListingCache(path)
    assert mode_of(folder) == 0o700
    assert {mode_of(p) for p in (path, aside, wal)} == {0o600}
    assert mode_of(other) == 0o644
    assert cache.count() == 0
    cache.close()


def test_a_symlink_in_the_cache_folder_is_not_followed_by_the_chmod(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("x")
    os.chmod(target, 0o644)
    path = cache_path("main", "ATVPDKIKX0DER")
    ListingCache(path).close()
    path.with_name(path.name + ".corrupt-link").symlink_to(target)
    ListingCache(path).close()
    assert mode_of(target) == 0o644


def test_the_demo_state_is_private_and_old_files_are_made_so():
    app = demo_app()
    path = demo_account_path()
    assert mode_of(path.parent) == 0o700
    app.account.save(path)
    assert mode_of(path) == 0o600
    os.chmod(path.parent, 0o755)
    os.chmod(path, 0o644)
    demo_app()
    assert (mode_of(path.parent), mode_of(path)) == (0o700, 0o600)


def test_report_output_and_the_app_export_are_private(tmp_path, capsys):
    target = tmp_path / "report.json"
    argv = ["report", "--demo", "--format", "json", "--output", str(target)]
    assert main(argv, demo=DemoSettings(drift=0.0)) in (0, 1)
    assert mode_of(target) == 0o600
    export = tmp_path / "export.csv"
    ExportRequest(export, "csv").write("sku\n")
    assert mode_of(export) == 0o600
    assert mode_of(cache_path("demo", "ATVPDKIKX0DER")) == 0o600
