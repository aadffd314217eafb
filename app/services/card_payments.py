"""Card payments of invoices from the customer portal, through a provider (a registry; Stripe
Checkout first, with stripe's official library).

A provider is offered only when configured (Stripe: settings.STRIPE_SECRET_KEY and
STRIPE_WEBHOOK_SECRET). Paying opens the provider's hosted page for the invoice's balance; the
money is recorded when the provider's signed webhook says the payment succeeded. A webhook event
is applied exactly once: its id is stored (`CardPaymentEvent`, unique per provider) in the same
database transaction as the payment, so a second delivery changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from tortoise.exceptions import IntegrityError

from app import settings
from app.errors import KizunaError
from app.i18n import N_
from app.models import CardPaymentEvent, Payment, PaymentMode, Transaction
from app.money import format_money, minor_unit
from app.services import history, notifications, payments
from app.services.portal import today


class BadWebhook(KizunaError):
    code = "bad_webhook"

    def __init__(self, msgid: str = N_("The webhook could not be verified.")) -> None:
        super().__init__(msgid)


class ProviderFailed(KizunaError):
    code = "provider_failed"

    def __init__(self, msgid: str = N_("The card payment could not be started. Try again later.")) -> None:
        super().__init__(msgid)


@dataclass(frozen=True)
class Paid:
    """A verified provider event saying an invoice was paid."""
    event_id: str
    invoice_id: int
    amount: Decimal  # in the currency's minor unit, as providers count
    currency: str
    reference: str


class Provider(Protocol):
    name: str

    def available(self) -> bool: ...

    async def checkout_url(self, invoice: Transaction, success_url: str, cancel_url: str) -> str: ...

    def verify(self, payload: bytes, signature: str) -> Paid | None: ...


def to_minor(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(minor_unit(currency)))


def from_minor(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-minor_unit(currency))


class Stripe:
    name = "stripe"

    def available(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)

    def _client(self):
        import stripe
        addresses = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=stripe.HTTPXClient(),
                                   base_addresses=addresses, max_network_retries=0)

    async def checkout_url(self, invoice: Transaction, success_url: str, cancel_url: str) -> str:
        import stripe
        params: dict[str, Any] = {
            "mode": "payment", "success_url": success_url, "cancel_url": cancel_url,
            "client_reference_id": str(invoice.id),
            "metadata": {"invoice_id": str(invoice.id), "number": invoice.number},
            "line_items": [{"quantity": 1, "price_data": {
                "currency": invoice.currency.lower(),
                "unit_amount": to_minor(invoice.balance, invoice.currency),
                "product_data": {"name": invoice.number}}}],
        }
        try:
            session = await self._client().v1.checkout.sessions.create_async(params)
        except stripe.StripeError:
            raise ProviderFailed() from None
        if not session.url:
            raise ProviderFailed()
        return session.url

    def verify(self, payload: bytes, signature: str) -> Paid | None:
        import stripe
        try:
            event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
        except (ValueError, stripe.SignatureVerificationError):
            raise BadWebhook() from None
        if event.type != "checkout.session.completed":
            return None
        obj = event.data.object.to_dict()
        if obj.get("payment_status") != "paid":
            return None
        try:
            invoice_id = int((obj.get("metadata") or {}).get("invoice_id") or obj.get("client_reference_id"))
            amount = int(obj.get("amount_total"))
        except (TypeError, ValueError):
            raise BadWebhook() from None
        currency = str(obj.get("currency") or "").upper()
        return Paid(event_id=event.id, invoice_id=invoice_id, amount=Decimal(amount), currency=currency,
                    reference=str(obj.get("id") or "")[:100])


PROVIDERS: dict[str, Provider] = {"stripe": Stripe()}


def offered() -> list[Provider]:
    return [p for p in PROVIDERS.values() if p.available()]


def provider(name: str) -> Provider | None:
    p = PROVIDERS.get(name)
    return p if p is not None and p.available() else None


async def apply(provider_name: str, paid: Paid) -> Payment | None:
    """Record the payment of a verified event, once per event id; None when already applied (or
    when the invoice is gone or cannot take payments: the event is kept, nothing else changes)."""
    try:
        async with notifications.change():
            event = await CardPaymentEvent.create(provider=provider_name, event_id=paid.event_id[:255])
            invoice = await Transaction.filter(id=paid.invoice_id).select_for_update().first()
            if invoice is None or invoice.status not in payments.PAYABLE or paid.currency != invoice.currency:
                return None
            amount = from_minor(int(paid.amount), invoice.currency)
            payment = await Payment.create(organization_id=invoice.organization_id, invoice_id=invoice.id,
                                           amount=amount, date=today(), mode=PaymentMode.CREDIT_CARD,
                                           reference=paid.reference)
            payments.settle(invoice, paid=invoice.amount_paid + amount)
            await invoice.save()
            money = format_money(amount, invoice.currency)
            await history.record(invoice, "paid", N_("Card payment of %(amount)s received (%(reference)s)."),
                                 amount=money, reference=paid.reference)
            await payments.record_paid_event(invoice, payment, actor="")
            event.invoice_id, event.payment_id = invoice.id, payment.id
            await event.save()
            return payment
    except IntegrityError:  # this event id was applied before
        return None

