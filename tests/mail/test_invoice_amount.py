"""The default invoice mail states the amount billed (issue 10, section 6): the total, and the
balance left to pay only when part of the invoice is paid — never ¥0 on a paid invoice."""

from __future__ import annotations

from app.mail.templates import DEFAULT_TEMPLATES, render_template
from app.permissions import Principal
from app.services import payments
from app.services.sending import placeholder_values
from tests import factories as f


async def mail_of(txn, lang: str) -> str:
    _, body = DEFAULT_TEMPLATES["invoice"][lang]
    return render_template(body, await placeholder_values(txn, lang))


async def test_invoice_mail_amount_unpaid_partly_paid_and_paid(db):
    user = await f.make_user("Accountant")
    org = await f.make_org(user)
    principal = await Principal.load(user)
    invoice = await f.make_sent_invoice(principal, await f.make_customer(org), [("作業費", 1, 100000, 10)])

    ja, en = await mail_of(invoice, "ja"), await mail_of(invoice, "en")
    assert "ご請求金額：¥110,000" in ja and "お支払残高" not in ja
    assert "Invoice total: ¥110,000" in en and "Balance due" not in en

    await payments.record_payment(principal, invoice.id, {"amount": "10000"})
    await invoice.refresh_from_db()
    ja, en = await mail_of(invoice, "ja"), await mail_of(invoice, "en")
    assert "ご請求金額：¥110,000\nお支払残高：¥100,000" in ja
    assert "Invoice total: ¥110,000\nBalance due: ¥100,000" in en

    await payments.record_payment(principal, invoice.id, {"amount": "100000"})
    await invoice.refresh_from_db()
    ja, en = await mail_of(invoice, "ja"), await mail_of(invoice, "en")
    assert "ご請求金額：¥110,000" in ja and "¥0" not in ja and "お支払残高" not in ja
    assert "Invoice total: ¥110,000" in en and "¥0" not in en
