"""Notification settings: destinations (create, update, delete, test, rotate the signing secret)
and the organization's switch (its administrators); the user's read marks and opt-outs."""

from __future__ import annotations

from typing import Any

import strawberry

from app.services import notification_settings as ns
from schema.context import Info
from schema.errors import NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.common import DeletePayload, existing_pk, result
from schema.queries.common import AUTH
from schema.types.node import pk_of
from schema.types.notifications import (
    NotificationDestination,
    NotificationDestinationKind,
    NotificationPreference,
)


@strawberry.input(description="A destination's settings; fields left out keep their value on update.")
class NotificationDestinationInput:
    name: str | None = strawberry.UNSET
    url: str | None = strawberry.field(default=strawberry.UNSET, description="Incoming webhook URL (a secret).")
    channel_id: int | None = strawberry.UNSET
    event_types: list[str] | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET
    allow_private_network: bool | None = strawberry.UNSET
    rate_per_minute: int | None = strawberry.UNSET


def _values(input: NotificationDestinationInput) -> dict[str, Any]:
    values = {}
    for name in ("name", "url", "channel_id", "event_types", "enabled", "allow_private_network", "rate_per_minute"):
        value = getattr(input, name)
        if value is not strawberry.UNSET and value is not None:
            values[name] = value[:ns.URL_MAX + 1] if isinstance(value, str) else value
    if isinstance(values.get("event_types"), list):
        values["event_types"] = [str(t)[:40] for t in values["event_types"][:20]]
    return values


@strawberry.type
class NotificationDestinationPayload:
    destination: NotificationDestination


@strawberry.type
class NotificationSecretPayload:
    destination: NotificationDestination
    secret: str = strawberry.field(description="The signing secret (signed webhooks; empty otherwise). "
                                               "Shown now and never again.")


@strawberry.type
class SendNotificationTestPayload:
    delivered: bool
    status: int | None
    response: str


@strawberry.type
class NotificationsSwitchPayload:
    enabled: bool


@strawberry.type
class MarkNotificationsReadPayload:
    marked: int


CreateNotificationDestinationResult = result(
    "CreateNotificationDestination", NotificationSecretPayload, ValidationError, NotFound, PermissionDenied)
UpdateNotificationDestinationResult = result(
    "UpdateNotificationDestination", NotificationDestinationPayload, ValidationError, NotFound, PermissionDenied)
DeleteNotificationDestinationResult = result("DeleteNotificationDestination", DeletePayload, NotFound)
RotateNotificationSecretResult = result(
    "RotateNotificationSecret", NotificationSecretPayload, ValidationError, NotFound)
SendNotificationTestResult = result("SendNotificationTest", SendNotificationTestPayload, NotFound)
SetNotificationsEnabledResult = result(
    "SetNotificationsEnabled", NotificationsSwitchPayload, NotFound, PermissionDenied)
MarkNotificationsReadResult = result("MarkNotificationsRead", MarkNotificationsReadPayload, NotFound)
SetNotificationPreferenceResult = result("SetNotificationPreference", NotificationPreference, ValidationError)


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(permission_classes=AUTH, description=(
        "Add a notification destination to an organization (its administrators); a signed webhook's "
        "secret is in the payload only."))
    async def create_notification_destination(
        self, info: Info, organization_id: strawberry.ID, kind: NotificationDestinationKind,  # type: ignore[valid-type]
        input: NotificationDestinationInput,
    ) -> CreateNotificationDestinationResult:
        async def run():
            made, secret = await ns.create_destination(
                info.context.principal, pk_of(organization_id, "Organization") or 0,
                {**_values(input), "kind": kind.value})
            return NotificationSecretPayload(destination=NotificationDestination.of(made), secret=secret)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH)
    async def update_notification_destination(
        self, info: Info, id: strawberry.ID, input: NotificationDestinationInput,
    ) -> UpdateNotificationDestinationResult:
        async def run():
            found = await ns.update_destination(info.context.principal, existing_pk(id, "NotificationDestination"),
                                                _values(input))
            return NotificationDestinationPayload(destination=NotificationDestination.of(found))

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Messages already posted stay where they are.")
    async def delete_notification_destination(self, info: Info, id: strawberry.ID) -> DeleteNotificationDestinationResult:
        async def run():
            await ns.delete_destination(info.context.principal, existing_pk(id, "NotificationDestination"))
            return DeletePayload(deleted_id=id)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="A new signing secret; the old one stops at once.")
    async def rotate_notification_secret(self, info: Info, destination_id: strawberry.ID) -> RotateNotificationSecretResult:
        async def run():
            pk = existing_pk(destination_id, "NotificationDestination")
            secret = await ns.rotate_secret(info.context.principal, pk)
            found = await ns.destination(info.context.principal, pk)
            return NotificationSecretPayload(destination=NotificationDestination.of(found), secret=secret)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Send a test message to the destination now.")
    async def send_notification_test(self, info: Info, destination_id: strawberry.ID) -> SendNotificationTestResult:
        async def run():
            answer = await ns.send_test(info.context.principal, existing_pk(destination_id, "NotificationDestination"))
            return SendNotificationTestPayload(delivered=answer.ok, status=answer.status, response=answer.excerpt)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="The organization's switch: off, nothing new goes.")
    async def set_notifications_enabled(self, info: Info, organization_id: strawberry.ID,
                                        enabled: bool) -> SetNotificationsEnabledResult:
        async def run():
            await ns.set_enabled(info.context.principal, pk_of(organization_id, "Organization") or 0, enabled)
            return NotificationsSwitchPayload(enabled=enabled)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Mark one of your notifications read, or all (no id).")
    async def mark_notifications_read(self, info: Info, id: strawberry.ID | None = None) -> MarkNotificationsReadResult:
        async def run():
            pk = existing_pk(id, "Notification") if id is not None else None
            return MarkNotificationsReadPayload(marked=await ns.mark_read(info.context.principal, pk))

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Opt out of (or back into) an in-app notification type.")
    async def set_notification_preference(self, info: Info, event_type: str,
                                          in_app: bool) -> SetNotificationPreferenceResult:
        async def run():
            await ns.set_preference(info.context.principal, event_type[:40], in_app)
            return NotificationPreference(event_type=event_type[:40], in_app=in_app)

        return await attempt(info, run)
