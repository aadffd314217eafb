"""Keeping what was sent (電子帳簿保存法): the exact PDF a counterparty received, by e-mail or in
the portal, is kept byte for byte with its SHA-256 and served again instead of a new rendering.

A kept version stands for the data it was drawn from (`source_digest`, a digest of the
`PdfDocument`): while that data is unchanged every later request gets the same bytes; once it
changed (an edit, a payment printed on the invoice) the next keeping adds version n+1, and an
edit of a document that has kept versions keeps the edited one at once, with who and why. Files
are written once under settings.ARCHIVE_DIR (temporary file, fsync, rename) and checked against
their hash on every read: a file that no longer matches is reported (TamperedVersion, logged),
never served.

    kept = await archive.keep(txn, VersionReason.SENT, user=principal.user)
    kept.body, kept.version.version, kept.version.sha256
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
from tortoise.transactions import in_transaction

from app import cleaning, settings
from app.errors import Conflict, NotFound
from app.i18n import N_
from app.models import DocumentVersion, Kind, Transaction, User, VersionReason
from app.pdf.document import PdfDocument
from app.pdf.render import render_pdf_async
from app.permissions import Principal
from app.services import books_pdf
from app.services import transactions as txns

log = logging.getLogger(__name__)

REASON_LABELS = {
    VersionReason.SENT: N_("Sent by e-mail"),
    VersionReason.PORTAL: N_("Shown in the customer portal"),
    VersionReason.EDITED: N_("Edited after it was kept"),
}


class TamperedVersion(Conflict):
    code = "tampered"

    def __init__(self, number: str = "", version: int = 0) -> None:
        super().__init__(N_("The kept file of %(number)s version %(version)s does not match its recorded "
                            "SHA-256: it was changed or lost after it was kept. It is not served."),
                         number=number, version=version)


@dataclass(frozen=True)
class Kept:
    version: DocumentVersion
    body: bytes


@dataclass(frozen=True)
class Candidate:
    """A document as it would be kept now: an existing version whose data is unchanged (and
    whose file checked out), or freshly rendered bytes not kept yet."""

    txn: Transaction
    document: PdfDocument
    digest: str
    body: bytes
    existing: DocumentVersion | None

    @property
    def filename(self) -> str:
        return self.existing.filename if self.existing else books_pdf.filename_of(self.txn, self.document.lang)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):  # 110000 and 110000.0000 print alike
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, (bytes, bytearray)):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return repr(value)


def digest_of(document: PdfDocument) -> str:
    """Every printed value of the document (and the fields other features add to it), so equal
    digests mean the same document whatever the values' in-memory form."""
    data = json.dumps(dataclasses.asdict(document), default=_plain, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


def _path(storage_name: str) -> Path:
    root = settings.ARCHIVE_DIR.resolve()
    path = (root / storage_name).resolve()
    if root not in path.parents:
        raise NotFound()
    return path


def _write(storage_name: str, body: bytes) -> None:
    path = _path(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(temporary, "xb") as out:
        out.write(body)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)  # readers see the whole file or none


def _read(storage_name: str) -> bytes | None:
    try:
        return _path(storage_name).read_bytes()
    except (OSError, NotFound):
        return None


async def read(version: DocumentVersion) -> bytes:
    """The kept bytes of `version`, checked against its hash (TamperedVersion otherwise)."""
    body = await anyio.to_thread.run_sync(_read, version.storage_name)
    if body is None or hashlib.sha256(body).hexdigest() != version.sha256:
        log.error("kept document %s (transaction %s, version %s) does not match its sha256 %s",
                  version.storage_name, version.transaction_id, version.version, version.sha256)
        raise TamperedVersion(version.number, version.version)
    return body


async def latest(txn_id: int) -> DocumentVersion | None:
    return await DocumentVersion.filter(transaction_id=txn_id).order_by("-version").first()


async def prepare(txn: Transaction, lang: str | None = None) -> Candidate:
    """What would be sent or shown now: the latest kept bytes when the document is unchanged
    since, else a new rendering (kept only by `record`, once it reached its reader)."""
    document = await books_pdf.build_document(txn, lang)
    digest = digest_of(document)
    last = await latest(txn.id)
    if last is not None and last.source_digest == digest:
        return Candidate(txn, document, digest, await read(last), last)
    return Candidate(txn, document, digest, await render_pdf_async(document), None)


async def record(candidate: Candidate, reason: VersionReason, *, user: User | None = None,
                 customer_name: str = "", delivered: bool = True) -> Kept:
    """Keep the candidate's bytes as the next version, unless they are kept already. `delivered`:
    the candidate's bytes already reached the reader (an e-mail went out), so they are what must
    be kept; otherwise (about to be served) a version of the same data kept meanwhile by another
    request is served instead, and no second version is made."""
    if candidate.existing is not None:
        return Kept(candidate.existing, candidate.body)
    txn, document = candidate.txn, candidate.document
    sha = hashlib.sha256(candidate.body).hexdigest()
    async with in_transaction():
        # The row lock serializes the keepers of one document (numbering, the checks below).
        await Transaction.filter(id=txn.id).select_for_update().first()
        last = await latest(txn.id)
        if last is not None and last.sha256 == sha:
            return Kept(last, candidate.body)
        if last is not None and not delivered and last.source_digest == candidate.digest:
            return Kept(last, await read(last))
        number = (last.version if last else 0) + 1
        storage_name = f"{txn.organization_id}/{txn.id}/v{number}-{secrets.token_hex(8)}.pdf"
        await anyio.to_thread.run_sync(_write, storage_name, candidate.body)
        version = await DocumentVersion.create(
            organization_id=txn.organization_id, transaction_id=txn.id, version=number, sha256=sha,
            size=len(candidate.body), storage_name=storage_name, filename=candidate.filename,
            source_digest=candidate.digest, reason=reason, created_by_id=user.id if user else None,
            customer_name=customer_name[:200], kind=txn.kind, number=txn.number, issue_date=txn.issue_date,
            currency=txn.currency, total=txn.total, contact_id=txn.contact_id,
            counterparty=(document.recipient.name or "")[:255],
        )
    return Kept(version, candidate.body)


async def keep(txn: Transaction, reason: VersionReason, *, user: User | None = None,
               customer_name: str = "", lang: str | None = None) -> Kept:
    """The document as its reader is about to get it, kept (the same bytes as before when unchanged)."""
    return await record(await prepare(txn, lang), reason, user=user, customer_name=customer_name, delivered=False)


async def after_edit(txn: Transaction, user: User | None) -> Kept | None:
    """An edited document that had been sent or shown keeps its new version at once (the edit
    itself is saved already: a damaged earlier file is logged by `read`, and reported when read)."""
    if not await DocumentVersion.exists(transaction_id=txn.id):
        return None
    try:
        return await keep(await Transaction.get(id=txn.id), VersionReason.EDITED, user=user)
    except TamperedVersion:
        return None


async def portal_copy(txn: Transaction, *, customer_name: str, staff: bool) -> tuple[str, bytes]:
    """The PDF a portal visitor gets: kept when a customer (not staff looking) gets it."""
    candidate = await prepare(txn)
    if staff:
        return candidate.filename, candidate.body
    kept = await record(candidate, VersionReason.PORTAL, customer_name=customer_name, delivered=False)
    return kept.version.filename, kept.body


async def current_pdf(principal: Principal, kind: Kind, record_id: Any) -> tuple[str, bytes]:
    """The staff download: the kept bytes while the document is unchanged since its last kept
    version, else a fresh rendering (a draft nobody received is not kept)."""
    txn = await txns.get(principal, kind, record_id, "view")
    candidate = await prepare(txn)
    return candidate.filename, candidate.body


# ---- history and download of the versions -----------------------------------------------------

async def versions_of(principal: Principal, kind: Kind, record_id: Any) -> list[DocumentVersion]:
    txn = await txns.get(principal, kind, record_id, "view")
    return await DocumentVersion.filter(transaction_id=txn.id).order_by("-version").limit(1000)


async def version_pdf(principal: Principal, kind: Kind, record_id: Any, number: Any) -> Kept:
    txn = await txns.get(principal, kind, record_id, "view")
    n = cleaning.index(number)
    version = await DocumentVersion.get_or_none(transaction_id=txn.id, version=n) if n else None
    if version is None:
        raise NotFound()
    return Kept(version, await read(version))


async def authors(versions: list[DocumentVersion]) -> dict[int, str]:
    ids = {v.created_by_id for v in versions if v.created_by_id}
    return dict(await User.filter(id__in=sorted(ids)).values_list("id", "name")) if ids else {}
