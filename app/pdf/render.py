"""Render a `PdfDocument` (app.pdf.document) to PDF bytes with reportlab, Japanese business style:
the recipient with 御中/様 top left, the issuer with logo and registration number top right, the
amount due up front, a line table whose header repeats on every page, totals per tax rate
(the qualified-invoice rules), bank details, notes and terms, and "n / N" on every page.

Rendering is CPU work: call `render_pdf_async` from the event loop (it runs in a worker thread).
Fixed blocks (header, totals, notes) are drawn straight on the canvas by small flowables: a
document renders on every download and e-mail, and nested tables of paragraphs cost 2x.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

import anyio
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.i18n import N_, gettext
from app.formatting import format_day, format_exchange_rate, format_money, format_number, format_rate
from app.pdf.document import Line, PdfDocument
from app.pdf.blocks import Header, TextBlock, Totals, numbered_canvas
from app.pdf.fonts import FontSet, font_set
from app.pdf.labels import (
    AMOUNT_INCL, AMOUNT_LABELS, CONTENT_WIDTH, CREDITED_INVOICES, EXCHANGE_RATE, GRID, HEAD_BG, IN_YEN, LINE_CATEGORY,
    LINE_WIDTHS, MARGIN, PRICES_INCLUDE_TAX, SEAL_SIZE, SUMMARY_CATEGORY, TAX_IN_YEN, TAX_INCLUDED, TITLES,
    markup_text, number_text,
)


class _Styles:
    """Paragraph styles for one font set (built once per font set, shared read-only)."""

    def __init__(self, fonts: FontSet) -> None:
        base = dict(fontName=fonts.regular, wordWrap="CJK", leading=12, fontSize=9)
        self.body = ParagraphStyle("body", **base)
        self.cell = ParagraphStyle("cell", **{**base, "fontSize": 8.5, "leading": 10.5})


_styles: dict[str, _Styles] = {}


def _styles_for(fonts: FontSet) -> _Styles:
    if fonts.regular not in _styles:
        _styles[fonts.regular] = _Styles(fonts)
    return _styles[fonts.regular]


def _image(data: bytes | None, width: float, height: float) -> tuple[ImageReader, float, float] | None:
    """An image scaled into `width` x `height` (its proportions kept), or None (also for bytes
    that are no image: a broken file must not cost the customer their invoice)."""
    if not data:
        return None
    try:
        reader = ImageReader(BytesIO(data))
        w, h = reader.getSize()
    except Exception:  # noqa: BLE001 - whatever the decoder raises
        return None
    scale = min(width / w, height / h)
    return reader, w * scale, h * scale


class _Renderer:
    def __init__(self, doc: PdfDocument, fonts: FontSet) -> None:
        self.doc, self.fonts, self.s = doc, fonts, _styles_for(fonts)
        self.width = CONTENT_WIDTH
        self.description_width = self.width - sum(w for w in LINE_WIDTHS if w)

    def _(self, msgid: str) -> str:
        return gettext(self.doc.lang, msgid)

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.doc.currency, self.doc.lang)

    def yen(self, amount: Decimal) -> str:
        return format_money(amount, "JPY", self.doc.lang)

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(text, style or self.s.body)

    # ---- blocks --------------------------------------------------------------------------

    def story(self) -> list:
        d = self.doc
        story: list = [Header(self), Spacer(0, 5 * mm)]
        story.append(self._amount_box())
        story.append(Spacer(0, 4 * mm))
        story.append(self._line_table())
        story.append(Spacer(0, 3 * mm))
        story += self._totals()
        for label, text in ((N_("Sales orders billed (delivery dates)"), d.sources), (CREDITED_INVOICES, d.credited_invoices),
                            (N_("Bank details"), d.bank_details), (N_("Notes"), d.notes),
                            (N_("Terms & conditions"), d.terms)):
            if text.strip():
                story.append(Spacer(0, 4 * mm))
                story.append(TextBlock(self._(label), text, self.fonts.regular, self.fonts.bold))
        return story

    def logo(self) -> tuple[ImageReader, float, float] | None:
        """The logo scaled into 40 x 15 mm, or None (also for bytes that are no image)."""
        return _image(self.doc.logo, 40 * mm, 15 * mm)

    def seal(self) -> tuple[ImageReader, float, float] | None:
        """The company seal (角印) at its fixed size, or None."""
        return _image(self.doc.seal, SEAL_SIZE, SEAL_SIZE)

    def _amount_box(self) -> Table:
        d = self.doc
        rows = []
        if d.subject:
            rows.append([self._("Subject"), self.p(escape(d.subject), self.s.body)])
        rows.append([self._(AMOUNT_LABELS[d.kind]), self.money(d.total) + " " + self._(TAX_INCLUDED)])
        table = Table(rows, colWidths=[40 * mm, 80 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), self.fonts.regular, 9),
                                   ("FONT", (0, -1), (-1, -1), self.fonts.bold, 13),
                                   ("LINEBELOW", (0, -1), (-1, -1), 1.2, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return table

    def _line_row(self, n: int, line: Line) -> list:
        rate = (self._(LINE_CATEGORY[line.category]) if line.category in LINE_CATEGORY
                else f"{number_text(line.tax_rate)}%" + ("※" if line.category == "reduced" else ""))
        return [str(n), self._description(line.description),
                format_number(line.quantity, self.doc.lang), line.unit,
                format_rate(line.rate, self.doc.currency, self.doc.lang),
                f"{number_text(line.discount)}%" if line.discount else "", rate, self.money(line.amount)]

    def _description(self, text: str) -> str | Paragraph:
        """A Paragraph (wrapping, line breaks) only when the text needs one: most lines fit."""
        if "\n" not in text and stringWidth(text, self.fonts.regular, 8.5) < self.description_width - 12:  # padding
            return text
        return self.p(markup_text(text), self.s.cell)

    def _line_table(self) -> Table:
        widths = list(LINE_WIDTHS)
        widths[1] = self.description_width
        header = [self._(h) for h in (N_("No."), N_("Item"), N_("Qty"), N_("Unit"), N_("Unit price"),
                                      N_("Discount"), N_("Tax rate"),
                                      AMOUNT_INCL if self.doc.prices_include_tax else N_("Amount"))]
        rows = [header] + [self._line_row(n, line) for n, line in enumerate(self.doc.lines, 1)]
        # splitInRow: a long description continues on the next page (a row taller than a page
        # could not be placed at all).
        table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=1)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.fonts.regular, 8.5),
            ("FONT", (0, 0), (-1, 0), self.fonts.bold, 8.5),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("GRID", (0, 0), (-1, -1), 0.3, GRID),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("ALIGN", (2, 1), (2, -1), "RIGHT"),
            ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
            ("ALIGN", (0, 1), (0, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        return table

    def _totals(self) -> list:
        d = self.doc
        # The document discount first: the amounts below are after it (allocated in proportion).
        rows = [[self._("Discount"), self.money(-d.discount), "", ""]] if d.discount else []
        # Taxed rates with their tax (内税: the rate's total and the tax it includes); the other
        # categories by name, never as a 0% rate. Amounts are after the document discount.
        for row in d.tax_rows:
            if row.category in SUMMARY_CATEGORY:
                rows.append([self._(SUMMARY_CATEGORY[row.category]), self.money(row.subtotal), "", ""])
            elif d.prices_include_tax:
                rows.append([self._("%(rate)s%% taxable (incl.)") % {"rate": number_text(row.rate)},
                             self.money(row.subtotal + row.tax), self._("Incl. consumption tax"), self.money(row.tax)])
            else:
                rows.append([self._("%(rate)s%% subtotal") % {"rate": number_text(row.rate)},
                             self.money(row.subtotal), self._("Consumption tax"), self.money(row.tax)])
            if row.category not in SUMMARY_CATEGORY and row.tax_jpy is not None and row.subtotal_jpy is not None:
                yen = row.subtotal_jpy + row.tax_jpy if d.prices_include_tax else row.subtotal_jpy
                rows.append([self._(IN_YEN) % {"rate": number_text(row.rate)}, self.yen(yen),
                             self._(TAX_IN_YEN), self.yen(row.tax_jpy)])
        sums = len(rows)
        rows.append([self._("Subtotal"), self.money(d.subtotal), self._("Consumption tax"), self.money(d.tax_total)])
        rows.append([self._("Total"), "", "", self.money(d.total)])
        if d.kind == "invoice" and (d.amount_paid or d.credit_applied):
            if d.amount_paid:
                rows.append([self._("Amount paid"), "", "", self.money(d.amount_paid)])
            if d.credit_applied:
                rows.append([self._("Credit applied"), "", "", self.money(d.credit_applied)])
            rows.append([self._("Balance due"), "", "", self.money(d.balance)])
        notes = [self._(PRICES_INCLUDE_TAX)] if d.prices_include_tax else []
        if d.exchange_rate is not None:
            notes.insert(0, self._(EXCHANGE_RATE) % {
                "currency": d.currency, "rate": format_exchange_rate(d.exchange_rate, d.lang),
                "date": format_day(d.exchange_rate_date, d.lang) if d.exchange_rate_date else ""})
        if any(line.category == "reduced" for line in d.lines):
            notes.append(self._("※ Reduced tax rate (8%) item"))
        return [Totals(rows, sums, "   ".join(notes), self.fonts)]


def line_table(doc: PdfDocument, fonts: FontSet | None = None) -> Table:
    """The line table alone (the benchmark's baseline lays out exactly this)."""
    return _Renderer(doc, fonts or font_set())._line_table()


def page_template(out: BytesIO, doc: PdfDocument) -> SimpleDocTemplate:
    """A4 with Kizuna's margins; its frames' text block is CONTENT_WIDTH wide."""
    return SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=18 * mm,
        title=f"{gettext(doc.lang, TITLES[doc.kind])} {doc.number}", author=doc.issuer.name,
        subject=doc.number, creator="Kizuna",
    )


def render_pdf(doc: PdfDocument, fonts: FontSet | None = None) -> bytes:
    fonts = fonts or font_set()
    out = BytesIO()
    page_template(out, doc).build(_Renderer(doc, fonts).story(), canvasmaker=numbered_canvas(doc, fonts))
    return out.getvalue()


async def render_pdf_async(doc: PdfDocument, fonts: FontSet | None = None) -> bytes:
    return await anyio.to_thread.run_sync(render_pdf, doc, fonts)
