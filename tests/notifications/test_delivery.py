"""Webhook deliveries against real loopback receivers: retries (500, 429 with Retry-After, a
timeout) end in exactly one delivery per event, in order per document, signed; refusals of
addresses inside the network; secrets at rest; disabling after repeated failures; rate limit."""

from __future__ import annotations

from app.models import Delivery, DeliveryStatus, Destination, EventType, Notification
from app.services import notification_delivery, notification_http, notification_settings as ns
from tests.notifications.conftest import invoice, raise_event, run

ALL = [t.value for t in EventType]


async def make_destination(world, receiver, kind="webhook", **values):
    destination, secret = await ns.create_destination(world.principal, world.org.id, {
        "kind": kind, "name": f"{kind} hook", "url": receiver.url, "event_types": ALL,
        "allow_private_network": True, **values})
    if secret:
        receiver.secret = secret
    return destination


async def test_retries_end_in_one_signed_delivery_per_event_in_order(world, receiver, clock, monkeypatch):
    monkeypatch.setattr(notification_delivery, "PARALLEL", 1)  # the receiver's script answers in arrival order
    destination = await make_destination(world, receiver)
    a, b = await invoice(world), await invoice(world)
    receiver.script = [500, (429, {"Retry-After": "120"}), "stall"]
    e1 = await raise_event(a, EventType.INVOICE_VIEWED)
    e2 = await raise_event(b, EventType.INVOICE_COMMENTED, comment="振込先を教えてください")
    e3 = await raise_event(a, EventType.INVOICE_PAID, amount="5000", currency="JPY")
    await run(clock)
    # a's first event failed (500) and holds back a's second; b's was asked to wait 120 s
    assert [r.status for r in receiver.received] == [500, 429]
    await run(clock, advance=5)  # backoff of a's event is over: the receiver stalls, the client gives up
    assert len(receiver.received) == 3
    assert (await Delivery.get(event_id=e1.id)).last_response == "timed out"
    await run(clock, advance=10)  # a's two events go, b's still waits for its Retry-After
    await run(clock, advance=120)
    await run(clock, advance=3600)  # nothing left: nothing more is sent
    delivered = receiver.delivered()
    ids = [r.headers["webhook-id"] for r in delivered]
    assert sorted(ids) == sorted(f"msg_{e.id}_{destination.id}" for e in (e1, e2, e3))  # each exactly once
    assert all(r.verified for r in receiver.received)  # signatures checked by standardwebhooks
    a_events = [r.json["type"] for r in delivered if r.json["data"]["document_id"] == a.id]
    assert a_events == ["invoice.viewed", "invoice.paid"]
    paid = next(r.json for r in delivered if r.json["type"] == "invoice.paid")
    assert paid["data"]["url"].endswith(f"/books/invoices/{a.id}") and paid["data"]["url"].startswith("http")
    assert "¥5,000" in paid["data"]["text"]
    log = {d.event_id: d for d in await Delivery.all()}
    assert log[e1.id].attempts == 3 and log[e2.id].attempts == 2 and log[e3.id].attempts == 1
    assert all(d.status == DeliveryStatus.DELIVERED for d in log.values())
    assert log[e2.id].last_status == 200


async def test_parallel_deliveries_keep_each_documents_order(world, receiver, clock):
    destination = await make_destination(world, receiver)
    invoices = [await invoice(world) for _ in range(3)]
    events = [await raise_event(txn, t) for t in (EventType.INVOICE_VIEWED, EventType.INVOICE_COMMENTED,
                                                   EventType.INVOICE_PAID) for txn in invoices]
    receiver.fail_once = {f"msg_{e.id}_{destination.id}" for e in events[:2] + events[4:5]}
    for _ in range(6):
        await run(clock, advance=5)
    delivered = receiver.delivered()
    assert sorted(r.headers["webhook-id"] for r in delivered) == sorted(
        f"msg_{e.id}_{destination.id}" for e in events)
    for txn in invoices:
        ids = [r.json["data"]["event_id"] for r in delivered if r.json["data"]["document_id"] == txn.id]
        assert ids == sorted(ids) and len(ids) == 3


async def test_the_checked_address_is_the_one_connected_to(world, receiver, clock):
    # "localhost" is resolved and checked once, then the request goes to that address with the
    # name in its Host header (a DNS answer that changes in between cannot redirect it).
    port = receiver.url.split(":")[2].split("/")[0]
    await make_destination(world, receiver, kind="slack", url=f"http://localhost:{port}/hook")
    await raise_event(await invoice(world), EventType.INVOICE_VIEWED)
    await run(clock)
    assert receiver.received[0].headers["host"] == f"localhost:{port}"
    assert (await Delivery.get()).status == DeliveryStatus.DELIVERED


async def test_chat_payload_shapes(world, receiver, clock):
    for kind in ("slack", "cliq", "teams", "google_chat"):
        await make_destination(world, receiver, kind=kind, name=kind)
    txn = await invoice(world)
    await raise_event(txn, EventType.INVOICE_PAID, amount="1200", currency="JPY")
    await run(clock)
    assert len(receiver.received) == 4
    by_shape = [r.json for r in receiver.received]
    url = f"/books/invoices/{txn.id}"
    slack_like = [b for b in by_shape if set(b) == {"text"}]
    assert len(slack_like) == 2 and all(url in b["text"] and "¥1,200" in b["text"] for b in slack_like)
    assert all(b["text"].endswith("|Open the document>") for b in slack_like)
    teams = next(b for b in by_shape if b.get("type") == "message")
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard" and card["content"]["actions"][0]["url"].endswith(url)
    cliq = next(b for b in by_shape if "buttons" in b)
    assert cliq["buttons"][0]["action"]["type"] == "open.url"
    assert cliq["buttons"][0]["action"]["data"]["web"].endswith(url)


async def test_messages_in_the_organization_language(world, receiver, clock):
    world.org.language = "ja"
    await world.org.save()
    await make_destination(world, receiver, kind="slack")
    txn = await invoice(world)
    await raise_event(txn, EventType.INVOICE_VIEWED)
    await run(clock)
    text = receiver.received[0].json["text"]
    assert txn.number in text and "閲覧" in text


async def test_addresses_inside_the_network_are_refused(world, receiver, clock):
    for name, url in (("ip", receiver.url), ("name", receiver.url.replace("127.0.0.1", "localhost"))):
        await make_destination(world, receiver, kind="slack", name=name, url=url, allow_private_network=False)
    await raise_event(await invoice(world), EventType.INVOICE_VIEWED)
    await run(clock)
    assert receiver.received == []
    for delivery in await Delivery.all():
        assert delivery.status == DeliveryStatus.FAILED and "inside the network" in delivery.last_response
    for address in ("10.0.0.1", "172.16.3.4", "192.168.1.1", "169.254.169.254", "::1", "::ffff:127.0.0.1",
                    "100.64.0.1", "0.0.0.0", "fe80::1", "fc00::1", "224.0.0.1"):
        assert notification_http.blocked(address), address
    assert not notification_http.blocked("93.184.216.34")


async def test_redirects_are_not_followed(world, receiver, clock):
    await make_destination(world, receiver, kind="slack")
    receiver.script = [(302, {"Location": receiver.url + "/elsewhere"})]
    await raise_event(await invoice(world), EventType.INVOICE_VIEWED)
    await run(clock)
    assert [r.path for r in receiver.received] == ["/hook"]
    assert (await Delivery.get()).status == DeliveryStatus.PENDING


async def test_an_endless_answer_is_cut_to_its_excerpt_and_the_attempt_ends(world, receiver, clock):
    from tests.notifications.conftest import FLOOD

    await make_destination(world, receiver, kind="slack")
    receiver.script = [FLOOD]
    await raise_event(await invoice(world), EventType.INVOICE_VIEWED)
    await run(clock)  # returns although the receiver never stops answering
    delivery = await Delivery.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_status == FLOOD and 0 < len(delivery.last_response) <= 300
    assert set(delivery.last_response) == {"あ"}


async def test_only_administrators_manage_destinations(world, receiver):
    import pytest

    from app.errors import NotFound, PermissionDenied
    from tests import factories as f

    seller = await f.principal_for(world.seller)
    with pytest.raises((PermissionDenied, NotFound)):
        await ns.create_destination(seller, world.org.id, {"kind": "slack", "name": "x", "url": receiver.url,
                                                           "event_types": ALL, "allow_private_network": True})
    destination = await make_destination(world, receiver, kind="slack")
    with pytest.raises(NotFound):
        await ns.send_test(seller, destination.id)
    assert receiver.received == []


async def test_secrets_are_encrypted_at_rest(world, receiver):
    from tortoise import connections

    destination = await make_destination(world, receiver, url=receiver.url + "?token=s3cr3t")
    rows = await connections.get("default").execute_query_dict(
        "SELECT url, secret FROM notification_destinations WHERE id = %d" % destination.id)
    assert "s3cr3t" not in rows[0]["url"] and rows[0]["url"].startswith("gAAAAA")
    assert "whsec_" not in rows[0]["secret"] and rows[0]["secret"].startswith("gAAAAA")
    assert (await Destination.get(id=destination.id)).url.endswith("token=s3cr3t")
    old = receiver.secret
    assert (new := await ns.rotate_secret(world.principal, destination.id)) != old and new.startswith("whsec_")


async def test_repeated_failures_disable_the_destination_and_tell_its_owner(world, receiver, clock, monkeypatch):
    monkeypatch.setattr(notification_delivery, "DISABLE_AFTER", 3)
    destination = await make_destination(world, receiver, kind="slack")
    receiver.default = 500
    for _ in range(3):
        await raise_event(await invoice(world), EventType.INVOICE_VIEWED)
    await run(clock)
    await run(clock, advance=3600)
    destination = await Destination.get(id=destination.id)
    assert destination.disabled_at is not None and "500" in destination.disabled_reason
    assert len(receiver.received) == 3
    assert {d.status for d in await Delivery.all()} == {DeliveryStatus.ABANDONED}
    notice = await Notification.get(type="destination.disabled")
    assert notice.user_id == world.admin.id and notice.data["name"] == destination.name
    await raise_event(await invoice(world), EventType.INVOICE_VIEWED)  # disabled: nothing new goes
    await run(clock, advance=3600)
    assert len(receiver.received) == 3 and await Delivery.all().count() == 3


async def test_rate_limit_per_destination(world, receiver, clock):
    await make_destination(world, receiver, kind="slack", rate_per_minute=2)
    for _ in range(5):
        await raise_event(await invoice(world), EventType.INVOICE_VIEWED)
    await run(clock)
    assert len(receiver.received) == 2
    await run(clock, advance=30)
    assert len(receiver.received) == 2
    await run(clock, advance=31)
    assert len(receiver.received) == 4
    await run(clock, advance=61)
    assert len(receiver.received) == 5 and len(receiver.delivered()) == 5


async def test_switching_notifications_off_stops_new_deliveries(world, receiver, clock):
    await make_destination(world, receiver, kind="slack")
    txn = await invoice(world)
    await raise_event(txn, EventType.INVOICE_VIEWED)
    await run(clock)
    await ns.set_enabled(world.principal, world.org.id, False)
    await raise_event(txn, EventType.INVOICE_PAID, amount="1", currency="JPY")
    await run(clock)
    assert len(receiver.received) == 1 and await Delivery.all().count() == 1


async def test_send_a_test_message(world, receiver):
    destination = await make_destination(world, receiver)
    answer = await ns.send_test(world.principal, destination.id)
    assert answer.ok and receiver.received[0].verified and receiver.received[0].json["type"] == "test"


async def test_a_change_queues_its_delivery_as_it_commits(world, receiver, clock):
    """A payment recorded by staff reaches the receiver through the jobs its change queued,
    without waiting for the periodic sweep."""
    from app import jobs, notification_tasks
    from app.services import payments
    from tests import factories as f

    await make_destination(world, receiver, kind="slack")
    sent = await f.make_sent_invoice(world.principal, world.customer, [("作業費", 1, 10000, 10)],
                                     organization_id=world.org.id)
    await payments.record_payment(world.principal, sent.id, {"amount": "4000", "date": "2026-11-20"})
    await jobs.run_pending(queues=[notification_tasks.QUEUE])  # no sweep: only what the change queued
    [received] = receiver.delivered()
    assert "4,000" in received.body.decode() or "4000" in received.body.decode()
