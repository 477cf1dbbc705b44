"""The few python-amazon-sp-api async clients asin-tui uses, imported without the ~45 it does not.

The library exports its async clients from one package, ``sp_api.asyncio.api``, whose
``__init__`` imports every client it has (finances, orders, shipping, vendor..., and through
its products client the whole sync ``sp_api.api`` package as well): ~330 modules where
asin-tui needs ~65, about 40 ms of CPU in every process that opens a client (the app's
start-up sync, every sync child, ``report``, ``watch``) — see
``benchmarks/bench_spapi_import.py``.

Python runs a package's ``__init__`` before it imports anything inside the package, so the
clients' own modules (``sp_api.asyncio.api.listings_items.listings_items``, ...) cannot be
imported without it in the ordinary way. Here the package is registered in ``sys.modules``
for the length of these imports only, made from its spec like the import system makes it
(``importlib.util.module_from_spec``) but with its ``__init__`` not run, then removed: an
``import sp_api.asyncio.api`` made later anywhere runs the real ``__init__``, which finds the
modules imported here and exports the very same classes. The library's files are not
touched.

What makes this safe to rely on (tests/spapi/test_library_import.py checks each in a fresh
interpreter): the module paths below are the ones the package's ``__init__`` imports these
classes from; those modules import nothing from the package itself; a later import of the
package exports the same class objects. If a release of the library moves a client, the
modules are imported the ordinary way instead (through the package), so the client works
all the same — slower — and the test that the light way was taken fails.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

PACKAGE = "sp_api.asyncio.api"
#: Each client asin-tui uses: the module (inside PACKAGE) its ``__init__`` imports it from
CLIENT_MODULES = {
    "CatalogItemsV20220401": "catalog_items.catalog_items_2022_04_01",
    "Inventories": "inventories.inventories",
    "ListingsItems": "listings_items.listings_items",
    "ListingsRestrictions": "listings_restrictions.listings_restrictions",
    "Notifications": "notifications.notifications",
    "ProductTypeDefinitions": "product_type_definitions.product_type_definitions",
    "Reports": "reports.reports",
}


def load_clients() -> tuple[dict[str, Any], bool]:
    """Every client of CLIENT_MODULES by name, and whether they were imported without the
    package's ``__init__`` (False: the package was imported whole, already or now)."""
    if PACKAGE not in sys.modules:
        try:
            return _without_package_init(), True
        except (ImportError, AttributeError):
            pass  # the library moved something: the ordinary way below
    package = importlib.import_module(PACKAGE)
    return {name: getattr(package, name) for name in CLIENT_MODULES}, False


def _without_package_init() -> dict[str, Any]:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError(f"{PACKAGE} is not a package")
    package = importlib.util.module_from_spec(spec)  # its __path__ etc., its code not run
    sys.modules[PACKAGE] = package
    try:
        return {
            name: getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)
            for name, module in CLIENT_MODULES.items()
        }
    finally:
        # only ever the stand-in (nothing else can have put the real package there while
        # these imports ran: this module is the only one in asin-tui that imports it)
        if sys.modules.get(PACKAGE) is package:
            del sys.modules[PACKAGE]


_CLIENTS, LOADED_WITHOUT_PACKAGE = load_clients()
CatalogItemsV20220401 = _CLIENTS["CatalogItemsV20220401"]
Inventories = _CLIENTS["Inventories"]
ListingsItems = _CLIENTS["ListingsItems"]
ListingsRestrictions = _CLIENTS["ListingsRestrictions"]
Notifications = _CLIENTS["Notifications"]
ProductTypeDefinitions = _CLIENTS["ProductTypeDefinitions"]
Reports = _CLIENTS["Reports"]
