"""Invoice PDFs per second: a 20-line Japanese invoice through Kizuna's renderer against a bare
reportlab document holding the same line table (same fonts, page size, cells and style) in the
same run: the ratio is the price of everything around the table. The 200-line invoice against
this one is bench/pdf_tax.py."""

from __future__ import annotations

import statistics
import time
from datetime import date
from decimal import Decimal
from io import BytesIO
from itertools import cycle

from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from app.pdf.document import Line, Party, PdfDocument, TaxRow
from app.pdf.fonts import font_set
from app.pdf.render import line_table, render_pdf
from app.services.tax import line_amount, totals

ITEMS = ["コンサルティング（時間）", "システム導入支援", "保守サポート（月額）", "会議用お弁当", "お茶（500ml）"]
TAXES = (Decimal(10), Decimal(10), Decimal(10), Decimal(8))  # each line's rate, in turn


def _seal() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGBA", (300, 300), (200, 30, 30, 160)).save(out, format="PNG")
    return out.getvalue()


def invoice(lines: int = 20, seal: bool = False) -> PdfDocument:
    rows = []
    for i in range(lines):
        tax = TAXES[i % len(TAXES)]
        qty, price = Decimal(i % 5 + 1), Decimal(1000 * (i % 7 + 1))
        rows.append(Line(f"{ITEMS[i % len(ITEMS)]} 第{i + 1}項", qty, "式", price, Decimal(0),
                         amount=line_amount(qty, price, Decimal(0), "JPY"), tax_rate=tax))
    t = totals(((r.amount, tax) for r, tax in zip(rows, cycle(TAXES))), "JPY")
    return PdfDocument(
        kind="invoice", number="INV-00001", lang="ja", currency="JPY",
        issuer=Party("株式会社キズナ商事", address_lines=("〒100-0001", "東京都千代田区千代田1-1"),
                     registration_number="T7000012050002"),
        recipient=Party("株式会社テスト", attention="経理部 山田 太郎 様", address_lines=("〒530-0001", "大阪府大阪市北区梅田2-4-9")),
        issue_date=date(2026, 11, 23), second_date=date(2026, 12, 31), lines=tuple(rows),
        tax_rows=tuple(TaxRow(r.rate, r.subtotal, r.tax) for r in t.rates),
        subtotal=t.subtotal, tax_total=t.tax, total=t.total, balance=t.total,
        bank_details="みずほ銀行 東京営業部 普通 1234567", notes="お振込手数料はご負担ください。",
        seal=_seal() if seal else None,
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


if __name__ == "__main__":
    print(run(50))
