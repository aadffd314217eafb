"""The e-mail actions through GraphQL: each mutation's payload, its typed errors, and mail the
caller may not see answering NotFound."""

from __future__ import annotations

import pytest

from app.models import CaseStatus, ContactComment, EmailDeal, EmailLink, Membership, Transaction
from app.permissions import Principal
from tests import factories as f
from tests.graphql.conftest import gid

pytestmark = pytest.mark.usefixtures("db")

PDF = b"%PDF-1.4\n%%EOF\n"


async def _world():
    me = await f.make_user("Administrator")
    org = await f.make_org(me)
    p = await Principal.load(me)
    customer = await f.make_customer(org, persons=[{"last_name": "山田", "email": "yamada@example.jp"}])
    box = await f.make_mailbox(me)
    email = await f.make_email(box, sender="山田 太郎 <yamada@example.jp>", to=(me.email,), subject="ご相談",
                               text="本文です。", attachments=(("資料.pdf", "application/pdf", PDF),))
    contact = await f.make_contact(me, email="yamada@example.jp")
    attachment = (await email.attachments.all())[0]
    return me, p, customer, email, contact, attachment


ASSOCIATE = """mutation($e: ID!, $d: ID!) { associateEmailWithDeal(emailId: $e, dealId: $d) {
  __typename ... on EmailDealPayload { emailId automatic deal { name } }
  ... on ValidationError { fields { path message } } ... on NotFound { message } } }"""
DISSOCIATE = """mutation($e: ID!) { dissociateEmailFromDeal(emailId: $e) {
  __typename ... on DissociateEmailPayload { dealId } } }"""
NEW_DEAL = """mutation($e: ID!, $input: EmailDealInput!) { associateEmailWithNewDeal(emailId: $e, input: $input) {
  __typename ... on DealPayload { deal { name contacts { contact { lastName } } } }
  ... on ValidationError { fields { path } } } }"""


async def test_associate_dissociate_and_new_deal(gql):
    me, p, customer, email, contact, _ = await _world()
    deal = await f.make_deal(me, [contact], name="案件A")
    eid = gid("Email", email.id)
    result = (await gql(me, ASSOCIATE, {"e": eid, "d": gid("Deal", deal.id)}))["associateEmailWithDeal"]
    assert result == {"__typename": "EmailDealPayload", "emailId": eid, "automatic": False, "deal": {"name": "案件A"}}
    other = await f.make_deal(me, name="無関係")
    result = (await gql(me, ASSOCIATE, {"e": eid, "d": gid("Deal", other.id)}))["associateEmailWithDeal"]
    assert result["__typename"] == "ValidationError" and result["fields"][0]["path"] == "dealId"
    result = (await gql(me, DISSOCIATE, {"e": eid}))["dissociateEmailFromDeal"]
    assert result == {"__typename": "DissociateEmailPayload", "dealId": gid("Deal", deal.id)}
    result = (await gql(me, NEW_DEAL, {"e": eid, "input": {"name": "新規"}}))["associateEmailWithNewDeal"]
    assert result["deal"]["name"] == "新規" and result["deal"]["contacts"][0]["contact"]["lastName"] == contact.last_name
    assert (await EmailDeal.get(email_id=email.id)).automatic is False
    result = (await gql(me, NEW_DEAL, {"e": eid, "input": {"name": "", "amount": "-5"}}))["associateEmailWithNewDeal"]
    assert {f["path"] for f in result["fields"]} == {"name", "amount"}


async def test_mail_of_others_and_ids_of_other_types_are_not_found(gql):
    me, p, customer, email, contact, attachment = await _world()
    stranger = await f.make_user("Administrator")
    await Membership.create(organization_id=customer.organization_id, user=stranger)
    invoice = await f.make_sent_invoice(p, customer)
    eid = gid("Email", email.id)
    calls = {
        "associateEmailWithDeal": ASSOCIATE,
        "createLeadFromEmail": "mutation($e: ID!) { createLeadFromEmail(emailId: $e) { __typename } }",
        "addEmailToTransaction": """mutation($e: ID!, $t: ID!) {
            addEmailToTransaction(emailId: $e, transactionId: $t) { __typename } }""",
    }
    variables = {"e": eid, "d": gid("Deal", (await f.make_deal(me, [contact])).id), "t": gid("Invoice", invoice.id)}
    for name, query in calls.items():
        used = {k: v for k, v in variables.items() if f"${k}" in query}
        assert (await gql(stranger, query, used))[name]["__typename"] == "NotFound", name
    # An id of another type names no e-mail.
    result = await gql(me, calls["createLeadFromEmail"], {"e": gid("Contact", email.id)})
    assert result["createLeadFromEmail"]["__typename"] == "NotFound"


async def test_add_to_invoice_and_contact_activity(gql):
    me, p, customer, email, contact, _ = await _world()
    invoice = await f.make_sent_invoice(p, customer)
    eid = gid("Email", email.id)
    result = (await gql(me, """mutation($e: ID!, $t: ID!) { addEmailToTransaction(emailId: $e, transactionId: $t) {
        __typename ... on EmailCommentPayload { comment { kind action text } transaction { number
        comments { action text } } } } }""", {"e": eid, "t": gid("Invoice", invoice.id)}))["addEmailToTransaction"]
    assert result["comment"] == {"kind": "NOTE", "action": "email", "text": "本文です。"}
    assert [c["action"] for c in result["transaction"]["comments"]][-2:] == ["email", "email_added"]
    again = (await gql(me, """mutation($e: ID!, $t: ID!) { addEmailToTransaction(emailId: $e, transactionId: $t) {
        __typename } }""", {"e": eid, "t": gid("Invoice", invoice.id)}))["addEmailToTransaction"]
    assert again["__typename"] == "Conflict"
    result = (await gql(me, """mutation($e: ID!, $c: ID!) { addEmailToContactActivity(emailId: $e, contactId: $c) {
        __typename ... on ContactActivityPayload { commentId contact { lastName } } } }""",
                        {"e": eid, "c": gid("Contact", contact.id)}))["addEmailToContactActivity"]
    comment = await ContactComment.get()
    assert result["commentId"] == gid("ContactComment", comment.id)


async def test_attachment_mutations(gql):
    me, p, customer, email, contact, attachment = await _world()
    estimate = await f.make_transaction(p, "estimate", customer)
    args = {"e": gid("Email", email.id), "a": gid("EmailAttachment", attachment.id)}
    result = (await gql(me, """mutation($e: ID!, $a: ID!, $c: ID!) {
        addAttachmentToDocuments(emailId: $e, attachmentId: $a, booksContactId: $c) {
        __typename ... on AttachmentDocumentPayload { document { filename size } transaction { number } } } }""",
                        {**args, "c": gid("BooksContact", customer.id)}))["addAttachmentToDocuments"]
    assert result["document"] == {"filename": "資料.pdf", "size": len(PDF)} and result["transaction"] is None
    result = (await gql(me, """mutation($e: ID!, $a: ID!, $t: ID!) {
        attachAttachmentToTransaction(emailId: $e, attachmentId: $a, transactionId: $t) {
        __typename ... on AttachmentDocumentPayload { transaction { number } } } }""",
                        {**args, "t": gid("Estimate", estimate.id)}))["attachAttachmentToTransaction"]
    assert result["transaction"]["number"] == estimate.number
    result = (await gql(me, """mutation($e: ID!, $a: ID!, $c: ID!) {
        createTransactionFromAttachment(emailId: $e, attachmentId: $a, kind: INVOICE, booksContactId: $c) {
        __typename ... on TransactionFromAttachmentPayload { transaction { __typename status subject }
        document { filename } } } }""", {**args, "c": gid("BooksContact", customer.id)}))
    created = result["createTransactionFromAttachment"]
    assert created["transaction"] == {"__typename": "Invoice", "status": "DRAFT", "subject": "ご相談"}
    assert created["document"] == {"filename": "資料.pdf"}
    assert await Transaction.filter(kind="invoice").count() == 1
    wrong = (await gql(me, """mutation($e: ID!, $a: ID!, $c: ID!) {
        addAttachmentToDocuments(emailId: $e, attachmentId: $a, booksContactId: $c) { __typename } }""",
                       {**args, "a": gid("Email", attachment.id), "c": gid("BooksContact", customer.id)}))
    assert wrong["addAttachmentToDocuments"]["__typename"] == "NotFound"


async def test_link_and_create_from_email(gql):
    me, p, customer, email, contact, _ = await _world()
    await contact.delete()
    eid = gid("Email", email.id)
    lead = await f.make_lead(me)
    link = """mutation($e: ID!, $r: ID!) { linkEmailToRecord(emailId: $e, recordId: $r) {
        __typename ... on LinkEmailPayload {
          record { __typename ... on Lead { lastName } ... on Deal { name } } } } }"""
    result = (await gql(me, link, {"e": eid, "r": gid("Lead", lead.id)}))["linkEmailToRecord"]
    assert result["record"] == {"__typename": "Lead", "lastName": lead.last_name}
    assert await EmailLink.filter(email_id=email.id, lead_id=lead.id).exists()
    deal = await f.make_deal(me, name="検索した商談")
    result = (await gql(me, link, {"e": eid, "r": gid("Deal", deal.id)}))["linkEmailToRecord"]
    assert result["record"] == {"__typename": "Deal", "name": "検索した商談"}
    result = (await gql(me, link, {"e": eid, "r": gid("Account", 1)}))["linkEmailToRecord"]
    assert result["__typename"] == "NotFound"

    result = (await gql(me, """mutation($e: ID!) { createLeadFromEmail(emailId: $e) {
        __typename ... on LeadPayload { lead { lastName firstName email } } } }""", {"e": eid}))
    assert result["createLeadFromEmail"]["lead"] == {"lastName": "山田", "firstName": "太郎", "email": "yamada@example.jp"}
    result = (await gql(me, """mutation($e: ID!) { createContactFromEmail(emailId: $e) {
        __typename ... on ContactPayload { contact { lastName firstName email } } } }""", {"e": eid}))
    assert result["createContactFromEmail"]["contact"]["lastName"] == "山田"
    again = await gql(me, "mutation($e: ID!) { createContactFromEmail(emailId: $e) { __typename } }", {"e": eid})
    assert again["createContactFromEmail"]["__typename"] == "Conflict"
    result = (await gql(me, """mutation($e: ID!) { createCaseFromEmail(emailId: $e, status: ESCALATED,
        includeAttachments: true) { __typename ... on CasePayload { case { subject status email description
        attachments { filename contentType size } } } } }""", {"e": eid}))["createCaseFromEmail"]
    assert result["case"]["subject"] == "ご相談" and result["case"]["status"] == CaseStatus.ESCALATED.name
    assert result["case"]["email"] == "yamada@example.jp" and result["case"]["description"] == "本文です。"
    assert result["case"]["attachments"] == [{"filename": "資料.pdf", "contentType": "application/pdf",
                                              "size": len(PDF)}]
    plain = (await gql(me, """mutation($e: ID!) { createCaseFromEmail(emailId: $e) {
        ... on CasePayload { case { attachments { filename } } } } }""", {"e": eid}))["createCaseFromEmail"]
    assert plain["case"]["attachments"] == []  # includeAttachments defaults to false
