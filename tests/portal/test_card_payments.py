"""Card payments through Stripe Checkout: not offered without keys; with keys, the Checkout
session is created against a fake Stripe API on loopback, and a signed webhook is applied exactly
once even when delivered twice; a wrong signature is refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app import settings
from app.models import CardPaymentEvent, EventType, NotificationEvent, Payment, Status, Transaction
from tests.portal.conftest import form_post

WEBHOOK_SECRET = "whsec_test_portal"


class FakeStripe:
    """Stripe's API as far as Checkout goes: records the sessions asked for."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.app = Starlette(routes=[Route("/v1/checkout/sessions", self.create, methods=["POST"])])

    async def create(self, request: Request) -> JSONResponse:
        form = parse_qs((await request.body()).decode())
        self.requests.append({"auth": request.headers.get("authorization", ""), "form": form})
        return JSONResponse({"id": "cs_test_1", "object": "checkout.session",
                             "url": "https://checkout.stripe.test/c/pay/cs_test_1", "payment_status": "unpaid"})


@pytest.fixture
def fake_stripe(monkeypatch):
    fake = FakeStripe()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "fake Stripe did not start"
        time.sleep(0.01)
    monkeypatch.setattr(settings, "STRIPE_SECRET_KEY", "sk_test_portal")
    monkeypatch.setattr(settings, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setattr(settings, "STRIPE_API_BASE", f"http://127.0.0.1:{port}")
    yield fake
    server.should_exit = True
    thread.join(timeout=10)


def signed(payload: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    """Stripe's signature scheme: v1 = HMAC-SHA256 of "<timestamp>.<payload>"."""
    ts = int(time.time())
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={ts},v1={mac}", "Content-Type": "application/json"}


def completed(invoice: Transaction, amount: int, event_id: str = "evt_1") -> bytes:
    return json.dumps({
        "id": event_id, "object": "event", "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_test_1", "object": "checkout.session", "payment_status": "paid",
                            "amount_total": amount, "currency": "jpy", "client_reference_id": str(invoice.id),
                            "metadata": {"invoice_id": str(invoice.id)}}},
    }).encode()


async def test_without_keys_card_payment_is_not_offered(client, invoice):
    url = f"/portal/{invoice.portal_token}"
    page = await client.get(url)
    assert 'action="' + url + '/card"' not in page.text
    assert (await form_post(client, url, url + "/card", {"provider": "stripe"})).status_code == 404
    assert (await client.post("/portal/webhooks/stripe", content=completed(invoice, 110000),
                              headers=signed(completed(invoice, 110000)))).status_code == 404


async def test_checkout_session_is_created_for_the_balance(client, invoice, fake_stripe):
    url = f"/portal/{invoice.portal_token}"
    page = await client.get(url)
    assert url + "/card" in page.text
    response = await form_post(client, url, url + "/card", {"provider": "stripe"})
    assert response.status_code == 303
    assert response.headers["location"] == "https://checkout.stripe.test/c/pay/cs_test_1"
    (request,) = fake_stripe.requests
    assert request["auth"] == "Bearer sk_test_portal"
    assert request["form"]["line_items[0][price_data][unit_amount]"] == ["110000"]
    assert request["form"]["line_items[0][price_data][currency]"] == ["jpy"]
    assert request["form"]["metadata[invoice_id]"] == [str(invoice.id)]


async def test_signed_webhook_applied_exactly_once(client, invoice, fake_stripe):
    payload = completed(invoice, 40000)
    for _ in range(2):
        response = await client.post("/portal/webhooks/stripe", content=payload, headers=signed(payload))
        assert response.status_code == 200
    (payment,) = await Payment.filter(invoice_id=invoice.id)
    assert payment.amount == Decimal("40000") and payment.mode == "credit_card"
    fresh = await Transaction.get(id=invoice.id)
    assert fresh.status == Status.PARTIALLY_PAID and fresh.balance == Decimal("70000")
    assert await CardPaymentEvent.filter(event_id="evt_1").count() == 1
    (event,) = await NotificationEvent.filter(type=EventType.INVOICE_PAID)
    assert event.data["amount"] == "¥40,000" and event.data["mode"] == "credit_card"


async def test_wrong_signature_is_refused(client, invoice, fake_stripe):
    payload = completed(invoice, 40000)
    response = await client.post("/portal/webhooks/stripe", content=payload, headers=signed(payload, "whsec_wrong"))
    assert response.status_code == 400
    response = await client.post("/portal/webhooks/stripe", content=payload, headers={"Stripe-Signature": "garbage"})
    assert response.status_code == 400
    assert not await Payment.exists() and not await CardPaymentEvent.exists()


async def test_a_payment_in_another_currency_changes_nothing(client, invoice, fake_stripe):
    payload = completed(invoice, 40000).replace(b'"jpy"', b'"usd"')
    assert (await client.post("/portal/webhooks/stripe", content=payload, headers=signed(payload))).status_code == 200
    assert not await Payment.exists()
