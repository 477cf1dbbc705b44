"""`fix` with a very long cell: its one error line quotes the start of it, with a visible
ellipsis and its length (a 5,000-digit value was echoed whole: a 5,000-character line)."""

from __future__ import annotations

import pytest

from asin_tui.domain import codes
from tests.cli.test_fix import demo_skus, fix  # noqa: F401 (a fixture)

LONG = "9" * 5000


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ("sku,quantity\n{sku}," + LONG + "\n", "column 'quantity': '" + "9" * 60 + "…'"),
        ("sku,quantity\n{sku},\x01" + LONG + "\n", "column 'quantity': '\\x01" + "9" * 59 + "…'"),
        ("sku,quantity,q" + LONG + "\n{sku},5,6\n", "column 'q" + "9" * 59 + "…'"),
    ],
    ids=["a long value", "a long value with a control", "a long column"],
)
def test_a_5000_character_cell_is_cut_in_its_error_line(capsys, tmp_path, demo_skus, row, said):  # noqa: F811
    sku = demo_skus[codes.OUT_OF_STOCK_MFN][0]
    code, out, err = fix(capsys, tmp_path, row.format(sku=sku))
    assert code == 2 and out == ""
    assert err.count("\n") == 1, err
    assert said in err and "(5,00" in err and "characters)" in err
    assert len(err) < 400, len(err)
