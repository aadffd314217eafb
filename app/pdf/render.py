"""Render a `PdfDocument` (app.pdf.document) to PDF bytes with reportlab, Japanese business style:
the recipient with 御中/様 top left, the issuer with logo and registration number top right, the
amount due up front, a line table whose header repeats on every page, totals per tax rate
(the qualified-invoice rules), bank details, notes and terms, and "n / N" on every page.

Rendering is CPU work: call `render_pdf_async` from the event loop (it runs in a worker thread).
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

import anyio
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.i18n import N_, gettext
from app.money import format_money
from app.pdf.document import Line, Party, PdfDocument
from app.pdf.fonts import FontSet, font_set

TITLES = {
    "estimate": N_("Quotation"),
    "sales_order": N_("Order Confirmation"),
    "invoice": N_("Invoice"),
    "purchase_order": N_("Purchase Order"),
}
LEADS = {
    "estimate": N_("We are pleased to quote as follows."),
    "sales_order": N_("We confirm your order as follows."),
    "invoice": N_("Please find our invoice below."),
    "purchase_order": N_("We would like to order the following."),
}
SECOND_DATES = {
    "estimate": N_("Expiry date"),
    "sales_order": N_("Delivery date"),
    "invoice": N_("Payment due"),
    "purchase_order": N_("Delivery date"),
}
AMOUNT_LABELS = {
    "estimate": N_("Amount quoted"),
    "sales_order": N_("Total amount"),
    "invoice": N_("Amount billed"),
    "purchase_order": N_("Total amount"),
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MARGIN = 15 * mm
GRID = colors.HexColor("#9aa5b1")
HEAD_BG = colors.HexColor("#e8edf2")


def format_date(value, lang: str) -> str:
    if value is None:
        return ""
    if lang == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _number(value: Decimal) -> str:
    """Quantities and rates without trailing zeros: 1.5, 3, 12.25."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _text(value: str) -> str:
    """User text inside Paragraph markup: escaped, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


class _Styles:
    """Paragraph styles for one font set (built once per font set, shared read-only)."""

    def __init__(self, fonts: FontSet) -> None:
        base = dict(fontName=fonts.regular, wordWrap="CJK", leading=12, fontSize=9)
        self.body = ParagraphStyle("body", **base)
        self.small = ParagraphStyle("small", **{**base, "fontSize": 8, "leading": 10})
        self.cell = ParagraphStyle("cell", **{**base, "fontSize": 8.5, "leading": 10.5})
        self.title = ParagraphStyle("title", **{**base, "fontSize": 20, "leading": 24, "alignment": TA_CENTER})
        self.recipient = ParagraphStyle("recipient", **{**base, "fontSize": 13, "leading": 17})
        self.issuer = ParagraphStyle("issuer", **{**base, "fontSize": 8.5, "leading": 11})
        self.issuer_name = ParagraphStyle("issuer_name", **{**base, "fontSize": 11, "leading": 14})
        self.amount = ParagraphStyle("amount", **{**base, "fontSize": 13, "leading": 17})
        self.heading = ParagraphStyle("heading", **{**base, "fontSize": 9.5, "leading": 13})
        self.right = ParagraphStyle("right", **{**base, "alignment": TA_RIGHT})


_styles: dict[str, _Styles] = {}


def _styles_for(fonts: FontSet) -> _Styles:
    if fonts.regular not in _styles:
        _styles[fonts.regular] = _Styles(fonts)
    return _styles[fonts.regular]


class _Renderer:
    def __init__(self, doc: PdfDocument, fonts: FontSet) -> None:
        self.doc, self.fonts, self.s = doc, fonts, _styles_for(fonts)
        self.width = A4[0] - 2 * MARGIN

    def _(self, msgid: str) -> str:
        return gettext(self.doc.lang, msgid)

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.doc.currency)

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(text, style or self.s.body)

    # ---- blocks --------------------------------------------------------------------------

    def story(self) -> list:
        d = self.doc
        story: list = [self.p(escape(self._(TITLES[d.kind])), self.s.title), Spacer(0, 6 * mm)]
        story.append(self._header())
        story.append(Spacer(0, 5 * mm))
        story.append(self._amount_box())
        story.append(Spacer(0, 4 * mm))
        story.append(self._line_table())
        story.append(Spacer(0, 3 * mm))
        story.append(KeepTogether(self._totals()))
        for label, text in ((N_("Bank details"), d.bank_details), (N_("Notes"), d.notes),
                            (N_("Terms & conditions"), d.terms)):
            if text.strip():
                story.append(Spacer(0, 4 * mm))
                story.append(KeepTogether([self.p(escape(self._(label)), self.s.heading),
                                           self.p(_text(text), self.s.small)]))
        return story

    def _recipient(self) -> list:
        r, lang = self.doc.recipient, self.doc.lang
        name = escape(r.name)
        if lang == "ja":
            name += " 御中" if r.is_company else " 様"
        block = [self.p(f"<u>{name}</u>", self.s.recipient)]
        if r.attention:
            block.append(self.p(escape(r.attention if lang == "ja" else f"Attn: {r.attention}")))
        block += [self.p(escape(line), self.s.small) for line in r.address_lines]
        if r.registration_number:
            block.append(self.p(f"{escape(self._('Registration No.'))} {escape(r.registration_number)}", self.s.small))
        block.append(Spacer(0, 3 * mm))
        block.append(self.p(escape(self._(LEADS[self.doc.kind])), self.s.small))
        return block

    def _issuer(self) -> list:
        i: Party = self.doc.issuer
        block: list = []
        logo = self._logo()
        if logo is not None:
            block.append(logo)
        block.append(self.p(escape(i.name), self.s.issuer_name))
        block += [self.p(escape(line), self.s.issuer) for line in i.address_lines]
        contact = " / ".join(x for x in (f"TEL {i.phone}" if i.phone else "", i.email) if x)
        if contact:
            block.append(self.p(escape(contact), self.s.issuer))
        if i.registration_number:
            block.append(self.p(f"{escape(self._('Registration No.'))} {escape(i.registration_number)}",
                                self.s.issuer))
        return block

    def _logo(self) -> Image | None:
        if not self.doc.logo:
            return None
        try:
            reader = ImageReader(BytesIO(self.doc.logo))
            w, h = reader.getSize()
        except Exception:  # noqa: BLE001 - a broken logo must not cost the customer their invoice
            return None
        scale = min(40 * mm / w, 15 * mm / h)
        image = Image(BytesIO(self.doc.logo), width=w * scale, height=h * scale)
        image.hAlign = "LEFT"
        return image

    def _meta(self) -> Table:
        d = self.doc
        rows = [(self._("Number"), d.number), (self._("Issue date"), format_date(d.issue_date, d.lang))]
        if d.second_date:
            rows.append((self._(SECOND_DATES[d.kind]), format_date(d.second_date, d.lang)))
        if d.reference:
            rows.append((self._("Reference"), d.reference))
        if d.salesperson:
            rows.append((self._("Salesperson"), d.salesperson))
        table = Table([[self.p(escape(k), self.s.small), self.p(escape(v), self.s.small)] for k, v in rows],
                      colWidths=[24 * mm, 46 * mm])
        table.setStyle(TableStyle([
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]))
        return table

    def _header(self) -> Table:
        right = [self._meta(), Spacer(0, 4 * mm), *self._issuer()]
        table = Table([[self._recipient(), right]], colWidths=[self.width - 72 * mm, 72 * mm])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return table

    def _amount_box(self) -> Table:
        d = self.doc
        rows = []
        if d.subject:
            rows.append([self.p(escape(self._("Subject")), self.s.body), self.p(escape(d.subject), self.s.body)])
        label = f"{self._(AMOUNT_LABELS[d.kind])}"
        rows.append([self.p(escape(label), self.s.amount),
                     self.p(f"{escape(self.money(d.total))} {escape(self._('(tax included)'))}", self.s.amount)])
        table = Table(rows, colWidths=[40 * mm, 80 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("LINEBELOW", (0, -1), (-1, -1), 1.2, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
        return table

    def _line_row(self, n: int, line: Line) -> list:
        rate = f"{_number(line.tax_rate)}%" + ("※" if line.tax_rate == 8 else "")
        return [str(n), self.p(_text(line.description), self.s.cell), _number(line.quantity), line.unit,
                self.money(line.rate) if line.rate == line.rate.quantize(Decimal(1)) or self.doc.currency != "JPY"
                else f"¥{_number(line.rate)}",
                f"{_number(line.discount)}%" if line.discount else "", rate, self.money(line.amount)]

    def _line_table(self) -> Table:
        header = [self._(h) for h in (N_("No."), N_("Item"), N_("Qty"), N_("Unit"), N_("Unit price"),
                                      N_("Discount"), N_("Tax rate"), N_("Amount"))]
        rows = [header] + [self._line_row(n, line) for n, line in enumerate(self.doc.lines, 1)]
        widths = [9 * mm, None, 14 * mm, 12 * mm, 24 * mm, 14 * mm, 14 * mm, 26 * mm]
        widths[1] = self.width - sum(w for w in widths if w)
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.fonts.regular, 8.5),
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
        rows = []
        for row in d.tax_rows:
            rate = _number(row.rate)
            rows.append([self._("%(rate)s%% subtotal") % {"rate": rate}, self.money(row.subtotal),
                         self._("Consumption tax"), self.money(row.tax)])
        rows.append([self._("Subtotal"), self.money(d.subtotal), self._("Consumption tax"), self.money(d.tax_total)])
        rows.append([self._("Total"), "", "", self.money(d.total)])
        if d.kind == "invoice" and d.amount_paid:
            rows.append([self._("Amount paid"), "", "", self.money(d.amount_paid)])
            rows.append([self._("Balance due"), "", "", self.money(d.balance)])
        table = Table(rows, colWidths=[30 * mm, 28 * mm, 24 * mm, 28 * mm], hAlign="RIGHT")
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.fonts.regular, 8.5),
            ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("ALIGN", (3, 0), (3, -1), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
            ("FONT", (0, len(d.tax_rows) + 1), (-1, len(d.tax_rows) + 1), self.fonts.bold, 10),
            ("LINEABOVE", (0, len(d.tax_rows) + 1), (-1, len(d.tax_rows) + 1), 1, colors.black),
        ]))
        block: list = [table]
        if any(line.tax_rate == 8 for line in d.lines):
            block.append(self.p(escape(self._("※ Reduced tax rate (8%) item")), ParagraphStyle(
                "note", parent=self.s.small, alignment=TA_RIGHT)))
        return block


def _numbered_canvas(doc: PdfDocument, fonts: FontSet):
    """A canvas that draws "n / N" and the document number once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(fonts.regular, 8)
                self.setFillColor(colors.HexColor("#555555"))
                self.drawRightString(A4[0] - MARGIN, 10 * mm, f"{self._pageNumber} / {total}")
                self.drawString(MARGIN, 10 * mm, doc.number)
                super().showPage()
            super().save()

    return NumberedCanvas


def render_pdf(doc: PdfDocument, fonts: FontSet | None = None) -> bytes:
    fonts = fonts or font_set()
    out = BytesIO()
    template = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=18 * mm,
        title=f"{gettext(doc.lang, TITLES[doc.kind])} {doc.number}", author=doc.issuer.name,
        subject=doc.number, creator="Kizuna",
    )
    template.build(_Renderer(doc, fonts).story(), canvasmaker=_numbered_canvas(doc, fonts))
    return out.getvalue()


async def render_pdf_async(doc: PdfDocument, fonts: FontSet | None = None) -> bytes:
    return await anyio.to_thread.run_sync(render_pdf, doc, fonts)
