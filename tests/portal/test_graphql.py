"""Staff mutations about the customer portal: accept on the customer's behalf, revert the
acceptance, confirm a reported transfer, notes visible to the customer."""

from __future__ import annotations

from app.models import Comment, Payment
from app.services import portal
from tests.graphql.conftest import gid, gql  # noqa: F401 (fixture)

ACCEPT = """mutation($id: ID!, $by: String!) { acceptEstimateOnBehalf(id: $id, acceptedBy: $by) {
  __typename ... on EstimatePayload { estimate { status } } ... on Conflict { message }
  ... on ValidationError { message } } }"""
REVERT = """mutation($id: ID!) { revertEstimateAcceptance(id: $id) {
  __typename ... on EstimatePayload { estimate { status } } ... on Conflict { message } } }"""
CONFIRM = """mutation($id: ID!) { confirmTransferReport(id: $id) {
  __typename ... on PaymentPayload { invoice { status } } ... on Conflict { message } ... on NotFound { message } } }"""
NOTE = """mutation($id: ID!) { addComment(transactionId: $id, text: "お届けは来週です", visibleToCustomer: true) {
  __typename ... on CommentPayload { comment { visibleToCustomer customerAuthor } } } }"""


async def test_accept_on_behalf_and_revert(gql, staff, estimate):
    data = await gql(staff, ACCEPT, {"id": gid("Estimate", estimate.id), "by": "山田 太郎"})
    assert data["acceptEstimateOnBehalf"] == {"__typename": "EstimatePayload", "estimate": {"status": "ACCEPTED"}}
    data = await gql(staff, ACCEPT, {"id": gid("Estimate", estimate.id), "by": "山田 太郎"})
    assert data["acceptEstimateOnBehalf"]["__typename"] == "Conflict"
    data = await gql(staff, REVERT, {"id": gid("Estimate", estimate.id)})
    assert data["revertEstimateAcceptance"]["estimate"]["status"] == "SENT"
    data = await gql(staff, REVERT, {"id": gid("Estimate", estimate.id)})
    assert data["revertEstimateAcceptance"]["__typename"] == "Conflict"


async def test_accept_on_behalf_needs_a_name(gql, staff, estimate):
    data = await gql(staff, ACCEPT, {"id": gid("Estimate", estimate.id), "by": " "})
    assert data["acceptEstimateOnBehalf"]["__typename"] == "ValidationError"


async def test_confirm_transfer_report(gql, staff, invoice):
    report = await portal.report_transfer(invoice, portal.Visitor(contact_id=invoice.contact_id),
                                          {"date": "2026-11-20", "amount": "10000", "remitter": "ﾔﾏﾀﾞ"})
    data = await gql(staff, CONFIRM, {"id": gid("TransferReport", report.id)})
    assert data["confirmTransferReport"] == {"__typename": "PaymentPayload", "invoice": {"status": "PARTIALLY_PAID"}}
    data = await gql(staff, CONFIRM, {"id": gid("TransferReport", report.id)})
    assert data["confirmTransferReport"]["__typename"] == "Conflict"
    assert await Payment.filter(invoice_id=invoice.id).count() == 1
    data = await gql(staff, CONFIRM, {"id": gid("Invoice", invoice.id)})
    assert data["confirmTransferReport"]["__typename"] == "NotFound"


async def test_note_visible_to_customer(gql, staff, invoice):
    data = await gql(staff, NOTE, {"id": gid("Invoice", invoice.id)})
    assert data["addComment"]["comment"] == {"visibleToCustomer": True, "customerAuthor": ""}
    assert await Comment.filter(transaction_id=invoice.id, visible_to_customer=True).count() == 1


REPORTS = """query($id: ID!) { node(id: $id) { ... on Invoice { transferReports { id amount remitter confirmedAt } } } }"""


async def test_invoice_lists_its_transfer_reports_to_confirm(gql, staff, invoice):
    await portal.report_transfer(invoice, portal.Visitor(contact_id=invoice.contact_id),
                                 {"date": "2026-11-20", "amount": "10000", "remitter": "ﾔﾏﾀﾞ"})
    data = await gql(staff, REPORTS, {"id": gid("Invoice", invoice.id)})
    (report,) = data["node"]["transferReports"]
    assert report["amount"] == "10000" and report["remitter"] == "ﾔﾏﾀﾞ" and report["confirmedAt"] is None
    data = await gql(staff, CONFIRM, {"id": report["id"]})
    assert data["confirmTransferReport"]["__typename"] == "PaymentPayload"


DISMISS = """mutation($id: ID!) { dismissTransferReport(id: $id) {
  __typename ... on TransferReportPayload { invoice { status } } ... on Conflict { message } } }"""


async def test_dismiss_transfer_report(gql, staff, invoice):
    report = await portal.report_transfer(invoice, portal.Visitor(contact_id=invoice.contact_id),
                                          {"date": "2026-11-20", "amount": "10000", "remitter": "ﾔﾏﾀﾞ"})
    data = await gql(staff, DISMISS, {"id": gid("TransferReport", report.id)})
    assert data["dismissTransferReport"] == {"__typename": "TransferReportPayload", "invoice": {"status": "SENT"}}
    data = await gql(staff, CONFIRM, {"id": gid("TransferReport", report.id)})
    assert data["confirmTransferReport"]["__typename"] == "Conflict"
    assert not await Payment.exists()


REVOKE = """mutation($id: ID!) { revokePortalAccess(booksContactId: $id) {
  __typename ... on BooksContactPayload { booksContact { displayName } } ... on NotFound { message } } }"""


async def test_revoke_portal_access(gql, staff, customer):
    from app.models import PortalLink
    from app.services import portal_sessions
    await portal_sessions.create_link(customer, "yamada@customer.example", "山田")
    data = await gql(staff, REVOKE, {"id": gid("BooksContact", customer.id)})
    assert data["revokePortalAccess"] == {"__typename": "BooksContactPayload", "booksContact": {"displayName": "株式会社テスト"}}
    assert await PortalLink.filter(revoked_at__isnull=True).count() == 0
    data = await gql(staff, REVOKE, {"id": gid("BooksContact", 999999)})
    assert data["revokePortalAccess"]["__typename"] == "NotFound"
