"""Credit notes through GraphQL: created against an invoice with typed errors, sent through the
kind's workflow mutation, credit applied and refunded with their limits, voids giving amounts
back, and what invoices and receivables show."""

from __future__ import annotations

from app.models import CreditApplication
from tests import factories as f
from tests.graphql.conftest import gid
from tests.graphql.test_books_transactions import books_user

CREATE = """mutation($input: CreditNoteInput!) { createCreditNote(input: $input) { __typename
  ... on CreditNotePayload { creditNote { id number status reason total balance
      taxRows { rate subtotal tax } invoices { number } contact { displayName } pdfUrl } }
  ... on ValidationError { fields { path message } }
  ... on PermissionDenied { message } } }"""
SENT = """mutation($id: ID!) { markCreditNoteSent(id: $id) { __typename
  ... on CreditNotePayload { creditNote { status } } } }"""
APPLY = """mutation($id: ID!, $input: ApplyCreditInput!) { applyCredit(creditNoteId: $id, input: $input) {
  __typename
  ... on ApplyCreditPayload { applications { id amount invoice { number status balance creditApplied } }
      creditNote { status creditApplied balance } }
  ... on ValidationError { fields { path message } }
  ... on Conflict { message } } }"""
VOID_APPLICATION = """mutation($id: ID!) { voidCreditApplication(id: $id) { __typename
  ... on CreditApplicationPayload { application { voidedAt } creditNote { balance } invoice { status balance } }
  ... on Conflict { message } } }"""
REFUND = """mutation($id: ID!, $input: PaymentInput!) { recordRefund(creditNoteId: $id, input: $input) {
  __typename
  ... on RefundPayload { refund { id amount mode } creditNote { status amountRefunded balance } }
  ... on ValidationError { fields { path message } }
  ... on Conflict { message } } }"""
VOID_REFUND = """mutation($id: ID!) { voidRefund(id: $id) { __typename
  ... on RefundPayload { refund { voidedAt } creditNote { status balance } } ... on Conflict { message } } }"""


async def test_credit_note_created_applied_refunded_and_voided(gql):
    user, principal, org, customer = await books_user()
    inv = await f.make_sent_invoice(principal, customer, [("作業", 1, 10000, 10), ("お弁当", 2, 1000, 8)])  # 13,160
    inv_id = gid("Invoice", inv.id)
    lines = [{"description": "作業 値引", "quantity": "1", "rate": "2000", "taxCategory": "STANDARD"},
             {"description": "お弁当 返品", "quantity": "1", "rate": "1000", "taxCategory": "REDUCED"}]
    bad = (await gql(user, CREATE, {"input": {"invoiceIds": [], "lines": lines}}))["createCreditNote"]
    assert bad == {"__typename": "ValidationError", "fields": [
        {"path": "invoiceIds", "message": "Choose at least one invoice."},
        {"path": "contactId", "message": "This field is required."}]}
    made = (await gql(user, CREATE, {"input": {"invoiceIds": [inv_id], "reason": "DISCOUNT", "lines": lines}}))
    note = made["createCreditNote"]["creditNote"]
    assert (note["number"], note["status"], note["reason"], note["total"], note["balance"]) == (
        "CN-00001", "DRAFT", "DISCOUNT", "3280", "3280")
    assert note["taxRows"] == [{"rate": "10", "subtotal": "2000", "tax": "200"},
                               {"rate": "8", "subtotal": "1000", "tax": "80"}]
    assert note["invoices"] == [{"number": inv.number}] and note["contact"] == {"displayName": "株式会社テスト"}
    assert note["pdfUrl"].startswith("/books/credit-notes/")

    early = (await gql(user, APPLY, {"id": note["id"], "input": {"applications": [
        {"invoiceId": inv_id, "amount": "100"}]}}))["applyCredit"]
    assert early == {"__typename": "Conflict",
                     "message": "Send the credit note (or mark it as sent) before using its credit."}
    assert (await gql(user, SENT, {"id": note["id"]}))["markCreditNoteSent"]["creditNote"]["status"] == "SENT"
    over = (await gql(user, APPLY, {"id": note["id"], "input": {"applications": [
        {"invoiceId": inv_id, "amount": "3281"}]}}))["applyCredit"]
    assert over["fields"] == [{"path": "applications",
                               "message": "The credit of ¥3,281 is more than the remaining credit of ¥3,280."}]
    applied = (await gql(user, APPLY, {"id": note["id"], "input": {"applications": [
        {"invoiceId": inv_id, "amount": "2000"}], "date": "2026-11-20"}}))["applyCredit"]
    assert applied["applications"][0]["invoice"] == {
        "number": inv.number, "status": "PARTIALLY_PAID", "balance": "11160", "creditApplied": "2000"}
    assert applied["creditNote"] == {"status": "SENT", "creditApplied": "2000", "balance": "1280"}

    refunded = (await gql(user, REFUND, {"id": note["id"], "input": {"amount": "1280", "mode": "CASH"}}))
    assert refunded["recordRefund"]["creditNote"] == {"status": "CLOSED", "amountRefunded": "1280", "balance": "0"}
    voided = (await gql(user, VOID_REFUND, {"id": refunded["recordRefund"]["refund"]["id"]}))["voidRefund"]
    assert voided["creditNote"] == {"status": "SENT", "balance": "1280"}

    application_id = applied["applications"][0]["id"]
    back = (await gql(user, VOID_APPLICATION, {"id": application_id}))["voidCreditApplication"]
    assert back["creditNote"] == {"balance": "3280"} and back["invoice"] == {"status": "SENT", "balance": "13160"}
    again = (await gql(user, VOID_APPLICATION, {"id": application_id}))["voidCreditApplication"]
    assert again == {"__typename": "Conflict", "message": "This credit application is already void."}
    assert await CreditApplication.filter(voided_at__isnull=False).count() == 1

    data = await gql(user, """query($id: ID!, $inv: ID!) {
      node(id: $id) { ... on CreditNote { number applications { amount voidedAt } refunds { amount } } }
      invoice(id: $inv) { creditApplications { amount creditNote { number } } }
      creditNotes { edges { node { number } } }
      receivables { credited outstanding credit net } }""", {"id": note["id"], "inv": inv_id})
    assert data["node"]["number"] == "CN-00001" and data["node"]["refunds"] == [{"amount": "1280"}]
    assert data["invoice"]["creditApplications"] == [{"amount": "2000", "creditNote": {"number": "CN-00001"}}]
    assert [e["node"]["number"] for e in data["creditNotes"]["edges"]] == ["CN-00001"]
    assert data["receivables"] == [{"credited": "0", "outstanding": "13160", "credit": "3280", "net": "9880"}]


async def test_credit_notes_need_their_grant(gql):
    user, principal, org, customer = await books_user()
    inv = await f.make_sent_invoice(principal, customer)
    await f.make_credit_note(principal, [inv])
    sales = await f.make_user("Sales")
    from app.models import Membership

    await Membership.create(organization=org, user=sales)
    data = await gql(sales, "{ creditNotes { edges { node { number } } } }")
    assert data["creditNotes"]["edges"] == []
    made = await gql(sales, CREATE, {"input": {"invoiceIds": [gid("Invoice", inv.id)],
                                               "lines": [{"description": "x", "rate": "1"}]}})
    assert made["createCreditNote"]["__typename"] == "PermissionDenied"


LIST = """query($n: Int) { creditNotes(first: $n) { edges { node {
  number reason invoices { number } applications { amount invoice { number } } refunds { amount } } } } }"""


async def test_credit_note_list_query_count_does_not_grow_with_the_page(gql):
    from app.services import credit_applications
    from tests.querycount import count_queries

    user, principal, org, customer = await books_user()
    for _ in range(12):
        inv = await f.make_sent_invoice(principal, customer, [("a", 1, 1000, 10)])
        note = await f.make_credit_note(principal, [inv], [("a", 1, 500, 10)], sent=True)
        await credit_applications.apply_credit(principal, note.id, [{"invoice_id": inv.id, "amount": 100}])
        await credit_applications.record_refund(principal, note.id, {"amount": 50})
    await gql(user, "{ me { timezone } }")  # creates the token and records its first use
    counts = {}
    for n in (3, 12):
        with count_queries() as queries:
            data = await gql(user, LIST, {"n": n})
        edges = data["creditNotes"]["edges"]
        assert len(edges) == n and all(e["node"]["refunds"] == [{"amount": "50"}] for e in edges)
        assert all(e["node"]["applications"][0]["invoice"]["number"] == e["node"]["invoices"][0]["number"]
                   for e in edges)
        counts[n] = len(queries)
    assert counts[3] == counts[12], queries.sql
