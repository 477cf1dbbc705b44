"""The sandbox tells of its listings' changes as Amazon does: SP-API notifications.

When a listing's status (BUYABLE / DISCOVERABLE) changes, or the severities or enforcement
actions of its issues do — by the account's drift, a processed patch, a sale, a deletion — the
account queues a LISTINGS_ITEM_STATUS_CHANGE or LISTINGS_ITEM_ISSUES_CHANGE notification,
shaped as Amazon's notification schemas say (amzn/selling-partner-api-models,
schemas/notifications: ListingsItemStatusChangeNotification.json,
ListingsItemIssuesChangeNotification_2023-12-13.json). ``eventbridge_event`` wraps one in the
envelope an Amazon EventBridge rule hands its target (an SQS queue's message body): version,
id, detail-type (the notification type), source
(aws.partner/sellingpartnerapi.amazon.com/{AWS account id}/{application id}), account, time,
region, resources, detail (the notification). docs/SANDBOX.md.

The type name: the status schema's enum says "LISTINGS_ITEM_STATUS_CHANGED", its own example,
Amazon's EventBridge guide and the subscription say LISTINGS_ITEM_STATUS_CHANGE; the sandbox
sends the latter, as Amazon delivers it.

Pure: no network.
"""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

STATUS_CHANGE = "LISTINGS_ITEM_STATUS_CHANGE"
ISSUES_CHANGE = "LISTINGS_ITEM_ISSUES_CHANGE"
#: The sandbox's application id in notifications' metadata (an SP-API app id's shape).
APPLICATION_ID = "amzn1.sellerapps.app.00000000-0000-4000-8000-5a4db0c5a4db"
PARTNER_SOURCE = "aws.partner/sellingpartnerapi.amazon.com"
MAX_QUEUED = 10_000  # a sandbox nobody reads keeps the newest only
_NAMESPACE = uuid.UUID("6b1e1d2c-51a3-4c55-9a0e-7d1f5e0c9a11")


@dataclass(frozen=True, slots=True)
class ListingLook:
    """What notifications tell of a listing: its status and its issues' severities and
    enforcement actions."""

    status: tuple[str, ...]
    severities: tuple[str, ...]
    actions: tuple[str, ...]


def look(status: tuple[str, ...], issues: tuple[dict[str, Any], ...]) -> ListingLook:
    severities = sorted({str(i.get("severity")) for i in issues if i.get("severity")})
    actions = sorted(
        {
            str(a.get("action"))
            for i in issues
            for a in (i.get("enforcements") or {}).get("actions") or ()
            if isinstance(a, dict) and a.get("action")
        }
    )
    return ListingLook(tuple(status), tuple(severities), tuple(actions))


class Outbox:
    """The notifications the account made and nobody has taken yet (newest MAX_QUEUED)."""

    def __init__(self, seller_id: str, marketplace_id: str) -> None:
        self.seller_id = seller_id
        self.marketplace_id = marketplace_id
        self.made = 0
        self._queue: deque[dict[str, Any]] = deque(maxlen=MAX_QUEUED)

    def changed(
        self,
        sku: str,
        asin: str | None,
        created: datetime,
        before: ListingLook,
        after: ListingLook,
        now: datetime,
        *,
        deleted: bool = False,
    ) -> None:
        """Queue what a change from ``before`` to ``after`` notifies (nothing when the
        status and the issues look the same)."""
        if deleted or before.status != after.status:
            status = [*after.status, "DELETED"] if deleted else list(after.status)
            self._add(
                STATUS_CHANGE,
                "1.0",
                now,
                {
                    **self._about(sku, asin),
                    "CreatedDate": _iso(created),
                    "Status": status,
                },
            )
        if not deleted and (before.severities, before.actions) != (
            after.severities,
            after.actions,
        ):
            self._add(
                ISSUES_CHANGE,
                "2023-12-13",
                now,
                {
                    **self._about(sku, asin),
                    "Severities": list(after.severities) or ["NONE"],
                    "EnforcementActions": list(after.actions),
                },
            )

    def take(self) -> list[dict[str, Any]]:
        taken = list(self._queue)
        self._queue.clear()
        return taken

    def _about(self, sku: str, asin: str | None) -> dict[str, Any]:
        about: dict[str, Any] = {"SellerId": self.seller_id, "MarketplaceId": self.marketplace_id}
        if asin:
            about["Asin"] = asin
        about["Sku"] = sku
        return about

    def _add(self, kind: str, version: str, now: datetime, payload: dict[str, Any]) -> None:
        self.made += 1
        ident = uuid.uuid5(_NAMESPACE, f"{self.seller_id}/{self.made}/{kind}/{payload['Sku']}")
        self._queue.append(
            {
                "NotificationVersion": "1.0",
                "NotificationType": kind,
                "PayloadVersion": version,
                "EventTime": _iso(now),
                "Payload": payload,
                "NotificationMetadata": {
                    "ApplicationId": APPLICATION_ID,
                    "SubscriptionId": str(uuid.uuid5(_NAMESPACE, f"{self.seller_id}/{kind}")),
                    "PublishTime": _iso(now),
                    "NotificationId": str(ident),
                },
            }
        )


def eventbridge_event(
    notification: dict[str, Any], *, aws_account_id: str, region: str
) -> dict[str, Any]:
    """The EventBridge event an SP-API notification arrives in at a rule's target."""
    app = notification["NotificationMetadata"]["ApplicationId"]
    return {
        "version": "0",
        "id": notification["NotificationMetadata"]["NotificationId"],
        "detail-type": notification["NotificationType"],
        "source": f"{PARTNER_SOURCE}/{aws_account_id}/{app}",
        "account": aws_account_id,
        "time": notification["EventTime"][:19] + "Z",
        "region": region,
        "resources": [],
        "detail": notification,
    }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
