"""One run of a mailbox's sync: for each chosen folder, what is new since the cursor is fetched in
batches (`UID FETCH ... BODY.PEEK[]`, never marking mail read) and stored batch by batch with the
cursor (app.mail.store). A poll with nothing new costs one STATUS per folder after login.

Runs of one mailbox never overlap, across processes (`jobs.one_at_a_time`); a run stops when its
time budget is spent and says so, and the caller queues the next one. Failures are recorded on the
mailbox (its last error, since when it fails) and the next attempt backs off, up to a day.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app import crypto, jobs, settings
from app.mail.imap import ImapError, ImapSession, ImapSettings, Security
from app.mail.store import Incoming, read, store_batch
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
        username=mailbox.username, password=crypto.plain(mailbox.password), timeout=settings.MAIL_IMAP_TIMEOUT,
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
        except (OSError, asyncio.TimeoutError, crypto.UndecryptableSecret) as exc:
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


class _Server:
    """The IMAP session of one run, used from one worker thread of its own: calls never overlap,
    and closing waits for the call in progress (a cancelled await does not stop its thread)."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.session = ImapSession(imap_settings(mailbox))
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kizuna-imap")

    async def call(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.thread, fn, *args)

    async def __aenter__(self) -> _Server:
        try:
            await self.call(self.session.__enter__)
        except BaseException:
            await asyncio.to_thread(self.thread.shutdown, True)
            raise
        return self

    async def __aexit__(self, *exc_info) -> None:
        try:
            await asyncio.shield(self.call(self.session.__exit__, None, None, None))
        finally:
            await asyncio.to_thread(self.thread.shutdown, True)


async def _run(mailbox: Mailbox, outcome: Outcome, *, budget: float, batch: int) -> None:
    deadline = time.monotonic() + budget
    folders = await MailFolder.filter(mailbox_id=mailbox.id, sync=True).order_by("id")
    async with _Server(mailbox) as server:
        try:
            for folder in folders:
                if outcome.fetched and time.monotonic() >= deadline:
                    outcome.complete = False
                    break
                if not await _sync_folder(mailbox, folder, server, outcome, deadline=deadline, batch=batch):
                    outcome.complete = False
                    break
        finally:
            outcome.roundtrips = server.session.roundtrips


async def _sync_folder(mailbox: Mailbox, folder: MailFolder, server: _Server, outcome: Outcome, *,
                       deadline: float, batch: int) -> bool:
    """False when the budget ran out before the folder was done."""
    state = await server.call(server.session.status, folder.name)
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
    uids = await server.call(server.session.new_uids, folder.name, folder.last_uid)
    # One generator for the run: its size look-ups cover thousands of UIDs a command.
    messages = server.session.fetch(uids, batch=batch, folder=folder.name)

    def take() -> list[Incoming]:
        return [Incoming(f.uid, f.raw, f.internaldate) for f in itertools.islice(messages, batch)]

    # A pipeline: batch k+2 is fetched while k+1's headers are read and k is stored, so the
    # server's time, the parsing and the database overlap. At most a few batches wait in memory.
    ready: asyncio.Queue = asyncio.Queue(maxsize=2)
    taken = 0

    async def produce() -> None:
        nonlocal taken
        try:
            while taken < len(uids):
                fetched = await server.call(take)
                if not fetched:
                    taken = len(uids)  # the rest did not come (expunged meanwhile): done
                    break
                taken += len(fetched)
                await ready.put(asyncio.ensure_future(asyncio.to_thread(read, fetched)))
                if time.monotonic() >= deadline:  # after one batch at least: every run progresses
                    break
        finally:
            await ready.put(None)

    producer = asyncio.ensure_future(produce())
    try:
        while (reading := await ready.get()) is not None:
            items = [r for r in await reading if r.uid > folder.last_uid]
            outcome.fetched += len(items)
            if items:
                outcome.stored += await store_batch(mailbox, folder, items)
        await producer  # its errors (the server's) are this run's
    finally:
        if not producer.done():
            producer.cancel()
        await asyncio.gather(producer, return_exceptions=True)
        while not ready.empty():  # reads started but not stored: let their threads end
            if (pending := ready.get_nowait()) is not None:
                await asyncio.gather(pending, return_exceptions=True)
    if taken < len(uids):
        return False
    folder.uidnext = state.uidnext
    await _touch(folder, "uidnext")
    return True


async def _touch(folder: MailFolder, *fields: str) -> None:
    folder.last_synced_at = datetime.now(UTC)
    await folder.save(update_fields=["last_synced_at", *fields])
