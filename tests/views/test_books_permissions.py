"""Every transaction kind's pages, PDF link and send dialog walk anonymous -> a role without the
grant -> a member of another organization -> the right role."""

from __future__ import annotations

import pytest

from app.models import Grant, Membership, Role
from tests import factories as f
from tests.views.conftest import login

KINDS = [("estimate", "estimates", "estimates"), ("sales_order", "sales-orders", "sales_orders"),
         ("invoice", "invoices", "invoices"), ("purchase_order", "purchase-orders", "purchase_orders")]


async def role_with(name: str, grants: set[tuple[str, str]]):
    role = await Role.create(name=name)
    await Grant.bulk_create([Grant(role=role, module=m, action=a) for m, a in grants])
    return role.name


@pytest.mark.parametrize("kind,slug,module", KINDS)
async def test_walk(client, principal, customer, org, kind, slug, module):
    contact = customer if kind != "purchase_order" else await f.make_customer(org, contact_type="vendor")
    txn = await f.make_transaction(principal, kind, contact)
    urls = {"list": f"/books/{slug}", "detail": f"/books/{slug}/{txn.id}", "pdf": f"/books/{slug}/{txn.id}.pdf",
            "send": f"/books/{slug}/{txn.id}/send"}

    client.cookies.clear()
    for url in urls.values():
        response = await client.get(url)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), url

    without = await f.make_user(await role_with("No books", {("accounts", "view")}))
    await Membership.create(organization=org, user=without)
    await login(client, without)
    for url in urls.values():
        assert (await client.get(url)).status_code == 403, url

    outsider = await f.make_user("Accountant")
    await f.make_org(outsider)
    await login(client, outsider)
    assert (await client.get(urls["list"])).status_code == 200
    assert txn.number not in (await client.get(urls["list"])).text
    for key in ("detail", "pdf", "send"):
        assert (await client.get(urls[key])).status_code == 404, key

    viewer = await f.make_user(await role_with("Viewer", {(module, "view")}))
    await Membership.create(organization=org, user=viewer)
    await login(client, viewer)
    assert txn.number in (await client.get(urls["list"])).text
    assert (await client.get(urls["detail"])).status_code == 200
    assert (await client.get(urls["pdf"])).content.startswith(b"%PDF")
    assert (await client.get(urls["send"])).status_code == 403  # no e-mail grant

    await login(client, await _member(org, "Accountant"))
    assert (await client.get(urls["send"])).status_code == 200


async def _member(org, role: str):
    user = await f.make_user(role)
    await Membership.create(organization=org, user=user)
    return user
