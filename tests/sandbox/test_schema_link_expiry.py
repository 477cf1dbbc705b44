"""The sandbox's schema links expire as presigned links do (Amazon documents no lifetime for
a product type schema's link; the sandbox gives it five minutes from the definition that
gave it out): refused 403 "Request has expired" past that, served again once a new
definition gives the link out again."""

from __future__ import annotations

from asin_tui.sandbox.http.handlers_definitions import SCHEMA_URL_LIFETIME


def test_a_schema_link_expires_and_a_new_definition_gives_it_out_again(harness):
    path = "/definitions/2020-09-01/productTypes/LUGGAGE"

    def link() -> str:
        definition = harness.get(path, f"marketplaceIds={harness.marketplace_id}").json()
        return definition["schema"]["link"]["resource"].removeprefix("http://sandbox.test")

    schema = link()
    assert harness.app.handle("GET", schema).status == 200
    harness.clock.advance(SCHEMA_URL_LIFETIME - 1)
    assert harness.app.handle("GET", schema).status == 200  # within its five minutes
    harness.clock.advance(2)
    expired = harness.app.handle("GET", schema)
    assert expired.status == 403 and b"Request has expired" in expired.body
    assert harness.app.handle("GET", link()).status == 200  # given out again: good again
