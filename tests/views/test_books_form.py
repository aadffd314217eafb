"""The transaction form: line errors beside their inputs (rows keep their keys across gaps),
nothing typed lost, success; the line editor's endpoints (add a row, fill from an item) and
the live per-rate totals; editing; estimates' default expiry."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from app.models import Transaction, TransactionLine
from app.services import transactions, workflow
from tests import factories as f
from tests.views.conftest import hx_post, post, text_of


def error_at(html: str, path: str) -> str:
    """The message rendered next to an input (`lines.2.rate` -> #error-lines-2-rate)."""
    element = path.replace(".", "-")
    match = re.search(rf'<p class="field-error" id="error-{element}" role="alert">([^<]+)</p>', html)
    assert match, f"no message for {path}"
    return match.group(1)


def line(key: int, description: str = "", quantity: str = "1", rate: str = "", tax_rate: str = "10", **kw) -> dict:
    values = {"description": description, "quantity": quantity, "rate": rate, "tax_rate": tax_rate,
              "item_id": "", "unit": "", "discount": "", **kw}
    return {f"lines-{key}-{name}": value for name, value in values.items()}


async def test_create_with_a_line_error_first_then_success(client, principal, customer):
    form = (await client.get("/books/invoices/new")).text
    assert '<option value="%d">株式会社テスト</option>' % customer.id in form
    assert 'name="lines-0-quantity"' in form and 'id="add-line"' in form
    data = {"contact_id": str(customer.id), "issue_date": "2026-01-15", "due_date": "", "reference": "発注123",
            "subject": "", "salesperson_id": "", "notes": "よろしくお願いします", "terms": "",
            **line(0, "コンサルティング", "2", "5000"),
            **line(2, "お弁当", "3", "abc", "8"),  # row 1 was removed: a gap
            **line(3)}  # left blank: ignored
    bad = await hx_post(client, "/books/invoices", data)
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith('<form id="txn-form"')
    assert error_at(bad.text, "lines.2.rate") == "Enter a number."
    assert 'id="lines-2-rate" aria-label="Rate" aria-invalid="true"' in bad.text
    assert 'value="abc"' in bad.text and "お弁当" in bad.text and 'value="発注123"' in bad.text
    assert '<option value="reduced" selected>' in bad.text and 'name="lines-3-quantity"' in bad.text
    assert text_of(bad.text, "sum-10-tax") == "¥1,000"  # the valid line is already priced
    assert not await Transaction.exists()

    data["lines-2-rate"] = "800"
    ok = await hx_post(client, "/books/invoices", data)
    invoice = await Transaction.get(number="INV-00001")
    assert ok.status_code == 200 and ok.headers["HX-Location"] == f"/books/invoices/{invoice.id}"
    lines = await TransactionLine.filter(transaction_id=invoice.id).order_by("position")
    assert [(x.description, x.amount) for x in lines] == [("コンサルティング", 10000), ("お弁当", 2400)]
    assert invoice.due_date == date(2026, 2, 28)  # left empty: the customer's terms (end of next month)
    assert (invoice.total, invoice.reference, invoice.notes) == (Decimal(13592), "発注123", "よろしくお願いします")


async def test_header_errors_and_plain_posts(client, customer):
    bad = await post(client, "/books/invoices", {"contact_id": "", "issue_date": "2026-13-01", **line(0)})
    assert bad.status_code == 422 and "<html" in bad.text
    assert error_at(bad.text, "contact_id") == "This field is required."
    assert error_at(bad.text, "issue_date") == "Enter a valid date (YYYY-MM-DD)."
    assert "Add at least one line." in bad.text  # every row was blank
    ok = await post(client, "/books/estimates", {"contact_id": str(customer.id), "issue_date": "2026-03-01",
                                                  "due_date": "", **line(0, "見積作業", rate="1000")})
    estimate = await Transaction.get(kind="estimate")
    assert ok.status_code == 303 and ok.headers["location"] == f"/books/estimates/{estimate.id}"
    assert estimate.due_date == date(2026, 3, 31)  # left empty: valid 30 days


async def test_live_totals_per_rate(client, org, customer):
    org.tax_rounding = "half_up"
    await org.save()
    data = {"contact_id": str(customer.id), **line(0, "a", "1", "1005", "10"), **line(4, "b", "3", "333", "8"),
            **line(5, "c", "1", "oops", "8")}
    response = await hx_post(client, "/books/invoices/totals", data)
    assert response.status_code == 200
    html = response.text
    assert text_of(html, "sum-10-subtotal") == "¥1,005" and text_of(html, "sum-10-tax") == "¥101"  # half up
    assert text_of(html, "sum-8-subtotal") == "¥999" and text_of(html, "sum-8-tax") == "¥80"
    assert text_of(html, "sum-total") == "¥2,185"
    assert '<output id="amount-4" hx-swap-oob="true">¥999</output>' in html
    assert '<output id="amount-5" hx-swap-oob="true"></output>' in html  # not a number yet: no amount
    down = await hx_post(client, "/books/invoices/totals", {**data, "rounding": "down"})
    assert text_of(down.text, "sum-10-tax") == "¥100"  # an edited document keeps its own rounding


async def test_add_a_row_and_fill_one_from_an_item(client, org):
    added = await client.get("/books/invoices/lines/new?index=3", headers={"HX-Request": "true"})
    assert added.text.lstrip().startswith('<tr class="line" id="line-3">')
    assert 'name="lines-3-description"' in added.text
    assert 'id="add-line" hx-get="/books/invoices/lines/new?index=4"' in added.text
    assert 'hx-swap-oob="true"' in added.text

    tea = await f.make_item(org, name="お茶", rate=Decimal(150), unit="本", tax_rate=Decimal(8))
    filled = await client.get(f"/books/invoices/lines/item?index=2&lines-2-item_id={tea.id}&lines-2-quantity=4",
                              headers={"HX-Request": "true"})
    assert filled.headers["HX-Trigger-After-Settle"] == "lines-changed"
    html = filled.text
    assert f'<option value="{tea.id}" selected>お茶</option>' in html
    assert ">お茶</textarea>" in html and 'name="lines-2-rate" id="lines-2-rate" aria-label="Rate" value="150"' in html
    assert 'value="本"' in html and 'value="4"' in html and '<option value="reduced" selected>' in html
    stranger = await f.make_item(await f.make_org(), name="よその品")
    other = await client.get(f"/books/invoices/lines/item?index=2&lines-2-item_id={stranger.id}")
    assert "よその品" not in other.text  # another organization's item fills nothing


async def test_edit_keeps_lines_and_refuses_when_no_longer_editable(client, principal, customer):
    estimate = await f.make_transaction(principal, "estimate", customer, [("作業", 2, 5000, 10), ("弁当", 1, 500, 8)])
    form = (await client.get(f"/books/estimates/{estimate.id}/edit")).text
    assert 'name="lines-0-description"' in form and ">作業</textarea>" in form and 'value="5000"' in form
    assert 'name="lines-1-rate" id="lines-1-rate" aria-label="Rate" value="500"' in form
    assert 'id="add-line" hx-get="/books/estimates/lines/new?index=2"' in form
    data = {"contact_id": str(customer.id), "issue_date": estimate.issue_date.isoformat(),
            "due_date": estimate.due_date.isoformat(), **line(1, "弁当", "2", "500", "8")}
    ok = await hx_post(client, f"/books/estimates/{estimate.id}/edit", data)
    assert ok.headers["HX-Location"] == f"/books/estimates/{estimate.id}"
    assert (await Transaction.get(id=estimate.id)).total == Decimal(1080)

    await workflow.void(principal, estimate.kind, estimate.id)
    refused = await hx_post(client, f"/books/estimates/{estimate.id}/edit", data)
    assert refused.status_code == 422
    assert "This estimate is “Void” and can no longer be edited." in refused.text
    plain = await post(client, f"/books/estimates/{estimate.id}/edit", data)
    assert plain.status_code == 409


async def test_purchase_orders_list_vendors(client, principal, org, customer):
    vendor = await f.make_customer(org, contact_type="vendor", display_name="仕入先株式会社")
    form = (await client.get("/books/purchase-orders/new")).text
    assert "仕入先株式会社" in form and "株式会社テスト" not in form and ">Vendor <span" in form
    assert 'hx-post="/books/purchase-orders/totals"' in form
    today = transactions.today_in(principal)
    ok = await post(client, "/books/purchase-orders", {
        "contact_id": str(vendor.id), "issue_date": today.isoformat(),
        "due_date": (today + timedelta(days=7)).isoformat(), **line(0, "部品", "10", "120")})
    assert ok.status_code == 303
