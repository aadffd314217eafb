"""Foreign-currency documents through GraphQL: the rate and its date in and out, the tax per
rate in yen, typed errors for a missing or hostile rate, receivables in yen."""

from __future__ import annotations

import pytest

from app.models import Transaction
from tests import factories as f
from tests.graphql.conftest import gid
from tests.graphql.test_books_transactions import books_user

CREATE = """mutation($input: TransactionInput!) { createInvoice(input: $input) {
  __typename
  ... on InvoicePayload { invoice { id currency exchangeRate exchangeRateDate total totalJpy
                                    taxRows { rate subtotal tax subtotalJpy taxJpy } } }
  ... on ValidationError { fields { path message } }
} }"""
UPDATE = """mutation($id: ID!, $input: TransactionInput!) { updateInvoice(id: $id, input: $input) {
  __typename ... on InvoicePayload { invoice { exchangeRate taxRows { taxJpy } } }
  ... on ValidationError { fields { path message } } } }"""
RATE = {"exchangeRate": "150.25", "exchangeRateDate": "2026-11-28"}
LINES = [{"description": "Consulting", "quantity": "1", "rate": "333.33", "taxRate": "10"}]


async def test_a_usd_invoice_with_its_rate_gives_the_tax_in_yen(gql):
    user, _, org, customer = await books_user()
    acme = await f.make_customer(org, currency="USD", display_name="Acme Inc.")
    data = await gql(user, CREATE, {"input": {"contactId": gid("BooksContact", acme.id), **RATE, "lines": LINES}})
    invoice = data["createInvoice"]["invoice"]
    assert (invoice["currency"], invoice["exchangeRate"], invoice["exchangeRateDate"]) == (
        "USD", "150.25", "2026-11-28")
    assert invoice["taxRows"] == [{"rate": "10", "subtotal": "333.33", "tax": "33.33",
                                   "subtotalJpy": "50083", "taxJpy": "5008"}]
    assert (invoice["total"], invoice["totalJpy"]) == ("366.66", "55091")  # 366.66 x 150.25 = 55,090.665
    changed = await gql(user, UPDATE, {"id": invoice["id"], "input": {"exchangeRate": "140"}})
    assert changed["updateInvoice"]["invoice"] == {"exchangeRate": "140", "taxRows": [{"taxJpy": "4666"}]}
    # a yen invoice has none of it
    yen = await gql(user, CREATE, {"input": {"contactId": gid("BooksContact", customer.id), **RATE, "lines": LINES}})
    assert yen["createInvoice"]["invoice"]["exchangeRate"] is None
    assert yen["createInvoice"]["invoice"]["taxRows"][0]["taxJpy"] is None
    assert yen["createInvoice"]["invoice"]["totalJpy"] == "366"


@pytest.mark.parametrize(("rate", "day", "paths"), [
    (None, None, ["exchangeRate", "exchangeRateDate"]),
    ("0", "2026-11-28", ["exchangeRate"]),
    ("-150", "2026-11-28", ["exchangeRate"]),
    ("1e30", "2026-11-28", ["exchangeRate"]),
    ("150.1234567", "2026-11-28", ["exchangeRate"]),
    ("1e-999999", "2026-11-28", ["exchangeRate"]),
    ("999999999999999999", "2026-11-28", ["exchangeRate"]),
    ("150", "0001-01-01", ["exchangeRateDate"]),
])
async def test_a_missing_or_hostile_rate_is_a_typed_error(gql, rate, day, paths):
    user, _, org, _ = await books_user()
    acme = await f.make_customer(org, currency="USD", display_name="Acme Inc.")
    data = await gql(user, CREATE, {"input": {"contactId": gid("BooksContact", acme.id), "exchangeRate": rate,
                                              "exchangeRateDate": day, "lines": LINES}})
    result = data["createInvoice"]
    assert result["__typename"] == "ValidationError", result
    assert [e["path"] for e in result["fields"]] == paths
    assert not await Transaction.exists()


async def test_receivables_carry_yen_equivalents(gql):
    from app.models import Kind
    from app.services import workflow

    user, principal, org, _ = await books_user()
    acme = await f.make_customer(org, currency="USD", display_name="Acme Inc.")
    txn = await f.make_transaction(principal, "invoice", acme, [("Consulting", 1, "100", 10)],
                                   exchange_rate="150", exchange_rate_date="2026-11-28")
    await workflow.mark_sent(principal, Kind.INVOICE, txn.id)
    data = await gql(user, "{ receivables { currency outstanding outstandingJpy overdueJpy yenComplete } }")
    assert data["receivables"] == [{"currency": "USD", "outstanding": "110", "outstandingJpy": "16500",
                                    "overdueJpy": "0", "yenComplete": True}]
