"""What transaction PDFs say and how they write dates and numbers (labels are msgids)."""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm

from app import kinds
from app.formatting import format_document_date
from app.i18n import N_

# By kind (its value), from the registry of kinds.
TITLES = {k.value: k.pdf_title for k in kinds.KINDS}
LEADS = {k.value: k.pdf_lead for k in kinds.KINDS}
SECOND_DATES = {k.value: k.pdf_second_date for k in kinds.KINDS}
AMOUNT_LABELS = {k.value: k.pdf_amount for k in kinds.KINDS}
TAX_INCLUDED = N_("(tax included)")
TRANSACTION_DATE = N_("Transaction date")
# A credit note's transaction date is the date of the return (返還を行う年月日).
RETURN_DATE = N_("Date of return")
CREDITED_INVOICES = N_("Original sales (invoices credited)")
PRICES_INCLUDE_TAX = N_("Prices include tax")
# With 内税 the line table's amount column says its amounts include tax (外税 is the default).
AMOUNT_INCL = N_("Amount (incl. tax)")
# The categories without tax, by app.services.tax.TaxCategory value: a line's tax column and
# the summary's row (their own names, never "0%").
LINE_CATEGORY = {"export": N_("Tax-free"), "exempt": N_("Exempt"), "out_of_scope": N_("No tax")}
SUMMARY_CATEGORY = {"export": N_("Tax-free (export)"), "exempt": N_("Non-taxable"),
                    "out_of_scope": N_("Out of scope")}
REGISTRATION = N_("Registration No.")
# A foreign-currency document: its rate to the yen, and each rate's amount and tax in yen
# (the qualified-invoice rules want the tax per rate in yen).
EXCHANGE_RATE = N_("Exchange rate: 1 %(currency)s = %(rate)s yen (%(date)s)")
IN_YEN = N_("%(rate)s%% in yen")
TAX_IN_YEN = N_("Tax in yen")
# The top of continuation pages: "請求書 INV-00012 (2/3)".
CONTINUATION = "%(title)s %(number)s (%(page)d/%(pages)d)"
MARGIN = 15 * mm
# reportlab's frames keep 6 pt of padding inside the margins: the text block is narrower than
# the page less its margins, and every block is laid out to the text block's width.
FRAME_PADDING = 6
CONTENT_WIDTH = 210 * mm - 2 * MARGIN - 2 * FRAME_PADDING  # A4
LINE_WIDTHS = (9 * mm, None, 14 * mm, 12 * mm, 24 * mm, 14 * mm, 14 * mm, 26 * mm)  # None: the rest
# The company seal (角印) prints at a fixed size: real ones are 18 to 24 mm square.
SEAL_SIZE = 21 * mm
GRID = colors.HexColor("#9aa5b1")
HEAD_BG = colors.HexColor("#e8edf2")
FOOTER = colors.HexColor("#555555")


def format_date(value, lang: str) -> str:
    """The date a document prints, babel's long form: 2026年11月29日, November 29, 2026."""
    return format_document_date(value, lang)


def number_text(value: Decimal) -> str:
    """Quantities and rates without trailing zeros: 1.5, 3, 12.25."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def markup_text(value: str) -> str:
    """User text inside Paragraph markup: escaped, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


