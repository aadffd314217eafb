"""The document form and page with the qualified-invoice content: the transaction period, tax
categories per line, 内税 and the document discount, in the live totals and once saved."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app.models import TaxCategory, Transaction, TransactionLine
from tests import factories as f
from tests.views.conftest import hx_post, post, text_of
from tests.views.test_books_form import error_at


def line(key: int, description: str, rate: str, category: str) -> dict:
    values = {"description": description, "quantity": "1", "rate": rate, "tax_category": category,
              "item_id": "", "unit": "", "discount": ""}
    return {f"lines-{key}-{name}": value for name, value in values.items()}


LINES = {**line(0, "作業", "11000", "standard"), **line(1, "お弁当", "1080", "reduced"),
         **line(2, "輸出品", "5000", "export"), **line(3, "印紙代", "200", "exempt"),
         **line(5, "値引", "-1000", "standard")}


async def test_live_totals_with_tax_included_a_discount_and_every_category(client, customer):
    data = {"contact_id": str(customer.id), "prices_include_tax": "true", "discount_type": "amount",
            "discount_value": "1628", **LINES}
    html = (await hx_post(client, "/books/invoices/totals", data)).text
    # 10,000 (11,000 less a 1,000 discount line) / 1,080 / 5,000 / 200 share 1,628:
    # 1,000 / 108 / 500 / 20 (in proportion, exactly)
    assert text_of(html, "sum-pricing") == "Prices include tax"
    assert text_of(html, "sum-discount") == "-¥1,628"
    assert text_of(html, "sum-10-subtotal") == "¥9,000" and text_of(html, "sum-10-tax") == "¥818"
    assert text_of(html, "sum-8-subtotal") == "¥972" and text_of(html, "sum-8-tax") == "¥72"
    assert text_of(html, "sum-export-subtotal") == "¥4,500" and text_of(html, "sum-exempt-subtotal") == "¥180"
    assert '"sum-0-subtotal"' not in html and not re.search(r"(?<![0-9])0% taxable", html)
    assert text_of(html, "sum-total") == "¥14,652"
    assert '<output id="amount-5" hx-swap-oob="true">-¥1,000</output>' in html


async def test_save_from_the_form_then_the_page_shows_it(client, customer):
    form = (await client.get("/books/invoices/new")).text
    for name in ("transaction_date", "transaction_date_end", "prices_include_tax", "discount_type", "discount_value"):
        assert f'name="{name}"' in form, name
    assert 'name="lines-0-tax_category"' in form and '<option value="out_of_scope">Out of scope</option>' in form
    data = {"contact_id": str(customer.id), "issue_date": "2026-12-01", "due_date": "", "reference": "",
            "subject": "", "salesperson_id": "", "notes": "", "terms": "", "transaction_date": "2026-11-01",
            "transaction_date_end": "2026-11-30", "prices_include_tax": "false", "discount_type": "percent",
            "discount_value": "10", **LINES}
    ok = await post(client, "/books/invoices", data)
    txn = await Transaction.get(kind="invoice")
    assert ok.status_code == 303
    assert (txn.transaction_date, txn.transaction_date_end, txn.prices_include_tax) == (
        date(2026, 11, 1), date(2026, 11, 30), False)
    assert txn.discount_total == Decimal(1628)  # 10% of 16,280
    categories = await TransactionLine.filter(transaction_id=txn.id).order_by("position").values_list(
        "tax_category", flat=True)
    assert categories == [TaxCategory.STANDARD, TaxCategory.REDUCED, TaxCategory.EXPORT, TaxCategory.EXEMPT,
                          TaxCategory.STANDARD]
    html = (await client.get(f"/books/invoices/{txn.id}")).text
    assert text_of(html, "value-transaction_date") == "Nov 1 – 30, 2026"
    assert text_of(html, "value-pricing") == "Tax excluded" and text_of(html, "value-discount") == "10%"
    assert "Export (tax-free)" in html and "Non-taxable" in html and "8% (reduced)" in html
    assert text_of(html, "sum-discount") == "-¥1,628"
    edit = (await client.get(f"/books/invoices/{txn.id}/edit")).text
    assert 'name="transaction_date_end"' in edit and 'value="2026-11-30"' in edit
    assert '<option value="export" selected>' in edit and '<option value="percent" selected>' in edit


async def test_form_errors_sit_beside_the_pricing_fields(client, customer):
    data = {"contact_id": str(customer.id), "issue_date": "2026-12-01", "transaction_date": "2026-11-30",
            "transaction_date_end": "2026-11-01", "prices_include_tax": "sometimes", "discount_type": "amount",
            "discount_value": "999999", **line(0, "作業", "100", "standard"), **line(1, "値引", "-500", "reduced"),
            **line(2, "お弁当", "100", "reduced")}
    bad = await hx_post(client, "/books/invoices", data)
    assert bad.status_code == 422
    assert error_at(bad.text, "transaction_date_end") == "Must be on or after the transaction date."
    assert error_at(bad.text, "prices_include_tax") == "Choose one of the offered values."
    assert "The discount lines of “Reduced rate” are more than its other lines." in bad.text
    data.update({"prices_include_tax": "true", "transaction_date_end": "", "lines-1-rate": "-50"})
    bad = await hx_post(client, "/books/invoices", data)
    assert error_at(bad.text, "discount_value") == "The discount cannot be more than the sum of the lines."
    assert not await Transaction.exists()
