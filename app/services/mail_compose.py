"""Compose and reply from a contact's, lead's or deal's page, over the mailbox's own SMTP server.

The message carries its own Message-ID (also in References) and a subject token naming its
thread, so replies thread even when the other side's client strips headers. Once the server has
taken it, the message is stored as outgoing mail of the mailbox, associated with the deal it was
written from (else by the association rules), and appended to the server's Sent folder by a job.

Files go with it two ways, ATTACHMENTS_MAX in all and settings.MAIL_ATTACHMENTS_MAX_BYTES
together: uploaded (`Upload`, the compose form's files: the name cleaned, the type guessed from
it for the MIME header only) and attachments of e-mails the user may see, by id (a reply's
originals, read from their kept bytes). The stored e-mail lists them as synced mail does: its
rows and blobs are made from the bytes sent.

Who a reply goes to (`reply_recipients`) is decided here for the page and GraphQL alike.
"""

from __future__ import annotations

import asyncio
import math
import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import make_msgid
from typing import Any

from app import cleaning, crypto, settings
from app.errors import DeliveryFailed, FieldError, NotFound, ValidationError
from app.i18n import N_
from app.mail import blobs, smtp
from app.mail.message import Attachment, build_message
from app.mail.store import store_sent
from app.mail.threads import strip_tokens, subject_token
from app.models import Deal, Email, EmailAttachment, EmailParticipant, Mailbox, ParticipantRole
from app.permissions import Principal, require
from app.services import mail

SUBJECT_MAX = 250
BODY_MAX = 100_000
RECIPIENTS_MAX = 50
UNDECRYPTABLE_PASSWORD = N_("The mailbox's stored password cannot be read with the server's keys: enter it "
                            "again under Settings > Mail.")
ATTACHMENTS_MAX = 10


@dataclass(frozen=True)
class Upload:
    """A file chosen on the compose form: its name as the browser sent it, and its bytes."""

    filename: str
    data: bytes


def smtp_settings(mailbox: Mailbox) -> smtp.SmtpSettings:
    try:
        password = crypto.plain(mailbox.smtp_password or mailbox.password)
    except crypto.UndecryptableSecret:
        raise ValidationError.single("mailbox_id", UNDECRYPTABLE_PASSWORD) from None
    return smtp.SmtpSettings(
        host=mailbox.smtp_host or mailbox.imap_host, port=mailbox.smtp_port,
        username=mailbox.smtp_username or mailbox.username, password=password,
        security=mailbox.smtp_security.value,
    )


def _addresses(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    if not isinstance(value, list | tuple):
        return []
    return [a.strip() for a in value if isinstance(a, str) and a.strip()][:RECIPIENTS_MAX + 1]


def clean_subject(subject: str) -> str:
    """The subject as the user means it: without Kizuna's thread tokens (the stored subject of
    mail sent from Kizuna, and of the answers to it, carries one; `send` puts the thread's own
    back, once), whitespace collapsed."""
    return " ".join(strip_tokens(subject).split())


def reply_subject(subject: str) -> str:
    subject = clean_subject(subject)
    return subject if subject[:3].lower() == "re:" else f"Re: {subject}"


async def send(principal: Principal, *, mailbox_id, to, cc=(), subject, body, reply_to_id=None,
               deal_id=None, attachments: Sequence[Upload] = (), attachment_ids: Iterable[Any] = ()) -> Email:
    """Send and store the e-mail; its row. `attachments` are new files, `attachment_ids` name
    attachments of e-mails the user may see (NotFound for any other). Raises ValidationError
    (nothing sent) or DeliveryFailed (the server's refusal: nothing stored)."""
    # A disabled mailbox sends nothing: its mail would be stored where nothing is associated.
    mailbox = await Mailbox.get_or_none(id=cleaning.pk(mailbox_id) or 0, owner_id=principal.user.id, enabled=True)
    if mailbox is None:
        raise ValidationError.single("mailbox_id", N_("Choose one of your mailboxes."))
    subject = clean_subject(subject) if isinstance(subject, str) else ""
    body = body if isinstance(body, str) else ""
    errors = []
    if not subject or len(subject) > SUBJECT_MAX or cleaning.unstorable(subject):
        errors.append(("subject", N_("Enter a subject of at most %(max)d characters."), {"max": SUBJECT_MAX}))
    if len(body) > BODY_MAX or cleaning.unstorable(body):
        errors.append(("body", N_("Must be at most %(max)d characters (now %(length)d)."),
                       {"max": BODY_MAX, "length": len(body)}))
    to, cc = _addresses(to), _addresses(cc)
    if len(to) + len(cc) > RECIPIENTS_MAX:
        errors.append(("to", N_("Send to at most %(max)d recipients."), {"max": RECIPIENTS_MAX}))
    uploads = [u for u in attachments if isinstance(u, Upload)]
    wanted = _attachment_pks(attachment_ids)
    kept: list[EmailAttachment] = []
    if len(uploads) + len(wanted) > ATTACHMENTS_MAX:  # counted before anything is read
        errors.append(("attachments", N_("Attach at most %(max)d files (now %(count)d)."),
                       {"max": ATTACHMENTS_MAX, "count": len(uploads) + len(wanted)}))
    else:
        kept = await _kept_attachments(principal, wanted)
        total = sum(len(u.data) for u in uploads) + sum(a.size for a in kept)
        if total > settings.MAIL_ATTACHMENTS_MAX_BYTES:
            errors.append(("attachments", N_("The attachments may be at most %(max)s MB in all (now %(size)s MB)."),
                           {"max": attachments_max_mb(), "size": _mb(total)}))
    if errors:
        raise ValidationError([FieldError(f, m, p) for f, m, p in errors])
    files = await _files(uploads, kept)
    reply = await mail.get_email(principal, reply_to_id) if reply_to_id not in (None, "") else None
    deal = None
    if deal_id not in (None, ""):
        deal = await Deal.get_or_none(id=cleaning.pk(deal_id) or 0)
        if deal is None:
            raise NotFound()
        require(principal, "view", deal)

    domain = mailbox.email.rpartition("@")[2] or "kizuna.invalid"
    message_id = make_msgid(domain=domain)
    now = datetime.now(UTC)
    # The row is reserved first: its thread names the token put in the subject.
    email = await Email.create(key=message_id.strip().strip('<>')[:255], message_id=message_id.strip().strip('<>')[:255],
                               subject=subject, sent_at=now, sent_from_kizuna=True, sent_by_id=principal.user.id,
                               thread_id=reply.thread_id if reply else None)
    if email.thread_id is None:
        email.thread_id = email.id
        await email.save(update_fields=["thread_id"])
    try:
        # In a worker thread: encoding megabytes of files is CPU work.
        message = await asyncio.to_thread(
            lambda: build_message(sender=mailbox.email, sender_name=principal.user.name, to=to, cc=cc,
                                  subject=f"{subject} {subject_token(email.thread_id)}", body=body,
                                  attachments=files))
        del message["Message-ID"]
        message["Message-ID"] = message_id
        references = ([*reply.references.split(), f"<{reply.message_id}>"] if reply and reply.message_id else [])
        references = [r if r.startswith("<") else f"<{r}>" for r in references]
        if reply and reply.message_id:
            message["In-Reply-To"] = f"<{reply.message_id}>"
        # Our own id too: a client that keeps only References still names this thread.
        message["References"] = " ".join([*references[-20:], message_id])
        await smtp.send_message(smtp_settings(mailbox), message)
    except (ValidationError, DeliveryFailed):
        await email.delete()
        raise
    raw = await asyncio.to_thread(bytes, message)
    await store_sent(mailbox, email, raw, deal_id=deal.id if deal else None)
    from app.mail import tasks

    await tasks.append_to_sent_later(mailbox, email, raw)
    return email


# ---- attachments -------------------------------------------------------------------------------


def _attachment_pks(ids: Any) -> list[int]:
    """The attachment ids asked for, without repeats; NotFound for a value naming no row."""
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        ids = [ids] if ids not in (None, "") else []
    wanted: dict[int, None] = {}
    for value in ids:
        pk = cleaning.pk(value)
        if pk is None:
            raise NotFound()
        wanted[pk] = None
    return list(wanted)


async def _kept_attachments(principal: Principal, pks: list[int]) -> list[EmailAttachment]:
    """These attachments, in this order, each of an e-mail the user may see; NotFound when one
    is not (hidden mail's attachments are as absent as missing ones)."""
    if not pks:
        return []
    found = {a.id: a for a in await EmailAttachment.filter(id__in=pks).select_related("blob")}
    seen = set(await mail.visible(principal).filter(
        id__in=list({a.email_id for a in found.values()})).values_list("id", flat=True))
    if any(pk not in found or found[pk].email_id not in seen for pk in pks):
        raise NotFound()
    return [found[pk] for pk in pks]


def _mb(size: int) -> str:
    # Rounded up: a total just over the limit never reads as the limit itself.
    return f"{math.ceil(size * 10 / (1024 * 1024)) / 10:.1f}".removesuffix(".0")


def attachments_max_mb() -> str:
    """The attachments' limit in MB, as the form's hint and its message say it."""
    return _mb(settings.MAIL_ATTACHMENTS_MAX_BYTES)


def guess_type(filename: str) -> str:
    """The MIME header's type for a file, from its name (never trusted for anything else)."""
    guessed, encoding = mimetypes.guess_type(filename, strict=False)
    return guessed if guessed and not encoding else "application/octet-stream"


async def _files(uploads: list[Upload], kept: list[EmailAttachment]) -> list[Attachment]:
    """The message's files: the originals named (their kept bytes), then the uploads."""

    def read() -> list[bytes | None]:
        found = []
        for part in kept:
            try:
                found.append(blobs.read(part.blob.sha256))
            except OSError:
                found.append(None)
        return found

    datas = await asyncio.to_thread(read) if kept else []
    if missing := [a.filename for a, data in zip(kept, datas) if data is None]:
        raise ValidationError([FieldError("attachments", N_("%(name)s is no longer available."), {"name": name})
                               for name in missing])
    files = [Attachment(a.filename, a.content_type, data) for a, data in zip(kept, datas)]
    for upload in uploads:
        name = cleaning.filename(upload.filename)
        files.append(Attachment(name, guess_type(name), upload.data))
    return files


# ---- who a reply goes to -----------------------------------------------------------------------


def unique_addresses(addresses: Iterable[str], limit: int = RECIPIENTS_MAX) -> list[str]:
    """Addresses without repeats, told apart case-insensitively (the first spelling kept), at
    most `limit`."""
    seen: dict[str, str] = {}
    for address in addresses:
        if address and address.strip():
            seen.setdefault(address.strip().lower(), address.strip())
    return list(seen.values())[:max(limit, 0)]


async def own_addresses(principal: Principal) -> set[str]:
    """The user's own addresses, lower-cased: their login and every mailbox's (enabled or not)."""
    rows = await Mailbox.filter(owner_id=principal.user.id).values_list("email", "username")
    return {a.strip().lower() for row in rows for a in row if a and "@" in a} | {principal.user.email.lower()}


async def reply_recipients(principal: Principal, email: Email, *, reply_all: bool = False
                           ) -> tuple[list[str], list[str]]:
    """To and Cc of a reply to `email` (one the user may see). A reply goes to the sender, or,
    for mail the user sent, to its To again. Replying to all adds, in Cc, everyone else it was
    sent to or copied to. The user's own addresses are never among them, and nobody is there
    twice (however their address was spelled)."""
    people = await EmailParticipant.filter(email_id=email.id).order_by("id").values_list("role", "address")
    own = await own_addresses(principal)
    outgoing = email.sent_from_kizuna or email.from_email.lower() in own

    def others(*roles: str) -> list[str]:
        return [a for role, a in people if role in roles and a.lower() not in own]

    to = unique_addresses(others(ParticipantRole.TO) if outgoing else [email.from_email])
    if not reply_all:
        return to, []
    taken = {a.lower() for a in to}
    rest = others(ParticipantRole.CC) if outgoing else others(ParticipantRole.TO, ParticipantRole.CC)
    return to, unique_addresses((a for a in rest if a.lower() not in taken), RECIPIENTS_MAX - len(to))
