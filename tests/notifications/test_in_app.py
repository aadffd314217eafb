"""In-app notifications: the document's salesperson and creator get them, "viewed" notices of a
document are grouped while unread, users opt out per event type, and read them."""

from __future__ import annotations

from app.models import EventType, Notification
from app.services import notification_settings as ns
from tests import factories as f
from tests.notifications.conftest import invoice, raise_event, run


async def test_salesperson_and_creator_are_notified_and_viewed_notices_grouped(world, clock):
    txn = await invoice(world)
    outsider = await f.make_user("Sales", email="outsider@example.jp")
    await raise_event(txn, EventType.INVOICE_VIEWED)
    await raise_event(txn, EventType.INVOICE_VIEWED)
    await raise_event(txn, EventType.INVOICE_PAID, amount="100", currency="JPY")
    await run(clock)
    seller, admin = await f.principal_for(world.seller), world.principal
    for principal in (seller, admin):
        inbox = await ns.inbox(principal)
        assert [(n.type, n.count) for n in inbox] == [("invoice.paid", 1), ("invoice.viewed", 2)]
        assert await ns.unread_count(principal) == 2
    assert await Notification.filter(user_id=outsider.id).count() == 0
    await ns.mark_read(seller)
    assert await ns.unread_count(seller) == 0 and await ns.unread_count(admin) == 2
    await raise_event(txn, EventType.INVOICE_VIEWED)  # the grouped one was read: a new one starts
    await run(clock)
    assert [(n.type, n.count) for n in await ns.inbox(seller)][0] == ("invoice.viewed", 1)


async def test_users_opt_out_per_event_type(world, clock):
    seller = await f.principal_for(world.seller)
    await ns.set_preference(seller, "invoice.viewed", False)
    assert (await ns.preferences(seller))["invoice.viewed"] is False
    txn = await invoice(world)
    await raise_event(txn, EventType.INVOICE_VIEWED)
    await raise_event(txn, EventType.INVOICE_COMMENTED, comment="ok")
    await run(clock)
    assert [n.type for n in await ns.inbox(seller)] == ["invoice.commented"]
    assert len(await ns.inbox(world.principal)) == 2
