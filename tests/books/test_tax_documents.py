"""Qualified-invoice content of a document: the transaction date or period, tax categories per
line, tax-inclusive pricing, the document discount and discount lines, through the service and
back out of the PDF."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.errors import ValidationError
from app.models import Kind, TaxCategory, TransactionLine
from app.services import books_pdf, transactions, workflow
from tests import factories as f

MIXED = [("コンサルティング", 1, 100000, 10), ("お弁当", 3, 800, 8), ("輸出品", 1, 5000, "export"),
         ("印紙代", 1, 200, "exempt"), ("立替金", 1, 300, "out_of_scope")]


def pdf_text(pdf: bytes) -> str:
    return " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(BytesIO(pdf)).pages)


def summary(txn):
    return [(r["category"], r["subtotal"], r["tax"], r["discount"]) for r in txn.tax_breakdown]


async def test_mixed_categories_are_summed_apart_and_taxed_only_at_their_rates(accountant, customer):
    txn = await f.make_transaction(accountant, "invoice", customer, MIXED)
    assert summary(txn) == [("standard", "100000", "10000", "0"), ("reduced", "2400", "192", "0"),
                            ("export", "5000", "0", "0"), ("exempt", "200", "0", "0"),
                            ("out_of_scope", "300", "0", "0")]
    assert (txn.subtotal, txn.tax_total, txn.total) == (D(107900), D(10192), D(118092))
    lines = await TransactionLine.filter(transaction_id=txn.id).order_by("position")
    assert [(line.tax_category, line.tax_rate) for line in lines] == [
        (TaxCategory.STANDARD, 10), (TaxCategory.REDUCED, 8), (TaxCategory.EXPORT, 0),
        (TaxCategory.EXEMPT, 0), (TaxCategory.OUT_OF_SCOPE, 0)]


async def test_inclusive_prices_with_a_discount_and_a_discount_line(accountant, customer):
    txn = await f.make_transaction(
        accountant, "invoice", customer,
        [("作業", 1, 11000, 10), ("値引", 1, -1100, 10), ("お弁当", 1, 10800, 8)],
        prices_include_tax=True, discount_type="amount", discount_value="1980")
    # 9,900 (10%) and 10,800 (8%) share 1,980 in proportion: 947 / 1,033 (9900/20700 x 1980 = 946.9);
    # then 8,953 incl. 10% holds 813 (813.9 rounded down), 9,767 incl. 8% holds 723 (723.5)
    assert summary(txn) == [("standard", "8140", "813", "947"), ("reduced", "9044", "723", "1033")]
    assert (txn.discount_total, txn.total) == (D(1980), D(20700 - 1980))


async def test_percent_discount_and_the_period_are_kept_and_converted(accountant, customer):
    est = await f.make_transaction(accountant, "estimate", customer, MIXED[:2], discount_type="percent",
                                   discount_value="10", transaction_date="2026-11-01",
                                   transaction_date_end="2026-11-30")
    assert (est.discount_total, est.transaction_date, est.transaction_date_end) == (
        D(10240), date(2026, 11, 1), date(2026, 11, 30))
    inv = await workflow.convert(accountant, Kind.ESTIMATE, est.id, Kind.INVOICE)
    assert (inv.total, inv.tax_breakdown, inv.transaction_date_end) == (
        est.total, est.tax_breakdown, est.transaction_date_end)


async def test_changing_only_the_discount_reprices_the_saved_lines(accountant, customer):
    txn = await f.make_transaction(accountant, "invoice", customer, [("作業", 1, 10000, 10)])
    txn = await transactions.update(accountant, Kind.INVOICE, txn.id, {"discount_value": "1000"})
    assert (txn.subtotal, txn.tax_total, txn.total) == (D(9000), D(900), D(9900))
    txn = await transactions.update(accountant, Kind.INVOICE, txn.id, {"prices_include_tax": "true"})
    assert (txn.subtotal, txn.tax_total, txn.total) == (D(8182), D(818), D(9000))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"discount_type": "percent", "discount_value": "100.5"}, "discount_value", "Enter a discount from 0 to 100%."),
    ({"discount_value": "-1"}, "discount_value", "Enter zero or more."),
    ({"discount_value": "10001"}, "discount_value", "The discount cannot be more than the sum of the lines."),
    ({"discount_value": "1e999999"}, "discount_value", None),
    ({"discount_type": "bogus"}, "discount_type", "Choose one of the offered values."),
    ({"prices_include_tax": "maybe"}, "prices_include_tax", "Choose one of the offered values."),
    ({"transaction_date_end": "2026-11-30"}, "transaction_date", "Enter the first day of the period."),
    ({"transaction_date": "2026-11-30", "transaction_date_end": "2026-11-01"}, "transaction_date_end",
     "Must be on or after the transaction date."),
    ({"transaction_date": "99999-01-01"}, "transaction_date", None),
    ({"lines": [{"description": "x", "rate": 100, "tax_category": "zero"}]}, "lines.0.tax_category",
     "Choose one of the offered values."),
    ({"lines": [{"description": "x", "rate": 100, "tax_category": "reduced"},
                {"description": "値引", "rate": -200, "tax_category": "reduced"}]}, "lines",
     "The discount lines of “Reduced rate” are more than its other lines."),
])
async def test_hostile_pricing_is_refused_with_the_field(accountant, customer, data, field, message):
    with pytest.raises(ValidationError) as err:
        await f.make_transaction(accountant, "invoice", customer, [("作業", 1, 10000, 10)], **data)
    fields = {e.field: e.message for e in err.value.errors}
    assert field in fields
    if message:
        assert fields[field] == message


async def test_the_pdf_prints_the_period_categories_and_inclusive_pricing(accountant, customer):
    txn = await f.make_transaction(accountant, "invoice", customer, MIXED, prices_include_tax=True,
                                   transaction_date="2026-11-01", transaction_date_end="2026-11-30",
                                   issue_date="2026-12-05", discount_value="1000")
    en = pdf_text(await books_pdf.render(txn, "en"))
    for expected in ("Transaction date", "Nov 1 – 30, 2026", "Issue date", "December 5, 2026",
                     "10% taxable (incl.)", "8% taxable (incl.)", "Incl. consumption tax", "Tax-free (export)",
                     "Non-taxable", "Out of scope", "Prices include tax", "Discount -¥1,000", "Tax-free", "Exempt"):
        assert expected in en, expected
    assert "Amount (incl. tax)" in en
    assert not re.search(r"(?<![0-9])0% (subtotal|taxable)", en)
    ja = pdf_text(await books_pdf.render(txn, "ja"))
    assert "2026年11月1日～30日" in ja and "2026年12月5日" in ja
    assert not re.search(r"(?<![0-9])0%対象", ja)


async def test_an_exclusive_pdf_says_so(accountant, customer):
    txn = await f.make_transaction(accountant, "invoice", customer, MIXED[:2], transaction_date="2026-11-20")
    en = pdf_text(await books_pdf.render(txn, "en"))
    assert "Amount (incl. tax)" not in en and "Prices include tax" not in en
    assert "Transaction dateNovember 20, 2026" in en
    assert "10% subtotal" in en and "Incl. consumption tax" not in en
    ja = pdf_text(await books_pdf.render(txn, "ja"))
    assert "10%対象" in ja and "8%対象" in ja and "2026年11月20日" in ja
