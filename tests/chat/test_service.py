"""Chat rules: who sees which channel, DMs, unread counts, mentions, own messages, cards per reader."""

from __future__ import annotations

import pytest

from app.errors import NotFound, PermissionDenied, ValidationError
from app.models import ChatMessage
from app.services import chat
from tests.factories import make_customer, make_deal, make_org, make_sent_invoice, make_user, principal_for

pytestmark = pytest.mark.asyncio


async def test_private_channel_is_invisible_to_non_members(db):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    pa, pc = await principal_for(alice), await principal_for(carol)
    secret = await chat.create_channel(pa, "経理", private=True, member_ids=[bob.id])
    public = await chat.create_channel(pa, "general")
    await chat.post_message(pa, secret.id, "決算の話")

    titles = [c.title for c in await chat.channel_list(pc)]
    assert titles == ["general"]
    with pytest.raises(NotFound):
        await chat.messages(pc, secret.id)
    with pytest.raises(NotFound):
        await chat.post_message(pc, secret.id, "hi")
    assert [e for e, _m in await chat.events_after(pc, 0)] == []
    await chat.post_message(pc, public.id, "hello")  # public: anyone may read and write
    bob_titles = [c.title for c in await chat.channel_list(await principal_for(bob))]
    assert sorted(bob_titles) == ["general", "経理"]


async def test_direct_messages_are_between_two_users(db):
    alice, bob, carol = await make_user(name="Alice"), await make_user(name="Bob"), await make_user()
    pa, pb = await principal_for(alice), await principal_for(bob)
    dm = await chat.open_direct(pa, bob.id)
    assert (await chat.open_direct(pb, alice.id)).id == dm.id  # one conversation per pair
    await chat.post_message(pa, dm.id, "こんにちは")
    views = {c.channel.id: c for c in await chat.channel_list(pb)}
    assert views[dm.id].title == "Alice" and views[dm.id].unread == 1
    with pytest.raises(NotFound):
        await chat.messages(await principal_for(carol), dm.id)


async def test_unread_counts_follow_reading(db):
    alice, bob = await make_user(), await make_user()
    pa, pb = await principal_for(alice), await principal_for(bob)
    channel = await chat.create_channel(pa, "sales", member_ids=[bob.id])
    for text in ("one", "two", "three"):
        await chat.post_message(pa, channel.id, text)
    unread = {c.channel.id: c.unread for c in await chat.channel_list(pb)}
    assert unread[channel.id] == 3
    assert {c.channel.id: c.unread for c in await chat.channel_list(pa)}[channel.id] == 0  # own
    await chat.mark_read(pb, channel.id)
    assert await chat.unread_total(pb) == 0


async def test_mentions_are_recorded(db):
    alice, bob = await make_user(email="alice@example.com"), await make_user(email="bob@example.com", name="Bob")
    channel = await chat.create_channel(await principal_for(alice), "sales")
    message = await chat.post_message(await principal_for(alice), channel.id, "@bob 見積を確認してください")
    assert message.mentions == [bob.id]
    pb = await principal_for(bob)
    # Bob was not a member of the public channel: the mention makes him one, with it unread.
    assert [(c.unread, c.mentions, c.member) for c in await chat.channel_list(pb)] == [(1, 1, True)]
    await chat.edit_message(await principal_for(alice), message.id, "見積を確認してください")
    assert [(c.unread, c.mentions) for c in await chat.channel_list(pb)] == [(1, 0)]  # edited away
    await chat.post_message(await principal_for(alice), channel.id, "@Bob again")
    await chat.mark_read(pb, channel.id)
    assert [(c.unread, c.mentions) for c in await chat.channel_list(pb)] == [(0, 0)]


async def test_mentions_in_private_channels_reach_members_only(db):
    alice, bob = await make_user(), await make_user(email="bob@example.com")
    pa = await principal_for(alice)
    secret = await chat.create_channel(pa, "secret", private=True)
    message = await chat.post_message(pa, secret.id, "@bob have a look")
    assert (await ChatMessage.get(id=message.id)).mentions == []
    assert await chat.channel_list(await principal_for(bob)) == []


async def test_only_own_messages_can_be_edited_or_deleted(db):
    alice, bob = await make_user(), await make_user()
    pa, pb = await principal_for(alice), await principal_for(bob)
    channel = await chat.create_channel(pa, "sales")
    message = await chat.post_message(pa, channel.id, "typo")
    with pytest.raises(PermissionDenied):
        await chat.edit_message(pb, message.id, "vandalised")
    with pytest.raises(PermissionDenied):
        await chat.delete_message(pb, message.id)
    edited = await chat.edit_message(pa, message.id, "fixed")
    assert edited.body == "fixed" and edited.edited_at is not None
    await chat.delete_message(pa, message.id)
    gone = await ChatMessage.get(id=message.id)
    assert gone.deleted_at is not None and gone.body == ""
    with pytest.raises(NotFound):
        await chat.edit_message(pa, message.id, "again")


async def test_bodies_are_bounded(db):
    alice = await make_user()
    pa = await principal_for(alice)
    channel = await chat.create_channel(pa, "sales")
    for body in ("", "   ", "x" * (chat.MAX_BODY + 1), "bell\x07"):
        with pytest.raises(ValidationError):
            await chat.post_message(pa, channel.id, body)
    with pytest.raises(ValidationError):
        await chat.create_channel(pa, "n" * 200)
    assert await ChatMessage.all().count() == 0


async def test_cards_show_what_each_reader_may_see(db):
    finance, sales = await make_user("Accountant"), await make_user("Sales")
    org = await make_org(finance)
    invoice = await make_sent_invoice(await principal_for(finance), await make_customer(org))
    deal = await make_deal(sales, name="大型案件")
    pf, ps = await principal_for(finance), await principal_for(sales)
    channel = await chat.create_channel(ps, "team")
    message = await chat.post_message(
        ps, channel.id, f"see http://kizuna.example/books/invoices/{invoice.id} and /deals/{deal.id}")
    assert message.links == [{"kind": "books:invoices", "id": invoice.id}, {"kind": "deals", "id": deal.id}]

    for_sales = (await chat.cards(ps, [message]))[message.id]
    assert [c.visible for c in for_sales] == [False, True]  # not a member of the organization
    assert for_sales[0].title == "" and for_sales[0].detail is None
    assert for_sales[1].title == "大型案件"
    for_finance = (await chat.cards(pf, [message]))[message.id]
    assert for_finance[0].visible and for_finance[0].title == invoice.number
    assert not for_finance[1].visible  # another owner's deal, not shared


async def test_post_notification_is_a_system_message_with_a_card(db):
    finance = await make_user("Accountant")
    org = await make_org(finance)
    invoice = await make_sent_invoice(await principal_for(finance), await make_customer(org))
    pf = await principal_for(finance)
    channel = await chat.create_channel(pf, "books")
    await chat.post_notification(channel.id, "請求書が支払われました", f"/books/invoices/{invoice.id}",
                                 {"amount": "1000"})
    [message] = await chat.messages(pf, channel.id)
    assert message.author_id is None and message.body.startswith("請求書が支払われました")
    assert (await chat.cards(pf, [message]))[message.id][0].title == invoice.number
    assert [e.message_id for e, _m in await chat.events_after(pf, 0)] == [message.id]


async def test_events_after_replays_from_the_last_event(db):
    alice = await make_user()
    pa = await principal_for(alice)
    channel = await chat.create_channel(pa, "sales")
    first = await chat.post_message(pa, channel.id, "one")
    mark = await chat.latest_event_id()
    second = await chat.post_message(pa, channel.id, "two")
    await chat.edit_message(pa, first.id, "one!")
    replay = await chat.events_after(pa, mark)
    assert [(e.kind, m.id) for e, m in replay] == [("post", second.id), ("edit", first.id)]


async def test_a_channel_name_with_control_characters_is_refused(db):
    """NUL, which no database keeps, and other control characters get a field error; no channel."""
    from app.models import Channel

    principal = await principal_for(await make_user())
    for name in ("\x00", "経理\x00", "a\x07b", "\ud800"):
        with pytest.raises(ValidationError) as refused:
            await chat.create_channel(principal, name)
        assert refused.value.errors[0].field == "name"
    assert not await Channel.exists()
