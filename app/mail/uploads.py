"""E-mail into the CRM without IMAP: .eml and Outlook .msg files a user uploads (issue 14).

A file is taken for what its bytes are, never for its name or the type the browser sent: an OLE
compound file is read as an Outlook message (app.mail.outlook) and turned into the RFC 5322
message it stands for; anything else must be an RFC 5322 message itself (a header block that
names a sender or a Message-ID). Either way the message is then stored exactly as fetched mail
is (app.mail.store: same parsing, participants, threading, kept bytes and attachments, deal
association by seed 004's rules), held by the uploading user (`EmailUpload`), which is what
app.services.mail.visible lets them, and only them, see. The same message uploaded again is the
same e-mail (the storage key: Message-ID and fingerprint), stored once.

Uploaded onto a record (a lead, contact or deal page), the e-mail is then added to it through
app.services.email_actions.link_to_record, the rule "add to a record found by search" uses; the
record is checked first (one the user may edit), before anything is stored.

Every file is checked before any is stored: one bad file refuses the upload with a message
naming it. A message claiming the storage key of an e-mail the user may not see is the same
e-mail only if its text and files are the same (else uploading a forged copy of a message's
headers would open someone else's private mail).
"""

from __future__ import annotations

import asyncio
import email as emaillib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from typing import Any

from app import settings
from app.errors import Conflict, FieldError, ValidationError
from app.i18n import N_
from app.mail import bodies, outlook, store
from app.mail.mime import HeaderInfo, ParsedMessage, parse, parse_headers
from app.models import Email, EmailAttachment, Mailbox
from app.permissions import Principal
from app.services import email_actions
from app.services.contacts import contacts as contact_service
from app.services.deals import deals as deal_service
from app.services.leads import leads as lead_service
from app.services.mail import get_email, visible

FILES_MAX = 10  # files in one upload
FIELD = "files"
RECORD_SERVICES = {"contact": contact_service, "lead": lead_service, "deal": deal_service}

NO_FILE = N_("Choose one or more .eml or Outlook .msg files.")
TOO_MANY = N_("Upload at most %(count)d files at once.")
EMPTY = N_("“%(name)s” is empty.")
TOO_LARGE = N_("“%(name)s” is too large: at most %(size)s MB per file.")
NOT_MAIL = N_("“%(name)s” is not an e-mail. Upload .eml files or Outlook .msg files.")
NOT_OUTLOOK_MAIL = N_("“%(name)s” is an Outlook item but not an e-mail.")
CORRUPT = N_("“%(name)s” looks like an Outlook file but cannot be read: it may be damaged.")
DIFFERENT = N_("“%(name)s” has the Message-ID of another stored e-mail but not its content: it was not stored.")

# The first line of an RFC 5322 message is a header field (an mbox "From " line may come first).
_FIELD_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]{1,76}[ \t]*:")
_MBOX_LINE = re.compile(rb"From [^\r\n]*\r?\n")


@dataclass(frozen=True)
class UploadedFile:
    filename: str  # as the browser named it: shown in messages only
    data: bytes


@dataclass(frozen=True)
class Prepared:
    name: str
    raw: bytes  # the RFC 5322 message to store
    info: HeaderInfo
    message: ParsedMessage


def max_mb() -> str:
    return f"{settings.MAIL_UPLOAD_MAX_BYTES / (1024 * 1024):.1f}".removesuffix(".0")


def _name(upload: UploadedFile) -> str:
    """The file's name for a message: its last path segment, short, no control characters."""
    name = re.split(r"[\\/]", upload.filename or "")[-1]
    return "".join(ch for ch in name if ch.isprintable())[:80] or "-"


def _is_file_part(part: emaillib.message.Message) -> bool:
    if part.is_multipart():
        return False
    disposition = part.get_content_disposition()
    return disposition == "attachment" or (disposition is None and bool(part.get_filename()))


def without_attachments(raw: bytes) -> bytes:
    """The message without its files (images of the HTML body stay): what is stored when the
    user uploads an e-mail without its attachments. Untouched when it has none."""
    message = emaillib.message_from_bytes(raw, policy=policy.compat32)
    changed = False
    for part in message.walk():
        if part.is_multipart() and isinstance(part.get_payload(), list):
            kept = [p for p in part.get_payload() if not _is_file_part(p)]
            if len(kept) != len(part.get_payload()):
                part.set_payload(kept)
                changed = True
    return message.as_bytes(policy=policy.compat32) if changed else raw


def _refuse(msgid: str, upload: UploadedFile, **params: Any) -> FieldError:
    return FieldError(FIELD, msgid, {"name": _name(upload), **params})


def prepare(upload: UploadedFile, include_attachments: bool = True) -> Prepared | FieldError:
    """Blocking (a worker thread): the file as the message to store, or why it is refused."""
    data = upload.data
    if not data:
        return _refuse(EMPTY, upload)
    if len(data) > settings.MAIL_UPLOAD_MAX_BYTES:
        return _refuse(TOO_LARGE, upload, size=max_mb())
    if outlook.is_ole(data):
        try:
            raw = outlook.convert(data)
        except outlook.NotAnOutlookMessage as error:
            return _refuse(NOT_MAIL if error.not_outlook else NOT_OUTLOOK_MAIL if error.not_mail else CORRUPT, upload)
    else:
        raw = data[data.startswith(b"\xef\xbb\xbf") and 3:]  # a BOM some editors write
        if mbox := _MBOX_LINE.match(raw):
            raw = raw[mbox.end():]
        if not _FIELD_LINE.match(raw):
            return _refuse(NOT_MAIL, upload)
    if not include_attachments:
        raw = without_attachments(raw)
    info = parse_headers(raw)
    if info.sender is None and not info.message_id:
        return _refuse(NOT_MAIL, upload)
    return Prepared(_name(upload), raw, info, parse(raw))


async def _check_record(principal: Principal, record_type: str | None, record_id: Any) -> None:
    """The record a file is dropped on: one the user may edit (NotFound or PermissionDenied)."""
    if record_type is None:
        return
    if record_type not in RECORD_SERVICES:
        raise ValidationError.single("record_type", N_("Choose one of the offered values."))
    await RECORD_SERVICES[record_type].get(principal, record_id, "create_edit")


def _collapsed(text: str) -> str:
    return " ".join((text or "").split())


async def _same_content(email_id: int, message: ParsedMessage) -> bool:
    email = await bodies.ensure(await Email.get(id=email_id))
    text = bodies.body_values(message)[0]
    stored = sorted(await EmailAttachment.filter(email_id=email_id).values_list("blob__sha256", flat=True))
    return _collapsed(email.text_body) == _collapsed(text) and stored == sorted(p.sha256 for p in message.attachments)


async def _own_addresses(principal: Principal) -> set[str]:
    """The user's addresses: what makes an uploaded message one they sent (seed 004 then looks
    at its recipients)."""
    own = {principal.user.email.lower()} if principal.user.email else set()
    own |= {a.lower() for a in await Mailbox.filter(owner_id=principal.user.id).values_list("email", flat=True)}
    return own


async def upload(principal: Principal, files: Sequence[UploadedFile], *, record_type: str | None = None,
                 record_id: Any = None, include_attachments: bool = True) -> list[Email]:
    """Store the uploaded files' messages, held by the user, and add them to the record they were
    dropped on (if any). The e-mails, in the files' order (the same e-mail once)."""
    if not files:
        raise ValidationError.single(FIELD, NO_FILE)
    if len(files) > FILES_MAX:
        raise ValidationError.single(FIELD, TOO_MANY, count=FILES_MAX)
    await _check_record(principal, record_type, record_id)
    prepared = [await asyncio.to_thread(prepare, f, include_attachments) for f in files]
    refused = [p for p in prepared if isinstance(p, FieldError)]
    if refused:
        raise ValidationError(refused)
    own = await _own_addresses(principal)
    mine = visible(principal)
    ids: list[int] = []
    for item in prepared:
        assert isinstance(item, Prepared)
        existing = await Email.get_or_none(key=store.storage_key(item.info)).values_list("id", flat=True)
        if existing is not None and not await mine.filter(id=existing).exists() and not await _same_content(
                existing, item.message):
            raise Conflict(DIFFERENT, name=item.name)
        email_id, _new = await store.store_uploaded(principal.user.id, own, item.raw, item.info)
        ids.append(email_id)
    emails = [await get_email(principal, i) for i in dict.fromkeys(ids)]
    if record_type is not None:
        for email in emails:
            await email_actions.link_to_record(principal, email, record_type, record_id)
    return emails
