"""What transaction PDFs say and how they write dates and numbers (labels are msgids)."""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm

from app.i18n import N_

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
TAX_INCLUDED = N_("(tax included)")
REGISTRATION = N_("Registration No.")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MARGIN = 15 * mm
# reportlab's frames keep 6 pt of padding inside the margins: the text block is narrower than
# the page less its margins, and every block is laid out to the text block's width.
FRAME_PADDING = 6
CONTENT_WIDTH = 210 * mm - 2 * MARGIN - 2 * FRAME_PADDING  # A4
LINE_WIDTHS = (9 * mm, None, 14 * mm, 12 * mm, 24 * mm, 14 * mm, 14 * mm, 26 * mm)  # None: the rest
GRID = colors.HexColor("#9aa5b1")
HEAD_BG = colors.HexColor("#e8edf2")
FOOTER = colors.HexColor("#555555")


def format_date(value, lang: str) -> str:
    if value is None:
        return ""
    if lang == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def number_text(value: Decimal) -> str:
    """Quantities and rates without trailing zeros: 1.5, 3, 12.25."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def markup_text(value: str) -> str:
    """User text inside Paragraph markup: escaped, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


