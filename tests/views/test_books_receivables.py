"""Receivables per customer: invoiced, paid, outstanding, overdue and aging, with totals; only for
the receivables.view grant and the current organization."""

from __future__ import annotations

from datetime import timedelta

from app.models import Membership
from app.services import payments, transactions
from tests import factories as f
from tests.views.conftest import login, text_of


def cells(html: str, row_id: str) -> list[str]:
    import re

    row = re.search(rf'<tr[^>]*id="{row_id}">(.*?)</tr>', html, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


async def test_receivables_per_customer_with_aging_and_totals(client, principal, customer, org):
    today = transactions.today_in(principal)
    late = await f.make_sent_invoice(principal, customer, [("作業", 1, 10000, 10)],
                                     issue_date=today - timedelta(days=80), due_date=today - timedelta(days=45))
    await payments.record_payment(principal, late.id, {"amount": "1000"})
    await f.make_sent_invoice(principal, customer, [("作業", 1, 5000, 10)], due_date=today + timedelta(days=10))
    await f.make_transaction(principal, "invoice", customer)  # a draft: not counted
    other = await f.make_customer(org, display_name="株式会社さくら")
    await f.make_sent_invoice(principal, other, [("保守", 1, 20000, 10)],
                              issue_date=today - timedelta(days=120), due_date=today - timedelta(days=95))

    page = await client.get("/books/receivables")
    assert page.status_code == 200
    assert cells(page.text, f"customer-{customer.id}") == [
        "株式会社テスト", "¥16,500", "¥1,000", "¥0", "¥15,500", "¥10,000", "¥0", "¥15,500",
        "¥5,500", "¥0", "¥10,000", "¥0", "¥0"]
    assert cells(page.text, f"customer-{other.id}") == [
        "株式会社さくら", "¥22,000", "¥0", "¥0", "¥22,000", "¥22,000", "¥0", "¥22,000",
        "¥0", "¥0", "¥0", "¥0", "¥22,000"]
    assert cells(page.text, "total-JPY") == [
        "Total", "¥38,500", "¥1,000", "¥0", "¥37,500", "¥32,000", "¥0", "¥37,500",
        "¥5,500", "¥0", "¥10,000", "¥0", "¥22,000"]
    assert f'<a href="/books/contacts/{other.id}">株式会社さくら</a>' in page.text
    assert page.text.index("株式会社さくら") < page.text.index("株式会社テスト")  # most owed first


async def test_receivables_need_their_grant(client, org):
    sales = await f.make_user("Sales")
    await Membership.create(organization=org, user=sales)
    await login(client, sales)
    assert (await client.get("/books/receivables")).status_code == 403
    assert 'href="/books/receivables"' not in (await client.get("/books/invoices")).text
