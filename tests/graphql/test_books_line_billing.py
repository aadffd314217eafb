"""Line-level billing through GraphQL: a sales order's lines take a delivery date (納品日),
a consolidated invoice bills the lines delivered in its period, each line says whether it is
billed, conversion bills only what is left (refused when nothing is), and an invoice's
`periodStart`/`periodEnd` read its transaction period."""

from __future__ import annotations

from app.models import Kind, Status, Transaction
from tests import factories as f
from tests.graphql.conftest import gid

CREATE_ORDER = """mutation($input: TransactionInput!) { createSalesOrder(input: $input) {
  __typename
  ... on SalesOrderPayload { salesOrder { id number lines { description deliveryDate isBilled } } }
  ... on ValidationError { fields { path message } }
} }"""
CONFIRM = "mutation($id: ID!) { confirmSalesOrder(id: $id) { __typename } }"
CONSOLIDATE = """mutation($input: ConsolidatedInvoiceInput!) { createConsolidatedInvoice(input: $input) {
  __typename
  ... on InvoicePayload { invoice { id total periodStart periodEnd transactionDate transactionDateEnd
      lines { description deliveryDate sourceOrder { number } } } }
  ... on ValidationError { fields { path message } }
} }"""
ORDER = """query($id: ID!) { salesOrder(id: $id) { status billedBy { number }
  lines { description deliveryDate isBilled } } }"""
CONVERT = """mutation($id: ID!) { convertSalesOrderToInvoice(id: $id) {
  __typename
  ... on ConversionPayload { created { ... on Invoice { total periodStart lines { description deliveryDate } } } }
  ... on Conflict { message }
} }"""


async def test_lines_billed_by_delivery_date(gql):
    user = await f.make_user("Accountant")
    org = await f.make_org(user)
    customer = await f.make_customer(org, display_name="株式会社テスト", payment_terms="close_20_1_10")
    bad = await gql(user, CREATE_ORDER, {"input": {"contactId": gid("BooksContact", customer.id), "lines": [
        {"description": "作業", "rate": "1000", "deliveryDate": "2026-11-05"},
        {"description": "x", "rate": "1", "deliveryDate": "0001-01-01"}]}})
    assert bad["createSalesOrder"]["__typename"] == "ValidationError"
    assert [e["path"] for e in bad["createSalesOrder"]["fields"]] == ["lines.1.deliveryDate"]
    made = (await gql(user, CREATE_ORDER, {"input": {
        "contactId": gid("BooksContact", customer.id), "issueDate": "2026-11-05", "lines": [
            {"description": "設計", "rate": "1000"},
            {"description": "納品物", "rate": "500", "deliveryDate": "2026-11-25"}]}}))["createSalesOrder"]["salesOrder"]
    assert [(line["deliveryDate"], line["isBilled"]) for line in made["lines"]] == [(None, False), ("2026-11-25", False)]
    await gql(user, CONFIRM, {"id": made["id"]})

    invoice = (await gql(user, CONSOLIDATE, {"input": {"contactId": gid("BooksContact", customer.id),
                                                         "periodEnd": "2026-11-20"}}))["createConsolidatedInvoice"]["invoice"]
    assert (invoice["periodStart"], invoice["periodEnd"]) == ("2026-10-21", "2026-11-20")
    assert (invoice["transactionDate"], invoice["transactionDateEnd"]) == ("2026-10-21", "2026-11-20")
    assert invoice["total"] == "1100"
    assert [(line["deliveryDate"], line["sourceOrder"]["number"]) for line in invoice["lines"]] == [
        ("2026-11-05", made["number"])]
    order = (await gql(user, ORDER, {"id": made["id"]}))["salesOrder"]
    assert order["status"] == "CONFIRMED" and [line["isBilled"] for line in order["lines"]] == [True, False]

    converted = (await gql(user, CONVERT, {"id": made["id"]}))["convertSalesOrderToInvoice"]
    assert converted["__typename"] == "ConversionPayload"
    assert converted["created"]["lines"] == [{"description": "納品物", "deliveryDate": "2026-11-25"}]
    assert converted["created"]["periodStart"] is None  # no transaction period: no period
    order = (await gql(user, ORDER, {"id": made["id"]}))["salesOrder"]
    assert order["status"] == "INVOICED" and [line["isBilled"] for line in order["lines"]] == [True, True]
    # nothing left: a second conversion is refused, typed
    pk = int((await Transaction.get(kind=Kind.SALES_ORDER)).id)
    await Transaction.filter(id=pk).update(status=Status.CONFIRMED)
    again = (await gql(user, CONVERT, {"id": made["id"]}))["convertSalesOrderToInvoice"]
    assert again == {"__typename": "Conflict", "message": "Every line of this sales order is invoiced already."}
    assert await Transaction.filter(kind=Kind.INVOICE).count() == 2
