"""Books: the archive of kept documents (app.services.archive), searched by date, amount and
counterparty; the same rule and permissions as the Books → Archive page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry

from app import errors, kinds
from app.models import DocumentVersion as DocumentVersionModel
from app.models import VersionReason as VersionReasonEnum
from app.services import archive_search
from schema.context import Info
from schema.errors import ValidationError, to_error
from schema.queries.common import AUTH
from schema.types.books import TransactionKind, exact
from schema.types.node import to_global_id

DocumentVersionReason = strawberry.enum(VersionReasonEnum, name="DocumentVersionReason",
                                        description="Why a version was kept: SENT by e-mail, shown in the "
                                                    "customer PORTAL, or EDITED after an earlier version was kept.")


@strawberry.enum(description="ISSUED: documents to customers; PURCHASES: documents exchanged with vendors; "
                             "RECEIVED: files uploaded onto documents (receivedFiles).")
class ArchiveDirection(Enum):
    ISSUED = "issued"
    PURCHASES = "purchases"
    RECEIVED = "received"


@strawberry.input(description="Search criteria; they combine with AND. Ranges include their ends.")
class ArchiveSearch:
    direction: ArchiveDirection | None = None
    kind: TransactionKind | None = None
    date_from: date | None = strawberry.field(default=None, description="The document's date, from.")
    date_to: date | None = None
    amount_min: Decimal | None = strawberry.field(default=None, description="The document's total, from.")
    amount_max: Decimal | None = None
    counterparty: str | None = strawberry.field(default=None, description="Part of the counterparty's name "
                                                "as printed (at most 100 characters).")


@strawberry.type(description="One kept version of a document: the exact PDF sent or shown, with its SHA-256.")
class KeptDocument:
    model: strawberry.Private[DocumentVersionModel]

    @strawberry.field(description="The global id of the document (Invoice, Estimate ...).")
    def document_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id(kinds.of(self.model.kind).type_name, self.model.transaction_id))

    @strawberry.field
    def version(self) -> int:
        return self.model.version

    @strawberry.field
    def kind(self) -> TransactionKind:
        return self.model.kind

    @strawberry.field
    def number(self) -> str:
        return self.model.number

    @strawberry.field(description="The document's date as that version printed it.")
    def issue_date(self) -> date:
        return self.model.issue_date

    @strawberry.field
    def total(self) -> Decimal:
        return exact(self.model.total)

    @strawberry.field
    def currency(self) -> str:
        return self.model.currency

    @strawberry.field(description="The counterparty's name as printed.")
    def counterparty(self) -> str:
        return self.model.counterparty

    @strawberry.field
    def sha256(self) -> str:
        return self.model.sha256

    @strawberry.field(description="Bytes.")
    def size(self) -> int:
        return self.model.size

    @strawberry.field
    def reason(self) -> DocumentVersionReason:
        return self.model.reason

    @strawberry.field
    def kept_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="Where the kept PDF is downloaded (a signed-in page of this server).")
    def download_path(self) -> str:
        slug = kinds.of(self.model.kind).slug
        return f"/books/{slug}/{self.model.transaction_id}/versions/{self.model.version}.pdf"


@strawberry.type
class KeptDocuments:
    items: list[KeptDocument]
    total_count: int
    offset: int
    limit: int


ArchiveSearchResult = Annotated[KeptDocuments | ValidationError, strawberry.union("ArchiveSearchResult")]


@strawberry.type(description="A file received onto a document (a customer's order, a vendor's bill), with the "
                             "document's date, amount and counterparty it is found by.")
class ReceivedFile:
    model: strawberry.Private[Any]

    @strawberry.field(description="The global id of the file (Document).")
    def file_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Document", self.model.document.id))

    @strawberry.field(description="The global id of the document it is attached to.")
    def document_id(self) -> strawberry.ID:
        txn = self.model.transaction
        return strawberry.ID(to_global_id(kinds.of(txn.kind).type_name, txn.id))

    @strawberry.field
    def filename(self) -> str:
        return self.model.document.filename

    @strawberry.field
    def sha256(self) -> str:
        return self.model.document.sha256

    @strawberry.field(description="Bytes.")
    def size(self) -> int:
        return self.model.document.size

    @strawberry.field
    def uploaded_at(self) -> datetime:
        return self.model.document.created_at

    @strawberry.field
    def kind(self) -> TransactionKind:
        return self.model.transaction.kind

    @strawberry.field
    def number(self) -> str:
        return self.model.transaction.number

    @strawberry.field
    def issue_date(self) -> date:
        return self.model.transaction.issue_date

    @strawberry.field
    def total(self) -> Decimal:
        return exact(self.model.transaction.total)

    @strawberry.field
    def currency(self) -> str:
        return self.model.transaction.currency

    @strawberry.field
    def counterparty(self) -> str:
        return self.model.counterparty

    @strawberry.field
    def download_path(self) -> str:
        return f"/books/documents/{self.model.document.id}"


@strawberry.type
class ReceivedFiles:
    items: list[ReceivedFile]
    total_count: int
    offset: int
    limit: int


ReceivedFilesResult = Annotated[ReceivedFiles | ValidationError, strawberry.union("ReceivedFilesResult")]


def _criteria(search: ArchiveSearch | None) -> archive_search.Criteria:
    data: dict[str, Any] = {}
    if search is not None:
        data = {name: getattr(search, name) for name in ("date_from", "date_to", "amount_min", "amount_max",
                                                          "counterparty")}
        data["direction"] = search.direction.value if search.direction else None
        data["kind"] = search.kind.value if search.kind else None
    return archive_search.criteria(data)


@strawberry.type
class ArchiveQuery:
    @strawberry.field(permission_classes=AUTH, description=(
        "The kept versions of the documents you may see (the Books modules you view, in your organizations), "
        "newest document first: at most `first` (default 50, maximum 100), after skipping `offset`."))
    async def kept_documents(self, info: Info, search: ArchiveSearch | None = None, first: int | None = None,
                             offset: int | None = None) -> ArchiveSearchResult:
        try:
            criteria = _criteria(search)
        except errors.ValidationError as exc:
            return to_error(info, exc)
        found = await archive_search.search(info.context.principal, criteria, offset=max(offset or 0, 0),
                                            limit=first if first and first > 0 else 50)
        return KeptDocuments(items=[KeptDocument(model=v) for v in found.versions], total_count=found.total,
                             offset=found.offset, limit=found.limit)

    @strawberry.field(permission_classes=AUTH, description=(
        "Files received onto the documents you may see, found by the document's date, amount and counterparty; "
        "newest first, at most `first` (default 50, maximum 100)."))
    async def received_files(self, info: Info, search: ArchiveSearch | None = None, first: int | None = None,
                             offset: int | None = None) -> ReceivedFilesResult:
        try:
            criteria = _criteria(search)
        except errors.ValidationError as exc:
            return to_error(info, exc)
        found = await archive_search.search_received(info.context.principal, criteria, offset=max(offset or 0, 0),
                                                     limit=first if first and first > 0 else 50)
        return ReceivedFiles(items=[ReceivedFile(model=r) for r in found.files], total_count=found.total,
                             offset=found.offset, limit=found.limit)
