"""A transaction as a PDF: gathers what the page shows (app.pdf.document) and renders it off
the event loop (app.pdf.render)."""

from __future__ import annotations

from decimal import Decimal

from typing import Any

from app import kinds
from app.addressing import lines_of
from app.models import BooksContact, ContactPerson, ContactType, Kind, Organization, Transaction, User
from app.i18n import gettext
from app.pdf.document import Line, Party, PdfDocument, TaxRow
from app.pdf.labels import TITLES
from app.pdf.render import render_pdf_async
from app.permissions import Principal
from app.services import transactions as txns
from app.services.documents import storage_path
from app.services.tax import RateTotal

def filename_of(txn: Transaction, lang: str) -> str:
    """`請求書_INV-00001.pdf`: what the download and the e-mail attachment are called."""
    title = gettext(lang, TITLES[txn.kind.value]).replace(" ", "-")
    return f"{title}_{txn.number}.pdf"


def _address(obj: Any, prefix: str, lang: str) -> tuple[str, ...]:
    return lines_of(obj, prefix, lang)


def _image(stored: str) -> bytes | None:
    """The bytes of an organization's image (logo, seal), or None when there is none."""
    if not stored:
        return None
    path = storage_path(stored)
    return path.read_bytes() if path.exists() else None


async def build_document(txn: Transaction, lang: str | None = None) -> PdfDocument:
    org = await Organization.get(id=txn.organization_id)
    contact = await BooksContact.get(id=txn.contact_id)
    lang = lang or org.language
    person = await ContactPerson.filter(books_contact_id=contact.id).order_by("-is_primary", "id").first()
    salesperson = await User.get_or_none(id=txn.salesperson_id) if txn.salesperson_id else None
    lines = await txns.lines_of(txn)
    # The person addressed (the renderer adds the honorific: app.addressing.addressee).
    kind = kinds.of(txn.kind)
    sources = ""
    if txn.kind == Kind.INVOICE and any(line.source_order_id for line in lines):
        from app.services import billing, consolidation

        sources = consolidation.sources_text(await billing.sources_of(txn), lang)
    credited = ""
    if kind.is_credit:
        from app.services import credit_notes

        credited = credit_notes.credited_text(await credit_notes.referenced_invoices(txn), lang)
    attention = contact.billing_attention or (person.full_name if person and contact.is_company else "")
    return PdfDocument(
        kind=txn.kind.value, number=txn.number, lang=lang, currency=txn.currency,
        issuer=Party(name=org.name, address_lines=_address(org, "address", lang), phone=org.phone,
                     email=org.email, registration_number=org.registration_number),
        recipient=Party(name=contact.company_name or contact.display_name, is_company=contact.is_company,
                        attention=attention, address_lines=_address(contact, "billing", lang),
                        registration_number=contact.registration_number if kind.party == ContactType.VENDOR else ""),
        issue_date=txn.issue_date, second_date=txn.due_date, reference=txn.reference,
        salesperson=salesperson.name if salesperson else "", subject=txn.subject,
        lines=tuple(Line(description=line.description, quantity=line.quantity, unit=line.unit, rate=line.rate,
                         discount=line.discount, tax_rate=line.tax_rate, amount=line.amount,
                         tax_category=line.tax_category.value) for line in lines),
        tax_rows=tuple(TaxRow(r.rate, r.subtotal, r.tax, r.category.value, r.discount, r.subtotal_jpy, r.tax_jpy)
                       for r in map(RateTotal.from_json, txn.tax_breakdown)),
        exchange_rate=txn.exchange_rate, exchange_rate_date=txn.exchange_rate_date,
        transaction_date=txn.transaction_date, transaction_date_end=txn.transaction_date_end,
        prices_include_tax=txn.prices_include_tax, discount=txn.discount_total,
        subtotal=txn.subtotal, tax_total=txn.tax_total, total=txn.total,
        amount_paid=txn.amount_paid if kind.has_balance else Decimal(0),
        credit_applied=txn.credit_applied if kind.has_balance else Decimal(0),
        balance=txn.balance if kind.has_balance else Decimal(0),
        bank_details=org.bank_details if kind.has_balance else "",
        notes=txn.notes, terms=txn.terms, sources=sources, credited_invoices=credited, logo=_image(org.logo_path), seal=_image(org.seal_path),
    )


async def render(txn: Transaction, lang: str | None = None) -> bytes:
    return await render_pdf_async(await build_document(txn, lang))


async def pdf_of(principal: Principal, kind: Kind, record_id: Any) -> tuple[str, bytes]:
    """(file name, PDF bytes) of a transaction the user may view."""
    txn = await txns.get(principal, kind, record_id, "view")
    org_lang = await Organization.filter(id=txn.organization_id).first().values_list("language", flat=True)
    return filename_of(txn, org_lang), await render(txn, org_lang)


