"""Notification destinations, their delivery log, in-app notifications and opt-outs."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.models import DeliveryStatus, DestinationKind
from app.models import Delivery as DeliveryModel
from app.models import Destination as DestinationModel
from app.models import Notification as NotificationModel
from app.services import notification_http
from schema.types.node import to_global_id

NotificationDestinationKind = strawberry.enum(DestinationKind, name="NotificationDestinationKind", description=(
    "TEAM_CHAT (a team chat channel), SLACK (also Mattermost, Rocket.Chat), CLIQ (Zoho Cliq), TEAMS (Microsoft "
    "Teams workflow webhook), GOOGLE_CHAT, WEBHOOK (signed JSON, Standard Webhooks)."))
NotificationDeliveryStatus = strawberry.enum(DeliveryStatus, name="NotificationDeliveryStatus")


@strawberry.type(description="Where an organization's notifications go. The URL holds a credential: only its "
                             "host is shown; a signed webhook's secret is shown when made or rotated only.")
class NotificationDestination:
    id: strawberry.ID
    kind: NotificationDestinationKind  # type: ignore[valid-type]
    name: str
    url_host: str
    channel_id: int | None
    event_types: list[str]
    enabled: bool
    allow_private_network: bool
    rate_per_minute: int
    consecutive_failures: int
    disabled_at: datetime | None
    disabled_reason: str

    @classmethod
    def of(cls, d: DestinationModel) -> NotificationDestination:
        try:
            host = notification_http.check_url(d.url).host if d.url else ""
        except notification_http.AddressRefused:
            host = ""
        return cls(id=strawberry.ID(to_global_id("NotificationDestination", d.id)), kind=d.kind, name=d.name,
                   url_host=host, channel_id=d.channel_id, event_types=list(d.event_types or []),
                   enabled=d.enabled, allow_private_network=d.allow_private_network,
                   rate_per_minute=d.rate_per_minute, consecutive_failures=d.consecutive_failures,
                   disabled_at=d.disabled_at, disabled_reason=d.disabled_reason)


@strawberry.type(description="One event's delivery to one destination: the delivery log.")
class NotificationDelivery:
    id: strawberry.ID
    event_id: int
    event_type: str
    status: NotificationDeliveryStatus  # type: ignore[valid-type]
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status: int | None = strawberry.field(description="The HTTP status of the last answer.")
    last_response: str = strawberry.field(description="An excerpt of the last answer, or why it failed.")
    delivered_at: datetime | None

    @classmethod
    def of(cls, d: DeliveryModel, event_type: str) -> NotificationDelivery:
        return cls(id=strawberry.ID(to_global_id("NotificationDelivery", d.id)), event_id=d.event_id,
                   event_type=event_type, status=d.status, attempts=d.attempts, next_attempt_at=d.next_attempt_at,
                   last_attempt_at=d.last_attempt_at, last_status=d.last_status, last_response=d.last_response,
                   delivered_at=d.delivered_at)


@strawberry.type(description="An in-app notification; viewed notices of a document are grouped (count).")
class InAppNotification:
    id: strawberry.ID
    type: str
    count: int
    document_path: str
    actor: str
    read: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, n: NotificationModel) -> InAppNotification:
        from app.services.notifications import document_path

        return cls(id=strawberry.ID(to_global_id("Notification", n.id)), type=n.type, count=n.count,
                   document_path=document_path(n.type, n.txn_id), actor=str((n.data or {}).get("actor", "")),
                   read=n.read_at is not None, created_at=n.created_at, updated_at=n.updated_at)


@strawberry.type
class NotificationPreference:
    event_type: str
    in_app: bool
