"""The Notifications API side of `watch`'s fast path (docs/WATCH.md): the application's
EventBridge destination for an AWS account and region, and the seller's subscriptions to the
listings notifications, found and, when asked, made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asin_tui.spapi.client import SpApi

#: The SP-API notifications `watch`'s fast path reads, with the payload version of each one's
#: schema (ListingsItemStatusChangeNotification, ListingsItemIssuesChangeNotification_2023-12-13)
LISTINGS_NOTIFICATIONS = {
    "LISTINGS_ITEM_STATUS_CHANGE": "1.0",
    "LISTINGS_ITEM_ISSUES_CHANGE": "2023-12-13",
}


@dataclass(frozen=True, slots=True)
class NotificationSetup:
    """What `notification_setup` found (and, asked to, made) for watch's fast path."""

    #: the application's EventBridge destination for the AWS account and region (None: none)
    destination_id: str | None
    source: str | None  # its partner event source (EventBridge → Partner event sources)
    destination_created: bool
    #: notification type -> "subscribed", "created", "missing", or "another destination ID"
    subscriptions: dict[str, str]


async def find_or_make(
    api: SpApi, account_id: str, region: str, create: bool, name: str
) -> NotificationSetup:
    """What ``AccountService.notification_setup`` does, with the account's client."""
    found = None
    for destination in await api.notification_destinations():
        bridge = (destination.get("resource") or {}).get("eventBridge") or {}
        if bridge.get("accountId") == account_id and bridge.get("region") == region:
            found = destination
            break
    created = False
    if found is None and create:
        found = await api.create_eventbridge_destination(name, account_id, region)
        created = True
    destination_id = found.get("destinationId") if found else None
    bridge = ((found or {}).get("resource") or {}).get("eventBridge") or {}
    subscriptions: dict[str, str] = {}
    for kind, version in LISTINGS_NOTIFICATIONS.items():
        current = await api.notification_subscription(kind)
        if current is not None:
            other = current.get("destinationId")
            subscriptions[kind] = (
                "subscribed" if other == destination_id else f"another destination {other}"
            )
        elif create and destination_id:
            await api.create_notification_subscription(kind, destination_id, version)
            subscriptions[kind] = "created"
        else:
            subscriptions[kind] = "missing"
    return NotificationSetup(
        destination_id=destination_id,
        source=bridge.get("name"),
        destination_created=created,
        subscriptions=subscriptions,
    )
