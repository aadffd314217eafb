"""Documents: type told from the bytes, size limit, nothing left behind on refusal, scoping."""

from __future__ import annotations

import io

import pytest

from app import settings
from app.errors import NotFound, ValidationError
from app.models import Document
from app.permissions import Principal
from app.services import documents
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108020000009077053e")


def stored_files() -> set[str]:
    root = settings.DOCUMENTS_DIR
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def test_upload_to_a_transaction_and_a_contact(accountant, customer):
    inv = await f.make_transaction(accountant, "invoice", customer)
    doc = await documents.upload(accountant, "invoice", inv.id, "../../注文書.pdf", io.BytesIO(PDF))
    assert (doc.filename, doc.content_type, doc.size, doc.transaction_id) == (
        "注文書.pdf", "application/pdf", len(PDF), inv.id)
    assert documents.storage_path(doc.storage_name).read_bytes() == PDF
    img = await documents.upload(accountant, "contact", customer.id, "logo.PNG", io.BytesIO(PNG))
    assert img.content_type == "image/png" and img.books_contact_id == customer.id
    assert [d.id for d in await documents.documents_of(accountant, "invoice", inv.id)] == [doc.id]


@pytest.mark.parametrize("name,content", [
    ("invoice.pdf", b"<!DOCTYPE html><script>alert(1)</script>"),  # HTML disguised as PDF
    ("page.html", b"<html><body>hi</body></html>"),
    ("notes.txt", b"<svg onload=alert(1)>"),
    ("photo.png", PDF),  # the name does not match the content
    ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
])
async def test_refused_types_leave_nothing(accountant, customer, name, content):
    before = stored_files()
    with pytest.raises(ValidationError) as err:
        await documents.upload(accountant, "contact", customer.id, name, io.BytesIO(content))
    assert err.value.errors[0].field == "file"
    assert stored_files() == before and not await Document.exists()


async def test_size_limit(accountant, customer, monkeypatch):
    monkeypatch.setattr(settings, "DOCUMENT_MAX_BYTES", 1024 * 1024)
    before = stored_files()
    with pytest.raises(ValidationError) as err:
        await documents.upload(accountant, "contact", customer.id, "big.pdf",
                               io.BytesIO(PDF + b"0" * (1024 * 1024)))
    assert err.value.errors[0].message == "The file is larger than %(max)d MB." % {"max": 1}
    assert stored_files() == before and not await Document.exists()


async def test_csv_in_shift_jis_is_text(accountant, customer):
    doc = await documents.upload(accountant, "contact", customer.id, "一覧.csv",
                                 io.BytesIO("名前,金額\n山田,1000\n".encode("cp932")))
    assert doc.content_type == "text/csv"


async def test_outsiders_reach_no_documents(accountant, customer):
    doc = await documents.upload(accountant, "contact", customer.id, "a.pdf", io.BytesIO(PDF))
    outsider = await Principal.load(await f.make_user("Accountant"))
    with pytest.raises(NotFound):
        await documents.get(outsider, doc.id)
    with pytest.raises(NotFound):
        await documents.upload(outsider, "contact", customer.id, "b.pdf", io.BytesIO(PDF))
    await documents.delete(accountant, doc.id)
    assert not documents.storage_path(doc.storage_name).exists()
