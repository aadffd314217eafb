"""Runs of the Books sync and their log (administrators)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.models import BooksSyncLogEntry as EntryModel
from app.models import BooksSyncRun as RunModel
from app.models import SyncOutcome, SyncRunStatus, SyncSide, SyncTrigger
from app.services import books_sync
from schema.context import Info
from schema.loaders import first_rows
from schema.types.node import to_global_id
from schema.types.users import User

BooksSyncOutcome = strawberry.enum(SyncOutcome, name="BooksSyncOutcome")
BooksSyncSide = strawberry.enum(SyncSide, name="BooksSyncSide", description="Where a change was written.")
BooksSyncStatus = strawberry.enum(SyncRunStatus, name="BooksSyncStatus")
BooksSyncTrigger = strawberry.enum(SyncTrigger, name="BooksSyncTrigger", description=(
    "SCHEDULED (the periodic run), MANUAL (an administrator's Sync now), AUTOMATION (a record synced on the "
    "spot for a deal's document)."))

ENTRIES_DEFAULT = 100



@strawberry.type(description="What a sync run did to one record, or why it did not.")
class BooksSyncLogEntry:
    outcome: BooksSyncOutcome  # type: ignore[valid-type]
    side: BooksSyncSide  # type: ignore[valid-type]
    module: str = strawberry.field(description="accounts, contacts or products.")
    crm_id: strawberry.ID | None = strawberry.field(description="The CRM record's global id.")
    books_id: strawberry.ID | None = strawberry.field(description="The Books record's global id.")
    label: str
    reason: str = strawberry.field(description="In the language of the request.")

    @classmethod
    def of(cls, entry: EntryModel, info: Info) -> BooksSyncLogEntry:
        crm_type = {"accounts": "Account", "contacts": "Contact", "products": "Product"}.get(entry.crm_module, "")
        books_type = "Item" if entry.crm_module == "products" else "BooksContact"
        return cls(outcome=entry.outcome, side=entry.side, module=entry.crm_module,
                   crm_id=strawberry.ID(to_global_id(crm_type, entry.crm_id)) if entry.crm_id else None,
                   books_id=strawberry.ID(to_global_id(books_type, entry.books_id)) if entry.books_id else None,
                   label=entry.label, reason=books_sync.reason_of(entry, info.context.gettext))


@strawberry.type(description="One run of the Books sync, with its counts.")
class BooksSyncRun:
    id: strawberry.ID
    trigger: BooksSyncTrigger  # type: ignore[valid-type]
    status: BooksSyncStatus  # type: ignore[valid-type]
    started_at: datetime
    finished_at: datetime | None
    added: int
    updated: int
    skipped: int
    conflicts: int
    errors: int
    deleted: int
    failure: str = strawberry.field(description="Why a FAILED run stopped.")
    started_by_id: strawberry.Private[int | None]
    pk: strawberry.Private[int]

    @classmethod
    def of(cls, run: RunModel) -> BooksSyncRun:
        return cls(id=strawberry.ID(to_global_id("BooksSyncRun", run.id)), trigger=run.trigger, status=run.status,
                   started_at=run.started_at, finished_at=run.finished_at, added=run.added, updated=run.updated,
                   skipped=run.skipped, conflicts=run.conflicts, errors=run.errors, deleted=run.deleted,
                   failure=run.failure, started_by_id=run.started_by_id, pk=run.id)

    @strawberry.field(description="The administrator who asked for it (MANUAL runs).")
    async def started_by(self, info: Info) -> User | None:
        if self.started_by_id is None:
            return None
        return await info.context.loaders.user.load(self.started_by_id)

    @strawberry.field(description=f"The first entries of the run, in order (at most {books_sync.ENTRIES_MAX}).")
    async def entries(self, info: Info, first: int = ENTRIES_DEFAULT) -> list[BooksSyncLogEntry]:
        first = max(1, min(first, books_sync.ENTRIES_MAX))
        found = await first_rows(info.context.loaders, EntryModel, "run_id").load((self.pk, first))
        return [BooksSyncLogEntry.of(e, info) for e in found]


