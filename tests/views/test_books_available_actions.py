"""What a document offers comes from one service (`workflow.available_actions`): its page's
buttons and GraphQL's `availableActions` agree for every kind, status, role and edition; the
edition rule for sales orders is the registry's, on pages, in GraphQL and in the services."""

from __future__ import annotations

import re

import pytest

from app import kinds
from app.errors import ValidationError
from app.models import Kind, Membership, Status, Transaction
from tests import factories as f
from tests.graphql.conftest import GraphQLClient, gid
from tests.views.conftest import login

QUERY = "query($id: ID!) { node(id: $id) { ... on Transaction { availableActions } } }"
# the page's element of each action
ELEMENT = {"edit": "edit-record", "email": "send-email"}


def page_actions(html: str) -> set[str]:
    found = {name for name, element in ELEMENT.items() if f'id="{element}"' in html}
    # buttons, and the links of conversions (asked on a page of their own first)
    for slug in re.findall(r'(?:type="submit"|href="[^"]*") id="action-([\w-]+)"', html):
        found.add(slug.replace("-", "_"))
    return found


async def documents(principal, customer, vendor) -> list[Transaction]:
    """A document of each kind in every status."""
    made = []
    for kind in kinds.KINDS:
        for status in Status:
            party = vendor if kind.kind == Kind.PURCHASE_ORDER else customer
            txn = await f.make_transaction(principal, kind.value, party)
            await Transaction.filter(id=txn.id).update(status=status)
            made.append(await Transaction.get(id=txn.id))
    return made


@pytest.mark.parametrize("edition", ["books", "invoice"])
async def test_page_buttons_and_graphql_offer_the_same_actions(client, principal, customer, org, edition):
    vendor = await f.make_customer(org, display_name="仕入先", contact_type="vendor")
    made = await documents(principal, customer, vendor)
    org.edition = edition
    await org.save()
    sales = await f.make_user("Sales")  # estimates and sales orders, reads invoices
    await Membership.create(organization=org, user=sales)
    gql = GraphQLClient(client)
    seen = set()
    for user in (principal.user, sales):
        await login(client, user)
        for txn in made:
            doc = kinds.of(txn.kind)
            page = await client.get(f"/books/{doc.slug}/{txn.id}")
            cookies = dict(client.cookies)
            client.cookies.clear()
            node = (await gql(user, QUERY, {"id": gid(doc.type_name, txn.id)}))["node"]
            client.cookies.update(cookies)
            if page.status_code != 200:  # no grant to see the kind, or a kind the edition lacks
                assert page.status_code in (403, 404), page.status_code
                assert node is None or node["availableActions"] == [], (user.email, txn.kind)
                continue
            offered = {a.lower() for a in node["availableActions"]}
            assert page_actions(page.text) == offered, (user.email, txn.kind, txn.status)
            seen |= offered
    assert {"edit", "email", "mark_sent", "accept", "void", "convert_to_invoice"} <= seen
    assert ("convert_to_sales_order" in seen) == (edition == "books")


async def test_sales_orders_only_in_the_books_edition_everywhere(client, principal, customer, org):
    order = await f.make_transaction(principal, "sales_order", customer)
    org.edition = "invoice"
    await org.save()
    page = await client.get(f"/books/sales-orders/{order.id}")
    assert page.status_code == 404 and "Sales orders exist only in the Books edition." in page.text
    with pytest.raises(ValidationError) as refused:
        await f.make_transaction(principal, "sales_order", customer)
    assert refused.value.errors[0].message == kinds.BOOKS_EDITION_ONLY
