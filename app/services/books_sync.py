"""The sync of CRM records with the linked Books organization (issue 12): accounts or contacts
with Books customers, products with items, through the mapping table (BooksSyncRecord).

A run (`run`) holds `books-sync:<organization>` across processes (`jobs.one_at_a_time`), so runs
of one link never overlap; a second caller gets None. It looks at what changed since the last
successful run of the same settings generation (`through`, the start of that run; none: every
record in scope), and at nothing else (indexed on modified_at). A side changed when the digest of
its mapped values differs from the one stored in the mapping row, so a run after a run writes
nothing. Rows the run writes carry its start as modified time: the next run does not read them
back.

Rules for one pair (app.services.books_sync_plan; writes: books_sync_write): CRM-only changes go to Books; Books-only
changes come to the CRM in two-way sync (values that would not fit the CRM column: an error entry,
nothing cut); changed on both sides: a conflict, settled by the policy (overwrite: the CRM wins;
skip: nothing written; duplicate: a new Books record from the CRM values is linked, the old one
stays). An unlinked CRM record that matches a Books record (customers by display name as search
normalises it, items by SKU then name): the policy again (duplicate: create another; overwrite:
link and write the CRM values over it; skip: both stay unlinked). Two-way: unlinked Books records
are created in the CRM, owned by whoever connected the link (else the first administrator).

Every run logs what it did to which record, with a reason (msgid + params), and its counts.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from app import jobs
from app.errors import NotFound, PermissionDenied
from app.i18n import N_
from app.models import (
    Account,
    BooksContact,
    BooksLink,
    BooksSyncLogEntry,
    BooksSyncRecord,
    BooksSyncRun,
    Contact,
    Grant,
    Item,
    Product,
    SyncModule,
    SyncOutcome,
    SyncRunStatus,
    SyncSide,
    SyncTrigger,
    Transaction,
    User,
)
from app.permissions import Principal
from app.services import books_link, books_mapping
from app.services.books_fields import Side
from app.services.books_sync_kinds import Kind, kind_for, scope_of
from app.services.books_sync_plan import Planner, chunks
from app.services.books_sync_write import Log, execute

log = logging.getLogger(__name__)

RUNS_MAX = 50  # runs listed at most
ENTRIES_MAX = 500  # entries of a run shown at most


def lock_key(organization_id: int) -> str:
    return f"books-sync:{organization_id}"


async def owner_for(link: BooksLink) -> int | None:
    """Who owns the CRM records created from Books: whoever connected the link, else the first
    active administrator."""
    if link.connected_by_id is not None and await User.filter(id=link.connected_by_id, is_active=True).exists():
        return link.connected_by_id
    roles = Grant.filter(module="settings", action="admin").values_list("role_id", flat=True)
    first = await User.filter(is_active=True, role_id__in=await roles).order_by("id").limit(1).values_list(
        "id", flat=True)
    return first[0] if first else None


async def run(link: BooksLink | None, trigger: SyncTrigger | str, user: User | None = None) -> BooksSyncRun | None:
    """One run of the sync of the link's organization; None when the link is not active (or
    switched meanwhile) or another run of it is going on."""
    if link is None or link.organization_id is None:
        return None
    async with jobs.one_at_a_time(lock_key(link.organization_id)) as mine:
        if not mine:
            return None
        fresh = await books_link.active_link()  # read again under the lock: settings may have changed
        if fresh is None or fresh.organization_id != link.organization_id:
            return None
        return await _run(fresh, SyncTrigger(trigger), user)


async def _run(link: BooksLink, trigger: SyncTrigger, user: User | None) -> BooksSyncRun:
    org = link.organization_id
    now = datetime.now(UTC)
    previous = await (BooksSyncRun.filter(organization_id=org, status=SyncRunStatus.DONE, generation=link.generation)
                      .exclude(trigger=SyncTrigger.AUTOMATION).order_by("-started_at", "-id").first())
    since = previous.through if previous is not None else None
    row = await BooksSyncRun.create(organization_id=org, trigger=trigger, started_by_id=user.id if user else None,
                                    generation=link.generation, through=now)
    journal = Log(row.id)
    status, failure = SyncRunStatus.DONE, ""
    reads: Counter[str] = Counter()
    try:
        owner = await owner_for(link)
        if link.delete_previous and link.sync_module == SyncModule.ACCOUNTS:
            await delete_previous(link, journal)
        for side in (Side(link.sync_module.value), Side.PRODUCTS):
            kind = kind_for(link, side)
            planner = Planner(link, kind, since, now, owner)
            await execute(kind, await planner.plan(), journal, now)
            reads.update(planner.reads)
    except Exception as exc:  # the run's own failure (database, link gone): recorded on the run
        log.exception("books sync of organization %s failed", org)
        status, failure = SyncRunStatus.FAILED, (str(exc) or type(exc).__name__)[:500]
    await journal.flush()
    await BooksSyncRun.filter(id=row.id).update(status=status, failure=failure, finished_at=datetime.now(UTC),
                                                **journal.counts)
    done = await BooksSyncRun.get(id=row.id)
    done.reads = dict(reads)  # type: ignore[attr-defined]  # not stored: for logs and the benchmark
    log.info("books sync run %s: %s, rows read %s", done.id, journal.counts, done.reads)
    return done


async def delete_previous(link: BooksLink, journal: Log) -> None:
    """Books customers pushed from accounts under an older settings generation: deleted from
    Books unless the current settings still sync them (then they belong to this generation), or
    they have transactions (then unlinked only, with an error entry)."""
    org = link.organization_id
    rows = await BooksSyncRecord.filter(organization_id=org, crm_module=Side.ACCOUNTS.value, pushed=True,
                                        generation__lt=link.generation).values_list("id", "account_id",
                                                                                    "books_contact_id")
    if not rows:
        return
    kept: set[int] = set()
    if link.sync_module == SyncModule.ACCOUNTS:
        for part in chunks([a for _, a, _ in rows]):
            kept.update(await Account.filter(scope_of(link, Side.ACCOUNTS), id__in=part).values_list("id", flat=True))
    keep = [i for i, a, _ in rows if a in kept]
    gone = [(i, a, b) for i, a, b in rows if a not in kept]
    used: set[int] = set()
    names: dict[int, str] = {}
    for part in chunks([b for _, _, b in gone]):
        used.update(await Transaction.filter(contact_id__in=part).values_list("contact_id", flat=True))
        names.update(await BooksContact.filter(id__in=part).values_list("id", "display_name"))
    async with in_transaction() as conn:
        for part in chunks(keep):
            await BooksSyncRecord.filter(id__in=part).using_db(conn).update(generation=link.generation)
        for part in chunks([i for i, _, b in gone if b in used]):
            await BooksSyncRecord.filter(id__in=part).using_db(conn).delete()
        for part in chunks([b for _, _, b in gone if b not in used]):
            await BooksContact.filter(id__in=part).using_db(conn).delete()  # its mapping row goes with it
        entries = []
        for _, account_id, books_id in gone:
            outcome, reason = ((SyncOutcome.ERROR, N_("It has transactions in Books: unlinked, not deleted."))
                               if books_id in used else
                               (SyncOutcome.DELETED, N_("Deleted from Books: it was synced under the previous "
                                                        "settings.")))
            entries.append(journal.entry(outcome, SyncSide.BOOKS, Side.ACCOUNTS, account_id, books_id,
                                         names.get(books_id, ""), reason))
        await journal.write(conn, entries)
    journal.counted(entries)  # once committed


# ---- one record on the spot (automation, "New estimate" from an account page) -------------------

async def one(link: BooksLink, record: Account | Contact | Product) -> BooksContact | Item:
    """The Books record linked to `record`, synced on the spot when it has none yet, under the
    same rules as a run (matching and policy), logged in a run of its own (trigger AUTOMATION).
    With the skip policy and a matching Books record, that record is returned, still unlinked.
    Safe when called concurrently for the same record: the mapping table's unique constraints
    pick one winner, whose Books record the others return."""
    kind = kind_for(link, books_mapping.side_of(record))
    found = await _linked(link, kind, record.id)
    if found is not None:
        return found
    now = datetime.now(UTC)
    planner = Planner(link, kind, None, now, None)
    ops = await planner.plan_one(record)
    row = await BooksSyncRun.create(organization_id=link.organization_id, trigger=SyncTrigger.AUTOMATION,
                                    generation=link.generation, through=now)
    journal = Log(row.id)
    await execute(kind, ops, journal, now, quiet=True)
    if any(journal.counts.values()):
        await BooksSyncRun.filter(id=row.id).update(status=SyncRunStatus.DONE, finished_at=datetime.now(UTC),
                                                    **journal.counts)
    else:  # another caller linked it first: nothing of ours to tell
        await BooksSyncRun.filter(id=row.id).delete()
    found = await _linked(link, kind, record.id)  # ours, or the winner's
    if found is not None:
        return found
    matched = next((op.books_id for op in ops if op.books_id is not None), None)
    if matched is not None:  # skipped: the matching record, unlinked
        return await kind.books_model.get(id=matched)
    raise NotFound(N_("The record could not be synced with Books: see the sync log."))


async def _linked(link: BooksLink, kind: Kind, crm_id: int) -> Any:
    books_ids = await BooksSyncRecord.filter(
        organization_id=link.organization_id, crm_module=kind.side.value, **{kind.crm_column: crm_id}
    ).limit(1).values_list(kind.books_column, flat=True)
    return await kind.books_model.get_or_none(id=books_ids[0]) if books_ids else None


# ---- on demand, and the log ----------------------------------------------------------------

async def start(principal: Principal) -> bool:
    """Queue a run now ("Sync now", administrators). False when one is already waiting (that one
    will do the work)."""
    from app import books_tasks

    if not principal.is_admin:
        raise PermissionDenied(N_("Only administrators may run the Books sync."))
    link = await books_link.active_link()
    if link is None:
        raise NotFound(N_("The CRM is not connected to Books."))
    return await books_tasks.request(link, principal.user.id) is not None


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(N_("Only administrators may see the sync log."))


async def runs(principal: Principal, first: int = 10) -> list[BooksSyncRun]:
    """The latest runs of the linked organization, newest first (none when the link is not active:
    the CRM shows no Books data then)."""
    _require_admin(principal)
    link = await books_link.active_link()
    if link is None:
        return []
    first = max(1, min(int(first), RUNS_MAX))
    return await BooksSyncRun.filter(organization_id=link.organization_id).order_by("-started_at", "-id").limit(first)


async def get_run(principal: Principal, run_id: int) -> BooksSyncRun:
    _require_admin(principal)
    link = await books_link.active_link()
    found = None if link is None else await BooksSyncRun.get_or_none(id=run_id, organization_id=link.organization_id)
    if found is None:
        raise NotFound(N_("This sync run does not exist."))
    return found


async def entries(run_ids: list[int], limit: int = ENTRIES_MAX) -> dict[int, list[BooksSyncLogEntry]]:
    """The entries of runs (the caller checked them), at most `limit` each, in order."""
    out: dict[int, list[BooksSyncLogEntry]] = {i: [] for i in run_ids}
    for run_id in run_ids:
        out[run_id] = await BooksSyncLogEntry.filter(run_id=run_id).order_by("id").limit(limit)
    return out





def reason_of(entry: BooksSyncLogEntry, gettext: Any) -> str:
    """An entry's reason in the reader's language, its parameters filled in."""
    from app.errors import _render

    try:
        return _render(entry.reason, entry.params if isinstance(entry.params, dict) else {}, gettext)
    except (KeyError, TypeError, ValueError):
        return gettext(entry.reason)
