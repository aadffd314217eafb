"""What a Books page says once a write is done (a flash message on the page that follows): the
wording of every create, save and payment here, that of each status change with its action
(`transactions_workflow.ACTIONS`, `Action.done`). The document's kind is translated, its number
and amounts are data.

    done(request, SAVED, txn)   ->  "Invoice INV-00001 was saved."
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from app import kinds
from app.i18n import N_
from app.models import Kind, Status, Transaction
from views.flash import flash_text
from views.templating import translator

CREATED = N_("%(kind)s %(number)s was created.")
SAVED = N_("%(kind)s %(number)s was saved.")
SENT_BY_EMAIL = N_("%(kind)s %(number)s was sent by e-mail.")
PAYMENT_RECORDED = N_("Payment of %(amount)s recorded on %(number)s.")
PAYMENT_VOIDED = N_("Payment of %(amount)s on %(number)s voided.")
ACCEPTED_ON_BEHALF = N_("%(kind)s %(number)s was accepted on the customer's behalf.")
ACCEPTANCE_REVERTED = N_("The acceptance of %(kind)s %(number)s was reverted.")
TRANSFER_CONFIRMED = N_("The transfer was confirmed and recorded as a payment on %(number)s.")
TRANSFER_DISMISSED = N_("The transfer report on %(number)s was dismissed.")
CREDIT_APPLIED = N_("Credit of %(amount)s from %(number)s applied.")
CREDIT_APPLICATION_VOIDED = N_("Credit of %(amount)s from %(number)s voided.")
REFUND_RECORDED = N_("Refund of %(amount)s recorded on %(number)s.")
REFUND_VOIDED = N_("Refund of %(amount)s on %(number)s voided.")
LINK_REVOKED = N_("The customer's link to %(kind)s %(number)s no longer works.")
# Said after the message of a sending, when the invoice was for nothing (payments.settle_if_nothing_due).
NOTHING_DUE = N_("Nothing is due on it, so it is paid.")


def done(request: Request, msgid: str, txn: Transaction, *, sent: bool = False, **params: Any) -> None:
    """Flash `msgid` about `txn`; `sent`: the write sent it (an invoice for nothing is then paid)."""
    _ = translator(request)
    text = _(msgid) % {"kind": _(kinds.of(txn.kind).singular), "number": txn.number, **params}
    if sent and txn.kind == Kind.INVOICE and txn.status == Status.PAID and txn.total <= 0:
        text = f"{text} {_(NOTHING_DUE)}"
    flash_text(request, text)
