"""The permission rules at the service layer, walked for every CRM module:
wrong role -> no share -> read-only share -> read-write share -> owner -> sees-all role."""

from __future__ import annotations

import pytest

from app.errors import NotFound, PermissionDenied
from app.models import Access, Grant, Role
from app.permissions import Principal, can, restrict
from app.services.accounts import accounts
from app.services.activities import events, tasks
from app.services.cases import cases
from app.services.contacts import contacts
from app.services.deals import deals
from app.services.leads import leads
from tests import factories as f

MODULES = {
    "accounts": (accounts, f.make_account, {"name": "Renamed"}),
    "contacts": (contacts, f.make_contact, {"last_name": "Renamed"}),
    "leads": (leads, f.make_lead, {"last_name": "Renamed"}),
    "deals": (deals, f.make_deal, {"name": "Renamed"}),
    "tasks": (tasks, f.make_task, {"subject": "Renamed"}),
    "events": (events, f.make_event, {"subject": "Renamed"}),
    "cases": (cases, f.make_case, {"subject": "Renamed"}),
}


@pytest.fixture(params=sorted(MODULES))
def module(request):
    return request.param


async def test_walk_from_wrong_role_to_right_role(db, module):
    service, make, change = MODULES[module]
    owner = await f.make_user("Sales")
    record = await make(owner)
    outsider = await f.make_user("Sales")

    # A role without the module's view grant sees nothing, not even a count.
    no_grant = await Role.create(name="No access")
    stranger = await f.make_user("No access")
    p = await Principal.load(stranger)
    assert await service.query(p).count() == 0
    with pytest.raises(NotFound):
        await service.get(p, record.id)
    with pytest.raises(PermissionDenied):
        await service.create(p, change)
    assert no_grant.id

    # Same role as the owner but no share: invisible, and reported as not found.
    p = await Principal.load(outsider)
    assert await service.query(p).count() == 0
    with pytest.raises(NotFound):
        await service.update(p, record.id, change)

    # Read-only share: visible, edits refused with a clear message even though Sales may edit.
    await f.share(module, Access.READ_ONLY, owner=owner, grantee=outsider)
    p = await Principal.load(outsider)
    assert [r.id for r in await service.query(p)] == [record.id]
    assert can(p, "view", record) and not can(p, "create_edit", record)
    with pytest.raises(PermissionDenied, match="shared with you read-only"):
        await service.update(p, record.id, change)

    # Read-write share to the grantee's role: edits pass.
    await f.share(module, Access.READ_WRITE, owner=owner, grantee_role=await Role.get(name="Sales"))
    p = await Principal.load(outsider)
    updated = await service.update(p, record.id, change)
    assert all(getattr(updated, k) == v for k, v in change.items())

    # Sales has no delete grant, even for its own records; a Manager sees and deletes everything.
    with pytest.raises(PermissionDenied):
        await service.delete(await Principal.load(owner), record.id)
    manager = await Principal.load(await f.make_user("Manager"))
    assert await service.query(manager).filter(id=record.id).exists()
    await service.delete(manager, record.id)
    assert await service.query(manager).count() == 0


async def test_module_grant_still_needed_with_a_share(db, module):
    """The Accountant role only views a few modules and never edits, whatever the sharing rules say."""
    service, make, change = MODULES[module]
    owner = await f.make_user("Sales")
    record = await make(owner)
    accountant = await f.make_user("Accountant")
    await f.share(module, Access.READ_WRITE, owner=owner, grantee=accountant)
    p = await Principal.load(accountant)
    if p.has(module, "view"):
        assert await service.query(p).count() == 1
        with pytest.raises(PermissionDenied):
            await service.update(p, record.id, change)
    else:
        assert await service.query(p).count() == 0
        with pytest.raises(NotFound):
            await service.get(p, record.id)


async def test_share_of_all_owners_and_by_owner_role(db):
    a, b = await f.make_user("Sales"), await f.make_user("Sales")
    reader = await f.make_user("Sales")
    await f.make_contact(a)
    await f.make_contact(b)
    p = await Principal.load(reader)
    assert await restrict(contacts.model.all(), p).count() == 0
    await f.share("contacts", Access.READ_ONLY, grantee=reader)  # no owner: every owner's records
    p = await Principal.load(reader)
    assert await restrict(contacts.model.all(), p).count() == 2
    assert await restrict(contacts.model.all(), p, "create_edit").count() == 0


async def test_revoked_grant_takes_effect_on_next_load(db):
    user = await f.make_user("Sales")
    await f.make_account(user)
    await Grant.filter(role_id=user.role_id, module="accounts", action="view").delete()
    p = await Principal.load(user)
    assert await accounts.query(p).count() == 0


async def test_relation_must_point_at_a_visible_record(db):
    owner, other = await f.make_user("Sales"), await f.make_user("Sales")
    hidden_account = await f.make_account(other)
    p = await Principal.load(owner)
    from app.errors import ValidationError

    with pytest.raises(ValidationError) as err:
        await contacts.create(p, {"last_name": "山田", "account_id": hidden_account.id})
    assert err.value.for_field("account_id")[0].message == "Choose a valid record."
