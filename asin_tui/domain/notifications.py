"""SP-API notifications as `asin-tui watch` reads them from an SQS queue (the fast path).

Amazon delivers LISTINGS_ITEM_STATUS_CHANGE and LISTINGS_ITEM_ISSUES_CHANGE through Amazon
EventBridge only: the seller's partner event bus routes each event to a target, here an SQS
queue, whose message body is the EventBridge event. Its envelope (``version``, ``id``,
``detail-type`` = the notification type, ``source`` =
``aws.partner/sellingpartnerapi.amazon.com/{AWS account id}/{application id}``, ``account``,
``time``, ``region``, ``resources``) carries the notification itself in ``detail``, shaped as
Amazon's notification schemas say (NotificationVersion, NotificationType, PayloadVersion,
EventTime, Payload {SellerId, MarketplaceId, Asin, Sku, Status | Severities, ...},
NotificationMetadata). Sources: the "Set up notifications (Amazon EventBridge workflow)" guide
(https://developer-docs.amazon.com/sp-api/docs/set-up-notifications-with-amazon-eventbridge),
the schemas in amzn/selling-partner-api-models (schemas/notifications/), and AWS's
"Amazon EventBridge events" reference
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html); docs/WATCH.md.

A notification only says *that* a listing changed: `watch` re-reads the listing with
getListingsItem and judges it from that, never from the notification's words. Anything else on
the queue (another notification type, another seller or marketplace, a message that is not
JSON) is "foreign": counted and dropped.

Pure: no network, no AWS SDK.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

#: The notification types the fast path acts on. Amazon's status-change schema enumerates
#: "LISTINGS_ITEM_STATUS_CHANGED" while its own example, the EventBridge guide and the
#: subscription's notificationType say LISTINGS_ITEM_STATUS_CHANGE: both are read.
STATUS_CHANGE = "LISTINGS_ITEM_STATUS_CHANGE"
ISSUES_CHANGE = "LISTINGS_ITEM_ISSUES_CHANGE"
LISTING_TYPES = frozenset({STATUS_CHANGE, ISSUES_CHANGE, "LISTINGS_ITEM_STATUS_CHANGED"})
#: The source prefix of every SP-API partner event (the rest names the AWS account and app).
PARTNER_SOURCE = "aws.partner/sellingpartnerapi.amazon.com"
MAX_BODY = 256 * 1024  # SQS's own limit on a message


class ForeignMessage(ValueError):
    """A queue message that is not a listings notification for this account (one line)."""


@dataclass(frozen=True, slots=True)
class ListingNotice:
    """One listings notification: which listing changed (its words are not trusted further)."""

    notification_type: str
    sku: str
    seller_id: str
    marketplace_id: str | None
    notification_id: str | None
    event_time: str | None

    def concerns(self, seller_id: str, marketplace_id: str) -> bool:
        """For this seller in this marketplace (a notification that names no marketplace
        concerns every marketplace of the seller)."""
        return self.seller_id == seller_id and self.marketplace_id in (None, marketplace_id)


def parse_message(body: str) -> ListingNotice:
    """The listing a queue message body names; ForeignMessage when it is not a listings
    notification (whose account it is for: ListingNotice.concerns)."""
    if len(body) > MAX_BODY:
        raise ForeignMessage("larger than an SQS message can be")
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        raise ForeignMessage("not JSON") from None
    if not isinstance(message, dict):
        raise ForeignMessage("not a JSON object")
    try:  # a lone surrogate escaped in it ("\\ud800") is no text: no SKU can be asked by it
        json.dumps(message, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ForeignMessage("text that is not Unicode (a lone surrogate)") from None
    notification: dict = message
    if "detail" in message or "detail-type" in message:  # the EventBridge envelope
        source = message.get("source")
        if not isinstance(source, str) or not source.startswith(PARTNER_SOURCE):
            raise ForeignMessage("an EventBridge event from another source")
        detail = message.get("detail")
        if not isinstance(detail, dict):
            raise ForeignMessage("an EventBridge event without a notification in detail")
        notification = detail
    kind = notification.get("NotificationType")
    if not isinstance(kind, str):
        raise ForeignMessage("no NotificationType")
    if kind not in LISTING_TYPES:
        raise ForeignMessage(f"a {_short(kind)} notification, not a listings one")
    payload = notification.get("Payload")
    if not isinstance(payload, dict):
        raise ForeignMessage("no Payload")
    sku, seller = payload.get("Sku"), payload.get("SellerId")
    if not isinstance(sku, str) or not sku.strip() or len(sku) > 200:
        raise ForeignMessage("no Sku in the Payload")
    if not isinstance(seller, str):
        raise ForeignMessage("no SellerId in the Payload")
    market = payload.get("MarketplaceId")
    if market is not None and not isinstance(market, str):
        raise ForeignMessage("a MarketplaceId that is not a string")
    metadata = notification.get("NotificationMetadata")
    notification_id = metadata.get("NotificationId") if isinstance(metadata, dict) else None
    event_time = notification.get("EventTime")
    return ListingNotice(
        notification_type=STATUS_CHANGE if kind.startswith(STATUS_CHANGE) else kind,
        sku=sku,
        seller_id=seller,
        marketplace_id=market,
        notification_id=notification_id if isinstance(notification_id, str) else None,
        event_time=event_time if isinstance(event_time, str) else None,
    )


def _short(text: str) -> str:
    """A name from a message, safe and short enough for a one-line message."""
    kept = "".join(c for c in text if c.isalnum() or c in "_-.")[:60]
    return kept or "unnamed"
