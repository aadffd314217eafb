"""Mail: the mailboxes users connect and the e-mails stored from them, with their participants,
attachments, threads and deal associations.

What a user sees is decided in app.services.mail (e-mails, threads, the mailboxes holding an
e-mail) and app.permissions (mailboxes, and the records a participant's address names); every
relation here goes through the request's loaders (schema.mail_loaders), which call those. A
mailbox shown to someone it is shared with (as a holder of an e-mail) shows its address and
owner only: its settings and state are its owner's, null for everyone else.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app.models import Email as EmailModel
from app.models import EmailAttachment as EmailAttachmentModel
from app.models import Mailbox as MailboxModel
from app.models import MailboxSharing as MailboxSharingEnum
from schema.context import Info
from schema.loaders import ready
from schema.types.books import SmtpSecurity
from schema.types.node import Node, global_id_field, model_type_check
from schema.types.users import User, owner_field

if TYPE_CHECKING:
    from schema.types.books import Organization
    from schema.types.contacts import Contact
    from schema.types.deals import Deal
    from schema.types.leads import Lead

MailboxSharing = strawberry.enum(
    MailboxSharingEnum, name="MailboxSharing",
    description="Who sees a mailbox's mail: PRIVATE its owner, ALL every user, CHOSEN the users in `sharedWith`.")


def _mine(root: Any, info: Info) -> bool:
    return root.owner_id == info.context.principal.user.id


def _owner_only(column: str, description: str = "") -> Any:
    """A mailbox's setting or state: its owner reads it; for others it is null."""

    def resolve(root: Any, info: Info) -> Any:
        return getattr(root, column) if _mine(root, info) else None

    return strawberry.field(resolver=resolve, metadata={"columns": ("owner_id", column)},
                            description=(description + " " if description else "") + "Null unless the mailbox is yours.")


@strawberry.type(description="A folder of a mailbox, and whether it is synced.")
class MailFolder:
    name: str
    sync: bool = strawberry.field(description="Chosen to be synced.")
    is_sent: bool = strawberry.field(description="The Sent folder: mail sent from Kizuna is appended to it.")
    last_synced_at: datetime | None


@strawberry.type(description="An IMAP mailbox a user (or a Books organization) connected. Passwords are never "
                             "shown back.")
class Mailbox(Node):
    id: strawberry.ID = global_id_field("Mailbox")
    email: str = strawberry.field(description="The owner's address in this mailbox.")
    owner: User = owner_field()
    imap_host: str | None = _owner_only("imap_host")
    imap_port: int | None = _owner_only("imap_port")
    imap_security: SmtpSecurity | None = _owner_only("imap_security")  # type: ignore[valid-type]
    username: str | None = _owner_only("username")
    sharing: MailboxSharing | None = _owner_only("sharing")  # type: ignore[valid-type]
    smtp_host: str | None = _owner_only("smtp_host", "Outgoing mail server; empty: the IMAP host.")
    smtp_port: int | None = _owner_only("smtp_port")
    smtp_security: SmtpSecurity | None = _owner_only("smtp_security")  # type: ignore[valid-type]
    smtp_username: str | None = _owner_only("smtp_username", "Empty: the IMAP username.")
    enabled: bool | None = _owner_only("enabled", "False: not fetched; what was fetched stays.")
    connected_at: datetime | None = _owner_only("connected_at")
    last_sync_at: datetime | None = _owner_only("last_sync_at")
    last_error: str | None = _owner_only("last_error", "The last sync's error, empty after a good one.")
    failing_since: datetime | None = _owner_only("failing_since", "The first failure of the current run of them.")
    next_sync_at: datetime | None = _owner_only("next_sync_at", "Not synced before then (backing off a failure).")
    message_count: int | None = _owner_only("message_count", "Messages stored.")
    is_type_of = model_type_check(MailboxModel)

    @strawberry.field(description="Whether an IMAP password is stored. Null unless the mailbox is yours.",
                      metadata={"columns": ("owner_id", "password")})
    def has_password(self, info: Info) -> bool | None:
        return bool(self.password) if _mine(self, info) else None

    @strawberry.field(description="Whether a separate SMTP password is stored (else the IMAP one is used). "
                                  "Null unless the mailbox is yours.",
                      metadata={"columns": ("owner_id", "smtp_password")})
    def has_smtp_password(self, info: Info) -> bool | None:
        return bool(self.smtp_password) if _mine(self, info) else None

    @strawberry.field(description="The server's folders and which are synced. Null unless the mailbox is yours.",
                      metadata={"columns": ("owner_id",)})
    def folders(self, info: Info) -> list[MailFolder] | None:
        return ready(info.context.loaders.folders_by_mailbox, self.id) if _mine(self, info) else None

    @strawberry.field(description="The users a CHOSEN mailbox is shared with. Null unless the mailbox is yours.",
                      metadata={"columns": ("owner_id",)})
    def shared_with(self, info: Info) -> list[User] | None:
        return ready(info.context.loaders.shared_with_by_mailbox, self.id) if _mine(self, info) else None

    @strawberry.field(description="The Books organization whose contacts show its mail; null when none or "
                                  "not one of yours.", metadata={"columns": ("organization_id",)})
    def organization(self, info: Info) -> Annotated[Organization, strawberry.lazy("schema.types.books")] | None:
        if self.organization_id is None:
            return None
        return ready(info.context.loaders.organization, self.organization_id)


@strawberry.type(description="An address in From, To or Cc, with the records it names that you may see.")
class EmailParticipant:
    name: str
    address: str = strawberry.field(description="Lower-cased.")

    @strawberry.field(description="The contact with this address (primary or secondary; the oldest if several).")
    def contact(self, info: Info) -> Annotated[Contact, strawberry.lazy("schema.types.contacts")] | None:
        return ready(info.context.loaders.contact_by_address, self.address.lower()) if self.address else None

    @strawberry.field(description="The lead with this address (the oldest if several).")
    def lead(self, info: Info) -> Annotated[Lead, strawberry.lazy("schema.types.leads")] | None:
        return ready(info.context.loaders.lead_by_address, self.address.lower()) if self.address else None

    @strawberry.field(description="The Kizuna user with this address.")
    def user(self, info: Info) -> User | None:
        return ready(info.context.loaders.user_by_address, self.address.lower()) if self.address else None


def _participants(rows: list[Any], role: str) -> list[EmailParticipant]:
    return [EmailParticipant(name=p.name, address=p.address) for p in rows if p.role == role]


@strawberry.type(description="A file of an e-mail, or an image its HTML body shows (`inline`).")
class EmailAttachment(Node):
    id: strawberry.ID = global_id_field("EmailAttachment")
    filename: str
    content_type: str
    size: int = strawberry.field(description="In bytes.")
    inline: bool = strawberry.field(description="An image of the body (cid:), not listed as a file.")
    is_type_of = model_type_check(EmailAttachmentModel)

    @strawberry.field(description="Where the file is downloaded (with your session).", metadata={"columns": ("id",)})
    def download_url(self) -> str:
        return f"/mail/attachments/{self.id}"


@strawberry.type(description="An e-mail's deal (seed 004): made by the rules (`automatic`) or by hand.")
class EmailDealAssociation:
    automatic: bool
    created_at: datetime
    _deal_id: strawberry.Private[int]
    _contact_id: strawberry.Private[int | None]

    @strawberry.field(description="The deal; null if you may not see it.")
    def deal(self, info: Info) -> Annotated[Deal, strawberry.lazy("schema.types.deals")] | None:
        return ready(info.context.loaders.deal, self._deal_id)

    @strawberry.field(description="The contact the association was made through; null when none or not visible.")
    def contact(self, info: Info) -> Annotated[Contact, strawberry.lazy("schema.types.contacts")] | None:
        return None if self._contact_id is None else ready(info.context.loaders.contact, self._contact_id)


async def _association(loader: Any, email_id: int) -> EmailDealAssociation | None:
    link = await loader.load(email_id)
    if link is None:
        return None
    return EmailDealAssociation(automatic=link.automatic, created_at=link.created_at, _deal_id=link.deal_id,
                                _contact_id=link.contact_id)


@strawberry.type(description="Who a reply goes to: the sender (for mail you sent, its To again); replying to all "
                             "adds everyone else it was sent or copied to, in Cc. Never your own addresses, nobody "
                             "twice (addresses compared case-insensitively).")
class ReplyRecipients:
    to: list[str]
    cc: list[str]


@strawberry.type(description="A stored e-mail: once however many mailboxes hold it.")
class Email(Node):
    id: strawberry.ID = global_id_field("Email")
    subject: str
    sent_at: datetime | None = strawberry.field(description="The Date header, else when the server received it.")
    message_id: str = strawberry.field(description="Its Message-ID, without <>; empty when it had none.")
    text_body: str = strawberry.field(description="The plain-text body (derived from the HTML when there is none).")
    html_body: str = strawberry.field(description="The HTML body, sanitized when stored (no scripts, forms or "
                                                  "event handlers; remote images still to be blocked when shown).")
    snippet: str = strawberry.field(description="The first words of the body.")
    size: int = strawberry.field(description="The raw message's size in bytes.")
    is_bulk: bool = strawberry.field(description="List or automatic mail: never associated with a deal.")
    malformed: bool = strawberry.field(description="Something could not be read; what could is kept.")
    sent_from_kizuna: bool = strawberry.field(description="Written and sent in Kizuna: every user sees it.")
    is_type_of = model_type_check(EmailModel)

    @strawberry.field(name="from", description="The sender.", metadata={"columns": ("id", "from_name", "from_email")})
    async def sender(self, info: Info) -> EmailParticipant:
        # Read with the recipients (one batch): their contacts, leads and users then load together.
        rows = await info.context.loaders.participants_by_email.load(self.id)
        return next(iter(_participants(rows, "from")), None) or EmailParticipant(name=self.from_name,
                                                                                address=self.from_email)

    @strawberry.field(description="The To recipients, in order.", metadata={"columns": ("id",)})
    async def to(self, info: Info) -> list[EmailParticipant]:
        return _participants(await info.context.loaders.participants_by_email.load(self.id), "to")

    @strawberry.field(description="The Cc recipients, in order.", metadata={"columns": ("id",)})
    async def cc(self, info: Info) -> list[EmailParticipant]:
        return _participants(await info.context.loaders.participants_by_email.load(self.id), "cc")

    @strawberry.field(description="Files and inline images, in the message's order.", metadata={"columns": ("id",)})
    def attachments(self, info: Info) -> list[EmailAttachment]:
        return ready(info.context.loaders.attachments_by_email, self.id)

    @strawberry.field(description="The deal it is associated with; null when none.", metadata={"columns": ("id",)})
    async def deal_association(self, info: Info) -> EmailDealAssociation | None:
        return await _association(info.context.loaders.deal_link_by_email, self.id)

    @strawberry.field(description="Its thread's e-mails that you may see (itself included), oldest first; at "
                                  "most 100.", metadata={"columns": ("id", "thread_id")})
    def thread(self, info: Info) -> list[Email]:
        return ready(info.context.loaders.thread, self.thread_id or self.id)

    @strawberry.field(description="The mailboxes holding it that you may see (each with its owner).",
                      metadata={"columns": ("id",)})
    def mailboxes(self, info: Info) -> list[Mailbox]:
        return ready(info.context.loaders.mailboxes_by_email, self.id)
