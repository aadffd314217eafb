"""Gapless, duplicate-free document numbers per organization and kind (`INV-00001`).

The number is taken inside the transaction that creates the document: the counter row's UPDATE
holds a row lock until commit (PostgreSQL) or the database write lock (SQLite), so concurrent
creators queue up, and a creation that rolls back gives its number back.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app import kinds
from app.models import Kind, NumberSequence, Organization

DIGITS = 5


def prefix_of(org: Organization, kind: Kind) -> str:
    return getattr(org, kinds.of(kind).prefix_field)


def format_number(prefix: str, value: int) -> str:
    return f"{prefix}{value:0{DIGITS}d}"


async def take_number(org: Organization, kind: Kind) -> str:
    """Call inside the creating transaction."""
    for _ in range(2):
        updated = await NumberSequence.filter(organization_id=org.id, kind=kind).update(
            last_value=F("last_value") + 1)
        if updated:
            break
        try:
            async with in_transaction():  # a savepoint: a racing first creator may win the insert
                await NumberSequence.create(organization_id=org.id, kind=kind, last_value=1)
            break
        except IntegrityError:
            continue
    value = await NumberSequence.filter(organization_id=org.id, kind=kind).first().values_list(
        "last_value", flat=True)
    return format_number(prefix_of(org, kind), value)
