"""Product type requirements are parsed once per type, however many threads ask at once (the
bulk wizard's grid, its checks and its batch read listings of the same types together)."""

from __future__ import annotations

import threading
from collections import defaultdict

from asin_tui import service as service_module
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from tests.test_service import TIME_SCALE, make_service


class ArrivalCounting:
    """The service's requirements lock, counting the threads that have come for it."""

    def __init__(self, lock) -> None:
        self.lock = lock
        self.arrived = 0
        self.changed = threading.Condition()

    def __enter__(self):
        with self.changed:
            self.arrived += 1
            self.changed.notify_all()
        return self.lock.__enter__()

    def __exit__(self, *exc):
        return self.lock.__exit__(*exc)


async def test_threads_reading_listings_of_one_product_type_parse_it_once(monkeypatch):
    service = make_service(SandboxApp(SandboxAccount(seed=11, listings=60), time_scale=TIME_SCALE))
    try:
        await service.sync(include_all=True)
        by_type: dict[str, list[str]] = defaultdict(list)
        for record in service.cached_records(all_listings=True):
            key = service.evidence(record.sku).listing.requirements_key
            if key:
                by_type[key].append(record.sku)
        skus = max(by_type.values(), key=len)[:3]
        assert len(skus) == 3
        service._requirements.clear()  # as after a sync: nothing parsed yet
        parsed: list[int] = []
        asked = ArrivalCounting(service._requirements_lock)
        service._requirements_lock = asked
        real = service_module.parse.parse_product_type

        def parse_product_type(*args):
            with asked.changed:
                parsed.append(threading.get_ident())
                asked.changed.notify_all()
                if len(parsed) == 1:  # the others get every chance to parse it too: held
                    # until both have come for the schema (or one parses it beside this one)
                    asked.changed.wait_for(lambda: asked.arrived == 3 or len(parsed) > 1, 10)
            return real(*args)

        monkeypatch.setattr(service_module.parse, "parse_product_type", parse_product_type)
        found = []
        threads = [
            threading.Thread(target=lambda s=sku: found.append(service.evidence(s))) for sku in skus
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(found) == 3
        assert len(parsed) == 1, "each thread parsed the schema again"
        assert found[0].requirements is not None
        assert all(e.requirements is found[0].requirements for e in found)
    finally:
        await service.aclose()
