"""A credit note's own PDF (適格返還請求書) read back: its title and number, the issuer and their
registration number, the date of the return, the invoices of the original sales with their
numbers and transaction dates, and the per-rate amounts returned with their tax. Its e-mail
comes from its own templates."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader

from app.services import books_pdf, sending
from app.models import Kind
from tests import factories as f


def pdf_text(pdf: bytes) -> str:
    return " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(BytesIO(pdf)).pages)


async def test_the_pdf_is_a_qualified_return_invoice(accountant, customer, org):
    first = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)], transaction_date="2026-10-15",
                                      issue_date="2026-10-31")
    second = await f.make_sent_invoice(accountant, customer, [("お弁当", 10, 1000, 8)], issue_date="2026-11-05")
    note = await f.make_credit_note(accountant, [first, second], [("作業 値引", 1, 2000, 10), ("お弁当 返品", 2, 1000, 8)],
                                    issue_date="2026-11-25", transaction_date="2026-11-20")
    en = pdf_text(await books_pdf.render(note, "en"))
    for expected in ("Credit Note", "CN-00001", org.name, f.REGISTRATION_NUMBER, "Date of return", "November 20, 2026",
                     "Original sales (invoices credited)", f"{first.number} Transaction date: October 15, 2026",
                     f"{second.number} Transaction date: November 5, 2026",
                     "10% subtotal ¥2,000 Consumption tax ¥200", "8% subtotal ¥2,000 Consumption tax ¥160",
                     "¥4,360"):
        assert expected in en, expected
    assert "Balance due" not in en and "Bank details" not in en
    ja = pdf_text(await books_pdf.render(note, "ja"))
    assert "CN-00001" in ja and "2026年11月20日" in ja and "2026年10月15日" in ja and "10%対象" in ja
    assert books_pdf.filename_of(note, "en") == "Credit-Note_CN-00001.pdf"


async def test_an_invoices_pdf_shows_the_credit_applied(accountant, customer):
    from app.services import credit_applications

    invoice = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])
    note = await f.make_credit_note(accountant, [invoice], [("返品", 1, 1000, 10)], sent=True)
    await credit_applications.apply_credit(accountant, note.id, [{"invoice_id": invoice.id, "amount": 1100}])
    from app.models import Transaction

    en = pdf_text(await books_pdf.render(await Transaction.get(id=invoice.id), "en"))
    assert "Credit applied ¥1,100" in en and "Balance due ¥9,900" in en and "Amount paid" not in en


async def test_the_email_comes_from_the_credit_note_templates(accountant, customer):
    invoice = await f.make_sent_invoice(accountant, customer)
    note = await f.make_credit_note(accountant, [invoice], [("返品", 1, 1000, 10)])
    composed = await sending.compose(accountant, Kind.CREDIT_NOTE, note.id)
    assert composed.subject.startswith("【") and "適格返還請求書（CN-00001）" in composed.subject
    assert "返還金額：¥1,100" in composed.body and "/portal/" in composed.body
    english = next(t for t in composed.templates if t.language == "en")
    composed = await sending.compose(accountant, Kind.CREDIT_NOTE, note.id, english.id)
    assert composed.subject.startswith("Credit note CN-00001 from ") and "Amount credited: ¥1,100" in composed.body
