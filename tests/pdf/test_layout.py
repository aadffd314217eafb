"""PDF layout: long descriptions flow across pages, the line table fits the text block, unit
prices keep their precision (issue 10, sections 4 and 6)."""

from __future__ import annotations

import re
from decimal import Decimal as D
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.pdf.document import Line, PdfDocument, TaxRow
from app.pdf.fonts import font_set
from app.pdf.labels import CONTENT_WIDTH
from app.pdf.render import line_table, page_template, render_pdf
from tests.pdf.test_render import FONTS, invoice, text_of

# 2,000 characters (the limit of a line description), no two neighbouring lines alike.
LONG = "".join(f"第{i:03d}項　作業内容の説明と成果物の検収条件。" for i in range(100))[:2000]


def squeezed(pages: list[str]) -> str:
    return re.sub(r"\s+", "", "".join(pages))


@pytest.mark.parametrize("font", FONTS)
def test_a_2000_character_description_flows_across_pages(font):
    assert len(LONG) == 2000
    doc = invoice(lines=(Line(LONG, D(1), "式", D(300000), D(0), D(10), D(300000)),
                         Line("保守", D(1), "月", D(20000), D(0), D(10), D(20000))))
    pages = text_of(render_pdf(doc, font_set(font)))
    assert len(pages) > 1
    assert all(page.startswith("No. 品目") for page in pages[1:])  # the header repeats
    # The row's other cells, the footer and the repeated header sit between the description's
    # parts: take them out, and every character of the description is there, in order.
    text = squeezed(pages)
    for noise in ("1式¥300,00010%¥300,000", *(f"{n}/{len(pages)}INV-00042" for n in range(1, len(pages))),
                  "No.品目数量単位単価値引税率金額"):
        text = text.replace(noise, "")
    assert squeezed([LONG]) in text
    assert "2保守1月¥20,00010%¥20,000" in text


def test_long_descriptions_on_many_lines_and_a_short_page_still_render():
    lines = tuple(Line(LONG[: 500 + 300 * i], D(1), "式", D(1000), D(0), D(10), D(1000)) for i in range(5))
    pdf = render_pdf(invoice(lines=lines, tax_rows=(TaxRow(D(10), D(5000), D(500)),),
                             subtotal=D(5000), tax_total=D(500), total=D(5500), amount_paid=D(0), balance=D(5500)))
    assert len(PdfReader(BytesIO(pdf)).pages) > 2


def test_the_line_table_is_as_wide_as_the_text_block():
    out = BytesIO()
    doc = invoice()
    template = page_template(out, doc)
    table = line_table(doc)
    template.build([table])
    frame = template.pageTemplates[0].frames[0]
    text_block = frame._width - frame._leftPadding - frame._rightPadding
    assert abs(CONTENT_WIDTH - text_block) < 0.01
    assert abs(table._width - text_block) < 0.01, (table._width, text_block)
    assert abs(sum(table._colWidths) - text_block) < 0.01


def test_a_usd_unit_price_keeps_its_precision():
    doc: PdfDocument = invoice(
        currency="USD", lines=(Line("Bolts", D(1), "pc", D("0.125"), D(0), D(10), D("0.13")),),
        tax_rows=(TaxRow(D(10), D("0.13"), D("0.01")),), subtotal=D("0.13"), tax_total=D("0.01"),
        total=D("0.14"), amount_paid=D(0), balance=D("0.14"))
    (page,) = text_of(render_pdf(doc))
    assert "0.125 USD" in page and "0.13 USD" in page and "0.12 USD" not in page
