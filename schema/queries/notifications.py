"""Notification settings (organization administrators) and the user's in-app notifications."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.errors import KizunaError
from app.models import NotificationEvent
from app.services import notification_settings as ns
from schema.context import Info
from schema.errors import NotFound, PermissionDenied, to_error
from schema.queries.common import AUTH
from schema.types.connection import Connection, Edge, paginate
from schema.types.node import pk_of
from schema.types.notifications import (
    InAppNotification,
    NotificationDelivery,
    NotificationDestination,
    NotificationPreference,
)


@strawberry.type
class NotificationDestinationList:
    destinations: list[NotificationDestination]
    notifications_enabled: bool = strawberry.field(description="The organization's switch: off, nothing new goes.")


NotificationDestinationsResult = Annotated[NotificationDestinationList | NotFound | PermissionDenied,
                                          strawberry.union("NotificationDestinationsResult")]


async def _nodes(connection: Connection, convert) -> Connection:
    nodes = await convert([edge.node for edge in connection.edges])
    connection.edges = [Edge(node=node, offset=edge.offset) for edge, node in zip(connection.edges, nodes)]
    return connection


@strawberry.type
class NotificationQuery:
    @strawberry.field(permission_classes=AUTH, description=(
        "An organization's notification destinations and switch (its administrators)."))
    async def notification_destinations(self, info: Info, organization_id: strawberry.ID
                                        ) -> NotificationDestinationsResult:
        principal = info.context.principal
        try:
            org_pk = pk_of(organization_id, "Organization") or 0
            found = await ns.destinations(principal, org_pk)
            enabled = await ns.is_enabled(principal, org_pk)
        except KizunaError as exc:
            return to_error(info, exc)
        return NotificationDestinationList(destinations=[NotificationDestination.of(d) for d in found],
                                           notifications_enabled=enabled)

    @strawberry.field(permission_classes=AUTH, description="A destination's delivery log, newest first.")
    async def notification_deliveries(self, info: Info, destination_id: strawberry.ID, first: int | None = None,
                                      after: str | None = None) -> Connection[NotificationDelivery] | None:
        try:
            query = await ns.deliveries_query(info.context.principal,
                                              pk_of(destination_id, "NotificationDestination") or 0)
        except KizunaError:
            return None

        async def convert(rows):
            types = dict(await NotificationEvent.filter(id__in={r.event_id for r in rows}).values_list("id", "type"))
            return [NotificationDelivery.of(r, str(types.get(r.event_id, ""))) for r in rows]

        return await _nodes(await paginate(query, ["-id"], first, after), convert)

    @strawberry.field(permission_classes=AUTH, description="Your in-app notifications, newest first.")
    async def notifications(self, info: Info, first: int | None = None,
                            after: str | None = None) -> Connection[InAppNotification]:
        async def convert(rows):
            return [InAppNotification.of(r) for r in rows]

        return await _nodes(await paginate(ns.inbox_query(info.context.principal), ["-id"], first, after), convert)

    @strawberry.field(permission_classes=AUTH, description="How many of your notifications are unread.")
    async def unread_notification_count(self, info: Info) -> int:
        return await ns.unread_count(info.context.principal)

    @strawberry.field(permission_classes=AUTH, description="Which in-app notifications you get, per event type.")
    async def notification_preferences(self, info: Info) -> list[NotificationPreference]:
        prefs = await ns.preferences(info.context.principal)
        return [NotificationPreference(event_type=t, in_app=on) for t, on in prefs.items()]
