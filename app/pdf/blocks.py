"""Fixed blocks of a transaction PDF drawn straight on the canvas (header, totals, free text)
and the canvas that numbers pages "n / N"."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from app.addressing import addressee
from app.formatting import format_document_period
from app.i18n import gettext
from app.pdf.document import PdfDocument
from app.pdf.fonts import FontSet
from app.pdf.labels import (
    CONTINUATION, FOOTER, FRAME_PADDING, GRID, LEADS, MARGIN, REGISTRATION, RETURN_DATE, SECOND_DATES, TITLES, TRANSACTION_DATE,
    format_date,
)


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking that works for Japanese (any character) and English (at spaces).
    Widths add up character by character (reportlab does not kern), so a paragraph that fits
    is measured once and one that does not is measured a character at a time."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if stringWidth(paragraph, font, size) <= width:
            lines.append(paragraph)
            continue
        line, used = "", 0.0
        for ch in paragraph:
            w = stringWidth(ch, font, size)
            if used + w <= width or not line:
                line, used = line + ch, used + w
                continue
            cut = line.rfind(" ")
            if cut > 0 and line.isascii():
                lines.append(line[:cut])
                line = line[cut + 1:] + ch
            else:
                lines.append(line)
                line = ch
            used = stringWidth(line, font, size)
        lines.append(line)
    return lines


class _Text:
    """The strings of one block in a single text object: reportlab's drawString opens, formats
    and closes a text object for every string, which costs a block of forty strings more than
    the strings themselves."""

    def __init__(self, canvas: Canvas) -> None:
        self.canv, self.obj, self.font = canvas, canvas.beginText(), None

    def put(self, x: float, y: float, text: str, font: str, size: float, align: float = 0) -> None:
        """`text` at (x, y); `align` 0 starts it there, 0.5 centres it, 1 ends it there."""
        if self.font != (font, size):
            self.obj.setFont(font, size)
            self.font = (font, size)
        if align:
            x -= align * stringWidth(text, font, size)
        self.obj.setTextOrigin(x, y)
        self.obj.textOut(text)

    def draw(self) -> None:
        self.canv.drawText(self.obj)


class Header(Flowable):
    """Title, recipient (left), document facts and issuer (right), drawn straight on the canvas:
    the first-page header in a handful of drawString calls instead of nested tables of
    paragraphs (a document is rendered for every download and every e-mail)."""

    RIGHT = 72 * mm
    LABEL = 24 * mm

    def __init__(self, r) -> None:
        super().__init__()
        self.r, self.font, self.bold = r, r.fonts.regular, r.fonts.bold
        d, _ = r.doc, r._
        attention = d.recipient.attention
        if d.lang == "ja":  # one honorific: 様 on the person when one is named, else 御中 / 様
            self.recipient_name, attention = addressee(
                "ja", d.recipient.name, is_company=d.recipient.is_company, contact_name=attention)
        else:
            self.recipient_name, attention = d.recipient.name, f"Attn: {attention}" if attention else ""
        left: list[tuple[str, float]] = []
        if attention:
            left.append((attention, 9))
        left += [(line, 8) for line in d.recipient.address_lines]
        if d.recipient.registration_number:
            left.append((_(REGISTRATION) + " " + d.recipient.registration_number, 8))
        self.left = left
        meta = [(_("Number"), d.number), (_("Issue date"), format_date(d.issue_date, d.lang))]
        if d.transaction_date:
            period = format_document_period(d.transaction_date, d.transaction_date_end, d.lang)
            label = RETURN_DATE if d.kind == "credit_note" else TRANSACTION_DATE
            meta.append((_(label), period))
        if d.second_date:
            meta.append((_(SECOND_DATES[d.kind]), format_date(d.second_date, d.lang)))
        if d.reference:
            meta.append((_("Reference"), d.reference))
        if d.salesperson:
            meta.append((_("Salesperson"), d.salesperson))
        self.meta = meta
        i = d.issuer
        right = [(line, 8.5) for line in i.address_lines]
        contact = " / ".join(x for x in (f"TEL {i.phone}" if i.phone else "", i.email) if x)
        if contact:
            right.append((contact, 8.5))
        if i.registration_number:
            right.append((_(REGISTRATION) + " " + i.registration_number, 8.5))
        self.right = right
        self.logo, self.seal = r.logo(), r.seal()

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        left_width = available_width - self.RIGHT - 4 * mm
        self.name_lines = wrap_text(self.recipient_name, self.font, 13, left_width)
        self.left_lines = [(t, size) for text, size in self.left for t in wrap_text(text, self.font, size, left_width)]
        self.lead = wrap_text(self.r._(LEADS[self.r.doc.kind]), self.font, 8, left_width)
        self.issuer_lines = wrap_text(self.r.doc.issuer.name, self.bold, 11, self.RIGHT)
        self.right_lines = [(t, size) for text, size in self.right for t in wrap_text(text, self.font, size, self.RIGHT)]
        left_h = len(self.name_lines) * 17 + sum(s * 1.3 for _, s in self.left_lines) + 4 * mm + len(self.lead) * 10.4
        issuer_h = len(self.issuer_lines) * 14 + sum(s * 1.3 for _, s in self.right_lines)
        right_h = (len(self.meta) * 13 + 4 * mm + (self.logo[2] + 2 * mm if self.logo else 0)
                   + max(issuer_h, self.seal[2] if self.seal else 0))
        self.height = 30 + max(left_h, right_h)
        return self.width, self.height

    def draw(self) -> None:
        c, top, font = self.canv, self.height, self.font
        text = _Text(c)
        text.put(self.width / 2, top - 20, self.r._(TITLES[self.r.doc.kind]), self.bold, 20, align=0.5)
        y = top - 30
        c.setLineWidth(0.6)
        for line in self.name_lines:  # recipient, underlined
            y -= 17
            text.put(0, y + 3, line, font, 13)
            c.line(0, y + 1, stringWidth(line, font, 13), y + 1)
        for line, size in self.left_lines:
            y -= size * 1.3
            text.put(0, y, line, font, size)
        y -= 4 * mm
        for line in self.lead:
            y -= 10.4
            text.put(0, y, line, font, 8)
        x, y = self.width - self.RIGHT, top - 30
        c.setLineWidth(0.3)
        c.setStrokeColor(GRID)
        for label, value in self.meta:  # document facts, ruled
            y -= 13
            text.put(x + 2, y + 3, label, font, 8)
            text.put(x + self.LABEL, y + 3, value, font, 8)
            c.line(x, y, self.width, y)
        y -= 4 * mm
        if self.logo:
            reader, w, h = self.logo
            y -= h
            c.drawImage(reader, x, y, w, h, mask="auto")
            y -= 2 * mm
        issuer_top = y
        for line in self.issuer_lines:
            y -= 14
            text.put(x, y + 3, line, self.bold, 11)
        for line, size in self.right_lines:
            y -= size * 1.3
            text.put(x, y, line, font, size)
        text.draw()
        if self.seal:  # stamped over the end of the name, as a 角印 is; its ink lets the text through
            reader, w, h = self.seal
            name_end = x + max((stringWidth(line, self.bold, 11) for line in self.issuer_lines), default=0)
            left = min(self.width - w, max(x, name_end - w * 0.4))
            c.drawImage(reader, left, issuer_top - h + 2, w, h, mask="auto")


class Totals(Flowable):
    """Per-rate subtotals and taxes, then subtotal, tax, total (and paid / balance), right-aligned
    in four columns; never split across pages."""

    COLUMNS = (30 * mm, 28 * mm, 24 * mm, 28 * mm)
    ROW = 15

    def __init__(self, rows: list[list[str]], rates: int, note: str, fonts: FontSet) -> None:
        """`rows`: one per tax rate (`rates` of them), then subtotal, total and the rest."""
        super().__init__()
        self.rows, self.sums, self.note, self.font, self.bold = rows, rates, note, fonts.regular, fonts.bold

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = len(self.rows) * self.ROW + 2 + (12 if self.note else 0)
        return self.width, self.height

    def draw(self) -> None:
        c, font, text = self.canv, self.font, _Text(self.canv)
        left = self.width - sum(self.COLUMNS)
        edges = [left + sum(self.COLUMNS[:i]) for i in range(5)]
        y = self.height
        for n, row in enumerate(self.rows):
            size, face = (10, self.bold) if n == self.sums + 1 else (8.5, font)  # the total stands out
            y -= self.ROW
            if n == self.sums:  # a rule between the rates and the sums
                c.setLineWidth(1)
                c.setStrokeColor(colors.black)
                c.line(left, y + self.ROW, self.width, y + self.ROW)
            text.put(edges[0] + 3, y + 4, row[0], face, size)
            text.put(edges[2] - 3, y + 4, row[1], face, size, align=1)
            text.put(edges[2] + 3, y + 4, row[2], face, size)
            text.put(edges[4] - 3, y + 4, row[3], face, size, align=1)
            c.setLineWidth(0.3)
            c.setStrokeColor(GRID)
            c.line(left, y, self.width, y)
        if self.note:
            text.put(self.width, y - 10, self.note, font, 8, align=1)
        text.draw()


class TextBlock(Flowable):
    """A heading and free text (bank details, notes, terms), lines kept, wrapped to the width."""

    def __init__(self, heading: str, text: str, font: str, bold: str | None = None) -> None:
        super().__init__()
        self.heading, self.text, self.font, self.bold = heading, text, font, bold or font

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.lines = wrap_text(self.text.strip(), self.font, 8, available_width)
        self.height = 13 + len(self.lines) * 10.5
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """Long terms may continue on the next page (the heading stays with the first lines)."""
        fits = int((available_height - 13) // 10.5)
        if fits < 2 or fits >= len(self.lines):
            return []
        return [TextBlock(self.heading, "\n".join(self.lines[:fits]), self.font, self.bold),
                TextBlock("", "\n".join(self.lines[fits:]), self.font, self.bold)]

    def draw(self) -> None:
        y, text = self.height, _Text(self.canv)
        if self.heading:
            text.put(0, y - 10, self.heading, self.bold, 9.5)
        y -= 13
        for line in self.lines:
            y -= 10.5
            text.put(0, y + 2, line, self.font, 8)
        text.draw()


class NumberedCanvas(Canvas):
    """A canvas that draws "n / N" and the document number once the page count is known, and
    the document's title and number at the top of continuation pages ("請求書 INV-00012 (2/3)"):
    a page that comes loose from the stack still says whose it is."""

    def __init__(self, *args, footer: str, font: str, title: str = "", title_font: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer, self._footer_font = footer, font
        self._title, self._title_font = title, title_font or font
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(self._footer_font, 8)
            self.setFillColor(FOOTER)
            self.drawRightString(A4[0] - MARGIN - FRAME_PADDING, 10 * mm, f"{self._pageNumber} / {total}")
            self.drawString(MARGIN + FRAME_PADDING, 10 * mm, self._footer)
            if self._pageNumber > 1 and self._title:
                self._continuation(total)
            super().showPage()
        super().save()


    def _continuation(self, total: int) -> None:
        """In the top margin, above the frame (reportlab's frames start MARGIN down)."""
        text = CONTINUATION % {"title": self._title, "number": self._footer, "page": self._pageNumber,
                               "pages": total}
        y = A4[1] - MARGIN + 2 * mm
        self.setFillColor(colors.black)
        self.setFont(self._title_font, 9.5)
        self.drawString(MARGIN + FRAME_PADDING, y, text)
        self.setLineWidth(0.3)
        self.setStrokeColor(GRID)
        self.line(MARGIN + FRAME_PADDING, y - 1.5 * mm, A4[0] - MARGIN - FRAME_PADDING, y - 1.5 * mm)


def numbered_canvas(doc: PdfDocument, fonts: FontSet) -> Callable[..., NumberedCanvas]:
    """The canvas maker of `doc`'s PDF: pages numbered, the document number in the footer, the
    title and number atop continuation pages."""
    return partial(NumberedCanvas, footer=doc.number, font=fonts.regular,
                   title=gettext(doc.lang, TITLES[doc.kind]), title_font=fonts.bold)
