"""Async factories: believable records with overridable fields."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from app.auth import hash_password
from app.models import (
    Access,
    Account,
    Case,
    Contact,
    Deal,
    DealContact,
    Event,
    Lead,
    Role,
    SharingRule,
    Stage,
    StageCategory,
    Task,
    User,
)
from app.permissions import Principal

_seq = itertools.count(1)
PASSWORD = "correct horse battery"
# Hashing with argon2 is deliberately slow: hash the test password once.
_PASSWORD_HASH = hash_password(PASSWORD)


async def make_user(role: str = "Sales", **kw) -> User:
    n = next(_seq)
    role_obj = await Role.get(name=role)
    user = await User.create(
        email=kw.pop("email", f"user{n}@example.com"),
        name=kw.pop("name", f"User {n}"),
        password_hash=_PASSWORD_HASH,
        role=role_obj,
        **kw,
    )
    await user.fetch_related("role")
    return user


async def principal_for(user: User) -> Principal:
    return await Principal.load(user)


async def make_account(owner: User, **kw) -> Account:
    n = next(_seq)
    return await Account.create(owner=owner, name=kw.pop("name", f"Account {n}"), **kw)


async def make_contact(owner: User, **kw) -> Contact:
    n = next(_seq)
    return await Contact.create(
        owner=owner,
        last_name=kw.pop("last_name", f"Contact{n}"),
        first_name=kw.pop("first_name", "Taro"),
        email=kw.pop("email", f"contact{n}@example.jp"),
        **kw,
    )


async def make_lead(owner: User, **kw) -> Lead:
    n = next(_seq)
    return await Lead.create(owner=owner, last_name=kw.pop("last_name", f"Lead{n}"), **kw)


async def stage(category: StageCategory = StageCategory.OPEN) -> Stage:
    return await Stage.filter(category=category).order_by("sort_order").first()


async def make_deal(owner: User, contacts: list[Contact] = (), **kw) -> Deal:
    n = next(_seq)
    st = kw.pop("stage", None) or await stage()
    deal = await Deal.create(
        owner=owner,
        name=kw.pop("name", f"Deal {n}"),
        stage=st,
        amount=kw.pop("amount", Decimal(100000 * n)),
        closing_date=kw.pop("closing_date", date.today() + timedelta(days=30)),
        **kw,
    )
    for c in contacts:
        await DealContact.create(deal=deal, contact=c, role="Decision maker")
    return deal


async def make_task(owner: User, **kw) -> Task:
    n = next(_seq)
    return await Task.create(owner=owner, subject=kw.pop("subject", f"Task {n}"), **kw)


async def make_event(owner: User, **kw) -> Event:
    n = next(_seq)
    start = kw.pop("start_at", datetime.now(timezone.utc) + timedelta(days=1))
    return await Event.create(
        owner=owner,
        subject=kw.pop("subject", f"Event {n}"),
        start_at=start,
        end_at=kw.pop("end_at", start + timedelta(hours=1)),
        **kw,
    )


async def make_case(owner: User, **kw) -> Case:
    n = next(_seq)
    return await Case.create(owner=owner, subject=kw.pop("subject", f"Case {n}"), **kw)


async def share(module: str, access: Access, *, owner: User | None = None, grantee: User | None = None,
                grantee_role: Role | None = None) -> SharingRule:
    return await SharingRule.create(
        module=module, access=access, owner_user=owner, grantee_user=grantee, grantee_role=grantee_role
    )
