"""Bodies and attachments, decoded from the kept message after the sync stored its headers.

The sync reads headers only (threading, matching and association need nothing else), so it keeps
pace with the server; the bodies follow in batches, from a job the sync queues, or at once when
someone opens an e-mail that is still waiting. Decoding runs in a worker thread. A message whose
bytes are gone, or that cannot be decoded, is flagged and never tried again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from tortoise.transactions import in_transaction

from app.mail import blobs, rows
from app.mail.mime import ParsedMessage, parse
from app.models import Email, EmailAttachment, MailBlob

BATCH = 50
TEXT_MAX = 1_000_000  # characters of a body kept; the rest of a huge body is dropped
DEFECTS_MAX = 20


def _decode(items: Sequence[tuple[int, str, int, int]]) -> dict[int, ParsedMessage | None]:
    """In a worker thread: read each kept message from its pack, parse it and keep its
    attachments' bytes."""
    by_pack: dict[str, list[tuple[int, int, int]]] = {}
    for email_id, pack, offset, length in items:
        by_pack.setdefault(pack, []).append((email_id, offset, length))
    raws: dict[int, bytes | None] = {}
    for pack, places in by_pack.items():
        datas = blobs.read_packed(pack, [(o, n) for _, o, n in places]) if pack else [None] * len(places)
        raws.update((email_id, data) for (email_id, _, _), data in zip(places, datas))
    found: dict[int, ParsedMessage | None] = {}
    for email_id, raw in raws.items():
        if raw is None:
            found[email_id] = None
            continue
        message = parse(raw)
        for part in message.attachments:
            blobs.write(part.data, part.sha256)
        found[email_id] = message
    return found


async def _lock(conn) -> None:
    # The job and a reader opening the same e-mail take turns (SQLite has one writer anyway).
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock(4242002)")


async def blob_ids(conn, parts) -> dict[str, int]:
    sizes = {p.sha256: len(p.data) for p in parts}
    if not sizes:
        return {}
    await rows.insert(conn, MailBlob, ("sha256", "size"), sizes.items(), ignore_conflicts=True)
    return dict(await MailBlob.filter(sha256__in=list(sizes)).values_list("sha256", "id"))


def attachment_rows(email_id: int, parts, ids: dict[str, int]) -> list[tuple]:
    return [(email_id, ids[p.sha256], p.filename[:255], p.content_type[:100], len(p.data),
             (p.content_id or "")[:255], p.inline) for p in parts]


ATTACHMENT_COLUMNS = ("email_id", "blob_id", "filename", "content_type", "size", "content_id", "inline")


def body_values(message: ParsedMessage) -> tuple[str, str, str]:
    text = message.text[:TEXT_MAX]
    return text, message.html[:TEXT_MAX], " ".join(text[:1000].split())[:200]


async def fill(email_ids: Sequence[int]) -> int:
    """Decode the bodies of these e-mails that are still waiting; how many were done."""
    waiting = await Email.filter(id__in=list(email_ids), body_parsed=False).values_list(
        "id", "malformed", "defects", "source_pack", "source_offset", "source_length")
    if not waiting:
        return 0
    decoded = await asyncio.to_thread(_decode, [(w[0], *w[3:]) for w in waiting])
    async with in_transaction() as conn:
        await _lock(conn)
        still = set(await Email.filter(id__in=[w[0] for w in waiting], body_parsed=False).values_list("id", flat=True))
        updates, parts = [], []
        for email_id, malformed, defects, *_ in waiting:
            if email_id not in still:
                continue
            message = decoded[email_id]
            if message is None:
                updates.append((email_id, "", "", "", True, [*defects, "the stored message is missing"][:DEFECTS_MAX], True))
                continue
            text, html, snippet = body_values(message)
            merged = list(dict.fromkeys([*defects, *message.defects]))[:DEFECTS_MAX]
            updates.append((email_id, text, html, snippet, malformed or message.malformed, merged, True))
            parts += [(email_id, p) for p in message.attachments]
        ids = await blob_ids(conn, [p for _, p in parts])
        await rows.insert(conn, EmailAttachment, ATTACHMENT_COLUMNS,
                          [r for email_id, p in parts for r in attachment_rows(email_id, [p], ids)])
        await rows.update(conn, Email, ("text_body", "html_body", "snippet", "malformed", "defects", "body_parsed"),
                          updates)
    # A pack whose messages all have their bodies has served.
    packs = {w[3] for w in waiting if w[3]}
    busy = set(await Email.filter(source_pack__in=sorted(packs), body_parsed=False).values_list(
        "source_pack", flat=True)) if packs else set()
    for pack in packs - busy:
        await asyncio.to_thread(blobs.delete_pack, pack)
    return len(updates)


async def sweep(older_than: float = 3600) -> int:
    """Delete packs no waiting e-mail names (their batch rolled back, say); how many."""
    names = await asyncio.to_thread(blobs.packs_older_than, older_than)
    if not names:
        return 0
    busy = set(await Email.filter(source_pack__in=names, body_parsed=False).values_list("source_pack", flat=True))
    for name in set(names) - busy:
        await asyncio.to_thread(blobs.delete_pack, name)
    return len(set(names) - busy)


async def fill_pending(*, budget: float | None = None, mailbox_id: int | None = None) -> int:
    """Decode waiting bodies in batches until none wait (or the budget is spent)."""
    deadline = None if budget is None else time.monotonic() + budget
    done = 0
    while True:  # one batch at least, whatever the budget: every run makes progress
        query = Email.filter(body_parsed=False)
        if mailbox_id is not None:
            query = query.filter(copies__mailbox_id=mailbox_id)
        ids = await query.order_by("id").limit(BATCH).values_list("id", flat=True)
        if not ids:
            break
        done += await fill(list(dict.fromkeys(ids)))
        if deadline is not None and time.monotonic() >= deadline:
            break
    return done


async def pending() -> bool:
    return await Email.filter(body_parsed=False).exists()


async def ensure(email: Email) -> Email:
    """An e-mail about to be shown: its body decoded now if it still waits."""
    if not email.body_parsed:
        await fill([email.id])
        await email.refresh_from_db()
    return email
