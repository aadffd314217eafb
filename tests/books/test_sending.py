"""Sending a transaction by e-mail through a real SMTP server (aiosmtpd): the received MIME has
the PDF attached under its Japanese name and an encoded Japanese subject; a failure marks
nothing sent."""

from __future__ import annotations

import pytest

from app.errors import DeliveryFailed, PermissionDenied, ValidationError
from app.models import Comment, Kind, Status, Transaction
from app.permissions import Principal
from app.services import sending
from tests import factories as f


@pytest.fixture
async def invoice(accountant, customer):
    return await f.make_transaction(accountant, "invoice", customer,
                                    [("コンサルティング", 2, 50000, 10), ("お弁当", 3, 800, 8)])


async def smtp_on(org, port: int) -> None:
    org.smtp_host, org.smtp_port, org.smtp_security = "127.0.0.1", port, "none"
    org.sender_email, org.sender_name = "billing@kizuna.example", "キズナ商事 経理部"
    await org.save()


async def test_compose_fills_the_default_japanese_template(accountant, invoice):
    draft = await sending.compose(accountant, Kind.INVOICE, invoice.id)
    assert draft.template.language == "ja" and draft.template.is_default
    assert "INV-00001" in draft.subject
    assert draft.body.startswith("株式会社テスト")
    assert "山田 太郎 様" in draft.body and "御中" not in draft.body
    assert "¥112,592" in draft.body
    assert f"/portal/{invoice.portal_token}" in draft.body
    assert draft.to == [draft.recipients[0].email]
    assert draft.attachment_name == "請求書_INV-00001.pdf"


async def test_send_delivers_the_pdf_and_marks_sent(accountant, invoice, org, smtp_server):  # noqa: F811
    await smtp_on(org, smtp_server.port)
    draft = await sending.compose(accountant, Kind.INVOICE, invoice.id)
    await sending.send(accountant, Kind.INVOICE, invoice.id, to=draft.to, cc=["boss@kizuna.example"],
                       subject=draft.subject, body=draft.body)
    (message,) = smtp_server.messages
    assert message["Subject"] == draft.subject
    raw = smtp_server.envelopes[0].content
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" in headers.lower() and all(b < 128 for b in headers)
    assert sorted(smtp_server.envelopes[0].rcpt_tos) == sorted([*draft.to, "boss@kizuna.example"])
    (pdf,) = [part for part in message.iter_attachments()]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "請求書_INV-00001.pdf"
    data = pdf.get_content()
    assert data.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)
    assert "INV-00001" in text
    sent = await Transaction.get(id=invoice.id)
    assert sent.status == Status.SENT and sent.sent_at is not None
    note = await Comment.get(transaction_id=invoice.id, action="sent")
    assert note.params["recipients"] == f"{draft.to[0]}, boss@kizuna.example"


async def test_smtp_failure_marks_nothing_sent(accountant, invoice, org, closed_port):  # noqa: F811
    await smtp_on(org, closed_port)
    draft = await sending.compose(accountant, Kind.INVOICE, invoice.id)
    with pytest.raises(DeliveryFailed) as err:
        await sending.send(accountant, Kind.INVOICE, invoice.id, to=draft.to, subject=draft.subject,
                           body=draft.body)
    assert "could not connect" in err.value.message
    txn = await Transaction.get(id=invoice.id)
    assert txn.status == Status.DRAFT and txn.sent_at is None
    assert not await Comment.filter(transaction_id=invoice.id, action="sent").exists()


async def test_recipients_come_from_the_customer(accountant, invoice, org, smtp_server):  # noqa: F811
    await smtp_on(org, smtp_server.port)
    with pytest.raises(ValidationError) as err:
        await sending.send(accountant, Kind.INVOICE, invoice.id, to=["stranger@example.com"],
                           subject="件名", body="本文")
    assert err.value.errors[0].field == "to"
    assert smtp_server.messages == []


async def test_unconfigured_smtp_is_explained(accountant, invoice):
    draft = await sending.compose(accountant, Kind.INVOICE, invoice.id)
    with pytest.raises(ValidationError) as err:
        await sending.send(accountant, Kind.INVOICE, invoice.id, to=draft.to, subject=draft.subject,
                           body=draft.body)
    assert [e.field for e in err.value.errors] == ["smtp"]


async def test_sending_needs_the_email_grant(org, customer, accountant, invoice):
    sales_user = await f.make_user("Sales")
    from app.models import Membership

    await Membership.create(organization=org, user=sales_user)
    sales = await Principal.load(sales_user)  # Sales: invoices view only
    with pytest.raises(PermissionDenied):
        await sending.compose(sales, Kind.INVOICE, invoice.id)
    with pytest.raises(PermissionDenied):
        await sending.send(sales, Kind.INVOICE, invoice.id, to=["x@example.com"], subject="s", body="b")
