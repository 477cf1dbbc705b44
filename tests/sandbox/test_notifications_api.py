"""The sandbox's Notifications API (notifications.json in amzn/selling-partner-api-models):
grantless destinations (a client_credentials token, and only it), the seller's subscriptions,
409 for the same destination or a second subscription, 404 for none."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from asin_tui.sandbox.app import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

DESTINATIONS = "/notifications/v1/destinations"
STATUS = "/notifications/v1/subscriptions/LISTINGS_ITEM_STATUS_CHANGE"
BRIDGE = {"eventBridge": {"region": "us-east-1", "accountId": "123456789012"}}


def grantless(harness, scope: str = "sellingpartnerapi::notifications"):
    form = urlencode(
        {
            "grant_type": "client_credentials",
            "scope": scope,
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
        }
    )
    return harness.app.handle("POST", "/auth/o2/token", "", {}, form.encode())


def test_destinations_take_a_grantless_token_and_only_it(harness):
    answer = grantless(harness)
    assert answer.status == 200 and "refresh_token" not in answer.json()
    token = answer.json()["access_token"]
    assert harness.call("GET", DESTINATIONS, **{"x-amz-access-token": token}).status == 200
    assert harness.get(DESTINATIONS).status == 403  # the seller's token
    assert harness.call("GET", STATUS, **{"x-amz-access-token": token}).status == 403
    assert grantless(harness, "sellingpartnerapi::everything").status == 400


def test_destination_and_subscription_lifecycle(harness):
    token = grantless(harness).json()["access_token"]

    def create(body):
        return harness.call(
            "POST", DESTINATIONS, "", json.dumps(body).encode(), **{"x-amz-access-token": token}
        )

    assert create({"name": "x", "resourceSpecification": {}}).status == 400
    bad = {"name": "x", "resourceSpecification": {"eventBridge": {"accountId": "12", "region": "us-east-1"}}}  # fmt: skip
    assert create(bad).status == 400
    made = create({"name": "asin-tui", "resourceSpecification": BRIDGE})
    assert made.status == 200
    destination = made.json()["payload"]
    assert destination["resource"]["eventBridge"]["name"].startswith(
        "aws.partner/sellingpartnerapi.amazon.com/123456789012/"
    )
    assert create({"name": "again", "resourceSpecification": BRIDGE}).status == 409
    assert harness.get(STATUS).status == 404  # no subscription yet
    subscribe = {"payloadVersion": "1.0", "destinationId": destination["destinationId"]}
    unknown = {"payloadVersion": "1.0", "destinationId": "nope"}
    assert harness.call("POST", STATUS, "", json.dumps(unknown).encode()).status == 400
    made = harness.call("POST", STATUS, "", json.dumps(subscribe).encode())
    assert made.status == 200
    assert harness.get(STATUS).json()["payload"] == made.json()["payload"]
    assert harness.call("POST", STATUS, "", json.dumps(subscribe).encode()).status == 409
    other = "/notifications/v1/subscriptions/ANY_OFFER_CHANGED"
    assert harness.get(other).status == 400  # not served by the sandbox
