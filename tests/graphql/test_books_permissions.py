"""The permission walk through GraphQL for every Books module:
anonymous -> a member whose role lacks the grants -> a member of another organization -> the right
role. Books records belong to organizations: members see them as far as their grants go; lists
are filtered and counted after filtering; relations never leak."""

from __future__ import annotations

import pytest

from app.models import Grant, Kind, Membership, Role
from app.services import workflow
from tests import factories as f
from tests.graphql.conftest import gid

LINES = [{"description": "作業", "rate": "1000"}]
# module -> (GraphQL type, list field, payload field, change)
MODULES = {
    "books_contacts": ("BooksContact", "booksContacts", "booksContact", {"displayName": "Renamed"}),
    "items": ("Item", "items", "item", {"name": "Renamed"}),
    "estimates": ("Estimate", "estimates", "estimate", {"subject": "Renamed"}),
    "sales_orders": ("SalesOrder", "salesOrders", "salesOrder", {"subject": "Renamed"}),
    "invoices": ("Invoice", "invoices", "invoice", {"subject": "Renamed"}),
    "purchase_orders": ("PurchaseOrder", "purchaseOrders", "purchaseOrder", {"subject": "Renamed"}),
}
KINDS = {"estimates": "estimate", "sales_orders": "sales_order", "invoices": "invoice",
         "purchase_orders": "purchase_order"}


@pytest.fixture(params=sorted(MODULES))
def module(request):
    return request.param


def queries(module: str) -> dict[str, str]:
    type_name, field, payload, _ = MODULES[module]
    input_type = "TransactionInput" if module in KINDS else f"{type_name}Input"
    return {
        "list": f"{{ {field}(first: 10) {{ totalCount edges {{ node {{ id }} }} }} }}",
        "one": f"query($id: ID!) {{ {payload}(id: $id) {{ id }} }}",
        "create": f"""mutation($input: {input_type}!) {{ create{type_name}(input: $input) {{
            __typename ... on {type_name}Payload {{ {payload} {{ id }} }}
            ... on PermissionDenied {{ message }} ... on ValidationError {{ fields {{ path message }} }} }} }}""",
        "update": f"""mutation($id: ID!, $input: {input_type}!) {{ update{type_name}(id: $id, input: $input) {{
            __typename ... on PermissionDenied {{ message }} ... on NotFound {{ message }} }} }}""",
    }


async def make_record(module: str, user, org):
    """A record of `module` in `org`, made by `user`, and a valid create input next to it."""
    if module == "books_contacts":
        return await f.make_customer(org), {"displayName": "New"}
    if module == "items":
        return await f.make_item(org), {"name": "New"}
    kind = KINDS[module]
    contact = await f.make_customer(org, contact_type="vendor" if kind == "purchase_order" else "customer")
    record = await f.make_transaction(await f.principal_for(user), kind, contact)
    return record, {"contactId": gid("BooksContact", contact.id), "lines": LINES}


async def test_walk_from_anonymous_to_the_right_role(gql, module):
    type_name, field, payload, change = MODULES[module]
    q = queries(module)
    accountant = await f.make_user("Accountant")
    org = await f.make_org(accountant)
    record, create_input = await make_record(module, accountant, org)
    record_id = gid(type_name, record.id)

    # Anonymous: turned away before anything runs.
    assert (await gql.post(None, q["list"])).status_code == 401

    # A member whose role has no Books grants sees nothing, not even a count, and may not write.
    await Role.create(name="Outsider")
    outsider = await f.make_user("Outsider")
    await Membership.create(organization=org, user=outsider)
    assert (await gql(outsider, q["list"]))[field] == {"totalCount": 0, "edges": []}
    assert (await gql(outsider, q["one"], {"id": record_id}))[payload] is None
    result = (await gql(outsider, q["create"], {"input": create_input}))[f"create{type_name}"]
    assert result == {"__typename": "PermissionDenied", "message": "You do not have permission to do this."}
    result = (await gql(outsider, q["update"], {"id": record_id, "input": change}))[f"update{type_name}"]
    assert result["__typename"] == "NotFound"

    # The right role in another organization: its own records only; ours are invisible.
    stranger = await f.make_user("Accountant")
    other_org = await f.make_org(stranger)
    theirs, _ = await make_record(module, stranger, other_org)
    data = await gql(stranger, q["list"])
    assert data[field] == {"totalCount": 1, "edges": [{"node": {"id": gid(type_name, theirs.id)}}]}
    assert (await gql(stranger, q["one"], {"id": record_id}))[payload] is None
    result = (await gql(stranger, q["update"], {"id": record_id, "input": change}))[f"update{type_name}"]
    assert result["__typename"] == "NotFound"
    # Nor can they put a record into our organization.
    result = (await gql(stranger, q["create"], {"input": {
        **create_input, "organizationId": gid("Organization", org.id)}}))[f"create{type_name}"]
    assert result["__typename"] == "ValidationError"
    assert {e["path"] for e in result["fields"]} >= {"organizationId"}

    # The right role, a member: sees, creates and edits.
    assert (await gql(accountant, q["list"]))[field] == {"totalCount": 1, "edges": [{"node": {"id": record_id}}]}
    assert (await gql(accountant, q["one"], {"id": record_id}))[payload] == {"id": record_id}
    result = (await gql(accountant, q["create"], {"input": create_input}))[f"create{type_name}"]
    assert result["__typename"] == f"{type_name}Payload"
    result = (await gql(accountant, q["update"], {"id": record_id, "input": change}))[f"update{type_name}"]
    assert result == {"__typename": f"{type_name}Payload"}
    assert (await gql(accountant, q["list"]))[field]["totalCount"] == 2


async def test_sales_quotes_but_neither_buys_nor_bills(gql):
    """Sales: estimates and sales orders; invoices read-only; no purchase orders, no receivables."""
    accountant = await f.make_user("Accountant")
    sales = await f.make_user("Sales")
    org = await f.make_org(accountant, sales)
    principal = await f.principal_for(accountant)
    customer = await f.make_customer(org)
    vendor = await f.make_customer(org, contact_type="vendor")
    invoice = await f.make_sent_invoice(principal, customer)
    await f.make_transaction(principal, "purchase_order", vendor)

    data = await gql(sales, """{ invoices { totalCount edges { node { contact { id } } } }
      purchaseOrders { totalCount } receivables { customerName } booksContacts { totalCount } }""")
    assert data == {"invoices": {"totalCount": 1, "edges": [{"node": {"contact": {"id": gid("BooksContact", customer.id)}}}]},
                    "purchaseOrders": {"totalCount": 0}, "receivables": [], "booksContacts": {"totalCount": 2}}

    denied = {"__typename": "PermissionDenied", "message": "You do not have permission to do this."}
    contact_input = {"contactId": gid("BooksContact", customer.id), "lines": LINES}
    vendor_input = {"contactId": gid("BooksContact", vendor.id), "lines": LINES}
    mutation = """mutation($c: TransactionInput!, $v: TransactionInput!, $inv: ID!, $vendor: ID!) {
      createInvoice(input: $c) { __typename ... on PermissionDenied { message } }
      createPurchaseOrder(input: $v) { __typename ... on PermissionDenied { message } }
      updateInvoice(id: $inv, input: {subject: "x"}) { __typename ... on PermissionDenied { message } }
      recordPayment(invoiceId: $inv, input: {amount: "1"}) { __typename ... on PermissionDenied { message } }
      addComment(transactionId: $inv, text: "x") { __typename ... on PermissionDenied { message } }
      deleteBooksContact(id: $vendor) { __typename ... on PermissionDenied { message } }
      createEstimate(input: $c) { __typename }
    }"""
    data = await gql(sales, mutation, {"c": contact_input, "v": vendor_input, "inv": gid("Invoice", invoice.id),
                                       "vendor": gid("BooksContact", vendor.id)})
    assert data == {"createInvoice": denied, "createPurchaseOrder": denied, "updateInvoice": denied,
                    "recordPayment": denied, "addComment": denied, "deleteBooksContact": denied,
                    "createEstimate": {"__typename": "EstimatePayload"}}


async def test_relations_to_what_you_may_not_see_resolve_to_nothing(gql):
    accountant = await f.make_user("Accountant")
    viewer_role = await Role.create(name="Estimates only")
    await Grant.create(role=viewer_role, module="estimates", action="view")
    viewer = await f.make_user("Estimates only")
    org = await f.make_org(accountant, viewer)
    principal = await f.principal_for(accountant)
    estimate = await f.make_transaction(principal, "estimate", await f.make_customer(org))
    invoice = await workflow.convert(principal, Kind.ESTIMATE, estimate.id, Kind.INVOICE)

    query = """query($id: ID!, $inv: ID!) { estimate(id: $id) { status contact { id } conversions { id } }
      invoice(id: $inv) { id } }"""
    data = await gql(viewer, query, {"id": gid("Estimate", estimate.id), "inv": gid("Invoice", invoice.id)})
    assert data == {"estimate": {"status": "CONVERTED", "contact": None, "conversions": []}, "invoice": None}
    data = await gql(accountant, query, {"id": gid("Estimate", estimate.id), "inv": gid("Invoice", invoice.id)})
    assert data["estimate"]["conversions"] == [{"id": gid("Invoice", invoice.id)}]


RECEIVABLES = """query($org: ID, $asOf: Date) { receivables(organizationId: $org, asOf: $asOf) {
  customerName customer { id } currency invoiced paid outstanding overdue
  current days1To30 days31To60 days61To90 daysOver90 } }"""


async def test_receivables_walk(gql):
    accountant = await f.make_user("Accountant")
    org = await f.make_org(accountant)
    customer = await f.make_customer(org, display_name="株式会社テスト")
    await f.make_sent_invoice(await f.principal_for(accountant), customer)
    variables = {"asOf": "2026-01-01"}

    assert (await gql.post(None, RECEIVABLES, variables)).status_code == 401
    await Role.create(name="Outsider")
    outsider = await f.make_user("Outsider")
    await Membership.create(organization=org, user=outsider)
    assert (await gql(outsider, RECEIVABLES, variables))["receivables"] == []
    stranger = await f.make_user("Accountant")
    await f.make_org(stranger)
    assert (await gql(stranger, RECEIVABLES, variables))["receivables"] == []
    assert (await gql(stranger, RECEIVABLES, {**variables, "org": gid("Organization", org.id)}))["receivables"] == []
    rows = (await gql(accountant, RECEIVABLES, variables))["receivables"]
    assert [(r["customerName"], r["outstanding"]) for r in rows] == [("株式会社テスト", "11000")]
