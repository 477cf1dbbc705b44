"""A seller who types a SKU where diagnose wants a saved SP-API answer is told what diagnose
reads and where a SKU's diagnosis is (session 8's walk: 'asin-tui diagnose RR-VHSA-8ESR' said
only 'No such file or directory')."""

from __future__ import annotations

import pytest

from asin_tui.cli import main


def test_a_sku_given_as_the_listing_says_diagnose_reads_json_and_where_a_sku_is(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert main(["diagnose", "RR-VHSA-8ESR"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "cannot read getListingsItem body RR-VHSA-8ESR: No such file or directory" in err
    assert "not a SKU" in err and "run asin-tui, press / and type it" in err


@pytest.mark.parametrize("name", ["missing.json", "sub/ab-1"])
def test_a_missing_file_named_as_a_file_gets_no_sku_hint(capsys, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    assert main(["diagnose", name]) == 2
    err = capsys.readouterr().err
    assert f"cannot read getListingsItem body {name}: No such file or directory" in err
    assert "SKU" not in err
