"""The bulk grid's footer at 80 columns: every key it shows is whole, left of the palette's
key — `esc Leave`, `q Quit` and `? Help` among them — and the keys it leaves out are still
in help (?) and the command palette."""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from asin_tui.ui.screens.bulk import BulkScreen
from asin_tui.ui.screens.help import binding_rows
from tests.ui.test_snapshots import account_app, bulk_grid


async def test_at_80_columns_the_bulk_footer_shows_each_key_whole_and_help_has_the_rest():
    app = account_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await bulk_grid("Out of stock", (0, "quantity", "12"))(pilot)
        screen = app.screen
        assert isinstance(screen, BulkScreen)
        footer = screen.query_one(Footer)
        keys = [k for k in footer.query(FooterKey) if not k.has_class("-command-palette")]
        shown = {k.key: k.description for k in keys}
        assert {"p", "s", "d", "escape", "q", "question_mark"} <= set(shown), shown
        right = footer.region.right - 13  # the palette's "▏^p palette" on the right
        for key in keys:
            assert 0 < key.region.right <= right, (key.key, key.description, key.region)
        in_help = {row[2] for row in binding_rows(app, screen.active_bindings.values())}
        assert {"Same for all", "Load CSV", "Use hints", "Clear", "Resume"} <= in_help
