"""A 200-line tax-inclusive invoice with every tax category, a discount line, a document discount
and a seal (pages that continue, the table head repeated) against the 20-line invoice of
bench.pdf in the same run: a long mixed document must cost under 10x a short one (the totals are
computed by app.services.tax, as saving does)."""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader

from app.pdf.document import Line, TaxRow
from app.pdf.fonts import font_set
from app.pdf.render import render_pdf
from app.services.tax import CATEGORY_RATES, Pricing, TaxCategory, line_amount, totals
from bench.pdf import ITEMS, invoice

CATEGORIES = (TaxCategory.STANDARD, TaxCategory.STANDARD, TaxCategory.REDUCED, TaxCategory.EXPORT,
              TaxCategory.EXEMPT, TaxCategory.OUT_OF_SCOPE)


def mixed_inclusive(lines: int = 200):
    rows = []
    for i in range(lines):
        category = CATEGORIES[i % len(CATEGORIES)]
        qty, price = Decimal(i % 5 + 1), Decimal(1100 * (i % 7 + 1))
        if i % 50 == 49:  # a discount line (値引) now and then
            category, qty, price = TaxCategory.STANDARD, Decimal(1), Decimal(-1100)
        rows.append(Line(f"{ITEMS[i % len(ITEMS)]} 第{i + 1}項", qty, "式", price, Decimal(0),
                         CATEGORY_RATES[category], line_amount(qty, price, Decimal(0), "JPY"), category.value))
    t = totals(((r.amount, TaxCategory(r.tax_category)) for r in rows), "JPY",
               Pricing(inclusive=True, discount_value=Decimal(5000)))
    return replace(invoice(seal=True), lines=tuple(rows), prices_include_tax=True, discount=t.discount,
                   transaction_date=date(2026, 11, 1), transaction_date_end=date(2026, 11, 30),
                   tax_rows=tuple(TaxRow(r.rate, r.subtotal, r.tax, r.category.value, r.discount) for r in t.rates),
                   subtotal=t.subtotal, tax_total=t.tax, total=t.total, balance=t.total)


def run(iterations: int) -> str:
    short, long = invoice(), mixed_inclusive()
    fonts = font_set()
    for _ in range(3):
        render_pdf(short, fonts)
        render_pdf(long, fonts)
    a, b = [], []
    for _ in range(iterations):
        t = time.perf_counter()
        render_pdf(long, fonts)
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        render_pdf(short, fonts)
        b.append(time.perf_counter() - t)
    long_ms, short_ms = statistics.median(a), statistics.median(b)
    ratio = long_ms / short_ms
    pages = len(PdfReader(BytesIO(render_pdf(long, fonts))).pages)
    bold = f"bold {fonts.bold}" if fonts.has_bold else "no bold face"
    return (f"Invoice PDF, 200 lines tax-inclusive, every tax category ({pages} pages, seal, {bold})\n"
            f"  200 lines median {long_ms * 1000:8.2f} ms\n"
            f"  20 lines  median {short_ms * 1000:8.2f} ms\n"
            f"  ratio (median) {ratio:.2f}x  target < 10x: {'ok' if ratio < 10 else 'OVER TARGET'}")


if __name__ == "__main__":
    print(run(10))
