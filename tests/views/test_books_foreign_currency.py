"""Foreign-currency documents on pages: receivables in the invoice's currency with a yen
equivalent and a total in yen, the home block and a customer's page alike."""

from __future__ import annotations

from datetime import timedelta

from app.services import payments, transactions
from tests import factories as f
from tests.views.conftest import text_of
from tests.views.test_books_receivables import cells
from tests.views.test_home import block

RATE = {"exchange_rate": "150", "exchange_rate_date": "2026-11-20"}


async def usd_world(principal, org, customer):
    today = transactions.today_in(principal)
    acme = await f.make_customer(org, currency="USD", display_name="Acme Inc.")
    late = await f.make_sent_invoice(principal, acme, [("Consulting", 1, "1000", 10)], **RATE,
                                     issue_date=today - timedelta(days=50), due_date=today - timedelta(days=20))
    await payments.record_payment(principal, late.id, {"amount": "100"})
    await f.make_sent_invoice(principal, acme, [("Support", 1, "200", 10)], due_date=today + timedelta(days=5),
                              exchange_rate="151.5", exchange_rate_date="2026-11-25")
    await f.make_sent_invoice(principal, customer, [("作業", 1, 10000, 10)], due_date=today + timedelta(days=5))
    return acme


async def test_receivables_show_the_invoice_currency_with_yen_and_total_in_yen(client, principal, org, customer):
    acme = await usd_world(principal, org, customer)
    page = (await client.get("/books/receivables")).text
    # 1,100 USD at 150 and 220 USD at 151.5: ¥165,000 + ¥33,330; paid 100 USD at 150: ¥15,000
    assert cells(page, f"customer-{acme.id}-USD") == [
        "Acme Inc. (USD)", "1,320.00 USD ≈ ¥198,330", "100.00 USD ≈ ¥15,000", "0.00 USD ≈ ¥0",
        "1,220.00 USD ≈ ¥183,330", "1,000.00 USD ≈ ¥150,000", "0.00 USD ≈ ¥0", "1,220.00 USD ≈ ¥183,330",
        "220.00 USD ≈ ¥33,330", "1,000.00 USD ≈ ¥150,000", "0.00 USD ≈ ¥0", "0.00 USD ≈ ¥0", "0.00 USD ≈ ¥0"]
    assert cells(page, f"customer-{customer.id}")[:5] == ["株式会社テスト", "¥11,000", "¥0", "¥0", "¥11,000"]
    assert cells(page, "total-USD")[4] == "1,220.00 USD ≈ ¥183,330"
    assert cells(page, "total-yen") == [
        "Total in yen", "¥209,330", "¥15,000", "¥0", "¥194,330", "¥150,000", "¥0", "¥194,330", "¥44,330",
        "¥150,000", "¥0", "¥0", "¥0"]
    # most owed first, compared in yen
    assert page.index("Acme Inc.") < page.index("株式会社テスト")


async def test_yen_only_receivables_have_no_second_total(client, principal, customer):
    await f.make_sent_invoice(principal, customer)
    page = (await client.get("/books/receivables")).text
    assert 'id="total-JPY"' in page and 'id="total-yen"' not in page and "≈" not in page


async def test_home_block_totals_in_yen(client, principal, org, customer):
    await usd_world(principal, org, customer)
    text = await block(client, "receivables")
    assert "1,220.00 USD" in text.split('id="home-receivables-USD"')[1].split("</tr>")[0]
    row = text.split('id="home-receivables-yen"')[1].split("</tr>")[0]
    assert "¥194,330" in row and "¥150,000" in row


async def test_a_usd_customer_page_shows_what_it_owes_in_dollars_and_yen(client, principal, org, customer):
    acme = await usd_world(principal, org, customer)
    page = (await client.get(f"/books/contacts/{acme.id}")).text
    assert text_of(page, "value-outstanding") == "1,220.00 USD (≈ ¥183,330)"
    assert text_of(page, "value-overdue") == "1,000.00 USD (≈ ¥150,000)"


# ---- the form and the detail page --------------------------------------------------------------

from tests.views.conftest import HX, hx_post  # noqa: E402
from tests.views.test_books_form import error_at, line  # noqa: E402


def form_data(contact, **kw) -> dict:
    return {"contact_id": str(contact.id), "issue_date": "2026-11-30", "due_date": "", "reference": "", "subject": "",
            "salesperson_id": "", "notes": "", "terms": "", **line(0, "Consulting", "1", "333.33"), **kw}


async def test_the_form_asks_for_the_rate_of_a_usd_customer_only(client, principal, org, customer):
    acme = await f.make_customer(org, currency="USD", display_name="Acme Inc.")
    new = (await client.get("/books/invoices/new")).text
    assert 'id="exchange-rate"' in new and 'name="exchange_rate"' not in new  # no customer chosen yet: yen
    assert 'hx-get="/books/invoices/exchange"' in new and 'hx-trigger="change from:#contact_id"' in new
    usd = await client.get(f"/books/invoices/exchange?contact_id={acme.id}&exchange_rate=151", headers=HX)
    assert usd.status_code == 200
    assert 'name="exchange_rate"' in usd.text and 'value="151"' in usd.text and 'name="exchange_rate_date"' in usd.text
    assert "billed in USD" in usd.text
    yen = await client.get(f"/books/invoices/exchange?contact_id={customer.id}", headers=HX)
    assert 'id="exchange-rate"' in yen.text and 'name="exchange_rate"' not in yen.text
    hostile = await client.get("/books/invoices/exchange?contact_id=%00%ED&exchange_rate=%ED%A0%80x", headers=HX)
    assert hostile.status_code == 200


async def test_a_usd_invoice_through_the_form_and_its_page(client, principal, org):
    from app.models import Transaction

    acme = await f.make_customer(org, currency="USD", display_name="Acme Inc.")
    bad = await hx_post(client, "/books/invoices", form_data(acme, exchange_rate="", exchange_rate_date=""))
    assert bad.status_code == 422
    assert error_at(bad.text, "exchange_rate") == "Enter the exchange rate of USD: yen per 1 USD."
    assert error_at(bad.text, "exchange_rate_date") == "Enter the date of the exchange rate."
    assert 'name="exchange_rate"' in bad.text  # the fields stay on the page with their messages
    assert not await Transaction.exists()
    ok = await hx_post(client, "/books/invoices", form_data(acme, exchange_rate="150.25",
                                                            exchange_rate_date="2026-11-28"))
    assert ok.status_code == 200
    invoice = await Transaction.get(number="INV-00001")
    page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert text_of(page, "value-exchange_rate") == "1 USD = 150.25 yen (Nov 28, 2026)"
    assert text_of(page, "sum-10-subtotal-jpy") == "¥50,083" and text_of(page, "sum-10-tax-jpy") == "¥5,008"
    assert text_of(page, "value-total-jpy") == "¥55,091"
    edit = (await client.get(f"/books/invoices/{invoice.id}/edit")).text
    assert 'value="150.25"' in edit and 'value="2026-11-28"' in edit


async def test_the_payments_list_totals_what_was_received_per_currency_and_in_yen(client, principal, org, customer):
    acme = await usd_world(principal, org, customer)
    from app.models import Transaction

    yen_invoice = await Transaction.filter(contact_id=customer.id).first()
    await payments.record_payment(principal, yen_invoice.id, {"amount": "1000"})
    page = (await client.get("/books/payments")).text
    import re

    assert "100.00 USD ≈ ¥15,000" in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert cells(page, "received-USD")[:2] == ["Received (USD)", "100.00 USD"]
    assert cells(page, "received-JPY")[:2] == ["Received (JPY)", "¥1,000"]
    assert cells(page, "received-yen")[:2] == ["Received in yen", "¥16,000"]
    only_acme = (await client.get(f"/books/payments?contact={acme.id}")).text
    assert cells(only_acme, "received-yen")[:2] == ["Received in yen", "¥15,000"]
    yen_only = (await client.get(f"/books/payments?contact={customer.id}")).text
    assert 'id="received-JPY"' in yen_only and 'id="received-yen"' not in yen_only


async def test_the_live_totals_show_the_tax_in_yen_once_a_rate_is_typed(client, principal, org):
    acme = await f.make_customer(org, currency="USD", display_name="Acme Inc.")
    data = {"contact_id": str(acme.id), **line(0, "Consulting", "1", "333.33"), "exchange_rate": "150.25"}
    sums = await hx_post(client, "/books/invoices/totals", data)
    assert text_of(sums.text, "sum-10-tax") == "33.33 USD" and text_of(sums.text, "sum-10-tax-jpy") == "¥5,008"
    without = await hx_post(client, "/books/invoices/totals", {**data, "exchange_rate": "-1"})
    assert without.status_code == 200 and "sum-10-tax-jpy" not in without.text
