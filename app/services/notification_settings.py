"""Settings > Integrations > Chat: an organization's notification destinations (who may manage
them: the organization's administrators), its on/off switch, the delivery log and test messages;
and each user's in-app notifications and opt-outs. Pages and GraphQL call these."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from app import cleaning
from app.errors import FieldError, NotFound, PermissionDenied, ValidationError
from app.i18n import N_, gettext
from app.models import (
    Delivery,
    Destination,
    DestinationKind,
    EventType,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from app.permissions import Principal
from app.services import notification_delivery, notification_http, notification_kinds, notifications
from app.services.notification_http import Answer
from app.services.notification_kinds import Message
from app.services.organizations import organizations

NAME_MAX = 100
URL_MAX = 500
PAGE_MAX = 100
RATE_MAX = 600
EVENT_TYPES = [t.value for t in EventType]


async def _org(principal: Principal, organization_id: int):
    return await organizations.get(principal, organization_id, "admin")


async def destinations(principal: Principal, organization_id: int) -> list[Destination]:
    await _org(principal, organization_id)
    return await Destination.filter(organization_id=organization_id)


async def destination(principal: Principal, destination_id: int) -> Destination:
    found = await Destination.get_or_none(id=destination_id)
    if found is None:
        raise NotFound()
    try:
        await _org(principal, found.organization_id)
    except (NotFound, PermissionDenied):
        raise NotFound() from None
    return found


async def _channel_ids(principal: Principal, kind: DestinationKind) -> set[int]:
    if not notification_kinds.of(kind).needs_channel:
        return set()
    return {c.id for c in await channel_choices(principal)}


async def channel_choices(principal: Principal) -> list[Any]:
    """The team chat channels a destination may post to: those the administrator reads, not
    direct conversations."""
    from app.services import chat  # the chat's service imports the notifications' models only

    return [c for c in await chat.readable_channels(principal).filter(direct=False).order_by("name", "id")]


def _clean(values: dict[str, Any], kind: DestinationKind, principal: Principal,
           instance: Destination | None, channel_ids: set[int]) -> dict[str, Any]:
    spec = notification_kinds.of(kind)
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    name = str(values.get("name", instance.name if instance else "")).strip()
    if not name or len(name) > NAME_MAX:
        errors.append(FieldError("name", N_("Enter a name of at most {max} characters."), {"max": NAME_MAX}))
    out["name"] = name
    if spec.needs_url and ("url" in values or instance is None):
        url = str(values.get("url") or "").strip()
        try:
            if len(url) > URL_MAX:
                raise notification_http.AddressRefused("too long")
            notification_http.check_url(url)
            out["url"] = url
        except notification_http.AddressRefused:
            errors.append(FieldError("url", N_("Enter an http or https URL.")))
    if spec.needs_channel:
        channel = values.get("channel_id", instance.channel_id if instance else None)
        chosen = cleaning.pk(channel) if channel not in (None, "") else None
        if chosen is None or chosen not in channel_ids:
            errors.append(FieldError("channel_id", N_("Choose a channel.")))
        else:
            out["channel_id"] = chosen
    if "event_types" in values or instance is None:
        chosen = values.get("event_types") or []
        if not isinstance(chosen, (list, tuple)) or any(t not in EVENT_TYPES for t in chosen):
            errors.append(FieldError("event_types", N_("Choose one of the offered values.")))
        else:
            out["event_types"] = [t for t in EVENT_TYPES if t in chosen]
    if "rate_per_minute" in values:
        try:
            rate = int(values["rate_per_minute"])
            if not 1 <= rate <= RATE_MAX:
                raise ValueError
            out["rate_per_minute"] = rate
        except (TypeError, ValueError):
            errors.append(FieldError("rate_per_minute", N_("Enter a number from 1 to {max}."), {"max": RATE_MAX}))
    if "enabled" in values:
        out["enabled"] = bool(values["enabled"])
    if "allow_private_network" in values:
        allow = bool(values["allow_private_network"])
        if allow and not principal.is_admin:
            errors.append(FieldError("allow_private_network",
                                     N_("Only administrators may allow addresses inside the network.")))
        out["allow_private_network"] = allow
    if errors:
        raise ValidationError(errors)
    return out


async def create_destination(principal: Principal, organization_id: int, values: dict[str, Any]) -> tuple[Destination, str]:
    """The new destination, and its signing secret (shown this once; "" for unsigned kinds)."""
    await _org(principal, organization_id)
    try:
        kind = DestinationKind(values.get("kind"))
    except ValueError:
        raise ValidationError.single("kind", N_("Choose one of the offered values.")) from None
    cleaned = _clean(values, kind, principal, None, await _channel_ids(principal, kind))
    secret = notification_kinds.new_secret() if notification_kinds.of(kind).signed else ""
    created = await Destination.create(organization_id=organization_id, kind=kind, secret=secret,
                                       created_by_id=principal.user.id, **cleaned)
    return created, secret


async def update_destination(principal: Principal, destination_id: int, values: dict[str, Any]) -> Destination:
    found = await destination(principal, destination_id)
    cleaned = _clean(values, found.kind, principal, found, await _channel_ids(principal, found.kind))
    if cleaned.get("enabled") and not found.enabled or (cleaned.get("enabled") and found.disabled_at):
        found.disabled_at, found.disabled_reason, found.consecutive_failures = None, "", 0  # turned on again
    for name, value in cleaned.items():
        setattr(found, name, value)
    await found.save()
    return found


async def delete_destination(principal: Principal, destination_id: int) -> None:
    found = await destination(principal, destination_id)
    await found.delete()


async def rotate_secret(principal: Principal, destination_id: int) -> str:
    found = await destination(principal, destination_id)
    if not notification_kinds.of(found.kind).signed:
        raise ValidationError.single("kind", N_("This destination is not signed."))
    found.secret = notification_kinds.new_secret()
    await found.save(update_fields=["secret"])
    return found.secret


async def send_test(principal: Principal, destination_id: int) -> Answer:
    """Send a test message now (not through the queue, not logged as a delivery)."""
    found = await destination(principal, destination_id)
    organization = await _org(principal, found.organization_id)
    lang = organization.language
    message = Message(0, "test", notification_delivery._now(), gettext(lang, notifications.TEST_TEXT),
                      notifications.document_url(None), gettext(lang, notifications.OPEN), {"test": True})
    async with notification_http.client() as client:
        return await notification_delivery.send(found, message, client)


async def set_enabled(principal: Principal, organization_id: int, enabled: bool) -> None:
    await _org(principal, organization_id)
    async with in_transaction():
        switch, _ = await NotificationSettings.get_or_create(organization_id=organization_id)
        switch.enabled = bool(enabled)
        await switch.save()


async def is_enabled(principal: Principal, organization_id: int) -> bool:
    await _org(principal, organization_id)
    return await notifications.enabled_for(organization_id)


async def deliveries(principal: Principal, destination_id: int, *, limit: int = 50, before: int | None = None) -> list[Delivery]:
    found = await destination(principal, destination_id)
    query = Delivery.filter(destination_id=found.id)
    if before is not None:
        query = query.filter(id__lt=before)
    return await query.order_by("-id").limit(max(1, min(limit, PAGE_MAX)))


# ---- in-app notifications ---------------------------------------------------------------------

async def inbox(principal: Principal, *, limit: int = 30, before: int | None = None) -> list[Notification]:
    query = Notification.filter(user_id=principal.user.id)
    if before is not None:
        query = query.filter(id__lt=before)
    return await query.order_by("-id").limit(max(1, min(limit, PAGE_MAX)))


async def unread_count(principal: Principal) -> int:
    return await Notification.filter(user_id=principal.user.id, read_at__isnull=True).count()


async def mark_read(principal: Principal, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them (None)."""
    query = Notification.filter(user_id=principal.user.id, read_at__isnull=True)
    if notification_id is not None:
        query = query.filter(id=notification_id)
    return await query.update(read_at=notification_delivery._now())


async def preferences(principal: Principal) -> dict[str, bool]:
    off = set(await NotificationPreference.filter(user_id=principal.user.id, in_app=False)
              .values_list("type", flat=True))
    return {t: t not in off for t in EVENT_TYPES}


async def set_preference(principal: Principal, event_type: str, in_app: bool) -> None:
    if event_type not in EVENT_TYPES:
        raise ValidationError.single("event_type", N_("Choose one of the offered values."))
    await NotificationPreference.update_or_create(user_id=principal.user.id, type=event_type,
                                                  defaults={"in_app": bool(in_app)})


async def deliveries_query(principal: Principal, destination_id: int):
    """The destination's delivery log as a query (GraphQL pages it), newest first by its order."""
    found = await destination(principal, destination_id)
    return Delivery.filter(destination_id=found.id)


def inbox_query(principal: Principal):
    return Notification.filter(user_id=principal.user.id)
