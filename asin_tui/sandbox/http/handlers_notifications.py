"""Notifications API v1 (createDestination, getDestinations, createSubscription,
getSubscription), per Amazon's notifications.json (models/notifications-api-model in
amzn/selling-partner-api-models on GitHub): what `asin-tui notifications setup` asks of it.

Destinations are the application's (grantless: the gateway admits only a client_credentials
token to them), subscriptions the seller's. An EventBridge destination names the partner event
source Amazon creates for it: ``aws.partner/sellingpartnerapi.amazon.com/{accountId}/{application
id}``. The same resource again, or a second subscription to a type, is 409 Conflict.
Only the two listings notification types are served; the sandbox delivers them itself
(``sandbox serve --notify-sqs``).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from asin_tui.sandbox.http.auth import SANDBOX_APPLICATION_ID
from asin_tui.sandbox.http.context import SandboxContext
from asin_tui.sandbox.http.router import RouteSpec
from asin_tui.sandbox.http.wire import ApiError, Request, SandboxResponse, invalid, json_response

#: The notification types this sandbox subscribes to (its own deliveries: sandbox/notifications.py)
NOTIFICATION_TYPES = frozenset({"LISTINGS_ITEM_STATUS_CHANGE", "LISTINGS_ITEM_ISSUES_CHANGE"})
SQS_ARN = re.compile(r"^arn:aws:sqs:\S+:\S+:\S+")  # SqsResource.arn's pattern
PARTNER_SOURCE = "aws.partner/sellingpartnerapi.amazon.com"


class NotificationsHandlers:
    def __init__(self, ctx: SandboxContext) -> None:
        self._ctx = ctx
        self._destinations: dict[str, dict[str, Any]] = {}  # destinationId -> Destination
        self._subscriptions: dict[str, dict[str, Any]] = {}  # notificationType -> Subscription

    def routes(self) -> list[RouteSpec]:
        base = "/notifications/v1"
        subscription = f"{base}/subscriptions/{{notificationType}}"
        return [
            ("POST", f"{base}/destinations", "createDestination", self.create_destination),
            ("GET", f"{base}/destinations", "getDestinations", self.get_destinations),
            ("POST", subscription, "createSubscription", self.create_subscription),
            ("GET", subscription, "getSubscription", self.get_subscription),
        ]

    def create_destination(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        body = request.json_body()
        name = body.get("name")
        if not isinstance(name, str) or not name or len(name) > 256:
            raise invalid("'name' is required: a string of at most 256 characters.")
        spec = body.get("resourceSpecification")
        if not isinstance(spec, dict) or len(spec.keys() & {"sqs", "eventBridge"}) != 1:
            raise invalid("'resourceSpecification' must have one of 'sqs' or 'eventBridge'.")
        resource: dict[str, Any]
        if "eventBridge" in spec:
            bridge = spec["eventBridge"]
            account = bridge.get("accountId") if isinstance(bridge, dict) else None
            region = bridge.get("region") if isinstance(bridge, dict) else None
            if not (isinstance(account, str) and re.fullmatch(r"\d{12}", account)):
                raise invalid("'eventBridge.accountId' must be a 12-digit AWS account id.")
            if not (isinstance(region, str) and re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region)):
                raise invalid("'eventBridge.region' must be an AWS region, like us-east-1.")
            source = f"{PARTNER_SOURCE}/{account}/{SANDBOX_APPLICATION_ID}"
            resource = {"eventBridge": {"name": source, "region": region, "accountId": account}}
        else:
            arn = spec["sqs"].get("arn") if isinstance(spec["sqs"], dict) else None
            if not (isinstance(arn, str) and len(arn) <= 1000 and SQS_ARN.match(arn)):
                raise invalid("'sqs.arn' must be an SQS queue ARN.")
            resource = {"sqs": {"arn": arn}}
        if any(d["resource"] == resource for d in self._destinations.values()):
            raise ApiError(409, "Conflict", "A destination for this resource already exists.")
        destination_id = str(uuid.uuid4())
        destination = {"destinationId": destination_id, "name": name, "resource": resource}
        self._destinations[destination_id] = destination
        return json_response(200, {"payload": destination})

    def get_destinations(self, _request: Request, _params: dict[str, str]) -> SandboxResponse:
        return json_response(200, {"payload": list(self._destinations.values())})

    def create_subscription(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        kind = self._kind(params)
        body = request.json_body()
        destination = body.get("destinationId")
        version = body.get("payloadVersion")
        if not isinstance(destination, str) or destination not in self._destinations:
            raise invalid("'destinationId' must name a destination created with createDestination.")
        if not isinstance(version, str) or not version:
            raise invalid("'payloadVersion' is required.")
        if kind in self._subscriptions:
            raise ApiError(409, "Conflict", f"A subscription to {kind} already exists.")
        subscription = {
            "subscriptionId": str(uuid.uuid4()),
            "payloadVersion": version,
            "destinationId": destination,
        }
        self._subscriptions[kind] = subscription
        return json_response(200, {"payload": subscription})

    def get_subscription(self, _request: Request, params: dict[str, str]) -> SandboxResponse:
        kind = self._kind(params)
        subscription = self._subscriptions.get(kind)
        if subscription is None:
            raise ApiError(404, "NotFound", f"No subscription to {kind} was found.")
        return json_response(200, {"payload": subscription})

    @staticmethod
    def _kind(params: dict[str, str]) -> str:
        kind = params["notificationType"]
        if kind not in NOTIFICATION_TYPES:
            raise invalid(f"Notification type {kind} is not supported by the sandbox.")
        return kind
