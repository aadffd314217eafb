"""Closing-date billing through GraphQL: payment terms as data on customers and organizations,
and `createConsolidatedInvoice` with its typed refusals."""

from __future__ import annotations

from datetime import date

from app.models import Kind, Status, Transaction
from app.services import workflow
from tests import factories as f
from tests.graphql.conftest import gid

CREATE = """mutation($input: ConsolidatedInvoiceInput!) { createConsolidatedInvoice(input: $input) {
  __typename
  ... on InvoicePayload { invoice { number total periodStart periodEnd dueDate
      paymentTermsRule { code label closingDay paymentMonthOffset paymentDay netDays }
      lines { description sourceOrder { number } } } }
  ... on ValidationError { fields { path message } }
  ... on NotFound { message }
  ... on PermissionDenied { message }
} }"""
UPDATE_CONTACT = """mutation($id: ID!, $input: BooksContactInput!) { updateBooksContact(id: $id, input: $input) {
  __typename
  ... on BooksContactPayload { booksContact { paymentTerms paymentTermsRule { code label closingDay paymentDay } } }
  ... on ValidationError { fields { path message } }
} }"""


async def _setup(role="Accountant"):
    user = await f.make_user(role)
    org = await f.make_org(user)
    customer = await f.make_customer(org, display_name="株式会社テスト", payment_terms="close_20_1_10")
    return user, await f.principal_for(user), org, customer


async def _order(principal, contact, day, specs):
    order = await f.make_transaction(principal, "sales_order", contact, specs, issue_date=day.isoformat())
    return await workflow.confirm(principal, order.id)


async def test_create_consolidated_invoice(gql):
    user, principal, org, customer = await _setup()
    a = await _order(principal, customer, date(2026, 10, 21), [("設計", 1, 100000, 10)])
    b = await _order(principal, customer, date(2026, 11, 20), [("保守", 1, 20000, 10)])
    variables = {"input": {"contactId": gid("BooksContact", customer.id), "periodEnd": "2026-11-20"}}
    data = (await gql(user, CREATE, variables))["createConsolidatedInvoice"]
    assert data["__typename"] == "InvoicePayload"
    invoice = data["invoice"]
    assert (invoice["periodStart"], invoice["periodEnd"], invoice["dueDate"]) == ("2026-10-21", "2026-11-20", "2026-12-10")
    assert invoice["total"] == "132000"
    assert [line["description"] for line in invoice["lines"]] == [f"{a.number} 設計", f"{b.number} 保守"]
    assert [line["sourceOrder"]["number"] for line in invoice["lines"]] == [a.number, b.number]
    assert invoice["paymentTermsRule"] == {
        "code": "close_20_1_10", "label": "Closing on day 20, paid on day 10 of the next month",
        "closingDay": 20, "paymentMonthOffset": 1, "paymentDay": 10, "netDays": None}
    again = (await gql(user, CREATE, variables))["createConsolidatedInvoice"]
    assert again["__typename"] == "ValidationError"
    assert again["fields"][0]["path"] == "periodEnd"
    assert await Transaction.filter(kind=Kind.INVOICE).count() == 1
    await a.refresh_from_db()
    assert a.status == Status.INVOICED


async def test_refusals_are_typed(gql):
    user, principal, org, customer = await _setup()
    await _order(principal, customer, date(2026, 11, 5), [("作業", 1, 1000, 10)])
    bad_day = await gql(user, CREATE, {"input": {"contactId": gid("BooksContact", customer.id), "periodEnd": "2026-11-19"}})
    assert bad_day["createConsolidatedInvoice"]["__typename"] == "ValidationError"
    wrong_type = await gql(user, CREATE, {"input": {"contactId": gid("Invoice", customer.id), "periodEnd": "2026-11-20"}})
    assert wrong_type["createConsolidatedInvoice"]["__typename"] == "NotFound"
    stranger, *_ = await _setup()
    foreign = await gql(stranger, CREATE, {"input": {"contactId": gid("BooksContact", customer.id), "periodEnd": "2026-11-20"}})
    assert foreign["createConsolidatedInvoice"]["__typename"] == "NotFound"
    from app.models import Membership

    seller = await f.make_user("Sales")
    await Membership.create(organization_id=org.id, user_id=seller.id)
    denied = await gql(seller, CREATE, {"input": {"contactId": gid("BooksContact", customer.id), "periodEnd": "2026-11-20"}})
    assert denied["createConsolidatedInvoice"]["__typename"] == "PermissionDenied"
    assert not await Transaction.filter(kind=Kind.INVOICE).exists()


async def test_terms_as_data_on_customers(gql):
    user, principal, org, customer = await _setup()
    cid = gid("BooksContact", customer.id)
    data = (await gql(user, UPDATE_CONTACT, {"id": cid, "input": {"paymentTermsCode": "close_eom_1_eom"}}))
    contact = data["updateBooksContact"]["booksContact"]
    assert contact["paymentTerms"] == "END_OF_NEXT_MONTH"  # a preset still reads as one
    assert contact["paymentTermsRule"]["closingDay"] == 31
    data = await gql(user, UPDATE_CONTACT, {"id": cid, "input": {"paymentTermsCode": ""}})
    assert data["updateBooksContact"]["booksContact"] == {"paymentTerms": None, "paymentTermsRule": None}
    data = await gql(user, UPDATE_CONTACT, {"id": cid, "input": {"paymentTermsCode": "close_20_9_10"}})
    assert data["updateBooksContact"]["__typename"] == "ValidationError"
    assert data["updateBooksContact"]["fields"][0]["path"] == "paymentTerms"
    data = await gql(user, UPDATE_CONTACT, {"id": cid, "input": {"paymentTerms": "NET_30"}})
    assert data["updateBooksContact"]["booksContact"]["paymentTermsRule"]["label"] == "Net 30 days"
