"""The CRM <-> Books mapping table (issue 12): which Books record a CRM record is linked to, in
the link's organization, and the few things every face of the link needs from it.

- `acting(principal, link)`: the CRM user acting through the link, under their CRM role: they
  reach the link's organization (and only it) whether or not they are a member of it, as far as
  their role's grants go. Books services take this principal as they take a member's.
- `customer_ids` / `item_ids`: the Books records linked to CRM records, for a page or a batch.
- `mapped_values` / `digest`: a record's values through a field mapping, and their fingerprint
  (a record whose mapped values did not change has not changed for the sync).
- `customer_for(link, record)` / `item_for(link, product)`: the Books customer of a CRM account
  or contact (the item of a product), synced on the spot when it has none yet (automation, "New
  estimate" from an account page), by the sync engine's rules (app.services.books_sync).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app.models import Account, BooksContact, BooksLink, BooksSyncRecord, Contact, Item, Product
from app.permissions import Principal
from app.services.books_fields import Side

# The mapping table's column of each CRM module, and of the Books record it links to.
CRM_COLUMN: dict[Side, str] = {Side.ACCOUNTS: "account", Side.CONTACTS: "contact", Side.PRODUCTS: "product"}
BOOKS_COLUMN: dict[Side, str] = {Side.ACCOUNTS: "books_contact", Side.CONTACTS: "books_contact",
                                 Side.PRODUCTS: "item"}
CRM_MODEL: dict[Side, type] = {Side.ACCOUNTS: Account, Side.CONTACTS: Contact, Side.PRODUCTS: Product}
BOOKS_MODEL: dict[Side, type] = {Side.ACCOUNTS: BooksContact, Side.CONTACTS: BooksContact,
                                 Side.PRODUCTS: Item}


def side_of(record: Account | Contact | Product) -> Side:
    return {Account: Side.ACCOUNTS, Contact: Side.CONTACTS, Product: Side.PRODUCTS}[type(record)]


def acting(principal: Principal, link: BooksLink) -> Principal:
    """The principal acting through the link: the link's organization only, under the user's
    own grants (membership of the organization is not needed, and other organizations they
    belong to are out of reach here)."""
    org = link.organization_id
    return dataclasses.replace(principal, organization_ids=frozenset({org}) if org else frozenset(),
                               active_organization_id=org)


async def linked_ids(link: BooksLink, side: Side, crm_ids: Iterable[int],
                     conn: BaseDBAsyncClient | None = None) -> dict[int, int]:
    """CRM id -> Books id of the records of `side` linked in the link's organization."""
    ids = sorted(set(crm_ids))
    if not ids or link.organization_id is None:
        return {}
    crm, books = f"{CRM_COLUMN[side]}_id", f"{BOOKS_COLUMN[side]}_id"
    rows = await (BooksSyncRecord.filter(organization_id=link.organization_id, crm_module=side.value,
                                         **{f"{crm}__in": ids})
                  .using_db(conn).values_list(crm, books))
    return {c: b for c, b in rows if b is not None}


async def customer_ids(link: BooksLink, side: Side, crm_ids: Iterable[int]) -> dict[int, int]:
    return await linked_ids(link, side, crm_ids)


async def item_ids(link: BooksLink, product_ids: Iterable[int]) -> dict[int, int]:
    return await linked_ids(link, Side.PRODUCTS, product_ids)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value.normalize())
    if hasattr(value, "value"):  # enums
        return value.value
    return "" if value is None else value


def mapped_values(pairs: Iterable[tuple[str, str]], record: Any, *, to_books: bool = True) -> dict[str, Any]:
    """The values a record gives through the mapping: Books field -> value read from a CRM record
    (to_books), or CRM field -> value read from a Books record."""
    if to_books:
        return {books: getattr(record, crm) for crm, books in pairs}
    return {crm: getattr(record, books) for crm, books in pairs}


def digest(values: dict[str, Any]) -> str:
    """A fingerprint of mapped values, the same for equal values on either side (keys sorted,
    numbers normalised: 1000.0000 and 1000 are one value)."""
    text = json.dumps({k: _plain(v) for k, v in sorted(values.items())}, ensure_ascii=False,
                      separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


async def customer_for(link: BooksLink, record: Account | Contact) -> BooksContact:
    """The Books customer linked to `record`, synced on the spot when it has none yet, under the
    sync's rules (matching, conflict policy; app.services.books_sync.one), logged in a run of
    trigger AUTOMATION. Safe when called concurrently for the same record."""
    from app.services import books_sync

    return await books_sync.one(link, record)  # type: ignore[return-value]


async def item_for(link: BooksLink, product: Product) -> Item:
    """The Books item linked to a CRM product, synced on the spot when it has none yet (as
    `customer_for`)."""
    from app.services import books_sync

    return await books_sync.one(link, product)  # type: ignore[return-value]
