"""A transaction's PDF as a download (obeying the same permissions as its page) and the e-mail
dialog: the template filled in for the customer, recipients, the attachment's name; refusals and
SMTP failures shown, nothing marked sent."""

from __future__ import annotations

import importlib.util
from urllib.parse import quote

import pytest

from app.models import EmailTemplate, Role, Status, Transaction
from tests import factories as f
from tests.smtp import RecordingHandler, free_port, running
from tests.views.conftest import hx_post, login

needs_renderer = pytest.mark.skipif(importlib.util.find_spec("app.pdf.render") is None,
                                    reason="app.pdf.render (the PDF renderer) is not there yet")


@needs_renderer
async def test_pdf_download(client, principal, customer):
    invoice = await f.make_transaction(principal, "invoice", customer)
    response = await client.get(f"/books/invoices/{invoice.id}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"INV-00001.pdf\"; filename*=UTF-8''{quote('請求書_INV-00001.pdf')}")
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_pdf_obeys_permissions(client, principal, customer):
    invoice = await f.make_transaction(principal, "invoice", customer)
    url = f"/books/invoices/{invoice.id}.pdf"
    assert (await client.get(f"/books/estimates/{invoice.id}.pdf")).status_code == 404  # not an estimate

    stranger = await f.make_user("Accountant")
    await f.make_org(stranger)
    await login(client, stranger)
    assert (await client.get(url)).status_code == 404  # another organization's record

    await Role.create(name="Guest")
    guest = await f.make_user("Guest")
    await login(client, guest)
    assert (await client.get(url)).status_code == 403  # no invoices.view

    client.cookies.clear()
    anonymous = await client.get(url)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next=/books/invoices/{invoice.id}.pdf"


async def test_send_dialog_is_filled_for_the_customer(client, principal, customer):
    invoice = await f.make_transaction(principal, "invoice", customer)
    page = await client.get(f"/books/invoices/{invoice.id}/send")
    assert page.status_code == 200
    html = page.text
    person = (await customer.persons.all())[0]
    assert f'<input type="checkbox" name="to" value="{person.email}" checked>' in html
    assert "株式会社テスト\n山田 太郎 様" in html and "請求書 INV-00001 をお送りいたします。" in html  # filled in
    assert '<span id="attachment-name">請求書_INV-00001.pdf</span>' in html

    english = await EmailTemplate.get(organization_id=invoice.organization_id, kind="invoice", language="en")
    reloaded = await client.get(f"/books/invoices/{invoice.id}/send?template_id={english.id}&cc=boss@example.jp",
                                headers={"HX-Request": "true", "HX-Target": "send-form"})
    assert reloaded.text.lstrip().startswith('<form id="send-form"')
    assert "INV-00001" in reloaded.text and 'value="boss@example.jp"' in reloaded.text
    assert f'<option value="{english.id}" selected>' in reloaded.text
    assert f'name="to" value="{person.email}">' in reloaded.text  # unticked: what the user chose stays
    assert "Invoice_INV-00001.pdf" in reloaded.text


async def test_send_without_smtp_settings_points_to_them(client, principal, customer):
    invoice = await f.make_transaction(principal, "invoice", customer)
    person = (await customer.persons.all())[0]
    data = {"to": person.email, "cc": "", "subject": "請求書", "body": "本文"}
    response = await hx_post(client, f"/books/invoices/{invoice.id}/send", data)
    assert response.status_code == 422
    assert "Set up the organization&#39;s outgoing mail (SMTP) in Settings first." in response.text
    assert 'id="error-smtp"' in response.text and 'href="/books/settings"' in response.text
    stranger = await hx_post(client, f"/books/invoices/{invoice.id}/send", {**data, "to": "x@example.com"})
    assert "Send to the customer&#39;s contact persons; put other addresses in Cc (x@example.com)." in stranger.text
    assert (await Transaction.get(id=invoice.id)).status == Status.DRAFT


@needs_renderer
async def test_smtp_failure_marks_nothing_sent_and_success_does(client, principal, customer, org):
    invoice = await f.make_transaction(principal, "invoice", customer)
    person = (await customer.persons.all())[0]
    org.smtp_host, org.smtp_port, org.smtp_security, org.sender_email = "127.0.0.1", free_port(), "none", "books@example.jp"
    await org.save()
    data = {"to": person.email, "cc": "", "subject": "請求書のご送付", "body": "よろしくお願いいたします。"}
    failed = await hx_post(client, f"/books/invoices/{invoice.id}/send", data)
    assert failed.status_code == 422 and "The e-mail could not be sent: could not connect to the SMTP server." in failed.text
    assert 'value="請求書のご送付"' in failed.text  # nothing typed is lost
    assert (await Transaction.get(id=invoice.id)).status == Status.DRAFT

    with running(RecordingHandler()) as server:
        org.smtp_port = server.port
        await org.save()
        sent = await hx_post(client, f"/books/invoices/{invoice.id}/send", data)
        assert sent.headers["HX-Location"] == f"/books/invoices/{invoice.id}"
        assert server.messages[0]["Subject"] == "請求書のご送付"
    assert (await Transaction.get(id=invoice.id)).status == Status.SENT
