"""The team chat destination: posts to the channel through app.services.chat.post_notification.
The team chat lands in another branch of issue 13: until it is merged this test is skipped.
(Integrator: after the merge, replace the recorder below by reading the channel's messages.)"""

from __future__ import annotations

import pytest

from app.models import Delivery, DeliveryStatus, EventType
from app.services import notification_settings as ns
from tests.notifications.conftest import invoice, raise_event, run

chat = pytest.importorskip("app.services.chat", reason="the team chat is not merged yet")


async def test_events_go_to_the_chosen_channel(world, clock, monkeypatch):
    posted = []

    async def recorder(channel_id, text, url, data):
        posted.append((channel_id, text, url, data))

    monkeypatch.setattr(chat, "post_notification", recorder)
    await ns.create_destination(world.principal, world.org.id, {
        "kind": "team_chat", "name": "経理", "channel_id": 7, "event_types": ["invoice.paid"]})
    txn = await invoice(world)
    await raise_event(txn, EventType.INVOICE_PAID, amount="5000", currency="JPY")
    await run(clock)
    assert len(posted) == 1 and posted[0][0] == 7 and posted[0][2].endswith(f"/books/invoices/{txn.id}")
    assert (await Delivery.get()).status == DeliveryStatus.DELIVERED
