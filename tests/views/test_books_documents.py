"""Documents on a transaction's page: upload (type told from the bytes, never the name),
download only as an attachment with its stored type, delete; others' documents stay out of reach."""

from __future__ import annotations

from urllib.parse import quote

from app.models import Document
from tests import factories as f
from tests.views.conftest import hx_post, login, post

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REFUSED = "This kind of file cannot be attached. Allowed: PDF, images, Office documents, text and CSV."


async def upload(client, url: str, name: str, content: bytes, content_type: str = "application/pdf"):
    return await hx_post(client, url, files={"file": (name, content, content_type)})


async def test_upload_and_download_a_pdf(client, principal, customer):
    invoice = await f.make_transaction(principal, "invoice", customer)
    url = f"/books/invoices/{invoice.id}/documents"
    uploaded = await upload(client, url, "注文書.pdf", PDF)
    assert uploaded.status_code == 200
    assert uploaded.text.lstrip().startswith('<section class="card panel" id="documents">')
    doc = await Document.get(transaction_id=invoice.id)
    assert f'<a href="/books/documents/{doc.id}">注文書.pdf</a>' in uploaded.text

    download = await client.get(f"/books/documents/{doc.id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"] == "sandbox"
    assert download.headers["content-disposition"] == (
        f"attachment; filename=\"download.pdf\"; filename*=UTF-8''{quote('注文書.pdf')}")
    page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert "注文書.pdf" in page and 'hx-confirm="Delete this document?"' in page


async def test_markup_is_refused_whatever_its_name(client, principal, customer):
    estimate = await f.make_transaction(principal, "estimate", customer)
    url = f"/books/estimates/{estimate.id}/documents"
    page = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    for name, content_type in (("invoice.pdf", "application/pdf"), ("page.html", "text/html")):
        refused = await upload(client, url, name, page, content_type)
        assert refused.status_code == 422, name
        assert f'<p class="field-error" id="error-file" role="alert">{REFUSED}</p>' in refused.text
        assert 'aria-invalid="true"' in refused.text
    missing = await hx_post(client, url, data={"file": ""})
    assert "Choose a file to attach." in missing.text
    assert not await Document.exists()


async def test_delete_and_who_may_download(client, principal, customer, org):
    order = await f.make_transaction(principal, "sales_order", customer)
    await upload(client, f"/books/sales-orders/{order.id}/documents", "spec.pdf", PDF)
    doc = await Document.get(transaction_id=order.id)

    stranger = await f.make_user("Accountant")
    await f.make_org(stranger)
    await login(client, stranger)
    assert (await client.get(f"/books/documents/{doc.id}")).status_code == 404
    assert (await post(client, f"/books/documents/{doc.id}/delete")).status_code == 404

    await login(client, principal.user)
    deleted = await hx_post(client, f"/books/documents/{doc.id}/delete")
    assert deleted.status_code == 200 and deleted.text == ""  # the row swaps itself out
    assert (await client.get(f"/books/documents/{doc.id}")).status_code == 404
    await upload(client, f"/books/sales-orders/{order.id}/documents", "spec.pdf", PDF)
    again = await Document.get(transaction_id=order.id)
    plain = await post(client, f"/books/documents/{again.id}/delete")
    assert plain.status_code == 303 and plain.headers["location"] == f"/books/sales-orders/{order.id}#documents"


async def test_ascii_fallback_names():
    from views.downloads import ascii_fallback

    assert ascii_fallback("請求書_INV-00001.pdf") == "INV-00001.pdf"
    assert ascii_fallback('a"b\\c.pdf') == "a_b_c.pdf"
    assert ascii_fallback("見積書") == "download"


async def test_upload_without_javascript_carries_the_token_in_the_form(client, principal, customer):
    from tests.views.conftest import token

    invoice = await f.make_transaction(principal, "invoice", customer)
    url = f"/books/invoices/{invoice.id}/documents"
    csrf = await token(client)
    refused = await client.post(url, data={"csrf_token": "forged"}, files={"file": ("a.pdf", PDF, "application/pdf")})
    assert refused.status_code == 403 and not await Document.exists()
    sent = await client.post(url, data={"csrf_token": csrf}, files={"file": ("a.pdf", PDF, "application/pdf")})
    assert sent.status_code in (200, 303) and await Document.filter(transaction_id=invoice.id).count() == 1


async def test_file_sizes_read_as_people_write_them_in_the_users_language(client, principal, customer, accountant):
    invoice = await f.make_transaction(principal, "invoice", customer)
    await upload(client, f"/books/invoices/{invoice.id}/documents", "memo.txt", b"26 bytes of plain text....", "text/plain")
    await upload(client, f"/books/contacts/{customer.id}/documents", "big.txt", b"x" * 1_234_567, "text/plain")
    invoice_page = (await client.get(f"/books/invoices/{invoice.id}")).text
    contact_page = (await client.get(f"/books/contacts/{customer.id}")).text
    assert "26 bytes" in invoice_page and "0.0 KB" not in invoice_page
    assert "1.2 MB" in contact_page
    accountant.language = "ja"
    await accountant.save(update_fields=["language"])
    assert "26 バイト" in (await client.get(f"/books/invoices/{invoice.id}")).text
