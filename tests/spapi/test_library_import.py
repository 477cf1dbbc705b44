"""asin_tui.spapi.library imports python-amazon-sp-api's clients without the package that
imports all of them: checked in a fresh interpreter, as a user's process starts."""

import json
import subprocess
import sys

CHILD = """
import json, sys
from asin_tui.spapi import library

light = library.LOADED_WITHOUT_PACKAGE
whole = sorted(m for m in ("sp_api.asyncio.api", "sp_api.api") if m in sys.modules)
modules = {n: getattr(library, n).__module__ for n in library.CLIENT_MODULES}

# the package imported afterwards (a script, another library) runs its own __init__ and
# exports the very classes the client uses
import sp_api.asyncio.api as package
same = [n for n in library.CLIENT_MODULES if getattr(package, n) is getattr(library, n)]

# a release that moved a client: the ordinary import through the package, same classes
library.CLIENT_MODULES = {**library.CLIENT_MODULES, "Reports": "reports.moved_away"}
del sys.modules["sp_api.asyncio.api"]
clients, light_after_move = library.load_clients()
moved = [n for n, c in clients.items() if c is getattr(library, n)]
print(json.dumps([light, whole, modules, same, light_after_move, moved]))
"""


def test_the_clients_are_the_librarys_own_without_its_package_init():
    out = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True
    ).stdout
    light, whole, modules, same, light_after_move, moved = json.loads(out)
    from asin_tui.spapi.library import CLIENT_MODULES, PACKAGE

    # the light way was taken: neither package that imports every client was imported (if
    # the library moves a client this fails, while the client still works the ordinary way)
    assert light is True
    assert whole == []
    # each class from the module the package's own __init__ imports it from
    assert modules == {name: f"{PACKAGE}.{module}" for name, module in CLIENT_MODULES.items()}
    assert same == list(CLIENT_MODULES)
    # a module that is not there: imported the ordinary way, through the package
    assert light_after_move is False
    assert moved == list(CLIENT_MODULES)
