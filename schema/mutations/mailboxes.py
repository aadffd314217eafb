"""Connecting and managing one's mailboxes (Settings > Integrations > Mail) and sending mail from
them (compose and reply). Every rule is in app.services.mailboxes and app.services.mail_compose.

Connecting and editing log in to the server first: a refusal is a ValidationError on `password`
carrying the server's own words. Passwords are write-only: an omitted or empty one keeps the
stored one. What the actions on a stored e-mail do (associate, add to...) is in schema.mutations.mail.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import UNSET

from app.errors import FieldError as FieldProblem
from app.errors import ValidationError as ValidationProblem
from app.models import Mailbox as MailboxModel
from app.models import MailboxShare
from app.services import mail_compose, mailboxes
from schema.context import Info
from schema.errors import DeliveryFailed, NotFound, PermissionDenied, ValidationError, attempt, invalid_record
from schema.mutations.common import DeletePayload, existing_pk, remove, result, to_data
from schema.queries.common import AUTH
from schema.types.books import SmtpSecurity
from schema.types.mail import Email, Mailbox, MailboxSharing
from schema.types.node import pk_of, to_global_id

MAILBOX = "Mailbox"


@strawberry.input(description="A mailbox's settings. On update, omitted fields keep their value; passwords are "
                              "never shown back, and an omitted or empty one keeps the stored one.")
class MailboxInput:
    email: str | None = strawberry.field(default=UNSET, description="Your address in this mailbox.")
    imap_host: str | None = UNSET
    imap_port: int | None = strawberry.field(default=UNSET, description="Default 993 with TLS, else 143.")
    imap_security: SmtpSecurity | None = strawberry.field(default=UNSET, description="Default TLS.")  # type: ignore[valid-type]
    username: str | None = UNSET
    password: str | None = UNSET
    sharing: MailboxSharing | None = strawberry.field(default=UNSET, description="Default PRIVATE.")  # type: ignore[valid-type]
    shared_user_ids: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="With sharing CHOSEN: the users who see its mail.")
    folders: list[str] | None = strawberry.field(
        default=UNSET, description="Folder names to sync, from the server's list; default INBOX and Sent.")
    smtp_host: str | None = strawberry.field(default=UNSET, description="Outgoing mail; empty: the IMAP host.")
    smtp_port: int | None = strawberry.field(default=UNSET, description="Default 587.")
    smtp_security: SmtpSecurity | None = strawberry.field(default=UNSET, description="Default STARTTLS.")  # type: ignore[valid-type]
    smtp_username: str | None = strawberry.field(default=UNSET, description="Empty: the IMAP username.")
    smtp_password: str | None = strawberry.field(default=UNSET, description="Empty: the IMAP password.")
    organization_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="A Books organization of yours whose contacts show its mail.")


@strawberry.input(description="An e-mail to send from one of your mailboxes (compose, or reply to `replyToId`).")
class SendEmailInput:
    mailbox_id: strawberry.ID
    to: list[str] = strawberry.field(description="Addresses.")
    subject: str
    body: str = strawberry.field(description="Plain text.")
    cc: list[str] | None = UNSET
    reply_to_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The e-mail answered: the "
                                                                                     "reply joins its thread.")
    deal_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The deal it is written from: "
                                                                                "associated with it.")
    attachment_ids: list[strawberry.ID] | None = strawberry.field(
        default=UNSET,
        description=f"Files to send with it: attachments (`EmailAttachment` ids) of e-mails you may see, e.g. the "
                    f"original's when replying; at most {mail_compose.ATTACHMENTS_MAX} files, within the server's "
                    "limit in all (KIZUNA_MAIL_ATTACHMENTS_MAX_BYTES, 20 MB by default). An id you may not see "
                    "answers NotFound. New files are uploaded through the page's compose form: the API takes no "
                    "uploads.")


@strawberry.type
class MailboxPayload:
    mailbox: Mailbox


@strawberry.type
class SendEmailPayload:
    email: Email = strawberry.field(description="The e-mail as stored (outgoing, sent from Kizuna).")


ConnectMailboxResult = result("ConnectMailbox", MailboxPayload, ValidationError, NotFound, PermissionDenied)
UpdateMailboxResult = result("UpdateMailbox", MailboxPayload, ValidationError, NotFound, PermissionDenied)
EnableMailboxResult = result("EnableMailbox", MailboxPayload, NotFound)
DisableMailboxResult = result("DisableMailbox", MailboxPayload, NotFound)
SyncMailboxResult = result("SyncMailbox", MailboxPayload, NotFound)
RemoveMailboxResult = result("RemoveMailbox", DeletePayload, NotFound)
SendEmailResult = result("SendEmail", SendEmailPayload, ValidationError, NotFound, PermissionDenied, DeliveryFailed)

_CLEARABLE = ("smtp_host", "smtp_username")  # null means empty: the IMAP host and username


def _data(input: MailboxInput) -> dict[str, Any]:
    """The input as app.services.mailboxes reads it: global ids decoded, enums as their values."""
    data = to_data(input, {"organization_id": "Organization"})
    problems: list[FieldProblem] = []
    for name, value in list(data.items()):
        if hasattr(value, "value"):  # an enum
            data[name] = value.value
        elif value is None:
            if name in _CLEARABLE:
                data[name] = ""
            else:
                del data[name]  # null is "keep" or "default", as omitted
    if "shared_user_ids" in data:
        ids = []
        for i, global_id in enumerate(data["shared_user_ids"] or []):
            pk = pk_of(global_id, "User")
            if pk is None:
                problems.append(invalid_record(f"shared_user_ids.{i}"))
            ids.append(pk)
        data["shared_user_ids"] = ids
    if problems:
        raise ValidationProblem(problems)
    return data


async def _current(mailbox: MailboxModel) -> dict[str, Any]:
    """What an update starts from: the service takes every setting each time."""
    shared = await MailboxShare.filter(mailbox_id=mailbox.id, user__is_active=True).order_by("id").values_list(
        "user_id", flat=True)
    return {
        "email": mailbox.email, "imap_host": mailbox.imap_host, "imap_port": mailbox.imap_port,
        "imap_security": mailbox.imap_security.value, "username": mailbox.username,
        "sharing": mailbox.sharing.value, "shared_user_ids": list(shared), "smtp_host": mailbox.smtp_host,
        "smtp_port": mailbox.smtp_port, "smtp_security": mailbox.smtp_security.value,
        "smtp_username": mailbox.smtp_username,
    }


def _payload(mailbox: MailboxModel) -> MailboxPayload:
    return MailboxPayload(mailbox=mailbox)


@strawberry.type
class MailboxMutation:
    @strawberry.mutation(permission_classes=AUTH, description="Connect a mailbox: logs in first (a refusal is a "
                                                              "ValidationError with the server's words), then "
                                                              "queues its first sync.")
    async def connect_mailbox(self, info: Info, input: MailboxInput) -> ConnectMailboxResult:
        principal = info.context.principal
        return await attempt(info, lambda: mailboxes.connect(principal, _data(input)), _payload)

    @strawberry.mutation(permission_classes=AUTH, description="Change a mailbox of yours (logs in again first).")
    async def update_mailbox(self, info: Info, id: strawberry.ID, input: MailboxInput) -> UpdateMailboxResult:
        principal = info.context.principal

        async def run() -> MailboxModel:
            mailbox = await mailboxes.get(principal, existing_pk(id, MAILBOX))
            data = {**await _current(mailbox), **_data(input)}
            return await mailboxes.update(principal, mailbox.id, data)

        return await attempt(info, run, _payload)

    @strawberry.mutation(permission_classes=AUTH, description="Fetch from a mailbox again; its mail's deal "
                                                              "associations are predicted anew (seed 004 rule 7).")
    async def enable_mailbox(self, info: Info, id: strawberry.ID) -> EnableMailboxResult:
        return await _set_enabled(info, id, True)

    @strawberry.mutation(permission_classes=AUTH, description="Stop fetching from a mailbox; what was fetched stays, "
                                                              "its mail's deal associations are removed (seed 004 "
                                                              "rule 7).")
    async def disable_mailbox(self, info: Info, id: strawberry.ID) -> DisableMailboxResult:
        return await _set_enabled(info, id, False)

    @strawberry.mutation(permission_classes=AUTH, description="Sync now: queue a sync of a mailbox of yours (one "
                                                              "waits at most; a disabled mailbox is not fetched).")
    async def sync_mailbox(self, info: Info, id: strawberry.ID) -> SyncMailboxResult:
        principal = info.context.principal

        async def run() -> MailboxModel:
            mailbox = await mailboxes.get(principal, existing_pk(id, MAILBOX))
            await mailboxes.request_sync(mailbox.id)
            return mailbox

        return await attempt(info, run, _payload)

    @strawberry.mutation(permission_classes=AUTH, description="Disconnect a mailbox of yours and remove the mail "
                                                              "only it held.")
    async def remove_mailbox(self, info: Info, id: strawberry.ID) -> RemoveMailboxResult:
        principal = info.context.principal
        return await remove(info, MAILBOX, id, lambda pk: mailboxes.remove(principal, pk),
                            lambda pk: DeletePayload(deleted_id=strawberry.ID(to_global_id(MAILBOX, pk))))

    @strawberry.mutation(permission_classes=AUTH, description="Send an e-mail over the mailbox's SMTP server; it is "
                                                              "stored as outgoing, associated with `dealId` (else by "
                                                              "the rules) and appended to the Sent folder.")
    async def send_email(self, info: Info, input: SendEmailInput) -> SendEmailResult:
        principal = info.context.principal

        async def run() -> Any:
            data = to_data(input, {"mailbox_id": "Mailbox", "reply_to_id": "Email", "deal_id": "Deal"})
            # Another type's id, like a hidden attachment's, names nothing: NotFound.
            attachment_ids = [existing_pk(g, "EmailAttachment") for g in data.get("attachment_ids") or ()]
            return await mail_compose.send(
                principal, mailbox_id=data["mailbox_id"], to=data["to"], cc=data.get("cc") or (),
                subject=data["subject"], body=data["body"], reply_to_id=data.get("reply_to_id"),
                deal_id=data.get("deal_id"), attachment_ids=attachment_ids)

        return await attempt(info, run, lambda email: SendEmailPayload(email=email))


async def _set_enabled(info: Info, id: str, enabled: bool) -> Any:
    principal = info.context.principal
    return await attempt(info, lambda: mailboxes.set_enabled(principal, existing_pk(id, MAILBOX), enabled), _payload)
