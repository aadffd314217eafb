"""The kept versions on a document's page and their downloads, the archive search page (Books →
Archive): what users see, with permissions and hostile parameters."""

from __future__ import annotations

import hashlib

import pytest

from app import settings
from app.models import DocumentVersion, Kind, Membership, VersionReason
from app.permissions import Principal
from app.services import archive
from app.services import transactions as txns
from tests import factories as f
from tests.views.conftest import login


async def kept(principal, contact, kind="invoice", amount=10000, **kw):
    txn = await f.make_transaction(principal, kind, contact, [("作業", 1, amount, 10)], **kw)
    await archive.keep(txn, VersionReason.SENT, user=principal.user)
    return txn


async def test_the_document_page_lists_its_versions_with_hashes_and_downloads(client, principal, customer):
    invoice = await kept(principal, customer)
    v1 = await DocumentVersion.get(transaction_id=invoice.id)
    v1_bytes = (settings.ARCHIVE_DIR / v1.storage_name).read_bytes()
    await txns.update(principal, Kind.INVOICE, invoice.id, {"subject": "11月分"})
    detail = await client.get(f"/books/invoices/{invoice.id}")
    assert f'hx-get="/books/invoices/{invoice.id}/versions"' in detail.text
    section = await client.get(f"/books/invoices/{invoice.id}/versions")
    assert section.status_code == 200
    v2 = await DocumentVersion.get(transaction_id=invoice.id, version=2)
    assert v1.sha256 in section.text and v2.sha256 in section.text
    assert "Sent by e-mail" in section.text and "Edited after it was kept" in section.text
    assert "経理 花子" in section.text
    one = await client.get(f"/books/invoices/{invoice.id}/versions/1.pdf")
    assert one.status_code == 200 and one.content == v1_bytes
    assert one.headers["x-content-sha256"] == v1.sha256
    assert 'filename*=' in one.headers["content-disposition"] and "_v1.pdf" in one.headers["content-disposition"]
    # The staff download of the document serves the latest kept bytes.
    current = await client.get(f"/books/invoices/{invoice.id}.pdf")
    assert hashlib.sha256(current.content).hexdigest() == v2.sha256


async def test_a_tampered_version_is_reported_not_served(client, principal, customer):
    invoice = await kept(principal, customer)
    v1 = await DocumentVersion.get(transaction_id=invoice.id)
    (settings.ARCHIVE_DIR / v1.storage_name).write_bytes(b"%PDF-1.4 forged")
    response = await client.get(f"/books/invoices/{invoice.id}/versions/1.pdf")
    assert response.status_code == 409 and "forged" not in response.text
    assert "does not match its recorded" in response.text


@pytest.mark.parametrize("path", ["0.pdf", "2.pdf", "-1.pdf", "abc.pdf", "%2e%2e.pdf", "1e9.pdf", "9999999999999.pdf"])
async def test_versions_that_do_not_exist_are_404(client, principal, customer, path):
    invoice = await kept(principal, customer)
    assert (await client.get(f"/books/invoices/{invoice.id}/versions/{path}")).status_code == 404


async def test_versions_obey_the_documents_permissions(client, principal, customer):
    invoice = await kept(principal, customer)
    assert (await client.get(f"/books/estimates/{invoice.id}/versions")).status_code == 404
    stranger = await f.make_user("Accountant")
    await f.make_org(stranger)
    await login(client, stranger)
    assert (await client.get(f"/books/invoices/{invoice.id}/versions")).status_code == 404
    assert (await client.get(f"/books/invoices/{invoice.id}/versions/1.pdf")).status_code == 404
    assert "株式会社テスト" not in (await client.get("/books/archive?counterparty=テスト")).text


async def test_the_archive_page_searches_by_date_amount_and_counterparty(client, principal, org, customer):
    other = await f.make_customer(org, display_name="有限会社サンプル")
    a = await kept(principal, customer, amount=10000, issue_date="2026-10-01")
    b = await kept(principal, other, amount=50000, issue_date="2026-11-15")
    page = await client.get("/books/archive")
    assert page.status_code == 200 and 'href="/books/archive" aria-current="page"' in page.text
    assert a.number in page.text and b.number in page.text
    found = await client.get("/books/archive", params={"date_from": "2026-11-01", "amount_min": "20000",
                                                        "counterparty": "サンプル"})
    assert f'id="kept-' in found.text and b.number in found.text and a.number not in found.text
    assert "有限会社サンプル" in found.text
    none = await client.get("/books/archive", params={"amount_max": "5000"})
    assert a.number not in none.text and b.number not in none.text


@pytest.mark.parametrize("params", [
    {"date_from": "2026-02-30"}, {"date_to": "0000-01-01"}, {"amount_min": "1e999"}, {"amount_max": "x"},
    {"date_from": "2026-12-01", "date_to": "2026-01-01"}, {"direction": "<script>"}, {"kind": "bill"},
    {"counterparty": "\x00" * 10}, {"offset": "-1", "limit": "99999999999999999999"},
    {"counterparty": "ｱ" * 5000},
])
async def test_hostile_search_parameters_answer_4xx_or_an_empty_page(client, principal, customer, params):
    await kept(principal, customer)
    response = await client.get("/books/archive", params=params)
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert 'role="alert"' in response.text


async def test_the_archive_needs_a_documents_module(client, principal, org, customer):
    vendor = await f.make_customer(org, display_name="仕入先商店", contact_type="vendor")
    await kept(principal, customer)
    await kept(principal, vendor, kind="purchase_order")
    sales = await f.make_user("Sales")
    await Membership.create(organization=org, user=sales)
    await login(client, sales)
    page = await client.get("/books/archive")
    assert page.status_code == 200 and "INV-00001" in page.text
    assert "PO-" not in page.text and "仕入先商店" not in page.text  # purchase orders are not theirs
    outsider = await f.make_user("Accountant")
    await login(client, outsider)
    # An accountant of no organization has the grants but no documents: an empty archive.
    assert "INV-00001" not in (await client.get("/books/archive")).text


async def test_the_archive_page_lists_received_files(client, principal, org, customer):
    import io

    from app.services import documents

    order = await f.make_transaction(principal, "sales_order", customer, [("A", 1, 10000, 10)])
    doc = await documents.upload(principal, "sales_order", order.id, "ご注文書.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"))
    page = await client.get("/books/archive", params={"direction": "received"})
    assert page.status_code == 200 and f'id="received-{doc.id}"' in page.text
    assert "ご注文書.pdf" in page.text and f'href="/books/documents/{doc.id}"' in page.text
    assert 'id="kept-' not in page.text
    assert f'id="received-{doc.id}"' not in (await client.get("/books/archive?direction=issued")).text
