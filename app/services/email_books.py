"""What a user can do with an e-mail in Books (seed 000): the "Add e-mail to" dropdown (one of the
contact's estimates or invoices, where the e-mail becomes a comment) and, per attachment, "Add to
the contact's documents", "Attach to an estimate/invoice" and "New estimate/invoice with this
attachment".

An e-mail's Books contacts are the customers and vendors, in the user's organizations, whose own
address or one of whose contact persons' addresses is one of the e-mail's participants
(case-insensitive). Attachments go to any of them; estimates and invoices are the customers'.
Writing on a document takes the right to edit it (as a note does), so only documents the user
may edit are offered. Attachments are copied into documents through app.services.documents, so a
file is checked (type from its bytes, size) exactly as an upload is.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Lower
from tortoise.transactions import in_transaction

from app import cleaning
from app.errors import Conflict, NotFound, ValidationError
from app.i18n import N_
from app.mail.store import blob_path
from app.models import (
    BooksContact,
    Comment,
    CommentKind,
    ContactPerson,
    ContactType,
    Document,
    Email,
    EmailAttachment,
    EmailParticipant,
    Kind,
    Transaction,
)
from app.permissions import MODULE_OF_KIND, Principal, require, restrict
from app.services import documents, history
from app.services import transactions as txns
from app.services.email_actions import OPTIONS_MAX, body_text, clean_text, email_of

KINDS = (Kind.ESTIMATE, Kind.INVOICE)  # what an e-mail is added to (seed 000)
COMMENT_ACTION = "email"  # Comment.action of an e-mail put on a document
NOT_OFFERED_TRANSACTION = N_("Choose an estimate or invoice of the e-mail's contact.")
NOT_OFFERED_BOOKS_CONTACT = N_("Choose one of the e-mail's customers or vendors.")
NOT_OFFERED_CUSTOMER = N_("Choose one of the e-mail's customers.")


async def books_contacts_offered(principal: Principal, email: Email | int | str) -> list[BooksContact]:
    """The e-mail's Books contacts (customers and vendors) in the user's organizations."""
    email = await email_of(principal, email)
    if not principal.organization_ids:
        return []
    addresses = sorted(set(await EmailParticipant.filter(email_id=email.id).values_list("address", flat=True)))
    if not addresses:
        return []
    orgs = sorted(principal.organization_ids)
    persons = await ContactPerson.annotate(e=Lower("email")).filter(
        e__in=addresses, books_contact__organization_id__in=orgs).values_list("books_contact_id", flat=True)
    query = BooksContact.annotate(e=Lower("email")).filter(
        Q(e__in=addresses) | Q(id__in=sorted(set(persons))))
    return await restrict(query, principal).order_by("display_name", "id").limit(OPTIONS_MAX)


async def transactions_offered(principal: Principal, email: Email | int | str) -> list[Transaction]:
    """The estimates and invoices of the e-mail's customers the user may write on, newest first."""
    offered = await books_contacts_offered(principal, email)
    customers = [c.id for c in offered if c.contact_type == ContactType.CUSTOMER]
    if not customers:
        return []
    found: list[Transaction] = []
    for kind in KINDS:
        query = restrict(Transaction.filter(kind=kind, contact_id__in=customers), principal, "create_edit",
                         module=MODULE_OF_KIND[kind])
        found += await query.order_by("-issue_date", "-id").limit(OPTIONS_MAX).select_related("contact")
    found.sort(key=lambda t: (t.issue_date, t.id), reverse=True)
    return found[:OPTIONS_MAX]


async def _offered_contact(principal: Principal, email: Email, books_contact_id: Any, *,
                          customer: bool = False) -> BooksContact:
    pk = cleaning.pk(books_contact_id)
    found = next((c for c in await books_contacts_offered(principal, email) if c.id == pk), None)
    if found is None or (customer and found.contact_type != ContactType.CUSTOMER):
        raise ValidationError.single("books_contact_id",
                                     NOT_OFFERED_CUSTOMER if customer else NOT_OFFERED_BOOKS_CONTACT)
    return found


async def _offered_transaction(principal: Principal, email: Email, transaction_id: Any) -> Transaction:
    """An estimate or invoice of the e-mail's customers: NotFound when the user may not see it,
    PermissionDenied when they may not edit it, a validation error when it is someone else's."""
    pk = cleaning.pk(transaction_id)
    txn = None if pk is None else await Transaction.get_or_none(id=pk, kind__in=list(KINDS))
    if txn is None:
        raise NotFound()
    require(principal, "view", txn)
    require(principal, "create_edit", txn)
    if txn.contact_id not in {c.id for c in await books_contacts_offered(principal, email)}:
        raise ValidationError.single("transaction_id", NOT_OFFERED_TRANSACTION)
    return txn


def _sender(email: Email) -> str:
    if email.from_name and email.from_email:
        return f"{clean_text(email.from_name)} <{email.from_email}>"
    return clean_text(email.from_name or email.from_email)


async def add_to_transaction(principal: Principal, email: Email | int | str, transaction_id: Any) -> Comment:
    """The e-mail as a comment on one of its customer's estimates or invoices (its plain body,
    with the subject and sender in `params`), and a history entry saying so."""
    email = await email_of(principal, email)
    txn = await _offered_transaction(principal, email, transaction_id)
    subject = clean_text(email.subject)[:255]
    async with in_transaction():
        added = Comment.filter(transaction_id=txn.id, action=COMMENT_ACTION).values_list("params", flat=True)
        for params in await added:
            if isinstance(params, dict) and params.get("email_id") == email.id:
                raise Conflict(N_("This e-mail is already on this document."))
        comment = await Comment.create(
            transaction_id=txn.id, kind=CommentKind.NOTE, action=COMMENT_ACTION, text=body_text(email),
            params={"email_id": email.id, "subject": subject, "from": _sender(email)[:255]},
            author_id=principal.user.id)
        await history.record(txn, "email_added", N_("E-mail “%(subject)s” added as a comment."), principal.user,
                             subject=subject)
    return comment


# ---- attachments ----------------------------------------------------------------------------------


async def attachment_of(email: Email, attachment_id: Any) -> EmailAttachment:
    pk = cleaning.pk(attachment_id)
    attachment = None if pk is None else await EmailAttachment.filter(
        id=pk, email_id=email.id).select_related("blob").first()
    if attachment is None:
        raise NotFound()
    return attachment


async def _copy(principal: Principal, attachment: EmailAttachment, target: str, target_id: int) -> Document:
    """The attachment's bytes as a new document of `target` (checked like any upload)."""
    path = blob_path(attachment.blob.sha256)
    try:
        stream = path.open("rb")
    except OSError:
        raise Conflict(N_("The attachment's file is no longer stored.")) from None
    with stream:
        return await documents.upload(principal, target, target_id, attachment.filename or "attachment", stream)


async def add_attachment_to_documents(principal: Principal, email: Email | int | str, attachment_id: Any,
                                      books_contact_id: Any) -> Document:
    """Seed 000: "Add the e-mail's attachment to the contact" (its Documents): a customer's or a
    vendor's."""
    email = await email_of(principal, email)
    attachment = await attachment_of(email, attachment_id)
    contact = await _offered_contact(principal, email, books_contact_id)
    return await _copy(principal, attachment, "contact", contact.id)


async def attach_to_transaction(principal: Principal, email: Email | int | str, attachment_id: Any,
                                transaction_id: Any) -> Document:
    email = await email_of(principal, email)
    attachment = await attachment_of(email, attachment_id)
    txn = await _offered_transaction(principal, email, transaction_id)
    doc = None
    try:
        async with in_transaction():
            doc = await _copy(principal, attachment, txn.kind.value, txn.id)
            await _record_attached(principal, txn, doc, email)
    except BaseException:
        _forget(doc)
        raise
    return doc


def _forget(doc: Document | None) -> None:
    """A document whose transaction failed after its file was written: the file goes too."""
    if doc is not None:
        documents.storage_path(doc.storage_name).unlink(missing_ok=True)


async def _record_attached(principal: Principal, txn: Transaction, doc: Document, email: Email) -> None:
    await history.record(txn, "email_attachment", N_("“%(filename)s” attached from the e-mail “%(subject)s”."),
                         principal.user, filename=doc.filename, subject=clean_text(email.subject)[:255])


async def new_transaction_with_attachment(principal: Principal, email: Email | int | str, attachment_id: Any,
                                          kind: Any, books_contact_id: Any) -> Transaction:
    """A draft estimate or invoice for one of the e-mail's customers with the attachment on it, to
    be completed in its edit form: one line named after the e-mail, at zero until priced."""
    email = await email_of(principal, email)
    attachment = await attachment_of(email, attachment_id)
    try:
        kind = Kind(kind.value if isinstance(kind, Kind) else kind)
    except ValueError:
        kind = None
    if kind not in KINDS:
        raise ValidationError.single("kind", N_("Choose one of the offered values."))
    customer = await _offered_contact(principal, email, books_contact_id, customer=True)
    subject = clean_text(email.subject).strip()
    data = {"organization_id": customer.organization_id, "contact_id": customer.id, "subject": subject[:250],
            "lines": [{"description": (subject or clean_text(attachment.filename) or "-")[:2000],
                       "quantity": "1", "rate": "0"}]}
    doc = None
    try:
        async with in_transaction():
            txn = await txns.create(principal, kind, data)
            doc = await _copy(principal, attachment, kind.value, txn.id)
            await _record_attached(principal, txn, doc, email)
    except BaseException:
        _forget(doc)
        raise
    return txn
