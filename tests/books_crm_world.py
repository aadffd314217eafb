"""A CRM linked to a Books organization, for the tests of Books inside the CRM (pages, GraphQL,
services): the Books side (organizations, a key, customers and documents) and CRM users whose
roles hold chosen grants, none of them a member of the Books organization."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from app.models import Account, BooksContact, BooksSyncRecord, Contact, Grant, Organization, Role, User
from app.permissions import CRM_MODULES, MODULE_ACTIONS, Principal
from app.services import books_link
from tests import factories as f

IP = "192.0.2.20"
_seq = itertools.count(1)
CRM_GRANTS = {(m, a) for m in CRM_MODULES for a in MODULE_ACTIONS[m] if a != "delete"}
KINDS = ("estimates", "sales_orders", "invoices")
# The permission walk: what each role may do with Books documents (CRM grants besides).
WALK = {
    "none": set(),
    "view": {(m, "view") for m in KINDS} | {("receivables", "view")},
    "create_edit": {(m, a) for m in KINDS for a in ("view", "create_edit")},
    "email": {(m, a) for m in KINDS for a in ("view", "email")},
}


@dataclass
class World:
    keeper: User  # the Books administrator who made the key
    keeper_principal: Principal
    sakura: Organization  # the linked organization
    tsubaki: Organization  # another organization the key reaches
    secret: str
    crm_admin: Principal


async def make_world() -> World:
    keeper = await f.make_user("Administrator", email="keeper@example.jp", name="帳簿 管理者")
    sakura = await f.make_org(keeper, name="株式会社さくら商事")
    tsubaki = await f.make_org(keeper, name="株式会社つばき")
    keeper_principal = await f.principal_for(keeper)
    crm_admin = await f.principal_for(await f.make_user("Administrator", email="crm-admin@example.jp"))
    secret = await f.link_books(keeper, sakura, crm_admin)
    return World(keeper, keeper_principal, sakura, tsubaki, secret, crm_admin)


async def switch(world: World, org: Organization) -> None:
    await books_link.connect(world.crm_admin, world.keeper.email, world.secret, org.id, "none", IP)


async def make_role(grants: set[tuple[str, str]], *, sees_all: bool = False, crm: bool = True) -> Role:
    role = await Role.create(name=f"役割{next(_seq)}", sees_all_records=sees_all)
    await Grant.bulk_create([Grant(role=role, module=m, action=a) for m, a in sorted(grants | (CRM_GRANTS if crm else set()))])
    return role


async def make_crm_user(grants: set[tuple[str, str]], **kw) -> User:
    role = await make_role(grants, sees_all=kw.pop("sees_all", False))
    return await f.make_user(role.name, **kw)


async def link_record(org: Organization, record: Account | Contact, customer: BooksContact) -> None:
    """The mapping row the sync would write: `record` linked to `customer` in `org`."""
    column = "account" if isinstance(record, Account) else "contact"
    await BooksSyncRecord.create(organization=org, crm_module=f"{column}s", **{column: record},
                                 books_contact=customer, pushed=True)
