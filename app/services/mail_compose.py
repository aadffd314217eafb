"""Compose and reply from a contact's, lead's or deal's page, over the mailbox's own SMTP server.

The message carries its own Message-ID (also in References) and a subject token naming its
thread, so replies thread even when the other side's client strips headers. Once the server has
taken it, the message is stored as outgoing mail of the mailbox, associated with the deal it was
written from (else by the association rules), and appended to the server's Sent folder by a job.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import make_msgid

from app import cleaning, crypto
from app.errors import DeliveryFailed, NotFound, ValidationError
from app.i18n import N_
from app.mail import smtp
from app.mail.message import build_message
from app.mail.store import store_sent
from app.mail.threads import strip_tokens, subject_token
from app.models import Deal, Email, Mailbox
from app.permissions import Principal, require
from app.services import mail

SUBJECT_MAX = 250
BODY_MAX = 100_000
RECIPIENTS_MAX = 50
UNDECRYPTABLE_PASSWORD = N_("The mailbox's stored password cannot be read with the server's keys: enter it "
                            "again under Settings > Mail.")


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
               deal_id=None) -> Email:
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
    if errors:
        from app.errors import FieldError

        raise ValidationError([FieldError(f, m, p) for f, m, p in errors])
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
        message = build_message(sender=mailbox.email, sender_name=principal.user.name, to=to, cc=cc,
                                subject=f"{subject} {subject_token(email.thread_id)}", body=body)
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
    raw = bytes(message)
    await store_sent(mailbox, email, raw, deal_id=deal.id if deal else None)
    from app.mail import tasks

    await tasks.append_to_sent_later(mailbox, email, raw)
    return email
