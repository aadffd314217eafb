"""Chat pages and the live stream, driven over HTTP as a browser would."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.models import ChatMessage
from app.services import chat
from bench.chat import sse_events
from tests.factories import make_user, principal_for

pytestmark = pytest.mark.asyncio


async def sign_in(client: httpx.AsyncClient, user) -> str:
    from tests.factories import PASSWORD

    page = await client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = await client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    home = await client.get("/chat")
    return home.text.split('name="csrf_token" value="')[1].split('"')[0]


async def read_events(response: httpx.Response, count: int) -> list[dict]:
    """The first `count` SSE events (comments and retry lines skipped)."""
    events, current = [], {"data": []}
    async for line in response.aiter_lines():
        if line == "":
            if current.get("event"):
                events.append({**current, "data": "\n".join(current["data"])})
                if len(events) == count:
                    return events
            current = {"data": []}
        elif line.startswith("data: "):
            current["data"].append(line[6:])
        elif line.startswith(("id: ", "event: ")):
            key, _, value = line.partition(": ")
            current[key] = value
    return events


async def test_posting_and_markup_is_escaped(client):
    alice = await make_user()
    token = await sign_in(client, alice)
    channel = await chat.create_channel(await principal_for(alice), "general")
    response = await client.post(f"/chat/{channel.id}/messages",
                                 data={"body": "<script>alert(1)</script> & <b>x</b>", "csrf_token": token})
    assert response.status_code == 303
    page = await client.get(f"/chat/{channel.id}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in page.text
    assert "<script>alert(1)" not in page.text


async def test_hostile_bodies_answer_422_and_write_nothing(client):
    alice = await make_user()
    token = await sign_in(client, alice)
    channel = await chat.create_channel(await principal_for(alice), "general")
    for body in ("", "x" * (chat.MAX_BODY + 1), "\x00"):
        response = await client.post(f"/chat/{channel.id}/messages", data={"body": body, "csrf_token": token},
                                     headers={"HX-Request": "true"})
        assert response.status_code == 422
    assert await ChatMessage.all().count() == 0


async def test_a_private_channel_of_others_is_a_404(client):
    alice, bob = await make_user(), await make_user()
    secret = await chat.create_channel(await principal_for(alice), "secret", private=True)
    token = await sign_in(client, bob)
    assert (await client.get(f"/chat/{secret.id}")).status_code == 404
    response = await client.post(f"/chat/{secret.id}/messages", data={"body": "hi", "csrf_token": token})
    assert response.status_code == 404
    assert "secret" not in (await client.get("/chat")).text


async def test_a_private_channel_with_chosen_members_and_one_added_later(client):
    alice, bob, carol = await make_user(), await make_user(name="Bob"), await make_user(name="Carol")
    token = await sign_in(client, alice)
    response = await client.post("/chat/channels", data={"name": "経理", "private": "on", "member_ids": [str(bob.id)],
                                                         "csrf_token": token})
    assert response.status_code == 303
    channel_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert [c.title for c in await chat.channel_list(await principal_for(bob))] == ["経理"]
    assert await chat.channel_list(await principal_for(carol)) == []
    page = await client.get(f"/chat/{channel_id}")
    assert f'action="/chat/{channel_id}/members"' in page.text
    added = await client.post(f"/chat/{channel_id}/members", data={"user_id": str(carol.id), "csrf_token": token})
    assert added.status_code == 303
    assert [c.title for c in await chat.channel_list(await principal_for(carol))] == ["経理"]


async def test_stream_catches_up_from_last_event_id(server):
    alice = await make_user()
    pa = await principal_for(alice)
    client = httpx.AsyncClient(base_url=server, timeout=10)
    await sign_in(client, alice)
    channel = await chat.create_channel(pa, "general")
    first = await chat.post_message(pa, channel.id, "first")
    mark = await chat.latest_event_id()
    await chat.post_message(pa, channel.id, "missed <one>")
    await chat.edit_message(pa, first.id, "first, edited")
    async with client.stream("GET", "/chat/stream", headers={"Last-Event-ID": str(mark)}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = await asyncio.wait_for(read_events(response, 2), 10)
    await client.aclose()
    assert [e["event"] for e in events] == [f"chat-{channel.id}"] * 2
    assert "missed &lt;one&gt;" in events[0]["data"]
    assert 'hx-swap-oob="outerHTML"' in events[1]["data"] and "first, edited" in events[1]["data"]
    assert int(events[1]["id"]) > int(events[0]["id"]) > mark


async def test_stream_delivers_live_messages_only_to_readers(server):
    alice, bob = await make_user(), await make_user()
    pa, pb = await principal_for(alice), await principal_for(bob)
    secret = await chat.create_channel(pa, "secret", private=True)
    public = await chat.create_channel(pa, "general")
    client = httpx.AsyncClient(base_url=server, timeout=10)
    await sign_in(client, bob)
    async with client.stream("GET", "/chat/stream") as response:
        async def post_later():
            await chat.post_message(pa, secret.id, "hidden")
            await chat.post_message(pa, public.id, "hello bob")
        poster = asyncio.create_task(post_later())
        events = await asyncio.wait_for(read_events(response, 1), 10)
        await poster
    await client.aclose()
    assert events[0]["event"] == f"chat-{public.id}" and "hello bob" in events[0]["data"]
    assert "hidden" not in events[0]["data"]
    assert pb  # bob read nothing of the secret channel


async def test_stream_updates_unread_counts_and_reads_the_open_channel(server):
    alice, bob = await make_user(), await make_user()
    pa = await principal_for(alice)
    open_one = await chat.create_channel(pa, "open", member_ids=[bob.id])
    other = await chat.create_channel(pa, "other", member_ids=[bob.id])
    client = httpx.AsyncClient(base_url=server, timeout=10)
    await sign_in(client, bob)
    async with client.stream("GET", f"/chat/stream?open={open_one.id}") as response:
        events = sse_events(response)
        await chat.post_message(pa, open_one.id, "seen live")
        await chat.post_message(pa, other.id, "not yet")
        names, both_in = [], False
        while True:  # until the listing sent after both messages (one batch or two)
            event = await asyncio.wait_for(anext(events), 10)
            names.append(event["event"])
            both_in = both_in or "not yet" in event["data"]
            if event["event"] == "chat-channels" and both_in:
                listing = event["data"]
                break
    await client.aclose()
    assert [n for n in names if n != "chat-channels"] == [f"chat-{open_one.id}", f"chat-{other.id}"]
    unread = {c.title: c.unread for c in await chat.channel_list(await principal_for(bob))}
    assert unread == {"open": 0, "other": 1}  # read as it arrived in the open channel
    assert 'title="Unread">1<' in listing.replace("\n", "")


async def test_a_books_notification_arrives_live_with_the_readers_card(server):
    from tests.factories import make_customer, make_org, make_sent_invoice

    finance, sales = await make_user("Accountant"), await make_user("Sales")
    org = await make_org(finance)
    invoice = await make_sent_invoice(await principal_for(finance), await make_customer(org))
    channel = await chat.create_channel(await principal_for(finance), "books", member_ids=[sales.id])
    received = {}
    for user in (finance, sales):
        client = httpx.AsyncClient(base_url=server, timeout=10)
        await sign_in(client, user)
        async with client.stream("GET", "/chat/stream") as response:
            events = sse_events(response)
            if user is finance:  # live, as it is posted
                await chat.post_notification(channel.id, "請求書が支払われました", f"/books/invoices/{invoice.id}", {})
                received[user.id] = await asyncio.wait_for(anext(events), 10)
        if user is sales:  # caught up from before it
            async with client.stream("GET", "/chat/stream?last=0") as response:
                received[user.id] = await asyncio.wait_for(anext(sse_events(response)), 10)
        await client.aclose()
    for_finance, for_sales = received[finance.id]["data"], received[sales.id]["data"]
    assert "請求書が支払われました" in for_finance and "chat-system" in for_finance
    assert invoice.number in for_finance and 'class="chat-card"' in for_finance
    assert "請求書が支払われました" in for_sales
    assert invoice.number not in for_sales and "chat-card-hidden" in for_sales  # not in the organization


async def test_streams_per_user_are_capped(server):
    from tests.unit.test_jobs import until
    from views import chat as chat_views

    alice, bob = await make_user(), await make_user()
    client = httpx.AsyncClient(base_url=server, timeout=10)
    await sign_in(client, alice)
    streams = [client.stream("GET", "/chat/stream") for _ in range(chat_views.MAX_STREAMS_PER_USER)]
    readers = []  # kept: a line iterator that is collected closes its response
    for stream in streams:
        response = await stream.__aenter__()
        readers.append(response.aiter_lines())
        assert await anext(readers[-1]) == "retry: 3000"  # running
    try:
        refused = await client.get("/chat/stream")
        assert refused.status_code == 429
        other = httpx.AsyncClient(base_url=server, timeout=10)
        await sign_in(other, bob)  # the cap is per user: Bob is not refused
        async with other.stream("GET", "/chat/stream") as response:
            assert response.status_code == 200
        await other.aclose()
    finally:
        for stream in streams:
            await stream.__aexit__(None, None, None)
        await client.aclose()
    await until(lambda: alice.id not in chat_views._open_streams, 5, "the streams to end")


async def test_the_bar_shows_on_books_pages_only_when_enabled(client):
    alice = await make_user("Administrator")
    token = await sign_in(client, alice)
    await chat.create_channel(await principal_for(alice), "general")
    assert (await client.get("/chat/bar", params={"here": "/books/invoices"})).status_code == 200
    assert (await client.get("/chat/bar", params={"here": "/deals"})).status_code == 204
    await client.post("/chat/settings", data={"everywhere": "on", "csrf_token": token})
    assert (await client.get("/chat/bar", params={"here": "/deals"})).status_code == 200
    await client.post("/chat/settings", data={"csrf_token": token})  # off: no bar anywhere
    assert (await client.get("/chat/bar", params={"here": "/books/invoices"})).status_code == 204
    assert (await client.get("/chat/bar", params={"here": "/deals"})).status_code == 204


async def test_only_administrators_choose_where_the_bar_shows(client):
    bob = await make_user()
    token = await sign_in(client, bob)
    assert (await client.post("/chat/settings", data={"csrf_token": token})).status_code == 403
    assert (await chat.bar_settings()).bar_on_books


async def test_streams_end_when_the_client_goes_away_and_beat_meanwhile(server, monkeypatch):
    from tests.unit.test_jobs import until
    from views import chat as chat_views

    monkeypatch.setattr(chat_views, "HEARTBEAT_SECONDS", 0.05)
    alice = await make_user()
    client = httpx.AsyncClient(base_url=server, timeout=10)
    await sign_in(client, alice)
    async with client.stream("GET", "/chat/stream") as response:
        lines = response.aiter_lines()
        seen = [await asyncio.wait_for(anext(lines), 5) for _ in range(6)]
        assert ": ping" in seen  # a heartbeat while nothing happens
        assert chat_views._open_streams[alice.id] == 1
    await client.aclose()
    await until(lambda: alice.id not in chat_views._open_streams, 5, "the stream to end")


async def test_a_stream_ends_once_its_session_is_signed_out(server, monkeypatch):
    from app.models import UserSession
    from views import chat as chat_views

    monkeypatch.setattr(chat_views, "HEARTBEAT_SECONDS", 0.05)
    alice = await make_user()
    client = httpx.AsyncClient(base_url=server, timeout=10)
    await sign_in(client, alice)
    async with client.stream("GET", "/chat/stream") as response:
        lines = response.aiter_lines()
        assert await asyncio.wait_for(anext(lines), 5) == "retry: 3000"
        await UserSession.filter(user_id=alice.id).delete()  # "sign out every other session"
        rest = await asyncio.wait_for(_drain(lines), 5)  # the server closes it
    await client.aclose()
    assert all(line in ("", ": connected", ": ping") for line in rest)


async def _drain(lines) -> list[str]:
    return [line async for line in lines]


async def test_other_requests_are_served_while_streams_are_open(server):
    alice, bob = await make_user(), await make_user()
    watcher = httpx.AsyncClient(base_url=server, timeout=10)
    await sign_in(watcher, alice)
    other = httpx.AsyncClient(base_url=server, timeout=10)
    await sign_in(other, bob)
    streams = [watcher.stream("GET", "/chat/stream") for _ in range(3)]
    opened = [await s.__aenter__() for s in streams]
    try:
        assert all(r.status_code == 200 for r in opened)
        page = await asyncio.wait_for(other.get("/chat"), 5)
        assert page.status_code == 200
    finally:
        for s in streams:
            await s.__aexit__(None, None, None)
        await watcher.aclose()
        await other.aclose()


async def test_the_sse_extension_is_pinned_with_its_source_noted():
    import hashlib

    from app import settings

    vendor = settings.BASE_DIR / "static" / "vendor"
    digest = "98a46496de0c3605fbffdce9167ba427bdd9553184f83f149c261891a92c0136"
    assert hashlib.sha256((vendor / "htmx-ext-sse-2.2.4.min.js").read_bytes()).hexdigest() == digest
    readme = (vendor / "README.md").read_text()
    assert digest in readme and "htmx-ext-sse-2.2.4.tgz" in readme
    assert "htmx-2." in (vendor / "README.md").read_text()  # the extension's major follows htmx's
