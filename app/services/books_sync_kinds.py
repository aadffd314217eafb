"""The kinds of record the Books sync handles (customers from accounts or contacts, items from
products): their models, columns and the settings that apply to each, and the CRM records in
scope (the link's record filter)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model

from app.models import (
    BooksLink,
    ConflictPolicy,
    ContactType,
    SyncDirection,
)
from app.services import books_fields
from app.services.books_fields import OWNER, Side
from app.services.books_mapping import BOOKS_COLUMN, BOOKS_MODEL, CRM_COLUMN, CRM_MODEL, digest

Row = dict[str, Any]


def scope_of(link: BooksLink, side: Side) -> Q:
    """The CRM records of `side` the link syncs: all products; accounts or contacts matching
    every condition of the record filter."""
    q = Q()
    if side == Side.PRODUCTS:
        return q
    for cond in link.record_filter or []:
        q &= _condition(side, cond)
    return q


def _condition(side: Side, cond: dict[str, str]) -> Q:
    name, op, value = cond["field"], cond["op"], cond["value"]
    if name == OWNER:
        q = Q(owner_id=int(value))
        return ~q if op == "not_equals" else q
    if op == "is_empty":
        return Q(**{name: ""})
    if op == "not_empty":
        return ~Q(**{name: ""})
    if books_fields.CRM_FIELDS[side][name].type == books_fields.FieldType.DECIMAL:
        number = Decimal(value)
        q = {"equals": Q(**{name: number}), "not_equals": ~Q(**{name: number}),
             "greater_than": Q(**{f"{name}__gt": number}), "less_than": Q(**{f"{name}__lt": number})}[op]
        return q
    return {"equals": Q(**{f"{name}__iexact": value}), "not_equals": ~Q(**{f"{name}__iexact": value}),
            "contains": Q(**{f"{name}__icontains": value}),
            "starts_with": Q(**{f"{name}__istartswith": value})}[op]


@dataclass(frozen=True)
class Kind:
    """One kind of record synced: its models, columns and the settings that apply to it."""

    side: Side
    direction: SyncDirection
    policy: ConflictPolicy
    pairs: tuple[tuple[str, str], ...]
    organization_id: int
    generation: int
    scope: Q

    @property
    def customers(self) -> bool:
        return self.side != Side.PRODUCTS

    @property
    def crm_model(self) -> type[Model]:
        return CRM_MODEL[self.side]

    @property
    def books_model(self) -> type[Model]:
        return BOOKS_MODEL[self.side]

    @property
    def crm_column(self) -> str:
        return f"{CRM_COLUMN[self.side]}_id"

    @property
    def books_column(self) -> str:
        return f"{BOOKS_COLUMN[self.side]}_id"

    @property
    def two_way(self) -> bool:
        return self.direction == SyncDirection.TWO_WAY

    @property
    def reverse(self) -> list[tuple[str, str]]:
        """(Books field, CRM field): the first pair of each CRM field."""
        seen: dict[str, str] = {}
        for crm, books in self.pairs:
            seen.setdefault(crm, books)
        return [(books, crm) for crm, books in seen.items()]

    def crm_columns(self) -> list[str]:
        model = self.crm_model
        names = [n for pair in getattr(model, "SEARCH_NAMES", ()) for n in pair]
        return list(dict.fromkeys(["id", *(c for c, _ in self.pairs), *model.SEARCH_FIELDS, *names,
                                   *(("name",) if self.side != Side.CONTACTS else ())]))

    def books_columns(self) -> list[str]:
        return list(dict.fromkeys(["id", *(b for _, b in self.pairs), *self.books_model.SEARCH_FIELDS]))

    def books_scope(self) -> Q:
        q = Q(organization_id=self.organization_id)
        return q & Q(contact_type=ContactType.CUSTOMER) if self.customers else q

    def to_books(self, crm: Row) -> Row:
        return {books: crm[c] for c, books in self.pairs}

    def crm_digest(self, crm: Row) -> str:
        return digest(self.to_books(crm))

    def books_digest(self, books: Row) -> str:
        return digest({b: books[b] for _, b in self.pairs})

    def crm_label(self, crm: Row) -> str:
        if self.side == Side.CONTACTS:
            return " ".join(p for p in (crm.get("last_name"), crm.get("first_name")) if p)[:200]
        return (crm.get("name") or "")[:200]

    def books_label(self, books: Row) -> str:
        return (books.get("display_name" if self.customers else "name") or "")[:200]


def kind_for(link: BooksLink, side: Side) -> Kind:
    products = side == Side.PRODUCTS
    return Kind(side=side, direction=link.product_direction if products else link.direction,
                policy=link.product_conflict_policy if products else link.conflict_policy,
                pairs=tuple(books_fields.effective(side, link.field_mapping)),
                organization_id=link.organization_id, generation=link.generation, scope=scope_of(link, side))


def blank_values(model: type[Model]) -> Row:
    """Every column of a new row with its default (what the ORM would insert)."""
    out: Row = {}
    for name in model._meta.fields_db_projection:
        column = model._meta.fields_map[name]
        if column.pk:
            continue
        default = column.default
        out[name] = default() if callable(default) else default
    return out
