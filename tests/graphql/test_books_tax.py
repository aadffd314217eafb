"""GraphQL of the qualified-invoice content: the transaction period, tax categories, 内税 and the
document discount, on documents and in `previewTotals`."""

from __future__ import annotations

from tests.graphql.conftest import gid
from tests.graphql.test_books_transactions import books_user

FIELDS = """transactionDate transactionDateEnd pricesIncludeTax discountType discountValue discountTotal
  subtotal taxTotal total taxRows { category rate subtotal tax discount total }
  lines { taxCategory taxRate amount }"""
CREATE = f"""mutation($input: TransactionInput!) {{ createInvoice(input: $input) {{
  __typename
  ... on InvoicePayload {{ invoice {{ id {FIELDS} }} }}
  ... on ValidationError {{ fields {{ path message }} }}
}} }}"""
UPDATE = f"""mutation($id: ID!, $input: TransactionInput!) {{ updateInvoice(id: $id, input: $input) {{
  __typename
  ... on InvoicePayload {{ invoice {{ {FIELDS} }} }}
  ... on ValidationError {{ fields {{ path message }} }}
}} }}"""
PREVIEW = """query($input: TransactionInput!) { previewTotals(kind: INVOICE, input: $input) {
  __typename ... on TotalsPreview { total discountTotal pricesIncludeTax taxRows { category subtotal tax discount }
  lineAmounts fields { path message } } } }"""


async def test_a_tax_inclusive_invoice_with_a_period_categories_and_a_discount(gql):
    user, _, _, customer = await books_user()
    data = await gql(user, CREATE, {"input": {
        "contactId": gid("BooksContact", customer.id), "transactionDate": "2026-11-01",
        "transactionDateEnd": "2026-11-30", "pricesIncludeTax": True, "discountType": "PERCENT",
        "discountValue": "10", "lines": [
            {"description": "作業", "rate": "11000", "taxCategory": "STANDARD"},
            {"description": "お弁当", "rate": "1080", "taxRate": "8"},
            {"description": "輸出", "rate": "5000", "taxCategory": "EXPORT"},
            {"description": "値引", "rate": "-1000", "taxCategory": "STANDARD"},
        ]}})
    invoice = data["createInvoice"]["invoice"]
    assert (invoice["transactionDate"], invoice["transactionDateEnd"], invoice["pricesIncludeTax"]) == (
        "2026-11-01", "2026-11-30", True)
    assert (invoice["discountType"], invoice["discountValue"], invoice["discountTotal"]) == ("PERCENT", "10", "1608")
    # 10% of 16,080 = 1,608, shared 1,000 / 108 / 500; 9,000 incl. 10% holds 818, 972 incl. 8% holds 72
    assert invoice["taxRows"] == [
        {"category": "STANDARD", "rate": "10", "subtotal": "8182", "tax": "818", "discount": "1000", "total": "9000"},
        {"category": "REDUCED", "rate": "8", "subtotal": "900", "tax": "72", "discount": "108", "total": "972"},
        {"category": "EXPORT", "rate": "0", "subtotal": "4500", "tax": "0", "discount": "500", "total": "4500"}]
    assert (invoice["subtotal"], invoice["taxTotal"], invoice["total"]) == ("13582", "890", "14472")
    assert [line["taxCategory"] for line in invoice["lines"]] == ["STANDARD", "REDUCED", "EXPORT", "STANDARD"]
    assert invoice["lines"][3]["amount"] == "-1000"

    data = await gql(user, UPDATE, {"id": invoice["id"], "input": {"pricesIncludeTax": False, "discountValue": "0",
                                                                   "transactionDateEnd": None}})
    updated = data["updateInvoice"]["invoice"]
    # 11,000 + 1,166 + 5,000
    assert (updated["total"], updated["discountTotal"], updated["transactionDateEnd"]) == ("17166", "0", None)


async def test_hostile_pricing_answers_typed_errors(gql):
    user, _, _, customer = await books_user()
    data = await gql(user, CREATE, {"input": {
        "contactId": gid("BooksContact", customer.id), "transactionDate": "2026-11-30",
        "transactionDateEnd": "2026-11-01", "pricesIncludeTax": None, "discountType": "PERCENT",
        "discountValue": "250", "lines": [{"description": "作業", "rate": "100"}]}})
    assert data["createInvoice"]["__typename"] == "ValidationError"
    assert {e["path"]: e["message"] for e in data["createInvoice"]["fields"]} == {
        "transactionDateEnd": "Must be on or after the transaction date.",
        "pricesIncludeTax": "Choose one of the offered values.",
        "discountValue": "Enter a discount from 0 to 100%."}
    data = await gql(user, CREATE, {"input": {
        "contactId": gid("BooksContact", customer.id), "discountValue": "1e30",
        "lines": [{"description": "作業", "rate": "100"}]}})
    assert [e["path"] for e in data["createInvoice"]["fields"]] == ["discountValue"]


async def test_preview_totals_allocate_the_discount_and_report_what_cannot_apply(gql):
    user, _, _, customer = await books_user()
    lines = [{"description": "a", "rate": "1000"}, {"description": "b", "rate": "1000", "taxCategory": "REDUCED"},
             {"description": "c", "rate": "1000", "taxCategory": "EXEMPT"}]
    data = await gql(user, PREVIEW, {"input": {"contactId": gid("BooksContact", customer.id), "discountValue": "100",
                                               "lines": lines}})
    preview = data["previewTotals"]
    assert [(r["category"], r["subtotal"], r["tax"], r["discount"]) for r in preview["taxRows"]] == [
        ("STANDARD", "966", "96", "34"), ("REDUCED", "967", "77", "33"), ("EXEMPT", "967", "0", "33")]
    assert (preview["total"], preview["discountTotal"], preview["fields"]) == ("3073", "100", [])
    data = await gql(user, PREVIEW, {"input": {"discountValue": "5000", "lines": lines}})
    preview = data["previewTotals"]
    assert preview["fields"] == [{"path": "discountValue",
                                  "message": "The discount cannot be more than the sum of the lines."}]
    assert (preview["total"], preview["discountTotal"]) == ("3180", "0")
