"""The mail jobs: syncing mailboxes and appending sent mail to the Sent folder.

Task functions take ids and read everything else from Kizuna's tables, so running one twice is
harmless; what must survive a restart (a mailbox's cursor and when it is due, sent mail still to
append) is in those tables, and the embedded worker queues it again at start-up.

A mailbox's sync job carries a queueing lock, so however often a sync is asked for (the poll,
"sync now", a run that ran out of time) at most one waits; `sync.sync_mailbox` itself makes sure
two never run at once, across processes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from app import crypto, jobs, settings
from app.mail import bodies, imap, sync
from app.mail import blobs
from app.models import Email, Mailbox, MailFolder, SentAppend

log = logging.getLogger(__name__)
QUEUE = "mail"
APPEND_ATTEMPTS_MAX = 20


def _sync_lock(mailbox_id: int) -> str:
    return f"mailbox-sync-{mailbox_id}"


@jobs.task(queue=QUEUE, name="mail.sync_mailbox")
async def sync_mailbox(mailbox_id: int) -> None:
    outcome = await sync.sync_mailbox(mailbox_id)
    if outcome.stored:
        await request_bodies()
    if not outcome.skipped and not outcome.error and not outcome.complete:
        await request_sync(mailbox_id)  # the budget ran out: the next run goes on from the cursor


@jobs.task(queue=QUEUE, name="mail.decode_bodies")
async def decode_bodies() -> None:
    """Bodies and attachments of the mail the sync stored (headers only), a budget at a time."""
    await bodies.fill_pending(budget=settings.MAIL_SYNC_BUDGET_SECONDS)
    if await bodies.pending():
        await request_bodies()
    else:
        await bodies.sweep()


async def request_bodies() -> None:
    await jobs.defer(decode_bodies, queueing_lock="mail-bodies")


async def request_sync(mailbox_id: int) -> None:
    """Queue a sync of the mailbox now (nothing more if one is already waiting)."""
    await jobs.defer(sync_mailbox, queueing_lock=_sync_lock(mailbox_id), mailbox_id=mailbox_id)


def due(now: datetime):
    """Enabled mailboxes due a poll: never synced, asked for, or not synced for a poll interval,
    unless a failure's backoff says to wait."""
    stale = now - timedelta(seconds=settings.MAIL_POLL_SECONDS)
    return Mailbox.filter(enabled=True).filter(
        Q(next_sync_at__lte=now) | Q(next_sync_at__isnull=True, last_sync_at__isnull=True)
        | Q(next_sync_at__isnull=True, last_sync_at__lte=stale))


@jobs.periodic(cron="* * * * *", periodic_id="mail-poll")
@jobs.task(queue=QUEUE, name="mail.poll")
async def poll(timestamp: int) -> None:
    await queue_due()


async def queue_due() -> int:
    now = datetime.now(UTC)
    ids = await due(now).values_list("id", flat=True)
    for mailbox_id in ids:
        await request_sync(mailbox_id)
    for append_id in await SentAppend.filter(attempts__lt=APPEND_ATTEMPTS_MAX).values_list("id", flat=True):
        await jobs.defer(append_sent, queueing_lock=f"mail-append-{append_id}", append_id=append_id)
    return len(ids)


@jobs.on_startup
async def requeue_mail() -> None:
    await queue_due()
    if await bodies.pending():
        await request_bodies()


async def append_to_sent_later(mailbox: Mailbox, email: Email, raw: bytes) -> None:
    """Keep the bytes sent and queue their append to the mailbox's Sent folder."""
    sha = await asyncio.to_thread(blobs.write, raw)
    pending = await SentAppend.create(mailbox_id=mailbox.id, email_id=email.id, sha256=sha)
    await jobs.defer(append_sent, queueing_lock=f"mail-append-{pending.id}", append_id=pending.id)


@jobs.task(queue=QUEUE, name="mail.append_sent")
async def append_sent(append_id: int) -> None:
    pending = await SentAppend.get_or_none(id=append_id).prefetch_related("mailbox")
    if pending is None:
        return
    mailbox = pending.mailbox
    folder = await MailFolder.filter(mailbox_id=mailbox.id, is_sent=True).first()
    try:
        raw = await asyncio.to_thread(blobs.read, pending.sha256)
        await asyncio.to_thread(_append, sync.imap_settings(mailbox), folder.name if folder else None, raw)
    except (imap.ImapError, OSError, crypto.UndecryptableSecret) as exc:
        pending.attempts += 1
        pending.last_error = str(getattr(exc, "message", "") or exc)[:1000]
        await pending.save(update_fields=["attempts", "last_error"])
        log.info("mailbox %s: append to Sent failed: %s", mailbox.id, pending.last_error)
        return
    await pending.delete()


def _append(settings_: imap.ImapSettings, folder: str | None, raw: bytes) -> None:
    with imap.ImapSession(settings_) as session:
        name = folder or imap.sent_folder(session.folders())
        if name is None:
            raise imap.ImapError("the server has no Sent folder")
        session.append(name, raw)
