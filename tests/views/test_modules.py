"""Each module walked from the outside in: anonymous -> a role without the module -> a record
shared read-only -> the right role creating and editing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.models import Access, Role
from tests import factories as f
from tests.views.conftest import login, post

SOON = (datetime.now() + timedelta(days=2)).replace(second=0, microsecond=0)
MODULES = {
    "accounts": (f.make_account, {"name": "Sakura Trading"}, "name"),
    "contacts": (f.make_contact, {"last_name": "Yamada", "first_name": "Hanako"}, "last_name"),
    "leads": (f.make_lead, {"last_name": "Suzuki", "status": "new"}, "last_name"),
    "deals": (f.make_deal, None, "name"),  # needs a stage id: built in the test
    "tasks": (f.make_task, {"subject": "Call back", "status": "not_started", "priority": "normal"}, "subject"),
    "events": (f.make_event, {"subject": "Kick-off", "start_at": SOON.isoformat(timespec="minutes"),
                              "end_at": (SOON + timedelta(hours=1)).isoformat(timespec="minutes")}, "subject"),
    "cases": (f.make_case, {"subject": "Invoice question", "status": "new"}, "subject"),
    "products": (f.make_product, {"name": "保守サポート", "unit_price": "60000", "tax_rate": "10",
                                  "currency": "JPY", "active": "True"}, "name"),
}


async def create_data(module: str) -> dict:
    data = MODULES[module][1]
    if data is None:
        data = {"name": "Annual support", "stage_id": str((await f.stage()).id), "currency": "JPY",
                "amount": "1200000"}
    return dict(data)


@pytest.mark.parametrize("module", MODULES)
async def test_module_walk(client, module):
    factory, _, name_field = MODULES[module]
    owner = await f.make_user("Sales")
    record = await factory(owner)

    # anonymous
    assert (await client.get(f"/{module}/{record.id}")).status_code == 303

    # a role without the module: no link in the menu, 403 on its pages
    await Role.create(name="Guest")
    guest = await f.make_user("Guest")
    await login(client, guest)
    home = await client.get("/settings/account")
    assert f'href="/{module}"' not in home.text
    listing = await client.get(f"/{module}")
    assert listing.status_code == 403
    assert "You do not have permission to do this." in listing.text
    assert (await client.get(f"/{module}/{record.id}")).status_code == 403
    assert (await post(client, f"/{module}", await create_data(module))).status_code == 403

    # a Sales colleague with a read-only share: may read, may not edit, and is told why
    colleague = await f.make_user("Sales")
    await f.share(module, Access.READ_ONLY, owner=owner, grantee=colleague)
    await login(client, colleague)
    detail = await client.get(f"/{module}/{record.id}")
    assert detail.status_code == 200
    assert "This record is shared with you read-only." in detail.text
    assert f'href="/{module}/{record.id}/edit"' not in detail.text
    edit = await client.get(f"/{module}/{record.id}/edit")
    assert edit.status_code == 403
    assert "This record is shared with you read-only." in edit.text
    refused = await post(client, f"/{module}/{record.id}/edit", await create_data(module))
    assert refused.status_code == 403
    assert "This record is shared with you read-only." in refused.text

    # the right role: the owner sees the menu link, creates and edits
    await login(client, owner)
    assert f'href="/{module}"' in (await client.get("/settings/account")).text
    data = await create_data(module)
    created = await post(client, f"/{module}", data)
    assert created.status_code == 303
    location = created.headers["location"]
    page = await client.get(location)
    assert page.status_code == 200 and data[name_field] in page.text
    data[name_field] += " (updated)"
    edited = await post(client, f"{location}/edit", data)
    assert edited.status_code == 303
    assert data[name_field] in (await client.get(location)).text
    assert f'href="{location}/edit"' in (await client.get(location)).text


async def test_accountant_reads_but_cannot_create(signed_in, client):
    await signed_in("Accountant")
    page = await client.get("/contacts")
    assert page.status_code == 200
    assert 'href="/contacts/new"' not in page.text
    assert 'href="/leads"' not in page.text  # no leads grant: not in the menu
    new = await client.get("/contacts/new")
    assert new.status_code == 403
