"""A document form is validated at once (header, lines and the rules relating them) and its live
totals are the service's: the page and GraphQL answer alike."""

from __future__ import annotations

from decimal import Decimal

from app.models import Transaction
from tests.graphql.conftest import GraphQLClient, gid
from tests.views.conftest import hx_post
from tests.views.test_books_form import error_at, line

PREVIEW = """query($kind: TransactionKind!, $input: TransactionInput!) { previewTotals(kind: $kind, input: $input) {
  ... on TotalsPreview { currency subtotal taxTotal total lineAmounts taxRows { rate subtotal tax }
                         fields { path message } }
  ... on ValidationError { fields { path message } } } }"""
CREATE = """mutation($input: TransactionInput!) { createEstimate(input: $input) {
  ... on ValidationError { fields { path message } } ... on EstimatePayload { estimate { id } } } }"""


async def test_page_shows_date_and_line_errors_together(client, principal, customer):
    data = {"contact_id": str(customer.id), "issue_date": "2026-05-10", "due_date": "2026-05-01",
            **line(0, "作業", "1", "abc"), **line(1, "", "-2", "100", discount="150")}
    bad = await hx_post(client, "/books/estimates", data)
    assert bad.status_code == 422
    assert error_at(bad.text, "due_date") == "Must be on or after the issue date."  # not after a second try
    assert error_at(bad.text, "lines.0.rate") == "Enter a number."
    assert error_at(bad.text, "lines.1.quantity") == "Enter a quantity above zero."
    assert error_at(bad.text, "lines.1.discount") == "Enter a discount from 0 to 100%."
    assert not await Transaction.exists()


async def test_graphql_gives_every_error_at_once(client, principal, customer):
    gql = GraphQLClient(client)
    client.cookies.clear()
    data = await gql(principal.user, CREATE, {"input": {
        "contactId": gid("BooksContact", customer.id), "issueDate": "2026-05-10", "dueDate": "2026-05-01",
        "lines": [{"description": "作業", "rate": "-1"}]}})
    paths = {e["path"] for e in data["createEstimate"]["fields"]}
    # a negative price is a discount line (値引); a category of nothing but discounts is refused whole
    assert paths == {"dueDate", "lines"}


async def test_live_totals_page_and_graphql_agree(client, principal, org, customer):
    org.tax_rounding = "half_up"
    await org.save()
    rows = [("a", "1", "1005", "10", ""), ("b", "3", "333", "8", "10"), ("c", "1", "oops", "8", ""),
            ("d", "2", "100", "5", "")]  # not a number; not a tax rate: neither is priced
    form = {"contact_id": str(customer.id)}
    for key, (description, quantity, rate, tax_rate, discount) in enumerate(rows):
        form.update(line(key, description, quantity, rate, tax_rate, discount=discount))
    page = (await hx_post(client, "/books/invoices/totals", form)).text
    gql = GraphQLClient(client)
    client.cookies.clear()
    lines = [{"description": d, "quantity": q, "rate": r, "taxRate": t, **({"discount": x} if x else {})}
             for d, q, r, t, x in rows if r != "oops"]
    preview = (await gql(principal.user, PREVIEW, {"kind": "INVOICE", "input": {
        "contactId": gid("BooksContact", customer.id), "lines": lines}}))["previewTotals"]
    assert preview["currency"] == "JPY"
    # (a negative price would be a discount line, priced: "oops" is left out of the API's lines)
    assert preview["lineAmounts"] == ["1005", "899", None]  # 3 x 333 less 10%
    assert {e["path"] for e in preview["fields"]} == {"lines.2.taxRate"}
    assert Decimal(preview["total"]) == 1005 + 101 + 899 + 72  # 10%: 100.5 half up; 8%: 71.92 half up
    assert f"¥{Decimal(preview['total']):,}" in page and '<output id="amount-1" hx-swap-oob="true">¥899</output>' in page
    assert '<output id="amount-3" hx-swap-oob="true"></output>' in page
    refused = (await gql(principal.user, PREVIEW, {"kind": "INVOICE", "input": {
        "organizationId": gid("Organization", org.id + 1000), "lines": []}}))["previewTotals"]
    assert refused["fields"][0]["path"] == "organizationId"
