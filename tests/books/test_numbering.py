"""Numbers per organization and kind: no gaps and no duplicates, even when many documents are
created at once (on PostgreSQL each creation runs on its own pooled connection) and some of
those creations fail and roll back."""

from __future__ import annotations

import asyncio

from app.errors import ValidationError
from app.models import Kind, NumberSequence, Transaction
from tests import factories as f


async def test_concurrent_creation_has_no_gaps_or_duplicates(accountant, customer):
    good = [("作業", 1, 1000, 10)]
    bad = [("作業", 0, 1000, 10)]  # refused: quantity 0
    specs = [bad if i % 5 == 0 else good for i in range(30)]
    results = await asyncio.gather(
        *(f.make_transaction(accountant, "invoice", customer, s) for s in specs), return_exceptions=True)
    assert sum(isinstance(r, ValidationError) for r in results) == 6
    created = [r for r in results if isinstance(r, Transaction)]
    numbers = sorted(t.number for t in created)
    assert numbers == [f"INV-{n:05d}" for n in range(1, 25)]
    assert await NumberSequence.get(organization_id=customer.organization_id, kind=Kind.INVOICE).values_list(
        "last_value", flat=True) == 24


async def test_a_failure_after_the_number_was_taken_gives_it_back(accountant, customer, monkeypatch):
    from app.services import transactions

    await f.make_transaction(accountant, "invoice", customer)

    async def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(transactions.TransactionLine, "bulk_create", broken_bulk_create)
    try:
        await f.make_transaction(accountant, "invoice", customer)
    except RuntimeError:
        pass
    monkeypatch.undo()
    nxt = await f.make_transaction(accountant, "invoice", customer)
    assert nxt.number == "INV-00002"
    assert await Transaction.filter(kind=Kind.INVOICE).count() == 2


async def test_each_organization_counts_on_its_own(accountant, customer, accountant_user):
    other = await f.make_org(accountant_user)
    from app.permissions import Principal

    principal = await Principal.load(accountant_user)
    their_customer = await f.make_customer(other)
    a = await f.make_transaction(principal, "invoice", customer)
    b = await f.make_transaction(principal, "invoice", their_customer)
    assert a.number == b.number == "INV-00001"
