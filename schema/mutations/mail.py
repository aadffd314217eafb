"""What can be done with an e-mail: associate it with a deal (seed 004), add it to an estimate,
an invoice or a contact's activity, put its attachments on Books records (seed 000), add it to a
record found by search, and create a lead, a contact or a case from it (seed 003).

E-mails and their attachments are named by global ids (`Email:<pk>`, `EmailAttachment:<pk>`);
mail the caller may not see is NotFound, like any hidden record. Every rule is in
app.services.email_actions and app.services.email_books.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Union

import binascii
from base64 import b64decode

import strawberry
from strawberry import UNSET

from app import settings
from app.errors import NotFound as NotFoundError
from app.errors import ValidationError as ValidationProblem
from app.i18n import N_
from app.mail import uploads
from app.models import Deal as DealModel
from app.models import Kind
from app.services import email_actions as actions
from app.services import email_books as books
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.cases import CasePayload
from schema.mutations.contacts import ContactPayload
from schema.mutations.common import ID_TYPES, existing_pk, result, to_data
from schema.mutations.deals import DealPayload
from schema.mutations.leads import LeadPayload
from schema.queries.common import AUTH
from schema.types.books_transactions import Comment, Document, Transaction, existing_transaction
from schema.types.cases import CaseStatus
from schema.types.contacts import Contact
from schema.types.deals import Deal
from schema.types.leads import Lead
from schema.types.mail import Email
from schema.types.node import from_global_id, to_global_id

EMAIL = "Email"
ATTACHMENT = "EmailAttachment"
LINKABLE = {"Contact": "contact", "Lead": "lead", "Deal": "deal"}


@strawberry.input(description="The new deal an e-mail is associated with; its contact is the e-mail's.")
class EmailDealInput:
    name: str | None = UNSET
    account_id: strawberry.ID | None = strawberry.field(default=UNSET, description="Default: the contact's account.")
    amount: Decimal | None = UNSET
    currency: str | None = strawberry.field(default=UNSET, description="ISO 4217 code; defaults to JPY.")
    stage_id: strawberry.ID | None = strawberry.field(default=UNSET, description="Default: the first open stage.")
    closing_date: date | None = UNSET
    description: str | None = UNSET


@strawberry.enum(description="What a document made from an e-mail's attachment is.")
class EmailTransactionKind(Enum):
    ESTIMATE = Kind.ESTIMATE.value
    INVOICE = Kind.INVOICE.value


@strawberry.type(description="An e-mail's association with a deal.")
class EmailDealPayload:
    email_id: strawberry.ID
    deal: Deal
    automatic: bool = strawberry.field(description="False: associated by hand.")


@strawberry.type(description="The e-mail no longer has a deal.")
class DissociateEmailPayload:
    email_id: strawberry.ID
    deal_id: strawberry.ID | None = strawberry.field(description="The deal it was associated with; null if none.")


@strawberry.type(description="The e-mail as a comment on an estimate or invoice.")
class EmailCommentPayload:
    comment: Comment
    transaction: Transaction


@strawberry.type(description="The e-mail as a comment on a contact's activity.")
class ContactActivityPayload:
    comment_id: strawberry.ID
    contact: Contact


@strawberry.type(description="An attachment copied into a document.")
class AttachmentDocumentPayload:
    document: Document
    transaction: Transaction | None = strawberry.field(description="The document's estimate or invoice, if any.")


@strawberry.type(description="A draft made for an e-mail's attachment: complete it, then send it.")
class TransactionFromAttachmentPayload:
    transaction: Transaction
    document: Document


EmailRecord = Annotated[Union[Contact, Lead, Deal], strawberry.union(
    "EmailRecord", description="A record an e-mail can be added to.")]


@strawberry.type(description="The e-mail an uploaded file holds, as stored (the same e-mail when it was stored "
                             "before).")
class UploadEmailPayload:
    email: Email


@strawberry.type(description="The record the e-mail was added to.")
class LinkEmailPayload:
    record: EmailRecord


def _email_pk(email_id: str) -> int:
    return existing_pk(email_id, EMAIL)


def _transaction_pk(global_id: str) -> int:
    return existing_transaction(global_id)[1]


ERRORS = (ValidationError, NotFound, PermissionDenied, Conflict)
AssociateEmailWithDealResult = result("AssociateEmailWithDeal", EmailDealPayload, *ERRORS)
DissociateEmailFromDealResult = result("DissociateEmailFromDeal", DissociateEmailPayload, NotFound, PermissionDenied)
AssociateEmailWithNewDealResult = result("AssociateEmailWithNewDeal", DealPayload, *ERRORS)
AddEmailToTransactionResult = result("AddEmailToTransaction", EmailCommentPayload, *ERRORS)
AddEmailToContactActivityResult = result("AddEmailToContactActivity", ContactActivityPayload, *ERRORS)
AddAttachmentToDocumentsResult = result("AddAttachmentToDocuments", AttachmentDocumentPayload, *ERRORS)
AttachAttachmentToTransactionResult = result("AttachAttachmentToTransaction", AttachmentDocumentPayload, *ERRORS)
CreateTransactionFromAttachmentResult = result("CreateTransactionFromAttachment", TransactionFromAttachmentPayload,
                                               *ERRORS)
LinkEmailToRecordResult = result("LinkEmailToRecord", LinkEmailPayload, *ERRORS)
CreateLeadFromEmailResult = result("CreateLeadFromEmail", LeadPayload, *ERRORS)
CreateContactFromEmailResult = result("CreateContactFromEmail", ContactPayload, *ERRORS)
CreateCaseFromEmailResult = result("CreateCaseFromEmail", CasePayload, *ERRORS)
UploadEmailResult = result("UploadEmail", UploadEmailPayload, *ERRORS)
NOT_BASE64 = N_("The file's content must be base64.")


def _file(filename: str, content: str) -> uploads.UploadedFile:
    """The uploaded file from its base64 text, bounded before it is decoded."""
    if len(content) > (settings.MAIL_UPLOAD_MAX_BYTES + 2) // 3 * 4 + 4:
        raise ValidationProblem.single("content", uploads.TOO_LARGE, name=filename[:80], size=uploads.max_mb())
    try:
        return uploads.UploadedFile(filename, b64decode(content, validate=True))
    except (binascii.Error, ValueError):
        raise ValidationProblem.single("content", NOT_BASE64) from None


async def _email_deal(info: Info, link: Any) -> EmailDealPayload:
    deal = await DealModel.get(id=link.deal_id)
    return EmailDealPayload(email_id=strawberry.ID(to_global_id(EMAIL, link.email_id)), deal=deal,
                            automatic=link.automatic)


@strawberry.type
class MailMutation:
    @strawberry.mutation(permission_classes=AUTH, description="Associate the e-mail with one of its contacts' deals "
                         "(replacing its current association: this is also how it is changed).")
    async def associate_email_with_deal(self, info: Info, email_id: strawberry.ID,
                                        deal_id: strawberry.ID) -> AssociateEmailWithDealResult:
        principal = info.context.principal

        async def run() -> EmailDealPayload:
            deal_pk = existing_pk(deal_id, "Deal")
            return await _email_deal(info, await actions.associate_with_deal(principal, _email_pk(email_id), deal_pk))

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Remove the e-mail's association with a deal.")
    async def dissociate_email_from_deal(self, info: Info, email_id: strawberry.ID) -> DissociateEmailFromDealResult:
        principal = info.context.principal

        async def run() -> DissociateEmailPayload:
            pk = _email_pk(email_id)
            deal_pk = await actions.dissociate(principal, pk)
            return DissociateEmailPayload(email_id=strawberry.ID(to_global_id(EMAIL, pk)),
                                          deal_id=strawberry.ID(to_global_id("Deal", deal_pk)) if deal_pk else None)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Create a deal with one of the e-mail's contacts "
                         "(`contactId`, default the first) and associate the e-mail with it.")
    async def associate_email_with_new_deal(self, info: Info, email_id: strawberry.ID, input: EmailDealInput,
                                            contact_id: strawberry.ID | None = None) -> AssociateEmailWithNewDealResult:
        principal = info.context.principal

        async def run() -> DealModel:
            contact_pk = existing_pk(contact_id, "Contact") if contact_id is not None else None
            return await actions.associate_with_new_deal(principal, _email_pk(email_id), to_data(input, ID_TYPES),
                                                         contact_pk)

        return await attempt(info, run, lambda deal: DealPayload(deal=deal))

    @strawberry.mutation(permission_classes=AUTH, description="Add the e-mail as a comment to one of its customer's "
                         "estimates or invoices (needs the right to edit it); its history says so.")
    async def add_email_to_transaction(self, info: Info, email_id: strawberry.ID,
                                       transaction_id: strawberry.ID) -> AddEmailToTransactionResult:
        principal = info.context.principal

        async def run() -> EmailCommentPayload:
            comment = await books.add_to_transaction(principal, _email_pk(email_id), _transaction_pk(transaction_id))
            return EmailCommentPayload(comment=comment, transaction=await comment.transaction)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Add the e-mail as a comment to one of its contacts' "
                         "activity (needs the right to edit the contact).")
    async def add_email_to_contact_activity(self, info: Info, email_id: strawberry.ID,
                                            contact_id: strawberry.ID) -> AddEmailToContactActivityResult:
        principal = info.context.principal

        async def run() -> ContactActivityPayload:
            comment = await actions.add_to_contact_activity(principal, _email_pk(email_id),
                                                            existing_pk(contact_id, "Contact"))
            return ContactActivityPayload(comment_id=strawberry.ID(to_global_id("ContactComment", comment.id)),
                                          contact=await comment.contact)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Copy an attachment into the documents of one "
                         "of the e-mail's Books contacts (a customer or a vendor).")
    async def add_attachment_to_documents(self, info: Info, email_id: strawberry.ID, attachment_id: strawberry.ID,
                                          books_contact_id: strawberry.ID) -> AddAttachmentToDocumentsResult:
        principal = info.context.principal

        async def run() -> AttachmentDocumentPayload:
            doc = await books.add_attachment_to_documents(principal, _email_pk(email_id),
                                                          existing_pk(attachment_id, ATTACHMENT),
                                                          existing_pk(books_contact_id, "BooksContact"))
            return AttachmentDocumentPayload(document=doc, transaction=None)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Attach an attachment to one of the e-mail's "
                         "customer's estimates or invoices.")
    async def attach_attachment_to_transaction(self, info: Info, email_id: strawberry.ID, attachment_id: strawberry.ID,
                                               transaction_id: strawberry.ID) -> AttachAttachmentToTransactionResult:
        principal = info.context.principal

        async def run() -> AttachmentDocumentPayload:
            doc = await books.attach_to_transaction(principal, _email_pk(email_id),
                                                    existing_pk(attachment_id, ATTACHMENT),
                                                    _transaction_pk(transaction_id))
            return AttachmentDocumentPayload(document=doc, transaction=await doc.transaction)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="A draft estimate or invoice for one of the e-mail's "
                         "customers with the attachment on it, to complete before sending.")
    async def create_transaction_from_attachment(
        self, info: Info, email_id: strawberry.ID, attachment_id: strawberry.ID, kind: EmailTransactionKind,
        books_contact_id: strawberry.ID,
    ) -> CreateTransactionFromAttachmentResult:
        principal = info.context.principal

        async def run() -> TransactionFromAttachmentPayload:
            txn = await books.new_transaction_with_attachment(
                principal, _email_pk(email_id), existing_pk(attachment_id, ATTACHMENT), kind.value,
                existing_pk(books_contact_id, "BooksContact"))
            doc = await txn.documents.all().order_by("-id").first()
            return TransactionFromAttachmentPayload(transaction=txn, document=doc)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="Add the e-mail to a contact or lead (it shows on its "
                         "Mail list), or associate it with a deal; the record must be one you may edit.")
    async def link_email_to_record(self, info: Info, email_id: strawberry.ID,
                                   record_id: strawberry.ID) -> LinkEmailToRecordResult:
        principal = info.context.principal

        async def run() -> LinkEmailPayload:
            decoded = from_global_id(record_id)
            if decoded is None or decoded[0] not in LINKABLE:
                raise NotFoundError()
            record = await actions.link_to_record(principal, _email_pk(email_id), LINKABLE[decoded[0]], decoded[1])
            return LinkEmailPayload(record=record)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description="A lead named after the e-mail's sender (its first "
                         "recipient for sent mail), with the sender's address.")
    async def create_lead_from_email(self, info: Info, email_id: strawberry.ID) -> CreateLeadFromEmailResult:
        principal = info.context.principal
        return await attempt(info, lambda: actions.create_lead_from_sender(principal, _email_pk(email_id)),
                             lambda lead: LeadPayload(lead=lead))

    @strawberry.mutation(permission_classes=AUTH, description="A contact named after the e-mail's sender (its first "
                         "recipient for sent mail), with the sender's address.")
    async def create_contact_from_email(self, info: Info, email_id: strawberry.ID) -> CreateContactFromEmailResult:
        principal = info.context.principal
        return await attempt(info, lambda: actions.create_contact_from_sender(principal, _email_pk(email_id)),
                             lambda contact: ContactPayload(contact=contact))

    @strawberry.mutation(permission_classes=AUTH, description="A case from the e-mail: its address, contact, subject "
                         "and body become the case's; with `includeAttachments` the case keeps the e-mail's files "
                         "(not the images of its body) as its `attachments`.")
    async def create_case_from_email(self, info: Info, email_id: strawberry.ID, status: CaseStatus = CaseStatus.NEW,
                                     include_attachments: bool = False) -> CreateCaseFromEmailResult:
        principal = info.context.principal
        return await attempt(
            info, lambda: actions.create_case(principal, _email_pk(email_id), status, include_attachments),
            lambda case: CasePayload(case=case))

    @strawberry.mutation(permission_classes=AUTH, description="Store an e-mail from an .eml or Outlook .msg file, as "
                         "fetched mail is stored (its deal associated by the rules); only you see it. With "
                         "`recordId` (a contact, lead or deal you may edit) it is added to that record. The file "
                         "is `content` in base64, within the API's request limit (KIZUNA_GRAPHQL_MAX_BODY_BYTES, "
                         "1 MB by default; larger files go through the Mail page). The same message uploaded "
                         "again is the same e-mail.")
    async def upload_email(self, info: Info, filename: str, content: str, record_id: strawberry.ID | None = None,
                           include_attachments: bool = True) -> UploadEmailResult:
        principal = info.context.principal

        async def run() -> UploadEmailPayload:
            target: dict[str, Any] = {}
            if record_id is not None:
                decoded = from_global_id(record_id)
                if decoded is None or decoded[0] not in LINKABLE:
                    raise NotFoundError()
                target = {"record_type": LINKABLE[decoded[0]], "record_id": decoded[1]}
            [email] = await uploads.upload(principal, [_file(filename, content)],
                                           include_attachments=include_attachments, **target)
            return UploadEmailPayload(email=email)

        return await attempt(info, run)
