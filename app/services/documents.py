"""Documents: files attached to a Books contact or a transaction.

Files are stored under settings.DOCUMENTS_DIR with random names (never the uploader's name, so
no path tricks), after their type has been told from their first bytes and checked against an
allow-list: what the browser claims is not trusted. They are only ever served as downloads
(Content-Disposition: attachment, nosniff), so an uploaded page can never run in ours.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any, BinaryIO

import anyio
import filetype

from app import cleaning, settings
from app.errors import NotFound, ValidationError
from app.i18n import N_
from app.models import BooksContact, Document, Kind, Transaction
from app.permissions import Principal, require
from app.services import transactions as txns

CHUNK = 64 * 1024
# Detected type -> extensions it may carry. Text formats have no magic bytes (see _sniff_text).
ALLOWED = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "application/zip": {".zip"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {".pptx"},
    "text/plain": {".txt"},
    "text/csv": {".csv"},
}
# Office files are zip archives: filetype reports them as such unless told by the extension.
_OFFICE = {ext: t for t, exts in ALLOWED.items() if "officedocument" in t for ext in exts}


def storage_path(storage_name: str) -> Path:
    return settings.DOCUMENTS_DIR / storage_name[:2] / storage_name


def _sniff_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head.decode("cp932")  # Shift_JIS CSVs from Japanese Excel
        except UnicodeDecodeError:
            return False
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype", "<html", "<script", "<svg", "<?xml")):
        return False  # markup is never accepted, whatever its name
    return "\x00" not in text


def detect_type(head: bytes, filename: str) -> str | None:
    """The allowed content type of a file from its first bytes and name, or None."""
    ext = Path(filename).suffix.lower()
    kind = filetype.guess(head)
    if kind is not None:
        mime = kind.mime
        if mime == "application/zip" and ext in _OFFICE:
            mime = _OFFICE[ext]
        return mime if ext in ALLOWED.get(mime, set()) else None
    if ext in (".txt", ".csv") and _sniff_text(head):
        return "text/csv" if ext == ".csv" else "text/plain"
    return None


async def _parent(principal: Principal, target: str, target_id: Any, action: str) -> BooksContact | Transaction:
    """The record a document hangs on: `contact` or a transaction kind ("invoice", ...)."""
    if target == "contact":
        pk = cleaning.pk(target_id)
        contact = None if pk is None else await BooksContact.get_or_none(id=pk)
        if contact is None:
            raise NotFound()
        require(principal, action, contact)
        return contact
    try:
        kind = Kind(target)
    except ValueError:
        raise NotFound() from None
    return await txns.get(principal, kind, target_id, action)


async def upload(principal: Principal, target: str, target_id: Any, filename: str,
                 stream: BinaryIO) -> Document:
    """Store `stream` (a file object, e.g. python-multipart's spooled file) on `target`."""
    parent = await _parent(principal, target, target_id, "create_edit")
    filename = cleaning.filename(filename)
    head = await anyio.to_thread.run_sync(stream.read, 8192)
    content_type = detect_type(head, filename)
    if content_type is None:
        raise ValidationError.single(
            "file", N_("This kind of file cannot be attached. Allowed: PDF, images, Office documents, text and CSV."))
    storage_name = secrets.token_hex(20)
    path = storage_path(storage_name)
    digest, size = hashlib.sha256(), 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        async with await anyio.open_file(path, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > settings.DOCUMENT_MAX_BYTES:
                    raise ValidationError.single(
                        "file", N_("The file is larger than %(max)d MB."),
                        max=settings.DOCUMENT_MAX_BYTES // (1024 * 1024))
                digest.update(chunk)
                await out.write(chunk)
                chunk = await anyio.to_thread.run_sync(stream.read, CHUNK)
        if size == 0:
            raise ValidationError.single("file", N_("The file is empty."))
        return await Document.create(
            organization_id=parent.organization_id,
            books_contact_id=parent.id if isinstance(parent, BooksContact) else None,
            transaction_id=parent.id if isinstance(parent, Transaction) else None,
            filename=filename, content_type=content_type, size=size, sha256=digest.hexdigest(),
            storage_name=storage_name, uploaded_by_id=principal.user.id,
        )
    except BaseException:
        path.unlink(missing_ok=True)  # nothing half-written stays behind
        raise


async def documents_of(principal: Principal, target: str, target_id: Any) -> list[Document]:
    parent = await _parent(principal, target, target_id, "view")
    if isinstance(parent, BooksContact):
        return await Document.filter(books_contact_id=parent.id)
    return await Document.filter(transaction_id=parent.id)


async def get(principal: Principal, document_id: Any, action: str = "view") -> Document:
    pk = cleaning.pk(document_id)
    doc = None if pk is None else await Document.get_or_none(id=pk)
    if doc is None:
        raise NotFound()
    if doc.books_contact_id:
        await _parent(principal, "contact", doc.books_contact_id, action)
    else:
        txn = await Transaction.get(id=doc.transaction_id)
        require(principal, action, txn)
    return doc


async def delete(principal: Principal, document_id: Any) -> int:
    doc = await get(principal, document_id, "create_edit")
    await doc.delete()
    storage_path(doc.storage_name).unlink(missing_ok=True)
    return doc.id
