"""The CRM benchmark dataset: accounts, contacts, deals with contact links, bulk-inserted."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from app import readings
from app.models import Account, Contact, Deal, DealContact, Role, Stage, User
from app.services.stages import ensure_default_stages
from app.services.users import ensure_default_roles

LAST = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "Smith", "Brown", "Taylor", "Wilson"]
FIRST = ["太郎", "花子", "健太", "美咲", "John", "Emily", "翔", "陽菜"]
BATCH = 2000


async def generate(accounts: int, contacts: int, deals: int, seed: int = 7) -> User:
    """Fill an empty database; returns the administrator the benchmark queries as."""
    rng = random.Random(seed)
    await ensure_default_roles()
    stages = await ensure_default_stages()
    from tests.factories import _PASSWORD_HASH  # noqa: PLC0415  (a ready argon2 hash)

    admin = await User.create(email="bench@kizuna.example", name="Bench", password_hash=_PASSWORD_HASH,
                              role=await Role.get(name="Administrator"))
    owners = [admin.id]
    await Account.bulk_create(
        [Account(owner_id=admin.id, name=f"株式会社ベンチ{i:05d}", phone=f"03-0000-{i % 10000:04d}")
         for i in range(accounts)], batch_size=BATCH)
    account_ids = await Account.all().order_by("id").values_list("id", flat=True)
    people = [dict(owner_id=rng.choice(owners), account_id=account_ids[i % len(account_ids)],
                   last_name=rng.choice(LAST), first_name=rng.choice(FIRST), email=f"c{i}@example.jp",
                   title="部長" if i % 7 == 0 else "")
              for i in range(contacts)]
    await readings.fill_many(readings.PERSON, [(p, None) for p in people])  # lists sort by reading
    await Contact.bulk_create([Contact(**p) for p in people], batch_size=BATCH)
    contact_ids = await Contact.all().order_by("id").values_list("id", flat=True)
    today = date.today()
    stage_ids = [s.id for s in stages]
    await Deal.bulk_create(
        [Deal(owner_id=admin.id, account_id=account_ids[i % len(account_ids)], name=f"商談 {i}",
              amount=Decimal(rng.randrange(100_000, 50_000_000, 1000)), currency="JPY",
              stage_id=rng.choice(stage_ids), closing_date=today + timedelta(days=rng.randint(-200, 200)))
         for i in range(deals)], batch_size=BATCH)
    deal_ids = await Deal.all().order_by("id").values_list("id", flat=True)
    links = set()
    for i, deal_id in enumerate(deal_ids):
        for _ in range(rng.randint(1, 3)):
            links.add((deal_id, rng.choice(contact_ids)))
    await DealContact.bulk_create([DealContact(deal_id=d, contact_id=c, role="担当者") for d, c in links],
                                  batch_size=BATCH)
    # Planner statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE would keep them.
    await Contact._meta.db.execute_script("ANALYZE")
    return admin


async def counts() -> dict[str, int]:
    return {m.__name__: await m.all().count() for m in (Account, Contact, Deal, DealContact, Stage)}
