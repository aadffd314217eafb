"""Notifications (issue 13): recording events in the outbox.

`record` is called by whatever changes a document on a customer's behalf (the portal: viewed,
commented, accepted, declined, transfer reported; payments), inside the transaction of that
change, so that an event exists exactly when its change does. Delivery (destinations, retries,
the delivery log) reads the outbox afterwards through the job engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app import kinds, settings
from app.i18n import N_, gettext
from app.models import (
    Delivery,
    Destination,
    EventType,
    Membership,
    Notification,
    NotificationEvent,
    NotificationPreference,
    NotificationSettings,
    Transaction,
)
from app.money import format_money
from app.services.notification_kinds import Message

ACTOR_MAX = 200


@asynccontextmanager
async def change() -> AsyncIterator[BaseDBAsyncClient]:
    """`async with notifications.change():` -- the transaction of a change that records events;
    once it has committed, their delivery is queued at once (the periodic sweep would find them
    anyway, seconds later). Inside an outer transaction the queueing waits for nothing: the
    sweep picks the events up after the outer commit."""
    async with in_transaction() as conn:
        yield conn
    from app import notification_tasks  # the tasks import this module

    await notification_tasks.kick()


async def record(event_type: EventType | str, txn: Transaction, *, actor: str = "",
                 data: dict[str, Any] | None = None, conn: BaseDBAsyncClient | None = None) -> NotificationEvent:
    """Add an event to the outbox in the caller's transaction (`conn`, or the current one)."""
    event = await NotificationEvent.create(
        organization_id=txn.organization_id, type=EventType(event_type), txn_id=txn.id,
        actor=(actor or "")[:ACTOR_MAX], data=data or {}, using_db=conn)
    return event


# ---- dispatching: events -> deliveries and in-app notifications --------------------------------

DISPATCH_BATCH = 200
GROUPED = {EventType.ESTIMATE_VIEWED.value, EventType.INVOICE_VIEWED.value,  # "viewed" notices grouped
           EventType.CREDIT_NOTE_VIEWED.value}
DESTINATION_DISABLED = "destination.disabled"

TEXTS: dict[str, str] = {
    EventType.ESTIMATE_VIEWED: N_("{customer} viewed estimate {number}."),
    EventType.ESTIMATE_COMMENTED: N_("{customer} commented on estimate {number}: {comment}"),
    EventType.ESTIMATE_ACCEPTED: N_("{customer} accepted estimate {number}."),
    EventType.ESTIMATE_DECLINED: N_("{customer} declined estimate {number}."),
    EventType.INVOICE_VIEWED: N_("{customer} viewed invoice {number}."),
    EventType.INVOICE_COMMENTED: N_("{customer} commented on invoice {number}: {comment}"),
    EventType.INVOICE_PAID: N_("{customer} paid {amount} on invoice {number}."),
    EventType.INVOICE_TRANSFER_REPORTED: N_("{customer} reported a bank transfer of {amount} for invoice {number}."),
    EventType.CREDIT_NOTE_VIEWED: N_("{customer} viewed credit note {number}."),
    EventType.CREDIT_NOTE_COMMENTED: N_("{customer} commented on credit note {number}: {comment}"),
}
LABELS: dict[str, str] = {
    EventType.ESTIMATE_VIEWED: N_("Estimate viewed"),
    EventType.ESTIMATE_COMMENTED: N_("Estimate commented"),
    EventType.ESTIMATE_ACCEPTED: N_("Estimate accepted"),
    EventType.ESTIMATE_DECLINED: N_("Estimate declined"),
    EventType.INVOICE_VIEWED: N_("Invoice viewed"),
    EventType.INVOICE_COMMENTED: N_("Invoice commented"),
    EventType.INVOICE_PAID: N_("Invoice paid"),
    EventType.INVOICE_TRANSFER_REPORTED: N_("Bank transfer reported"),
    EventType.CREDIT_NOTE_VIEWED: N_("Credit note viewed"),
    EventType.CREDIT_NOTE_COMMENTED: N_("Credit note commented"),
}
OPEN = N_("Open the document")
TEST_TEXT = N_("This is a test message from Kizuna.")


def document_url(txn: Transaction | None) -> str:
    if txn is None:
        return settings.PUBLIC_URL + "/"
    return f"{settings.PUBLIC_URL}/books/{kinds.of(txn.kind).slug}/{txn.id}"


def message_params(event: NotificationEvent, txn: Transaction | None, customer: str) -> dict[str, str]:
    data = event.data or {}
    amount = data.get("amount")
    currency = data.get("currency") or (txn.currency if txn else "JPY")
    try:
        amount_text = format_money(Decimal(str(amount)), currency) if amount is not None else ""
    except (ArithmeticError, ValueError):
        amount_text = str(amount)
    return {"customer": str(data.get("customer") or event.actor or customer or "-"),
            "number": str(data.get("number") or (txn.number if txn else "")),
            # a comment's event keeps an excerpt of it (app.services.portal.comment)
            "comment": str(data.get("excerpt") or "")[:200], "amount": amount_text}


def render(lang: str, event_type: str, params: dict[str, str]) -> str:
    return gettext(lang, TEXTS[event_type]).format(**params)


async def documents(txn_ids: set[int]) -> dict[int, tuple[Transaction, str]]:
    """The documents of a batch of events with their customer's name, in two queries."""
    if not txn_ids:
        return {}
    found = await Transaction.filter(id__in=txn_ids).prefetch_related("contact")
    return {t.id: (t, t.contact.display_name) for t in found}


async def build_message(event: NotificationEvent, lang: str,
                        known: dict[int, tuple[Transaction, str]] | None = None) -> Message:
    if known is None:
        known = await documents({event.txn_id} if event.txn_id else set())
    txn, customer = known.get(event.txn_id, (None, "")) if event.txn_id else (None, "")
    params = message_params(event, txn, customer)
    data = {"event_id": event.id, "document_id": event.txn_id, "document_kind": str(txn.kind) if txn else None,
            **{k: v for k, v in (event.data or {}).items() if k not in ("url", "text")}}
    return Message(event.id, str(event.type), event.created_at, render(lang, event.type, params),
                   document_url(txn), gettext(lang, OPEN), data)


async def enabled_for(organization_id: int) -> bool:
    switch = await NotificationSettings.get_or_none(organization_id=organization_id)
    return switch is None or switch.enabled


async def dispatch(at: datetime | None = None) -> set[int]:
    """Plan the deliveries and in-app notifications of events not dispatched yet; the ids of the
    destinations that have new deliveries. Safe to run twice (Delivery is unique per event and
    destination, and an event is marked in the same transaction)."""
    touched: set[int] = set()
    while events := await NotificationEvent.filter(dispatched_at__isnull=True).order_by("id").limit(DISPATCH_BATCH):
        now = at or _now()
        by_org: dict[int, list[Destination]] = {}
        switches: dict[int, bool] = {}
        async with in_transaction() as conn:
            # taken by this run, or by another one that got there first (then left alone here)
            ids = [e.id for e in events]
            marked = await NotificationEvent.filter(id__in=ids, dispatched_at__isnull=True).using_db(conn).update(
                dispatched_at=now)
            if marked != len(ids):
                taken = set(await NotificationEvent.filter(id__in=ids, dispatched_at=now).using_db(conn)
                            .values_list("id", flat=True))
                events = [e for e in events if e.id in taken]
            deliveries: list[Delivery] = []
            for event in events:
                org = event.organization_id
                if org not in switches:
                    switches[org] = await enabled_for(org)
                    by_org[org] = await Destination.filter(organization_id=org, enabled=True,
                                                           disabled_at__isnull=True).using_db(conn)
                if switches[org]:
                    for destination in by_org[org]:
                        if destination.wants(event.type):
                            deliveries.append(Delivery(event_id=event.id, destination_id=destination.id,
                                                       txn_id=event.txn_id, next_attempt_at=now))
                            touched.add(destination.id)
            if deliveries:
                await Delivery.bulk_create(deliveries, using_db=conn)
            cache: dict[int | None, list[int]] = {}
            for event in events:
                await notify_members(event, conn, cache)
    return touched


async def recipients(event: NotificationEvent, conn: BaseDBAsyncClient | None = None) -> list[int]:
    """Who gets the in-app notice: the document's salesperson and its creator, while members of
    its organization and not opted out of the event type."""
    if event.txn_id is None:
        return []
    txn = await Transaction.get_or_none(id=event.txn_id).using_db(conn)
    if txn is None:
        return []
    candidates = {uid for uid in (txn.salesperson_id, txn.created_by_id) if uid is not None}
    if not candidates:
        return []
    members = set(await Membership.filter(organization_id=event.organization_id, user_id__in=candidates,
                                          user__is_active=True).using_db(conn).values_list("user_id", flat=True))
    opted_out = set(await NotificationPreference.filter(user_id__in=members, type=event.type, in_app=False)
                    .using_db(conn).values_list("user_id", flat=True))
    return sorted(members - opted_out)


async def notify_members(event: NotificationEvent, conn: BaseDBAsyncClient | None = None,
                         cache: dict | None = None) -> None:
    key = (event.txn_id, event.type)
    if cache is not None and key in cache:
        users = cache[key]
    else:
        users = await recipients(event, conn)
        if cache is not None:
            cache[key] = users
    for user_id in users:
        if event.type in GROUPED:
            grouped = await Notification.filter(user_id=user_id, type=event.type, txn_id=event.txn_id,
                                                read_at__isnull=True).using_db(conn).first()
            if grouped is not None:
                grouped.count += 1
                grouped.event_id = event.id
                await grouped.save(using_db=conn, update_fields=["count", "event_id", "updated_at"])
                continue
        await Notification.create(user_id=user_id, organization_id=event.organization_id, type=event.type,
                                  event_id=event.id, txn_id=event.txn_id, data={"actor": event.actor, **(event.data or {})},
                                  using_db=conn)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def document_path(event_type: str, txn_id: int | None) -> str:
    """The page of the document an in-app notification is about ("" when there is none)."""
    kind = event_type.split(".")[0]
    if txn_id is None or kind not in ("estimate", "invoice", "credit_note"):
        return ""
    return f"/books/{kinds.of(kind).slug}/{txn_id}"
