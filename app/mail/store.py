"""Storing fetched messages, one batch per transaction together with the folder's cursor: a sync
killed half-way has stored whole batches and moved its cursor past exactly those, so the next run
resumes with nothing lost or doubled.

A message held by several mailboxes or folders is one `Email` (keyed by its Message-ID, else a
hash of its bytes) with a copy per holding. Parsing runs in a worker thread; the database sees a
handful of statements per batch whatever its size.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app import settings
from app.mail import association
from app.mail.mime import ParsedMessage, parse
from app.mail.threads import find_token
from app.models import (
    Direction,
    Email,
    EmailAttachment,
    EmailCopy,
    EmailParticipant,
    MailBlob,
    Mailbox,
    MailFolder,
    ParticipantRole,
)

TEXT_MAX = 1_000_000  # characters of a body kept; the rest of a huge body is dropped
PARTICIPANTS_MAX = 200  # addresses kept per message (From, then To, then Cc)
REFERENCES_MAX = 50


@dataclass(frozen=True)
class Incoming:
    uid: int
    raw: bytes
    internaldate: datetime | None = None


def storage_key(message: ParsedMessage) -> str:
    """What makes a message the same message: its Message-ID, told apart from another message
    reusing that id (broken senders do) by a fingerprint of its date, sender and subject; a
    message without an id is keyed by its content."""
    if not message.message_id:
        return message.key[:255]
    return f"{message.message_id[:220]}#{message.fingerprint[:16]}"


def blob_path(sha256: str) -> Path:
    return settings.DOCUMENTS_DIR / "mail" / sha256[:2] / sha256


def _write_blob(sha256: str, data: bytes) -> None:
    path = blob_path(sha256)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{sha256}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # whole or absent, even if two processes write it at once


def _parse_and_keep(batch: Sequence[Incoming]) -> list[ParsedMessage]:
    """In a worker thread: parse every message and write its attachments' bytes."""
    parsed = []
    for item in batch:
        message = parse(item.raw)
        for part in message.attachments:
            _write_blob(part.sha256, part.data)
        parsed.append(message)
    return parsed


def own_addresses(mailbox: Mailbox) -> set[str]:
    addresses = {mailbox.email.lower()}
    if "@" in mailbox.username:
        addresses.add(mailbox.username.lower())
    return addresses


async def _store_lock(conn) -> None:
    """Two workers storing the same message (from two mailboxes) at once: on PostgreSQL the
    store takes turns; SQLite has a single writer anyway."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock(4242001)")


def _participants(email_id: int, message: ParsedMessage) -> list[EmailParticipant]:
    people = []
    if message.sender:
        people.append((ParticipantRole.FROM, message.sender))
    people += [(ParticipantRole.TO, a) for a in message.to] + [(ParticipantRole.CC, a) for a in message.cc]
    seen, rows = set(), []
    for role, address in people[:PARTICIPANTS_MAX]:
        if not address.address or (role, address.address) in seen:
            continue
        seen.add((role, address.address))
        rows.append(EmailParticipant(email_id=email_id, role=role, address=address.address[:254],
                                     name=address.name[:255]))
    return rows


def _email_row(message: ParsedMessage, received_at: datetime) -> Email:
    text = message.text[:TEXT_MAX]
    return Email(
        key=storage_key(message), message_id=message.message_id[:255], in_reply_to=message.in_reply_to[:255],
        references=" ".join(message.references[-REFERENCES_MAX:]), subject=message.subject,
        normalized_subject=message.normalized_subject[:255], sent_at=received_at,
        from_email=(message.sender.address if message.sender else "")[:254],
        from_name=(message.sender.name if message.sender else "")[:255],
        text_body=text, html_body=message.html[:TEXT_MAX], snippet=" ".join(text.split())[:200],
        size=message.size, is_bulk=message.is_bulk, malformed=message.malformed,
        defects=list(message.defects)[:20],
    )


async def _blob_ids(messages: Sequence[ParsedMessage]) -> dict[str, int]:
    sizes = {p.sha256: len(p.data) for m in messages for p in m.attachments}
    if not sizes:
        return {}
    await MailBlob.bulk_create([MailBlob(sha256=s, size=n) for s, n in sizes.items()], ignore_conflicts=True)
    return dict(await MailBlob.filter(sha256__in=list(sizes)).values_list("sha256", "id"))


async def _thread_ids(new: dict[int, ParsedMessage]) -> dict[int, int]:
    """Thread of each new e-mail (id -> the first e-mail's id): by Message-ID, In-Reply-To and
    References; else by the token Kizuna puts on mail it sends; else the same normalised subject
    with the same participants; else a thread of its own."""
    refs = {r[:255] for m in new.values() for r in (m.in_reply_to, *m.references) if r}
    by_message_id = dict(await Email.filter(message_id__in=list(refs), thread_id__not_isnull=True)
                         .values_list("message_id", "thread_id")) if refs else {}
    tokens = {i: t for i, m in new.items() if (t := find_token(m.kizuna_token or m.subject)) is not None}
    by_token = dict(await Email.filter(id__in=list(set(tokens.values()))).values_list("id", "thread_id")) if tokens else {}
    threads: dict[int, int] = {}
    unresolved: dict[int, ParsedMessage] = {}
    for email_id, message in sorted(new.items()):
        thread = next((by_message_id[r[:255]] for r in (message.in_reply_to, *reversed(message.references))
                       if r and r[:255] in by_message_id), None)
        if thread is None and email_id in tokens:
            thread = by_token.get(tokens[email_id])
        if thread is None:
            unresolved[email_id] = message
            thread = email_id
        threads[email_id] = thread
        if message.message_id:
            by_message_id.setdefault(message.message_id[:255], thread)
    subjects = {m.normalized_subject[:255] for m in unresolved.values() if m.normalized_subject}
    if subjects:
        rows = await Email.filter(normalized_subject__in=list(subjects), thread_id__not_isnull=True,
                                  id__not_in=list(new)).order_by("-sent_at").values_list(
            "id", "normalized_subject", "thread_id")
        people = await _addresses_of([r[0] for r in rows])
        for email_id, message in unresolved.items():
            mine = _message_addresses(message)
            for other_id, subject, thread in rows:
                if subject == message.normalized_subject[:255] and people.get(other_id) == mine:
                    threads[email_id] = thread
                    break
    return threads


def _message_addresses(message: ParsedMessage) -> frozenset[str]:
    return frozenset(a.address for a in (*([message.sender] if message.sender else []), *message.to,
                                         *message.cc) if a.address)


async def _addresses_of(email_ids: list[int]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = {}
    for start in range(0, len(email_ids), 500):
        for email_id, address in await EmailParticipant.filter(
                email_id__in=email_ids[start:start + 500]).values_list("email_id", "address"):
            found.setdefault(email_id, set()).add(address)
    return {k: frozenset(v) for k, v in found.items()}


def direction_of(message: ParsedMessage, own: set[str], folder: MailFolder | None) -> Direction:
    if (folder is not None and folder.is_sent) or (message.sender and message.sender.address in own):
        return Direction.OUTGOING
    return Direction.INCOMING


def _candidate(email_id: int, message: ParsedMessage, received_at: datetime, own: set[str],
               outgoing: bool, historical: bool) -> association.Candidate | None:
    if message.is_bulk:
        return None
    addresses = association.ordered_addresses([message.sender.address] if message.sender else [],
                                              [a.address for a in (*message.to, *message.cc)],
                                              outgoing=outgoing, own=own)
    if not addresses:
        return None
    return association.Candidate(email_id, received_at, addresses, historical)


async def store_batch(mailbox: Mailbox, folder: MailFolder | None, batch: Sequence[Incoming]) -> int:
    """Store a batch fetched from `folder` (under its current UIDVALIDITY) and move its cursor
    past it, in one transaction. Returns the number of copies added."""
    if not batch:
        return 0
    parsed = await asyncio.to_thread(_parse_and_keep, batch)
    own = own_addresses(mailbox)
    now = datetime.now(UTC)
    received = [m.date or item.internaldate or now for m, item in zip(parsed, batch)]
    async with in_transaction() as conn:
        await _store_lock(conn)
        keys = list(dict.fromkeys(storage_key(m) for m in parsed))
        existing = dict(await Email.filter(key__in=keys).values_list("key", "id"))
        fresh: dict[str, tuple[ParsedMessage, datetime, Incoming]] = {}
        for message, when, item in zip(parsed, received, batch):
            if storage_key(message) not in existing:
                fresh.setdefault(storage_key(message), (message, when, item))
        if fresh:
            await Email.bulk_create([_email_row(m, when) for m, when, _ in fresh.values()])
        ids = dict(await Email.filter(key__in=keys).values_list("key", "id"))
        new = {ids[k]: m for k, (m, _, _) in fresh.items()}

        copies = [EmailCopy(email_id=ids[storage_key(m)], mailbox_id=mailbox.id,
                            folder_id=folder.id if folder else None,
                            uidvalidity=folder.uidvalidity if folder else 0, uid=item.uid,
                            direction=direction_of(m, own, folder))
                  for m, item in zip(parsed, batch)]
        await EmailCopy.bulk_create(copies, ignore_conflicts=True)
        if new:
            await EmailParticipant.bulk_create([p for i, m in new.items() for p in _participants(i, m)])
            blobs = await _blob_ids(list(new.values()))
            await EmailAttachment.bulk_create([
                EmailAttachment(email_id=i, blob_id=blobs[p.sha256], filename=p.filename[:255],
                                content_type=p.content_type[:100], size=len(p.data),
                                content_id=(p.content_id or "")[:255], inline=p.inline)
                for i, m in new.items() for p in m.attachments])
            await _save_threads(await _thread_ids(new))
            when_of = {ids[k]: when for k, (_, when, _) in fresh.items()}
            connected = mailbox.connected_at
            await association.associate([
                c for i, m in new.items()
                if (c := _candidate(i, m, when_of[i], own, direction_of(m, own, folder) == Direction.OUTGOING,
                                    historical=connected is not None and when_of[i] < connected))])
        if folder is not None:
            folder.last_uid = max(folder.last_uid, max(item.uid for item in batch))
            await folder.save(update_fields=["last_uid"])
        count = await EmailCopy.filter(mailbox_id=mailbox.id).count()
        added = count - mailbox.message_count
        mailbox.message_count = count
        await Mailbox.filter(id=mailbox.id).update(message_count=count)
    return max(added, 0)


async def _save_threads(threads: dict[int, int]) -> None:
    """One UPDATE per thread (a batch of new mail is mostly new threads: one statement)."""
    members: dict[int, list[int]] = {}
    for email_id, thread in threads.items():
        members.setdefault(-1 if thread == email_id else thread, []).append(email_id)
    for thread, ids in members.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            if thread == -1:
                await Email.filter(id__in=chunk).update(thread_id=F("id"))
            else:
                await Email.filter(id__in=chunk).update(thread_id=thread)


async def store_sent(mailbox: Mailbox, email: Email, raw: bytes, *, deal_id: int | None = None,
                     contact_id: int | None = None) -> Email:
    """Complete the row reserved for a message just sent from Kizuna: its body, participants and
    attachments from the bytes sent, an outgoing copy in the mailbox (the Sent folder's sync later
    finds the same Message-ID and only adds its copy), and its deal: the one it was written from,
    else the association rules."""
    message = await asyncio.to_thread(lambda: _parse_and_keep([Incoming(0, raw)])[0])
    own = own_addresses(mailbox)
    row = _email_row(message, email.sent_at or datetime.now(UTC))
    async with in_transaction():
        for name in ("key", "in_reply_to", "references", "subject", "normalized_subject", "from_email", "from_name",
                     "text_body", "html_body", "snippet", "size"):
            setattr(email, name, getattr(row, name))
        await email.save()
        await EmailCopy.create(email_id=email.id, mailbox_id=mailbox.id, direction=Direction.OUTGOING)
        await EmailParticipant.bulk_create(_participants(email.id, message))
        blobs = await _blob_ids([message])
        await EmailAttachment.bulk_create([
            EmailAttachment(email_id=email.id, blob_id=blobs[p.sha256], filename=p.filename[:255],
                            content_type=p.content_type[:100], size=len(p.data),
                            content_id=(p.content_id or "")[:255], inline=p.inline) for p in message.attachments])
        if deal_id is not None:
            from app.models import EmailDeal

            await EmailDeal.create(email_id=email.id, deal_id=deal_id, contact_id=contact_id, automatic=False,
                                   created_by_id=email.sent_by_id)
        elif (candidate := _candidate(email.id, message, email.sent_at, own, True, historical=False)) is not None:
            await association.associate([candidate])
        await Mailbox.filter(id=mailbox.id).update(message_count=await EmailCopy.filter(mailbox_id=mailbox.id).count())
    return email
