"""Settings > Integrations > Chat and the in-app notifications as pages: administrators add a
signed webhook (its secret shown once), test it, see its delivery log; others get 403; the bell
shows the unread count; users mark read and opt out."""

from __future__ import annotations

from app.models import Destination, EventType
from tests import factories as f
from tests.notifications.conftest import invoice, raise_event, run
from tests.views.conftest import login, post

PAGE = "/books/settings/integrations/chat"


async def test_administrators_manage_destinations(client, world, receiver, clock):
    await login(client, world.admin)
    page = await client.get(PAGE)
    assert page.status_code == 200 and 'id="no-destinations"' in page.text
    bad = await post(client, f"{PAGE}/destinations", {"kind": "webhook", "name": "", "url": "ftp://x"})
    assert bad.status_code == 422 and 'id="error-url"' in bad.text and 'id="error-name"' in bad.text
    assert await Destination.all().count() == 0
    made = await post(client, f"{PAGE}/destinations", {
        "kind": "webhook", "name": "会計システム", "url": receiver.url, "allow_private_network": "on",
        "event_types": ["invoice.paid", "invoice.viewed"], "enabled": "on", "rate_per_minute": "60"})
    assert made.status_code == 200 and 'id="secret"' in made.text and made.headers["cache-control"] == "no-store"
    destination = await Destination.get()
    secret = made.text.split('id="secret">')[1].split("<")[0]
    assert secret.startswith("whsec_") and destination.secret == secret
    assert secret not in (await client.get(PAGE)).text  # shown once
    receiver.secret = secret
    tested = await post(client, f"{PAGE}/destinations/{destination.id}/test")
    assert 'id="test-result"' in tested.text and receiver.received[0].verified
    await raise_event(await invoice(world), EventType.INVOICE_PAID, amount="3000", currency="JPY")
    await run(clock)
    page = await client.get(PAGE)
    assert f'id="log-{destination.id}"' in page.text and "Delivered" in page.text
    # The webhook URL (it may carry credentials) is never shown back, but can be replaced.
    assert receiver.url not in page.text
    keep = {"name": "会計システム", "rate_per_minute": "60", "allow_private_network": "on",
            "event_types": ["invoice.paid"], "enabled": "on"}
    assert (await post(client, f"{PAGE}/destinations/{destination.id}", {**keep, "url": ""})).status_code == 303
    assert (await Destination.get()).url == receiver.url  # empty: unchanged
    moved = receiver.url.replace("/hook", "/hook2")
    assert (await post(client, f"{PAGE}/destinations/{destination.id}", {**keep, "url": moved})).status_code == 303
    assert (await Destination.get()).url == moved
    refused = await post(client, f"{PAGE}/destinations/{destination.id}", {**keep, "url": "ftp://x"})
    assert refused.status_code == 422 and (await Destination.get()).url == moved
    off = await post(client, f"{PAGE}/switch", {})
    assert off.status_code == 303 and off.headers["location"].endswith("done=off")
    removed = await post(client, f"{PAGE}/destinations/{destination.id}/delete")
    assert removed.status_code == 303 and await Destination.all().count() == 0


async def test_others_are_refused(client, world):
    await login(client, world.seller)
    assert (await client.get(PAGE)).status_code == 403
    assert (await post(client, f"{PAGE}/destinations", {"kind": "slack", "name": "x",
                                                        "url": "https://hooks.example.com/x"})).status_code == 403


async def test_bell_inbox_and_preferences(client, world, clock):
    await raise_event(await invoice(world), EventType.INVOICE_VIEWED)
    await run(clock)
    await login(client, world.seller)
    home = await client.get("/notifications")
    assert 'hx-get="/notifications/bell"' in home.text
    bell = await client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert 'id="unread-count">1<' in bell.text
    assert "Invoice viewed" in home.text
    ja = await client.get("/notifications", headers={"Accept-Language": "ja"})
    assert ja.status_code == 200
    await post(client, "/notifications/read")
    assert "unread-count" not in (await client.get("/notifications/bell")).text
    await post(client, "/notifications/preferences", {"invoice.paid": "on"})
    page = await client.get("/notifications")
    assert 'name="invoice.viewed">' in page.text and 'name="invoice.paid" checked>' in page.text
    other = await f.make_user("Sales", email="other-bell@example.jp")
    await login(client, other)
    assert "unread-count" not in (await client.get("/notifications/bell")).text
