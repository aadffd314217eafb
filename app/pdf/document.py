"""What a transaction PDF shows, as plain data: the renderer knows nothing of the database.

`app.services.books_pdf` (or whoever renders) builds a `PdfDocument` from a transaction; the
renderer (`app.pdf.render`) turns it into bytes. Amounts are Decimal already rounded to the
currency's minor unit; labels are translated by the renderer from `lang`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app import kinds

# The transaction kinds that have a PDF: all of them.
KINDS = tuple(k.value for k in kinds.KINDS)


def _category_of(rate: Decimal) -> str:
    """A bare rate's category, as app.services.tax.category_of_rate reads it."""
    return {Decimal(10): "standard", Decimal(8): "reduced"}.get(rate, "exempt")


@dataclass(frozen=True)
class Party:
    """The organization issuing the document, or the customer/vendor receiving it."""

    name: str
    # The recipient's honorific (app.addressing.addressee): 様 on the attention when there is one,
    # else 御中 for a company, 様 for a person.
    is_company: bool = True
    attention: str = ""  # the person addressed at a company ("営業部 山田 太郎"), no honorific
    address_lines: tuple[str, ...] = ()  # already in the country's order (app.addressing)
    phone: str = ""
    email: str = ""
    registration_number: str = ""  # qualified-invoice registration number, T + 13 digits


@dataclass(frozen=True)
class Line:
    description: str  # item name and/or free text; may contain newlines
    quantity: Decimal
    unit: str
    rate: Decimal
    discount: Decimal  # percent, 0 when none
    tax_rate: Decimal  # percent: 10, 8 (reduced, marked ※) or 0
    amount: Decimal  # quantity x rate less discount, rounded (with tax when prices include it)
    # app.services.tax.TaxCategory's value: standard, reduced, export, exempt, out_of_scope ("": by the rate)
    tax_category: str = ""

    @property
    def category(self) -> str:
        return self.tax_category or _category_of(self.tax_rate)


@dataclass(frozen=True)
class TaxRow:
    """Subtotal and tax of one tax category (the qualified-invoice rules want both per rate);
    the subtotal excludes tax and is after the document discount (`discount`: its share)."""

    rate: Decimal
    subtotal: Decimal
    tax: Decimal
    tax_category: str = ""  # as Line's
    discount: Decimal = Decimal(0)
    # A foreign-currency document: the subtotal and the tax of the rate in yen (printed below it)
    subtotal_jpy: Decimal | None = None
    tax_jpy: Decimal | None = None

    @property
    def category(self) -> str:
        return self.tax_category or _category_of(self.rate)


@dataclass(frozen=True)
class PdfDocument:
    kind: str  # one of KINDS
    number: str  # "INV-00001"
    lang: str  # "ja" or "en": labels, date format
    currency: str  # "JPY": no decimals; others use their minor unit
    issuer: Party
    recipient: Party
    issue_date: date
    # estimate: expiry date; invoice: due date; sales/purchase order: expected delivery date
    second_date: date | None = None
    # The transaction date (取引年月日), or a period with its end; printed apart from the issue date.
    transaction_date: date | None = None
    transaction_date_end: date | None = None
    prices_include_tax: bool = False  # 内税: line amounts include tax
    discount: Decimal = Decimal(0)  # the document-level discount, allocated in `tax_rows`
    # Another currency than the yen: yen per 1 unit and the rate's date, printed with the totals.
    exchange_rate: Decimal | None = None
    exchange_rate_date: date | None = None
    reference: str = ""
    salesperson: str = ""
    subject: str = ""
    lines: tuple[Line, ...] = ()
    tax_rows: tuple[TaxRow, ...] = ()
    subtotal: Decimal = Decimal(0)
    tax_total: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    amount_paid: Decimal = Decimal(0)  # invoices: shown with the balance due when non-zero
    credit_applied: Decimal = Decimal(0)  # invoices: credit notes applied, shown like payments
    balance: Decimal = Decimal(0)
    bank_details: str = ""  # free text, several lines
    notes: str = ""
    terms: str = ""
    # A consolidated invoice: its closing period and the sales orders it bills, one a line.
    sources: str = ""
    # A credit note: the invoices (original sales) it returns an amount on, one a line with their
    # number and transaction date.
    credited_invoices: str = ""
    logo: bytes | None = None  # PNG or JPEG bytes of the organization's logo
    seal: bytes | None = None  # PNG or JPEG bytes of the company seal (角印), beside the issuer
    extra: dict[str, str] = field(default_factory=dict)
