"""Typed filter and ordering inputs, and their translation into tortoise `Q` objects.

A type's filter is a strawberry input whose attributes are named like the model's fields and
typed with one of the scalar filters below; relations are `IDFilter`s named after the relation
(`account` filters `account_id`). `and`, `or` and `not` nest filters of the same type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import reduce
from typing import Any

import strawberry
from tortoise.expressions import Q

from tortoise.models import Model

from app import cleaning
from app.errors import FieldError
from app.i18n import N_
from app.search import list_search
from app.services.records import max_length
from schema.types.connection import BadInput
from schema.types.node import pk_of

_LOGIC = {"and_", "or_", "not_"}
_DECIMAL_DIGITS, _DECIMAL_PLACES = 38, 18  # more than any column holds


@strawberry.input(description="Match text. `contains` and `startsWith` ignore case.")
class StringFilter:
    eq: str | None = strawberry.UNSET
    in_: list[str] | None = strawberry.field(name="in", default=strawberry.UNSET)
    contains: str | None = strawberry.UNSET
    starts_with: str | None = strawberry.UNSET


@strawberry.input(description="Match a yes/no value.")
class BooleanFilter:
    eq: bool | None = strawberry.UNSET


@strawberry.input
class IntFilter:
    eq: int | None = strawberry.UNSET
    in_: list[int] | None = strawberry.field(name="in", default=strawberry.UNSET)
    gt: int | None = strawberry.UNSET
    gte: int | None = strawberry.UNSET
    lt: int | None = strawberry.UNSET
    lte: int | None = strawberry.UNSET


@strawberry.input
class DecimalFilter:
    eq: Decimal | None = strawberry.UNSET
    in_: list[Decimal] | None = strawberry.field(name="in", default=strawberry.UNSET)
    gt: Decimal | None = strawberry.UNSET
    gte: Decimal | None = strawberry.UNSET
    lt: Decimal | None = strawberry.UNSET
    lte: Decimal | None = strawberry.UNSET


@strawberry.input
class DateFilter:
    eq: date | None = strawberry.UNSET
    in_: list[date] | None = strawberry.field(name="in", default=strawberry.UNSET)
    gt: date | None = strawberry.UNSET
    gte: date | None = strawberry.UNSET
    lt: date | None = strawberry.UNSET
    lte: date | None = strawberry.UNSET


@strawberry.input
class DateTimeFilter:
    eq: datetime | None = strawberry.UNSET
    in_: list[datetime] | None = strawberry.field(name="in", default=strawberry.UNSET)
    gt: datetime | None = strawberry.UNSET
    gte: datetime | None = strawberry.UNSET
    lt: datetime | None = strawberry.UNSET
    lte: datetime | None = strawberry.UNSET


@strawberry.input(description="Match records by global id. Ids of another type match nothing.")
class IDFilter:
    eq: strawberry.ID | None = strawberry.UNSET
    in_: list[strawberry.ID] | None = strawberry.field(name="in", default=strawberry.UNSET)
    is_null: bool | None = strawberry.field(
        default=strawberry.UNSET, description="True: no related record; false: any."
    )


@strawberry.enum
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


_LOOKUPS = {
    "eq": "",
    "in_": "__in",
    "contains": "__icontains",
    "starts_with": "__istartswith",
    "gt": "__gt",
    "gte": "__gte",
    "lt": "__lt",
    "lte": "__lte",
}


def _plain(value: Any, op: str = "eq") -> Any:
    """A filter value as the database may compare it; BadInput when it is not one (app.cleaning:
    NUL, a number no column holds, a date at the calendar's end, a pattern too long to match)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v, op) for v in value]
    try:
        if isinstance(value, str):
            if op in ("contains", "starts_with") and len(value) > cleaning.SEARCH_MAX:
                raise cleaning.Unclean(N_("Must be at most %(max)d characters (now %(length)d)."),
                                       max=cleaning.SEARCH_MAX, length=len(value))
            if not cleaning.storable(value):
                raise cleaning.Unclean(cleaning.UNSTORABLE)
            return value
        if isinstance(value, Decimal):
            return cleaning.decimal(value, _DECIMAL_DIGITS, _DECIMAL_PLACES)
        if isinstance(value, datetime):
            # In UTC, as stored: SQLite compares the stored text, where another offset sorts wrongly.
            return cleaning.moment(value, "UTC").astimezone(UTC)
        if isinstance(value, date):
            return cleaning.day(value)
    except cleaning.Unclean as problem:
        raise BadInput(FieldError(op, problem.msgid, problem.params).message) from None
    return value


def _id_q(column: str, type_name: str, flt: IDFilter) -> Q:
    parts = []
    if flt.eq is not strawberry.UNSET and flt.eq is not None:
        pk = pk_of(flt.eq, type_name)
        parts.append(Q(**{column: pk}) if pk is not None else Q(id__in=[]))
    if flt.in_ is not strawberry.UNSET and flt.in_ is not None:
        pks = [pk for pk in (pk_of(g, type_name) for g in flt.in_) if pk is not None]
        parts.append(Q(**{f"{column}__in": pks}))
    if flt.is_null is not strawberry.UNSET and flt.is_null is not None:
        parts.append(Q(**{f"{column}__isnull": flt.is_null}))
    return reduce(lambda a, b: a & b, parts, Q())


def search_field() -> Any:
    """`search` of a filter: the records the list page's search box finds."""
    return strawberry.field(default=strawberry.UNSET, description=(
        "What the list page's search box finds (names, e-mail, ...; documents: number, reference or "
        "party): width (NFKC), case, spaces and katakana/hiragana are ignored, and a person matches "
        "as family-given or given-family."))


def to_q(flt: Any, id_types: Mapping[str, str], paths: Mapping[str, str] | None = None,
         model: type[Model] | None = None) -> Q:
    """Translate a filter input into a Q. `id_types` maps each IDFilter attribute to the GraphQL
    type its ids must name (`{"id": "Contact", "account": "Account", "owner": "User"}`); `paths`
    maps attributes that are not model fields to an ORM path (`stage_category` -> `stage__category`).
    `model`, when given, bounds `eq`/`in` texts by their column: a longer text equals nothing
    (tortoise would refuse it as a value of the column).
    """
    paths = paths or {}
    parts: list[Q] = []
    for f in dataclasses.fields(flt):
        value = getattr(flt, f.name)
        if value is strawberry.UNSET or value is None:
            continue
        if f.name == "and_":
            parts.extend(to_q(v, id_types, paths, model) for v in value)
        elif f.name == "or_":
            if value:
                parts.append(reduce(lambda a, b: a | b, (to_q(v, id_types, paths, model) for v in value)))
        elif f.name == "not_":
            parts.append(~to_q(value, id_types, paths, model))
        elif f.name == "search":
            parts.append(list_search(model, value) or Q())
        elif isinstance(value, IDFilter):
            column = "id" if f.name == "id" else f"{f.name}_id"
            parts.append(_id_q(column, id_types[f.name], value))
        else:
            for op, suffix in _LOOKUPS.items():
                given = getattr(value, op, strawberry.UNSET)
                if given is not strawberry.UNSET and given is not None:
                    column = paths.get(f.name, f.name)
                    plain = _plain(given, op)
                    limit = _text_limit(model, column) if op in ("eq", "in_") else None
                    if limit is not None:
                        if isinstance(plain, str) and len(plain) > limit:
                            parts.append(Q(id__in=[]))
                            continue
                        if isinstance(plain, list):
                            plain = [v for v in plain if not (isinstance(v, str) and len(v) > limit)]
                    parts.append(Q(**{f"{column}{suffix}": plain}))
    return reduce(lambda a, b: a & b, parts, Q())


def _text_limit(model: type[Model] | None, column: str) -> int | None:
    field = model._meta.fields_map.get(column) if model is not None else None
    return max_length(field) if field is not None else None


def order_by(order: list[Any] | None, default: list[str]) -> list[str]:
    """`[{field, direction}]` to tortoise order strings, always ending with `id` as tiebreaker."""
    if not order:
        fields = [f for f in default if f.lstrip("-") != "id"]
    else:
        fields = [("-" if o.direction == SortDirection.DESC else "") + o.field.value for o in order]
    return [*fields, "id"]


def enum_filter(enum_type: Any, name: str) -> type:
    """`{eq, in}` for one enum."""
    cls = type(
        name,
        (),
        {
            "__annotations__": {"eq": enum_type | None, "in_": list[enum_type] | None},
            "eq": strawberry.UNSET,
            "in_": strawberry.field(name="in", default=strawberry.UNSET),
        },
    )
    return strawberry.input(cls, description=f"Match {enum_type.__name__ if hasattr(enum_type, '__name__') else name} values.")
