"""Transaction lists: only the current organization's records, status filter (derived statuses
too), search, pages, the `_rows` fragment; who may see them."""

from __future__ import annotations

from datetime import timedelta

from app.models import Membership, Role
from app.permissions import Principal
from app.services import payments, transactions
from tests import factories as f
from tests.querycount import count_queries
from tests.views.conftest import login

ROWS = {"HX-Request": "true", "HX-Target": "rows"}


async def test_list_shows_only_the_current_organizations_records(client, accountant, principal, customer):
    await f.make_transaction(principal, "invoice", customer)
    second = await f.make_org(accountant)  # the accountant belongs to both
    await f.make_transaction(await Principal.load(accountant), "invoice",
                             await f.make_customer(second, display_name="二番目の顧客"))
    stranger = await f.make_user("Accountant")
    outside = await f.make_org(stranger)
    await f.make_transaction(await Principal.load(stranger), "invoice",
                             await f.make_customer(outside, display_name="よその顧客"))

    page = await client.get("/books/invoices")
    assert page.status_code == 200
    assert "株式会社テスト" in page.text and "二番目の顧客" not in page.text and "よその顧客" not in page.text
    assert "1 record" in page.text
    switched = await client.get("/books/invoices", headers={"X-Organization-Id": str(second.id)})
    assert "二番目の顧客" in switched.text and "株式会社テスト" not in switched.text
    refused = await client.get("/books/invoices", headers={"X-Organization-Id": str(outside.id)})
    assert "よその顧客" not in refused.text  # not a member: back to the user's own organization


async def test_status_filter_with_derived_statuses_and_search(client, principal, customer, org):
    today = transactions.today_in(principal)
    draft = await f.make_transaction(principal, "invoice", customer, reference="PO-DRAFT")
    late = await f.make_sent_invoice(principal, customer, issue_date=today - timedelta(days=40),
                                     due_date=today - timedelta(days=10))
    paid = await f.make_sent_invoice(principal, customer, [("作業", 1, 1000, 10)])
    await payments.record_payment(principal, paid.id, {"amount": "1100"})
    other = await f.make_customer(org, display_name="株式会社さくら")
    sakura = await f.make_transaction(principal, "invoice", other)

    overdue = await client.get("/books/invoices?status=overdue", headers=ROWS)
    assert overdue.text.lstrip().startswith('<p class="count"')  # the fragment, not a page
    assert late.number in overdue.text and draft.number not in overdue.text
    assert '<span class="status status-overdue">Overdue</span>' in overdue.text
    drafts = (await client.get("/books/invoices?status=draft", headers=ROWS)).text
    assert draft.number in drafts and sakura.number in drafts and paid.number not in drafts
    assert "2 records" in drafts
    paid_rows = (await client.get("/books/invoices?status=paid", headers=ROWS)).text
    assert paid.number in paid_rows and '<span class="status status-paid">Paid</span>' in paid_rows
    assert "¥0" in paid_rows  # the balance column

    for q in ("さくら", sakura.number, "PO-DRAFT"):
        found = (await client.get(f"/books/invoices?q={q}", headers=ROWS)).text
        assert "1 record" in found, q
    full = await client.get("/books/invoices?status=draft&q=さくら")
    assert '<option value="draft" selected>' in full.text and 'value="さくら"' in full.text


async def test_estimates_show_expired_and_pages(client, principal, customer):
    today = transactions.today_in(principal)
    old = await f.make_transaction(principal, "estimate", customer, issue_date=today - timedelta(days=60))
    for _ in range(2):
        await f.make_transaction(principal, "estimate", customer)
    expired = (await client.get("/books/estimates?status=expired", headers=ROWS)).text
    assert old.number in expired and "1 record" in expired and "Expired" in expired
    first = await client.get("/books/estimates?per_page=2")
    assert "Page 1 of 2" in first.text and 'href="/books/estimates?per_page=2&amp;page=2"' in first.text
    assert "Expiry date" in first.text


async def test_who_sees_the_lists(client, principal, customer, org):
    await f.make_transaction(principal, "invoice", customer)
    client.cookies.clear()
    anonymous = await client.get("/books/invoices")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")

    await Role.create(name="Guest")
    guest = await f.make_user("Guest")
    await f.make_org(guest)
    await login(client, guest)
    assert (await client.get("/books/invoices")).status_code == 403

    sales = await f.make_user("Sales")  # reads invoices, may not write them
    await Membership.create(organization=org, user=sales)
    await login(client, sales)
    page = await client.get("/books/invoices")
    assert page.status_code == 200 and "INV-00001" in page.text
    assert 'id="new-record"' not in page.text
    assert 'id="new-record"' in (await client.get("/books/estimates")).text


async def test_sales_orders_only_in_the_books_edition(client, org):
    assert (await client.get("/books/sales-orders")).status_code == 200
    org.edition = "invoice"
    await org.save()
    page = await client.get("/books/sales-orders")
    assert page.status_code == 404
    assert "Sales orders exist only in the Books edition." in page.text
    assert (await client.get("/books/sales-orders/new")).status_code == 404


async def test_list_queries_do_not_grow_with_rows(client, principal, customer, org):
    async def queries() -> int:
        with count_queries() as log:
            response = await client.get("/books/invoices", headers=ROWS)
        assert response.status_code == 200
        return len(log)

    await f.make_transaction(principal, "invoice", customer)
    await queries()  # what the user may reach is read once, then kept
    few = await queries()
    for _ in range(5):
        await f.make_transaction(principal, "invoice", await f.make_customer(org))
    assert await queries() == few
    assert few <= 3, "the user with their session and the access stamp, count, rows with their customers"
