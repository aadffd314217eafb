"""The Books sync's writes: the ops of a plan in batches, one transaction each, with their log
entries. Many rows a statement through app.mail.rows, ids reserved beforehand; search texts
computed as `Searchable` does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from app.i18n import N_
from app.mail import rows
from app.models import (
    BooksSyncLogEntry,
    BooksSyncRecord,
    ContactType,
    SyncOutcome,
    SyncSide,
)
from app.search import search_text
from app.services.books_fields import Side
from app.services.books_sync_kinds import Kind, Row, blank_values
from app.services.books_sync_plan import Op, chunks

BATCH = 1000  # records written per transaction
COUNTED = {SyncOutcome.ADDED: "added", SyncOutcome.UPDATED: "updated", SyncOutcome.SKIPPED: "skipped",
           SyncOutcome.CONFLICT: "conflicts", SyncOutcome.ERROR: "errors", SyncOutcome.DELETED: "deleted"}


class Log:
    """A run's entries (written with the batch they belong to) and counts."""

    COLUMNS = ("run_id", "outcome", "side", "crm_module", "crm_id", "books_id", "label", "reason", "params")

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.pending: list[tuple] = []
        self.counts = {name: 0 for name in COUNTED.values()}

    def entry(self, outcome: SyncOutcome, side: SyncSide, module: Side, crm_id: int | None,
              books_id: int | None, label: str, reason: str, params: dict | None = None) -> tuple:
        return (self.run_id, outcome, side, module.value, crm_id, books_id, label[:200], reason[:300], params or {})

    def add(self, *args: Any, **kw: Any) -> None:
        """An entry written at the next flush."""
        self.pending.append(self.entry(*args, **kw))
        self.counts[COUNTED[args[0]]] += 1

    async def write(self, conn: Any, entries: list[tuple]) -> None:
        """Entries written now, in the caller's transaction: count them once it committed."""
        await rows.insert(conn, BooksSyncLogEntry, self.COLUMNS, entries)

    def counted(self, entries: list[tuple]) -> None:
        for e in entries:
            self.counts[COUNTED[e[1]]] += 1

    async def flush(self, conn: Any = None) -> None:
        if not self.pending:
            return
        if conn is None:
            async with in_transaction() as conn:
                await rows.insert(conn, BooksSyncLogEntry, self.COLUMNS, self.pending)
        else:
            await rows.insert(conn, BooksSyncLogEntry, self.COLUMNS, self.pending)
        self.pending = []


def _search(model: type[Model], row: Row) -> str:
    return search_text((row.get(n) for n in model.SEARCH_FIELDS),
                       ((row.get(a), row.get(b)) for a, b in getattr(model, "SEARCH_NAMES", ())))


async def execute(kind: Kind, ops: list[Op], journal: Log, now: datetime, *, quiet: bool = False) -> None:
    """Write the ops, a batch a transaction, with their log entries. A batch refused by a unique
    constraint (the same record linked meanwhile by an on-the-spot sync) is written again one op
    at a time; an op refused then is logged as an error (left out with `quiet`: the caller takes
    the winner's)."""
    for start in range(0, len(ops), BATCH):
        batch = ops[start:start + BATCH]
        try:
            await _write(kind, batch, journal, now)
        except IntegrityError:
            for op in batch:
                try:
                    await _write(kind, [op], journal, now)
                except IntegrityError:
                    if quiet:
                        continue
                    journal.add(SyncOutcome.ERROR, op.side, kind.side, op.crm_id, op.books_id, op.label,
                                N_("Linked meanwhile by another sync: left as it is."))
                    await journal.flush()


async def _write(kind: Kind, ops: list[Op], journal: Log, now: datetime) -> None:
    crm_model, books_model = kind.crm_model, kind.books_model
    async with in_transaction() as conn:
        if conn.capabilities.dialect != "postgres":  # SQLite's write lock at once: ids reserved below stay ours
            await conn.execute_query(f'UPDATE "{books_model._meta.db_table}" SET id = id WHERE 0')
        books_new = [op for op in ops if op.books_new is not None]
        crm_new = [op for op in ops if op.crm_new is not None]
        for op, new_id in zip(books_new, await rows.reserve_ids(conn, books_model, len(books_new))):
            op.books_id = new_id
        for op, new_id in zip(crm_new, await rows.reserve_ids(conn, crm_model, len(crm_new))):
            op.crm_id = new_id
        if books_new:
            blank = blank_values(books_model)
            blank.update(organization_id=kind.organization_id, created_at=now, modified_at=now)
            if kind.customers:
                blank["contact_type"] = ContactType.CUSTOMER
            columns = ["id", *blank]
            values = []
            for op in books_new:
                row = {**blank, **op.books_new, "id": op.books_id}  # type: ignore[dict-item]
                row["search_text"] = _search(books_model, row)
                values.append([row[c] for c in columns])
            await rows.insert(conn, books_model, columns, values)
        if crm_new:
            blank = blank_values(crm_model)
            blank.update(created_at=now, modified_at=now)
            columns = ["id", *blank]
            values = []
            for op in crm_new:
                row = {**blank, **op.crm_new, "id": op.crm_id, "created_at": now, "modified_at": now}
                row["search_text"] = _search(crm_model, row)
                values.append([row[c] for c in columns])
            await rows.insert(conn, crm_model, columns, values)
        books_set = [op for op in ops if op.books_set is not None]
        if books_set:
            fields = list(dict.fromkeys(b for _, b in kind.pairs))
            await rows.update(conn, books_model, [*fields, "search_text", "modified_at"], [
                (op.books_id, *(op.books_set[f] for f in fields), _search(books_model, op.books_set), now)
                for op in books_set])  # type: ignore[index]
        crm_set = [op for op in ops if op.crm_set is not None]
        if crm_set:
            fields = [c for _, c in kind.reverse]
            await rows.update(conn, crm_model, [*fields, "search_text", "modified_at"], [
                (op.crm_id, *(op.crm_set[f] for f in fields), _search(crm_model, op.crm_set), now)
                for op in crm_set])  # type: ignore[index]
        inserts = [op for op in ops if op.link == "insert"]
        if inserts:
            await rows.insert(conn, BooksSyncRecord, (
                "organization_id", "crm_module", kind.crm_column, kind.books_column, "crm_digest", "books_digest",
                "pushed", "generation", "synced_at"), [
                (kind.organization_id, kind.side.value, op.crm_id, op.books_id, op.crm_digest, op.books_digest,
                 op.pushed, kind.generation, now) for op in inserts])
        updates = [op for op in ops if op.link == "update"]
        if updates:
            await rows.update(conn, BooksSyncRecord, (kind.books_column, "crm_digest", "books_digest", "synced_at"), [
                (op.map_id, op.books_id, op.crm_digest, op.books_digest, now) for op in updates])
            pushed = [op.map_id for op in updates if op.pushed]
            for part in chunks(pushed):
                await BooksSyncRecord.filter(id__in=part).using_db(conn).update(pushed=True,
                                                                                generation=kind.generation)
        entries = [journal.entry(op.outcome, op.side, kind.side, op.crm_id, op.books_id, op.label, op.reason,
                                 op.params) for op in ops if op.outcome is not None]
        await journal.write(conn, entries)
    journal.counted(entries)
