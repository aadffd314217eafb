"""One run of a mailbox's sync: for each chosen folder, what is new since the cursor is fetched in
batches (`UID FETCH ... BODY.PEEK[]`, never marking mail read) and stored batch by batch with the
cursor (app.mail.store). A poll with nothing new costs one STATUS per folder after login.

Runs of one mailbox never overlap, across processes (`jobs.one_at_a_time`); a run stops when its
time budget is spent and says so, and the caller queues the next one. Failures are recorded on the
mailbox (its last error, since when it fails) and the next attempt backs off, up to a day.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app import jobs, settings
from app.mail.imap import ImapError, ImapSession, ImapSettings, Security
from app.mail.store import Incoming, store_batch
from app.models import EmailCopy, Mailbox, MailFolder, SyncRun

log = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(days=1)


@dataclass
class Outcome:
    fetched: int = 0
    stored: int = 0
    complete: bool = True
    roundtrips: int = 0
    error: str = ""
    skipped: bool = False  # another run of this mailbox was going on


def imap_settings(mailbox: Mailbox) -> ImapSettings:
    return ImapSettings(
        host=mailbox.imap_host, port=mailbox.imap_port, security=Security(mailbox.imap_security.value),
        username=mailbox.username, password=mailbox.password, timeout=settings.MAIL_IMAP_TIMEOUT,
        verify_tls=settings.MAIL_VERIFY_TLS,
    )


def backoff(failing_since: datetime, now: datetime) -> timedelta:
    """The wait before the next attempt grows with how long the mailbox has been failing."""
    failing_for = max(now - failing_since, timedelta(0))
    return min(max(BACKOFF_FIRST, failing_for / 4), BACKOFF_MAX)


async def sync_mailbox(mailbox_id: int, *, budget: float | None = None, batch: int | None = None) -> Outcome:
    async with jobs.one_at_a_time(f"mailbox-sync:{mailbox_id}") as acquired:
        if not acquired:
            return Outcome(skipped=True)
        mailbox = await Mailbox.get_or_none(id=mailbox_id)
        if mailbox is None or not mailbox.enabled:
            return Outcome(skipped=True)
        run = await SyncRun.create(mailbox_id=mailbox.id)
        outcome = Outcome()
        now = datetime.now(UTC)
        try:
            await _run(mailbox, outcome, budget=settings.MAIL_SYNC_BUDGET_SECONDS if budget is None else budget,
                       batch=batch or settings.MAIL_FETCH_BATCH)
        except ImapError as exc:
            outcome.error = str(exc.message or exc)[:1000]
        except (OSError, asyncio.TimeoutError) as exc:
            outcome.error = (str(exc) or type(exc).__name__)[:1000]
        now = datetime.now(UTC)
        if outcome.error:
            mailbox.failing_since = mailbox.failing_since or now
            mailbox.last_error = outcome.error
            mailbox.next_sync_at = now + backoff(mailbox.failing_since, now)
            log.info("mailbox %s: sync failed: %s", mailbox.id, outcome.error)
        else:
            mailbox.failing_since = None
            mailbox.last_error = ""
            mailbox.last_sync_at = now
            mailbox.next_sync_at = None if outcome.complete else now
        await Mailbox.filter(id=mailbox.id).update(
            failing_since=mailbox.failing_since, last_error=mailbox.last_error, last_sync_at=mailbox.last_sync_at,
            next_sync_at=mailbox.next_sync_at)
        await SyncRun.filter(id=run.id).update(
            finished_at=now, fetched=outcome.fetched, stored=outcome.stored, complete=outcome.complete,
            error=outcome.error, roundtrips=outcome.roundtrips)
        return outcome


async def _run(mailbox: Mailbox, outcome: Outcome, *, budget: float, batch: int) -> None:
    deadline = time.monotonic() + budget
    folders = await MailFolder.filter(mailbox_id=mailbox.id, sync=True).order_by("id")
    session = ImapSession(imap_settings(mailbox))
    await asyncio.to_thread(session.__enter__)
    try:
        for folder in folders:
            if outcome.fetched and time.monotonic() >= deadline:
                outcome.complete = False
                break
            if not await _sync_folder(mailbox, folder, session, outcome, deadline=deadline, batch=batch):
                outcome.complete = False
                break
    finally:
        outcome.roundtrips = session.roundtrips
        await asyncio.to_thread(session.__exit__, None, None, None)


async def _sync_folder(mailbox: Mailbox, folder: MailFolder, session: ImapSession, outcome: Outcome, *,
                       deadline: float, batch: int) -> bool:
    """False when the budget ran out before the folder was done."""
    state = await asyncio.to_thread(session.status, folder.name)
    if state.uidvalidity != folder.uidvalidity:
        # The server renumbered the folder: its old UIDs mean nothing now. Forget the copies made
        # under them and read the folder anew; messages already stored are recognised by their
        # key and only get a new copy, so nothing is doubled.
        await EmailCopy.filter(folder_id=folder.id).delete()
        folder.uidvalidity, folder.last_uid, folder.uidnext = state.uidvalidity, 0, 0
        await folder.save(update_fields=["uidvalidity", "last_uid", "uidnext"])
    elif state.uidnext and state.uidnext == folder.uidnext:
        await _touch(folder)
        return True
    uids = await asyncio.to_thread(session.new_uids, folder.name, folder.last_uid)
    for start in range(0, len(uids), batch):
        if start and time.monotonic() >= deadline:  # at least one batch a run: always progress
            return False
        chunk = uids[start:start + batch]
        fetched = await asyncio.to_thread(lambda: list(session.fetch(chunk, batch=batch, folder=folder.name)))
        fetched = [f for f in fetched if f.uid > folder.last_uid]
        outcome.fetched += len(fetched)
        if fetched:
            outcome.stored += await store_batch(
                mailbox, folder, [Incoming(f.uid, f.raw, f.internaldate) for f in fetched])
    folder.uidnext = state.uidnext
    await _touch(folder, "uidnext")
    return True


async def _touch(folder: MailFolder, *fields: str) -> None:
    folder.last_synced_at = datetime.now(UTC)
    await folder.save(update_fields=["last_synced_at", *fields])
