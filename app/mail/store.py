"""Storing fetched messages, one batch per transaction together with the folder's cursor: a sync
killed half-way has stored whole batches and moved its cursor past exactly those, so the next run
resumes with nothing lost or doubled.

A message held by several mailboxes or folders is one `Email` with a copy per holding. The sync
reads headers only (`read`, in the worker thread that fetched the batch): what threading,
matching and deal association need; the bytes are kept (a pack per batch, app.mail.blobs) and bodies and attachments
decoded afterwards (app.mail.bodies). The database sees a handful of statements per batch
whatever its size.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from app.mail import association, blobs, bodies, conversations, rows
from app.mail.mime import HeaderInfo, ParsedMessage, parse, parse_headers
from app.models import (
    Direction,
    Email,
    EmailAttachment,
    EmailCopy,
    EmailDeal,
    EmailParticipant,
    EmailUpload,
    Mailbox,
    MailFolder,
    ParticipantRole,
)

PARTICIPANTS_MAX = 200  # addresses kept per message (From, then To, then Cc)
REFERENCES_MAX = 50
EMAIL_COLUMNS = ("key", "message_id", "in_reply_to", "references", "subject", "normalized_subject", "sent_at",
                 "from_email", "from_name", "size", "is_bulk", "malformed", "defects", "body_parsed",
                 "sent_from_kizuna", "created_at", "text_body", "html_body", "snippet", "source_pack",
                 "source_offset", "source_length")
COPY_COLUMNS = ("email_id", "mailbox_id", "folder_id", "uidvalidity", "uid", "direction", "created_at")
PARTICIPANT_COLUMNS = ("email_id", "role", "address", "name")


@dataclass(frozen=True)
class Incoming:
    uid: int
    raw: bytes
    internaldate: datetime | None = None


@dataclass(frozen=True)
class Read:
    """A fetched message with its headers read and its bytes kept (pack, offset, length)."""

    uid: int
    internaldate: datetime | None
    info: HeaderInfo
    source: tuple[str, int, int]


def read(batch: Sequence[Incoming]) -> list[Read]:
    """Blocking (the worker thread that fetched the batch): each message's headers, and the
    batch's bytes kept in one pack."""
    if not batch:
        return []
    pack, places = blobs.write_pack([item.raw for item in batch])
    return [Read(item.uid, item.internaldate, parse_headers(item.raw), (pack, *place))
            for item, place in zip(batch, places)]


def storage_key(message: HeaderInfo | ParsedMessage) -> str:
    """What makes a message the same message: its Message-ID, told apart from another message
    reusing that id (broken senders do) by a fingerprint of its date, sender and subject; a
    message without an id is keyed by its content."""
    if not message.message_id:
        return message.key[:255]
    return f"{message.message_id[:220]}#{message.fingerprint[:16]}"


def own_addresses(mailbox: Mailbox) -> set[str]:
    addresses = {mailbox.email.lower()}
    if "@" in mailbox.username:
        addresses.add(mailbox.username.lower())
    return addresses


def direction_of(message: HeaderInfo, own: set[str], folder: MailFolder | None) -> Direction:
    if (folder is not None and folder.is_sent) or (message.sender and message.sender.address in own):
        return Direction.OUTGOING
    return Direction.INCOMING


async def _store_lock(conn) -> None:
    """E-mails are written by one store at a time (two workers may hold the same message in two
    mailboxes): on PostgreSQL an advisory lock for the transaction, on SQLite its write lock, taken
    at once. Under it, which keys exist and which ids come next cannot change."""
    if conn.capabilities.dialect == "postgres":
        # Custom plans: the generic plan of a look-up made while the table was small (a sequential
        # scan) would otherwise stay for the connection's life as the table grows.
        await conn.execute_query("SELECT pg_advisory_xact_lock(4242001), "
                                 "set_config('plan_cache_mode', 'force_custom_plan', true), set_config('synchronous_commit', 'off', true)")
    else:
        await conn.execute_query('UPDATE "emails" SET id = id WHERE 0')


def _participants(email_id: int, message: HeaderInfo) -> list[tuple]:
    people = [(ParticipantRole.FROM, message.sender)] if message.sender else []
    people += [(ParticipantRole.TO, a) for a in message.to] + [(ParticipantRole.CC, a) for a in message.cc]
    seen, found = set(), []
    for role, address in people[:PARTICIPANTS_MAX]:
        if address.address and (role, address.address) not in seen:
            seen.add((role, address.address))
            found.append((email_id, role, address.address[:254], address.name[:255]))
    return found


def _header_columns(message: HeaderInfo) -> dict[str, object]:
    """An e-mail's columns read from its headers, cut to their lengths: for the sync's rows and
    for a message sent from Kizuna alike."""
    return {
        "key": storage_key(message), "in_reply_to": message.in_reply_to[:255],
        "references": " ".join(message.references[-REFERENCES_MAX:]), "subject": message.subject,
        "normalized_subject": message.normalized_subject[:255],
        "from_email": (message.sender.address if message.sender else "")[:254],
        "from_name": (message.sender.name if message.sender else "")[:255], "size": message.size,
    }


def _email_values(message: HeaderInfo, source: tuple[str, int, int], received_at: datetime, now: datetime) -> tuple:
    values = {
        **_header_columns(message), "message_id": message.message_id[:255], "sent_at": received_at,
        "is_bulk": message.is_bulk, "malformed": message.malformed,
        "defects": list(message.defects)[:bodies.DEFECTS_MAX], "body_parsed": False, "sent_from_kizuna": False,
        "created_at": now, "text_body": "", "html_body": "", "snippet": "", "source_pack": source[0],
        "source_offset": source[1], "source_length": source[2],
    }
    return tuple(values[column] for column in EMAIL_COLUMNS)


def _candidate(email_id: int, message: HeaderInfo, received_at: datetime, own: set[str], outgoing: bool,
               historical: bool) -> association.Candidate | None:
    if message.is_bulk:
        return None
    addresses = association.ordered_addresses([message.sender.address] if message.sender else [],
                                              [a.address for a in (*message.to, *message.cc)],
                                              outgoing=outgoing, own=own)
    return association.Candidate(email_id, received_at, addresses, historical) if addresses else None


async def existing_ids(conn, keys: Sequence[str]) -> dict[str, int]:
    """Storage key -> id of the e-mails already stored (under `_store_lock`)."""
    return dict(await rows.select_in(conn, 'SELECT "key", id FROM emails WHERE "key" IN ({in})', list(keys)))


async def insert_new(conn, first: dict[str, tuple[HeaderInfo, tuple[str, int, int], datetime]], ids: dict[str, int],
                     candidate: Callable[[int, HeaderInfo, datetime], association.Candidate | None],
                     now: datetime) -> list[str]:
    """Write the messages of `first` (storage key -> headers, kept bytes, received at) not yet in
    `ids` (which gains their ids): their rows, threads, participants and deal association, the
    same for every way mail comes in (the sync, uploaded files). Their keys, in order."""
    # New e-mails get their ids first, so that their thread is known when they are written:
    # one row version each, no update after.
    fresh = [k for k in first if k not in ids]
    ids.update(zip(fresh, await rows.reserve_ids(conn, Email, len(fresh))))
    new = {ids[k]: first[k][0] for k in fresh}
    if not new:
        return fresh
    threads = await conversations.assign(conn, new)
    await rows.insert(conn, Email, ("id", "thread_id", *EMAIL_COLUMNS), [
        (ids[k], threads[ids[k]], *_email_values(info, source, when, now))
        for k in fresh for info, source, when in (first[k],)])
    await rows.insert(conn, EmailParticipant, PARTICIPANT_COLUMNS,
                      [p for email_id, info in new.items() for p in _participants(email_id, info)])
    await association.associate([c for k in fresh for info, _, when in (first[k],)
                                 if (c := candidate(ids[k], info, when))], conn)
    return fresh


async def store_batch(mailbox: Mailbox, folder: MailFolder | None, batch: Sequence[Incoming | Read]) -> int:
    """Store a batch fetched from `folder` (under its current UIDVALIDITY) and move its cursor
    past it, in one transaction. Returns the number of copies added."""
    if not batch:
        return 0
    if not all(isinstance(item, Read) for item in batch):
        batch = await asyncio.to_thread(read, batch)
    own = own_addresses(mailbox)
    now = datetime.now(UTC)
    items = [(item.info, item.source, item.info.date or item.internaldate or now, item) for item in batch]
    first: dict[str, tuple[HeaderInfo, tuple[str, int, int], datetime]] = {}
    for info, source, when, _ in items:
        first.setdefault(storage_key(info), (info, source, when))
    connected = mailbox.connected_at

    def candidate(email_id: int, info: HeaderInfo, when: datetime) -> association.Candidate | None:
        return _candidate(email_id, info, when, own, direction_of(info, own, folder) == Direction.OUTGOING,
                          historical=connected is not None and when < connected)

    async with in_transaction() as conn:
        await _store_lock(conn)
        ids = await existing_ids(conn, list(first))
        await insert_new(conn, first, ids, candidate, now)
        await rows.insert(conn, EmailCopy, COPY_COLUMNS, [
            (ids[storage_key(info)], mailbox.id, folder.id if folder else None,
             folder.uidvalidity if folder else 0, item.uid, direction_of(info, own, folder), now)
            for info, _, _, item in items], ignore_conflicts=True)
        if folder is not None:
            folder.last_uid = max(folder.last_uid, max(item.uid for item in batch))
            await folder.save(update_fields=["last_uid"])
        count = await EmailCopy.filter(mailbox_id=mailbox.id).count()
        added, mailbox.message_count = count - mailbox.message_count, count
        await Mailbox.filter(id=mailbox.id).update(message_count=count)
    return max(added, 0)


async def store_sent(mailbox: Mailbox, email: Email, raw: bytes, *, deal_id: int | None = None,
                     contact_id: int | None = None) -> Email:
    """Complete the row reserved for a message just sent from Kizuna: its body, participants and
    attachments from the bytes sent, an outgoing copy in the mailbox (the Sent folder's sync later
    finds the same message and only adds its copy), and its deal: the one it was written from,
    else the association rules."""

    def decode() -> ParsedMessage:
        message = parse(raw)
        for part in message.attachments:
            blobs.write(part.data, part.sha256)
        return message

    message = await asyncio.to_thread(decode)
    text, html, snippet = bodies.body_values(message)
    async with in_transaction() as conn:
        await _store_lock(conn)
        for column, value in _header_columns(message).items():
            setattr(email, column, value)
        email.text_body, email.html_body, email.snippet, email.body_parsed = text, html, snippet, True
        await email.save()
        await EmailCopy.create(email_id=email.id, mailbox_id=mailbox.id, direction=Direction.OUTGOING)
        await rows.insert(conn, EmailParticipant, PARTICIPANT_COLUMNS, _participants(email.id, message))
        ids = await bodies.blob_ids(conn, message.attachments)
        await rows.insert(conn, EmailAttachment, bodies.ATTACHMENT_COLUMNS,
                          bodies.attachment_rows(email.id, message.attachments, ids))
        if deal_id is not None:
            await EmailDeal.create(email_id=email.id, deal_id=deal_id, contact_id=contact_id, automatic=False,
                                   created_by_id=email.sent_by_id)
        elif (candidate := _candidate(email.id, message, email.sent_at, own_addresses(mailbox), True,
                                      historical=False)) is not None:
            await association.associate([candidate])
        await Mailbox.filter(id=mailbox.id).update(message_count=await EmailCopy.filter(mailbox_id=mailbox.id).count())
    return email


async def store_uploaded(user_id: int, own: set[str], raw: bytes, info: HeaderInfo) -> tuple[int, bool]:
    """Store a message a user uploaded (app.mail.uploads) as the sync stores a fetched one (its
    bytes kept in a pack, its row, thread, participants and deal association by the rules, its
    body decoded from the pack), held by the user (`EmailUpload`) instead of a mailbox. Mail
    uploaded is current mail: rules 1-4 apply, not rule 5 (no mailbox, no first import). The
    e-mail's id, and whether it is new (else the same message was stored before: only the
    holding is added)."""
    pack, places = await asyncio.to_thread(blobs.write_pack, [raw])
    now = datetime.now(UTC)
    key = storage_key(info)
    first = {key: (info, (pack, *places[0]), info.date or now)}

    def candidate(email_id: int, message: HeaderInfo, when: datetime) -> association.Candidate | None:
        outgoing = bool(message.sender and message.sender.address in own)
        return _candidate(email_id, message, when, own, outgoing, historical=False)

    async with in_transaction() as conn:
        await _store_lock(conn)
        ids = await existing_ids(conn, [key])
        fresh = await insert_new(conn, first, ids, candidate, now)
        await rows.insert(conn, EmailUpload, ("email_id", "user_id", "created_at"), [(ids[key], user_id, now)],
                          ignore_conflicts=True)
    if fresh:
        await bodies.fill([ids[key]])
    else:
        await asyncio.to_thread(blobs.delete_pack, pack)
    return ids[key], bool(fresh)
