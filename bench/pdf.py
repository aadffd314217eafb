"""Invoice PDFs per second: a 20-line Japanese invoice through Kizuna's renderer against a bare
reportlab document holding the same line table (same fonts, page size, cells and style) in the
same run: the ratio is the price of everything around the table. Then a 200-line invoice (pages
that continue, the table head repeated, a seal) against the 20-line one: a long document must
cost about its length, not more (target under 10x)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from itertools import cycle

from reportlab.lib.pagesizes import A4
from pypdf import PdfReader
from reportlab.platypus import SimpleDocTemplate

from app.pdf.document import Line, Party, PdfDocument, TaxRow
from app.pdf.fonts import font_set
from app.pdf.render import line_table, render_pdf
from app.services.tax import line_amount, totals

ITEMS = ["コンサルティング（時間）", "システム導入支援", "保守サポート（月額）", "会議用お弁当", "お茶（500ml）"]
STANDARD, REDUCED = Decimal(10), Decimal(8)


@dataclass(frozen=True)
class Variant:
    """What a benchmarked invoice holds. `taxes`: each line's tax, cycled over the lines."""

    lines: int = 20
    taxes: tuple = (STANDARD, STANDARD, STANDARD, REDUCED)
    seal: bool = False


SHORT = Variant()
# Issue 16 asks for a tax-inclusive (内税) invoice with mixed tax categories. Until those exist
# (tax16), the long invoice mixes the two rates there are; then this is the line to change:
# LONG = Variant(lines=200, taxes=tuple(TaxCategory), seal=True, inclusive=True)
# (with `_line_tax` and `_pricing` below reading the category and the pricing).
LONG = Variant(lines=200, seal=True)


def _line_tax(tax) -> dict:
    """A line's tax fields from one of `Variant.taxes`."""
    return {"tax_rate": tax}


def _seal() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGBA", (300, 300), (200, 30, 30, 160)).save(out, format="PNG")
    return out.getvalue()


def invoice(lines: int | Variant = 20) -> PdfDocument:
    v = lines if isinstance(lines, Variant) else Variant(lines=lines)
    rows = []
    for i in range(v.lines):
        tax = v.taxes[i % len(v.taxes)]
        qty, price = Decimal(i % 5 + 1), Decimal(1000 * (i % 7 + 1))
        rows.append(Line(f"{ITEMS[i % len(ITEMS)]} 第{i + 1}項", qty, "式", price, Decimal(0),
                         amount=line_amount(qty, price, Decimal(0), "JPY"), **_line_tax(tax)))
    t = totals(((r.amount, tax) for r, tax in zip(rows, cycle(v.taxes))), "JPY")
    return PdfDocument(
        kind="invoice", number="INV-00001", lang="ja", currency="JPY",
        issuer=Party("株式会社キズナ商事", address_lines=("〒100-0001", "東京都千代田区千代田1-1"),
                     registration_number="T7000012050002"),
        recipient=Party("株式会社テスト", attention="経理部 山田 太郎 様", address_lines=("〒530-0001", "大阪府大阪市北区梅田2-4-9")),
        issue_date=date(2026, 11, 23), second_date=date(2026, 12, 31), lines=tuple(rows),
        tax_rows=tuple(TaxRow(r.rate, r.subtotal, r.tax) for r in t.rates),
        subtotal=t.subtotal, tax_total=t.tax, total=t.total, balance=t.total,
        bank_details="みずほ銀行 東京営業部 普通 1234567", notes="お振込手数料はご負担ください。",
        seal=_seal() if v.seal else None,
    )


def bare(doc: PdfDocument) -> bytes:
    """The floor: reportlab alone laying out the very same line table (same cells, widths and
    style), and nothing else: no header blocks, totals, notes or page numbers."""
    fonts = font_set()
    out = BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build([line_table(doc, fonts)])
    return out.getvalue()


def run(iterations: int) -> str:
    doc = invoice()
    fonts = font_set()
    for _ in range(5):  # warm up: font subsets, style caches
        render_pdf(doc, fonts)
        bare(doc)
    ours, base = [], []
    for _ in range(iterations):
        t = time.perf_counter()
        render_pdf(doc, fonts)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        bare(doc)
        base.append(time.perf_counter() - t)
    a, b = statistics.median(ours), statistics.median(base)
    font = f"embedded {fonts.source}" if fonts.embedded else f"CID {fonts.regular} (not embedded)"
    verdict = "ok" if a / b < 1.5 else "OVER TARGET"
    return (f"Invoice PDF, 20 Japanese lines ({font})\n"
            f"  kizuna    median {a * 1000:8.2f} ms   {1 / a:7.1f} PDFs/s\n"
            f"  bare      median {b * 1000:8.2f} ms   {1 / b:7.1f} PDFs/s\n"
            f"  ratio (median) {a / b:.2f}x  target < 1.5x: {verdict}")


def run_long(iterations: int) -> str:
    """The 200-line invoice against the 20-line one, interleaved in the same run."""
    short, long = invoice(SHORT), invoice(LONG)
    fonts = font_set()
    for _ in range(3):
        render_pdf(short, fonts)
        render_pdf(long, fonts)
    a_times, b_times = [], []
    pages = len(PdfReader(BytesIO(render_pdf(long, fonts))).pages)
    for _ in range(iterations):
        t = time.perf_counter()
        render_pdf(long, fonts)
        a_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        render_pdf(short, fonts)
        b_times.append(time.perf_counter() - t)
    a, b = statistics.median(a_times), statistics.median(b_times)
    verdict = "ok" if a / b < 10 else "OVER TARGET"
    bold = f"bold {fonts.bold}" if fonts.has_bold else "no bold face"
    return (f"Invoice PDF, {LONG.lines} lines ({pages} pages, seal, {bold}) against {SHORT.lines} lines\n"
            f"  {LONG.lines} lines  median {a * 1000:8.2f} ms\n"
            f"  {SHORT.lines} lines   median {b * 1000:8.2f} ms\n"
            f"  ratio (median) {a / b:.2f}x  target < 10x: {verdict}")


if __name__ == "__main__":
    print(run(50))
    print(run_long(20))
