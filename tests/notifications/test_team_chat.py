"""The team chat destination: Books notifications posted to the channel chosen for them, as a
system message with a card of the document, through app.services.chat.post_notification."""

from __future__ import annotations

import pytest

from app.errors import ValidationError
from app.models import ChatMessage, Delivery, DeliveryStatus, EventType
from app.services import chat
from app.services import notification_settings as ns
from tests.notifications.conftest import invoice, raise_event, run


async def test_events_go_to_the_chosen_channel_as_cards(world, clock):
    channel = await chat.create_channel(world.principal, "経理連絡", member_ids=[world.seller.id])
    assert [c.id for c in await ns.channel_choices(world.principal)] == [channel.id]
    await ns.create_destination(world.principal, world.org.id, {
        "kind": "team_chat", "name": "経理", "channel_id": channel.id, "event_types": ["invoice.paid"]})
    txn = await invoice(world)
    await raise_event(txn, EventType.INVOICE_PAID, amount="¥5,000", currency="JPY")
    await raise_event(txn, EventType.INVOICE_VIEWED)  # not chosen for this destination
    await run(clock)
    [message] = await ChatMessage.filter(channel_id=channel.id)
    assert message.author_id is None and txn.number in message.body
    assert (await Delivery.get()).status == DeliveryStatus.DELIVERED
    # the seller reads it in the channel, with the document's card
    seller = await _principal(world.seller)
    [shown] = await chat.messages(seller, channel.id)
    [card] = (await chat.cards(seller, [shown]))[shown.id]
    assert shown.id == message.id and card.visible and card.title == txn.number


async def test_only_a_channel_the_administrator_reads_can_be_chosen(world):
    secret = await chat.create_channel(await _principal(world.seller), "内緒", private=True)
    for channel_id in (secret.id, 999_999, "x", None):
        with pytest.raises(ValidationError) as caught:
            await ns.create_destination(world.principal, world.org.id, {
                "kind": "team_chat", "name": "経理", "channel_id": channel_id, "event_types": ["invoice.paid"]})
        assert [e.field for e in caught.value.errors] == ["channel_id"]


async def _principal(user):
    from tests import factories as f

    return await f.principal_for(user)
