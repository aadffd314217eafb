"""mailboxes, mailbox(id), email(id) and emails(...): mail under the one visibility rule.

Every e-mail list comes from app.services.mail (`visible`, `mail_of`, `search`), the same calls the
Mail tabs of the pages make; nothing here decides what a user sees. A record named in the filter
that the user may not see (or an id of another type) matches nothing, like an `IDFilter`.
"""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import UNSET
from tortoise.expressions import Subquery

from app.errors import NotFound, PermissionDenied
from app.models import Email as EmailModel
from app.permissions import visible_mailboxes
from app.services import mail, mail_compose, mailboxes
from app.services.accounts import accounts
from app.services.books_contacts import books_contacts
from app.services.contacts import contacts
from app.services.deals import deals
from app.services.leads import leads
from app.services.mail import DealMail, MailFilter, Source
from schema.context import Info
from schema.queries.common import AUTH, AfterArg, FirstArg, page
from schema.types.connection import Connection, bounded
from schema.types.mail import Email, Mailbox, ReplyRecipients
from schema.types.node import pk_of


@strawberry.enum(description="A deal's Mail list (seed 004).")
class DealMailMode(Enum):
    ASSOCIATED = DealMail.ASSOCIATED.value
    CONTACTS = DealMail.CONTACTS.value


@strawberry.enum(description="Whose mail: ALL the mailboxes you see, your uploads and mail sent from Kizuna, "
                             "only mail sent from KIZUNA, one USER's mailboxes (shared with you; name them in "
                             "`user`), or only the .eml and .msg files you UPLOADED.")
class MailSource(Enum):
    ALL = Source.ALL.value
    KIZUNA = Source.KIZUNA.value
    USER = Source.USER.value
    UPLOADED = Source.UPLOADED.value


@strawberry.input(description="Filter e-mails; fields combine with AND. A record filter gives that record's Mail "
                              "list: the mail exchanged with its addresses (and, for contacts and leads, mail "
                              "added to it by hand).")
class EmailFilter:
    contact: strawberry.ID | None = UNSET
    lead: strawberry.ID | None = UNSET
    account: strawberry.ID | None = strawberry.field(default=UNSET, description="The mail of its contacts.")
    deal: strawberry.ID | None = strawberry.field(default=UNSET, description="See `dealMode`.")
    books_contact: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Its organization's mailboxes' and your own mail with it and its persons.")
    deal_mode: DealMailMode | None = strawberry.field(
        default=UNSET, description="With `deal`: the e-mails associated with it (the default) or those of its "
                                   "contacts.")
    source: MailSource | None = strawberry.field(default=UNSET, description="Default ALL.")
    user: strawberry.ID | None = strawberry.field(default=UNSET, description="With source USER: whose mailboxes.")
    search: str | None = strawberry.field(
        default=UNSET, description="Text in the subject, or a sender's or recipient's name or address.")


RECORDS = (("contact", "Contact", contacts), ("lead", "Lead", leads), ("account", "Account", accounts),
           ("deal", "Deal", deals), ("books_contact", "BooksContact", books_contacts))


def _given(value: object) -> bool:
    return value is not UNSET and value is not None


async def emails_of(info: Info, flt: EmailFilter | None):
    """The e-mails the filter names, as app.services.mail lets the user see them."""
    principal = info.context.principal
    flt = flt or EmailFilter()
    source = Source(flt.source.value) if _given(flt.source) else Source.ALL
    user_id = pk_of(flt.user, "User") if _given(flt.user) else None
    mail_filter = MailFilter(source, user_id)
    mode = DealMail(flt.deal_mode.value) if _given(flt.deal_mode) else DealMail.ASSOCIATED
    queryset = None
    for attribute, type_name, service in RECORDS:
        global_id = getattr(flt, attribute)
        if not _given(global_id):
            continue
        pk = pk_of(global_id, type_name)
        try:
            record = await service.get(principal, pk) if pk is not None else None
        except (NotFound, PermissionDenied):
            record = None
        if record is None:
            return EmailModel.filter(id__in=[])  # like an id of another type: nothing
        of_record = await mail.mail_of(principal, record, mode=mode, mail_filter=mail_filter)
        queryset = of_record if queryset is None else queryset.filter(id__in=Subquery(of_record.values("id")))
    if queryset is None:
        queryset = mail.visible(principal, mail_filter)
    if _given(flt.search):
        queryset = mail.search(queryset, flt.search)
    return queryset


@strawberry.type
class MailQuery:
    @strawberry.field(permission_classes=AUTH, description="Your mailboxes (Settings > Integrations > Mail).")
    async def mailboxes(self, info: Info) -> list[Mailbox]:
        return await bounded(mailboxes.mine(info.context.principal), None)

    @strawberry.field(permission_classes=AUTH, description="A mailbox of yours or one whose mail is shared with "
                                                           "you (then its address and owner only); null otherwise.")
    async def mailbox(self, info: Info, id: strawberry.ID) -> Mailbox | None:
        return await mailbox_by_id(info, id)

    @strawberry.field(permission_classes=AUTH, description="An e-mail; null if you may not see it.")
    async def email(self, info: Info, id: strawberry.ID) -> Email | None:
        return await email_by_id(info, id)

    @strawberry.field(permission_classes=AUTH, description="Who a reply to the e-mail goes to (`all`: reply to all), "
                                                           "as the page's Reply and Reply all fill in the form; null "
                                                           "if you may not see the e-mail. Send it with `sendEmail`.")
    async def reply_recipients(self, info: Info, email_id: strawberry.ID, all: bool = False) -> ReplyRecipients | None:
        email = await email_by_id(info, email_id)
        if email is None:
            return None
        to, cc = await mail_compose.reply_recipients(info.context.principal, email, reply_all=all)
        return ReplyRecipients(to=to, cc=cc)

    @strawberry.field(permission_classes=AUTH, description="The e-mails you may see, newest first: your mailboxes', "
                                                           "those shared with you, and mail sent from Kizuna.")
    async def emails(self, info: Info, first: FirstArg = None, after: AfterArg = None,
                     filter: EmailFilter | None = None) -> Connection[Email]:
        queryset = await emails_of(info, filter)
        return await page(info, queryset, ["-sent_at", "-id"], first, after, "Email", filtered=True)


async def mailbox_by_id(info: Info, global_id: str):
    pk = pk_of(global_id, "Mailbox")
    if pk is None:
        return None
    return await visible_mailboxes(info.context.principal).get_or_none(id=pk)


async def email_by_id(info: Info, global_id: str):
    pk = pk_of(global_id, "Email")
    if pk is None:
        return None
    try:
        return await mail.get_email(info.context.principal, pk)
    except NotFound:
        return None


async def attachment_by_id(info: Info, global_id: str):
    """An attachment of an e-mail the user sees."""
    from app.models import EmailAttachment

    pk = pk_of(global_id, "EmailAttachment")
    attachment = await EmailAttachment.get_or_none(id=pk) if pk is not None else None
    if attachment is None:
        return None
    try:
        await mail.get_email(info.context.principal, attachment.email_id)
    except NotFound:
        return None
    return attachment
