"""Demo data of the team chat and the notifications: the team's channel chosen for Books
notifications (seed 002), a few messages, a direct conversation, and customers' actions on the
administrator's documents delivered there and as in-app notifications, as they would be."""

from __future__ import annotations

from app.models import EventType, Kind, Status, Transaction, User
from app.permissions import Principal
from app.services import chat, notification_delivery, notifications, portal
from app.services import notification_settings as ns

# What customers did, as the portal records it: (kind, status the document is in, event).
EVENTS = [
    (Kind.ESTIMATE, Status.VIEWED, EventType.ESTIMATE_VIEWED),
    (Kind.ESTIMATE, Status.ACCEPTED, EventType.ESTIMATE_ACCEPTED),
    (Kind.INVOICE, Status.VIEWED, EventType.INVOICE_VIEWED),
    (Kind.INVOICE, Status.PARTIALLY_PAID, EventType.INVOICE_TRANSFER_REPORTED),
]


async def load_chat_demo(admin: User, users: list[User], organization) -> None:
    principal = await Principal.load(admin)
    team = await chat.create_channel(principal, "営業と経理", member_ids=[u.id for u in users])
    await chat.create_channel(principal, "雑談")
    await chat.post_message(principal, team.id, "今月の請求書はすべて送付済みです。入金の確認は経理で進めます。")
    if users:
        direct = await chat.open_direct(principal, users[0].id)
        await chat.post_message(await Principal.load(users[0]), direct.id, "来週の商談の件、見積をお願いできますか?")
    await _notifications_demo(principal, organization, team.id)


async def _notifications_demo(principal: Principal, organization, channel_id: int) -> None:
    """The team channel as the Books notifications' destination, and customers' actions on the
    administrator's own documents (they alone are told in-app: the demo's other users see none
    of the administrator's notices) delivered through the outbox like any other."""
    await ns.create_destination(principal, organization.id, {
        "kind": "team_chat", "name": "営業と経理", "channel_id": channel_id, "event_types": list(ns.EVENT_TYPES)})
    mine = Transaction.filter(organization_id=organization.id, salesperson_id=principal.user.id)
    for kind, status, event in EVENTS:
        txn = await mine.filter(kind=kind, status=status).order_by("id").first()
        if txn is not None:
            await notifications.record(event, txn, actor="山田 太郎", data=await portal.event_data(txn))
    for destination_id in await notifications.dispatch():
        await notification_delivery.deliver(destination_id)
