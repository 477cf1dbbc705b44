"""`fix` and a row that sets each value to the one the listing holds ("Set quantity to 5 (was
5)", typed again after a send): Amazon finds it VALID, but sending it changes nothing. As the
bulk grid (297e297, 4d82488), `fix` says so on the row, does not send it and counts it in its
summary; the rule is the batch engine's (RowResult.unchanged), not the CLI's own. Pure: no app,
no demo run."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from asin_tui.bulk import BulkFix, RowResult
from asin_tui.commands import fix as fix_command
from asin_tui.domain.bulk import RowOutcome
from asin_tui.domain.change_words import KEEP_PRICE

PATCH = [{"op": "replace", "path": "/attributes/x", "value": [{"value": 5}]}]


def _valid(sku: str, *changes: str) -> RowResult:
    return RowResult(
        sku, 2, patches=PATCH, changes=changes, preview="VALID", outcome=RowOutcome.VALID
    )


def test_a_valid_row_that_changes_nothing_is_said_counted_and_not_sent():
    same = _valid("SKU-SAME", "Set quantity to 5 (was 5)")
    price = _valid("SKU-PRICE", KEEP_PRICE)
    real = _valid("SKU-REAL", "Set quantity to 9 (was 5)")
    assert same.unchanged and price.unchanged and not real.unchanged

    table = fix_command.render_table([same, price, real], applied=False)
    rows = {line.split()[1]: line for line in table.splitlines()[1:4]}
    assert "no change: the listing holds these values already" in rows["SKU-SAME"]
    assert "no change" in rows["SKU-PRICE"]
    assert "no change" not in rows["SKU-REAL"]
    assert "3 rows: 3 valid (2 of them change nothing: not sent)" in table.splitlines()[-1]


def test_apply_does_not_send_a_row_that_changes_nothing_and_exits_0_for_it():
    sent: list[str] = []

    async def patch(sku: str, patches: Any, *, preview: bool = False) -> Any:
        sent.append(sku)
        raise AssertionError("a row that changes nothing was sent")

    service = SimpleNamespace(patch=patch, profile_name="p", marketplace_id="M")
    store = SimpleNamespace(get=lambda sku: None)  # no earlier submit of it to resume
    engine = BulkFix(service, store=store)  # type: ignore[arg-type]
    same = _valid("SKU-SAME", "Set quantity to 5 (was 5)")
    [after] = asyncio.run(engine.apply([same]))
    assert sent == [] and not after.submitted
    assert fix_command._exit_code([after], applied=True) == 0  # what was asked holds already
    assert "0 submitted" in fix_command.summary([after], applied=True)
