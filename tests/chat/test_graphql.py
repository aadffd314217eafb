"""The chat over GraphQL: channels with unread counts, messages as connections with cards per
reader, and the mutations' typed errors."""

from __future__ import annotations

import pytest

from app.services import chat
from tests.factories import make_customer, make_org, make_sent_invoice, make_user, principal_for
from tests.graphql.conftest import GraphQLClient, gid
from tests.querycount import count_queries

pytestmark = pytest.mark.asyncio

MESSAGES = """query($channel: ID!, $first: Int) { chatMessages(channelId: $channel, first: $first) {
  totalCount edges { node { body authorName mentionsMe cards { url visible title } } } } }"""
POST = """mutation($channel: ID!, $body: String!) { postChatMessage(channelId: $channel, body: $body) {
  __typename ... on ChatMessagePayload { chatMessage { id body } } ... on ValidationError { fields { path message } }
  ... on NotFound { message } } }"""


@pytest.fixture
def gql(client) -> GraphQLClient:
    return GraphQLClient(client)


async def test_channels_messages_and_posting(gql):
    alice, bob = await make_user(), await make_user(email="bob@example.com")
    pa = await principal_for(alice)
    channel = await chat.create_channel(pa, "sales", member_ids=[bob.id])
    cid = gid("ChatChannel", channel.id)
    posted = await gql(alice, POST, {"channel": cid, "body": "@bob <b>hi</b>"})
    assert posted["postChatMessage"]["__typename"] == "ChatMessagePayload"
    channels = (await gql(bob, "{ chatChannels { title unreadCount member } }"))["chatChannels"]
    assert channels == [{"title": "sales", "unreadCount": 1, "member": True}]
    page = (await gql(bob, MESSAGES, {"channel": cid}))["chatMessages"]
    assert page["totalCount"] == 1
    assert page["edges"][0]["node"]["body"] == "@bob <b>hi</b>"  # text, for the client to escape
    assert page["edges"][0]["node"]["mentionsMe"] is True
    read = await gql(bob, """mutation($c: ID!) { markChatRead(channelId: $c) { __typename
        ... on MarkChatReadPayload { lastReadMessageId } } }""", {"c": cid})
    assert read["markChatRead"]["__typename"] == "MarkChatReadPayload"
    assert (await gql(bob, "{ chatChannels { unreadCount } }"))["chatChannels"][0]["unreadCount"] == 0


async def test_hidden_channels_and_others_messages(gql):
    alice, bob = await make_user(), await make_user()
    pa = await principal_for(alice)
    secret = await chat.create_channel(pa, "secret", private=True)
    message = await chat.post_message(pa, secret.id, "secret words")
    sid = gid("ChatChannel", secret.id)
    page = (await gql(bob, MESSAGES, {"channel": sid}))["chatMessages"]
    assert page == {"totalCount": 0, "edges": []}
    refused = await gql(bob, POST, {"channel": sid, "body": "let me in"})
    assert refused["postChatMessage"]["__typename"] == "NotFound"
    public = await chat.create_channel(pa, "general")
    mine = await chat.post_message(pa, public.id, "mine")
    edit = await gql(bob, """mutation($id: ID!) { editChatMessage(id: $id, body: "x") { __typename } }""",
                     {"id": gid("ChatMessage", mine.id)})
    assert edit["editChatMessage"]["__typename"] == "PermissionDenied"
    gone = await gql(bob, """mutation($id: ID!) { deleteChatMessage(id: $id) { __typename } }""",
                     {"id": gid("ChatMessage", message.id)})
    assert gone["deleteChatMessage"]["__typename"] == "NotFound"
    too_long = await gql(alice, POST, {"channel": gid("ChatChannel", public.id), "body": "x" * 5000})
    assert too_long["postChatMessage"]["fields"][0]["path"] == "body"


async def test_cards_per_reader_without_a_query_per_message(gql):
    finance, sales = await make_user("Accountant"), await make_user()
    org = await make_org(finance)
    pf = await principal_for(finance)
    invoice = await make_sent_invoice(pf, await make_customer(org))
    channel = await chat.create_channel(pf, "books")
    for n in range(10):
        await chat.post_message(pf, channel.id, f"{n}: /books/invoices/{invoice.id}")
    cid = gid("ChatChannel", channel.id)
    await gql(finance, MESSAGES, {"channel": cid, "first": 1})
    with count_queries() as few:
        await gql(finance, MESSAGES, {"channel": cid, "first": 1})
    with count_queries() as many:
        finance_page = (await gql(finance, MESSAGES, {"channel": cid, "first": 10}))["chatMessages"]
    assert len(many) == len(few)
    assert finance_page["edges"][0]["node"]["cards"][0]["title"] == invoice.number
    sales_page = (await gql(sales, MESSAGES, {"channel": cid, "first": 10}))["chatMessages"]
    assert sales_page["edges"][0]["node"]["cards"] == [
        {"url": f"/books/invoices/{invoice.id}", "visible": False, "title": None}]
