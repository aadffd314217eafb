"""PIM import (issue 14): 10,000 contacts imported with seed 003's de-duplication against 10,000
existing ones (half of the file matches an existing contact by e-mail address and updates it, half
is new, with their companies matched to accounts by name), through the engine every way in uses
(app.pim.apply), against hand-written bulk SQL doing the same inserts and updates in the same run:
it reads the existing contacts' addresses, then INSERTs the new rows and UPDATEs the matched ones
by id, with no rules at all. Target: under 3x.

Each side has a user of its own owning an identical set of existing contacts (a Sales user sees
only their own records: both de-duplicate against exactly those 10,000).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tortoise import connections
from tortoise.transactions import in_transaction

from app.mail import rows
from app.models import Account, Contact, PimRunSource, Role, User
from app.permissions import Principal
from app.pim import apply as engine
from app.pim import runs
from app.pim.items import Item
from app.models import PimKind
from app.search import search_text
from app.services.books_sync_kinds import blank_values

COMPANIES = 200


def _existing_rows(owner_id: int, n: int, now: datetime) -> tuple[list[str], list[list]]:
    blank = {**blank_values(Contact), "owner_id": owner_id, "created_at": now, "modified_at": now}
    columns = list(blank)
    values = []
    for i in range(n):
        row = {**blank, "last_name": f"既存{i}", "first_name": "太郎", "email": f"person{i}@example.jp"}
        row["search_text"] = search_text([row["last_name"], row["first_name"], row["email"]],
                                         [(row["last_name"], row["first_name"])])
        values.append([row[c] for c in columns])
    return columns, values


def _file(n: int) -> list[Item]:
    """Half matches existing contacts (by address, in another case), half is new."""
    items = []
    for i in range(n):
        if i % 2 == 0:
            values = {"last_name": f"既存{i}", "first_name": "太郎", "email": f"PERSON{i}@example.jp",
                      "title": "部長", "work_phone": "03-1234-5678"}
        else:
            values = {"last_name": f"新規{i}", "first_name": "花子", "email": f"new{i}@example.jp",
                      "title": "課長", "work_phone": "06-1234-5678", "account_name": f"株式会社ベンチ{i % COMPANIES}"}
        items.append(Item(PimKind.CONTACTS, values=values, source=f"line {i + 2}"))
    return items


async def _hand(owner_id: int, items: list[Item]) -> None:
    """The same writes with no rules: addresses looked up, rows inserted and updated in bulk."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    mark = "$1" if dialect == "postgres" else "?"
    now = datetime.now(UTC)
    existing = {r["email"].lower(): r["id"] for r in await conn.execute_query_dict(
        f"SELECT id, email FROM contacts WHERE owner_id = {mark}", [owner_id])}
    accounts = {r["name"]: r["id"] for r in await conn.execute_query_dict(
        f"SELECT id, name FROM accounts WHERE owner_id = {mark}", [owner_id])}
    blank = {**blank_values(Contact), "owner_id": owner_id, "created_at": now, "modified_at": now}
    columns = ["id", *blank]
    new, changed, new_accounts = [], [], {}
    for item in items:
        v = dict(item.values)
        company = v.pop("account_name", None)
        if (pk := existing.get(v["email"].lower())) is not None:
            changed.append((pk, v["title"], v["work_phone"],
                            search_text([v["last_name"], v["first_name"], v["email"]], [(v["last_name"], v["first_name"])]),
                            now))
            continue
        if company and company not in accounts:
            new_accounts.setdefault(company, None)
        new.append((v, company))
    async with in_transaction() as tx:
        if dialect != "postgres":
            await tx.execute_query('UPDATE "contacts" SET id = id WHERE 0')
        account_blank = {**blank_values(Account), "owner_id": owner_id, "created_at": now, "modified_at": now}
        account_columns = ["id", *account_blank]
        account_rows = []
        for pk, name in zip(await rows.reserve_ids(tx, Account, len(new_accounts)), new_accounts):
            accounts[name] = pk
            account_rows.append([{**account_blank, "id": pk, "name": name, "search_text": search_text([name])}[c]
                                 for c in account_columns])
        await rows.insert(tx, Account, account_columns, account_rows)
        ids = await rows.reserve_ids(tx, Contact, len(new))
        values = []
        for pk, (v, company) in zip(ids, new):
            row = {**blank, **v, "id": pk, "account_id": accounts.get(company)}
            row["search_text"] = search_text([v["last_name"], v["first_name"], v["email"]], [(v["last_name"], v["first_name"])])
            values.append([row[c] for c in columns])
        await rows.insert(tx, Contact, columns, values)
        await rows.update(tx, Contact, ["title", "work_phone", "search_text", "modified_at"], changed)


async def run(ctx, admin: User, label: str, n: int = 10_000) -> str:
    sales = await Role.get(name="Sales")
    now = datetime.now(UTC)
    users = []
    for who in ("ours", "hand"):
        user = await User.create(email=f"pim-{who}@bench.example", name=who, password_hash="x", role=sales)
        columns, values = _existing_rows(user.id, n, now)
        async with in_transaction() as tx:
            await rows.insert(tx, Contact, columns, values)
        users.append(user)
    ours_user, hand_user = users
    principal = await Principal.load(await User.get(id=ours_user.id))
    items = _file(n)

    t = time.perf_counter()
    await _hand(hand_user.id, _file(n))
    hand = time.perf_counter() - t
    t = time.perf_counter()
    report = await runs.start(ours_user, PimRunSource.IMPORT, file_name="bench.csv")
    outcomes = await engine.apply(principal, items, report)
    await runs.finish(report)
    ours = time.perf_counter() - t
    actions = {a: sum(1 for o in outcomes if o.action == a) for a in {o.action for o in outcomes}}
    assert actions == {"updated": n // 2, "added": n - n // 2}, actions
    assert await Contact.filter(owner_id=ours_user.id).count() == await Contact.filter(owner_id=hand_user.id).count()
    return (f"PIM import: {n} contacts with de-duplication against {n} existing ({actions['updated']} updated, "
            f"{actions['added']} added, {COMPANIES} accounts created) {ours:.2f} s vs hand SQL {hand:.2f} s = "
            f"{ours / hand:.2f}x (target < 3x)")
