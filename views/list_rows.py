"""The rows of a list read as values: only the columns a list shows, as partial records.

A list shows a handful of columns of each row, yet a queryset builds whole model instances (every
column converted, the joined owner and account as well): on a 50-row contacts list that was half
of the page's time (bench/pages.py). `RowReader` asks the database for the shown values only, one
query with the relations the columns name joined, and turns each row into a partial instance of
its model, so the templates, `str(row)` and computed names (`full_name`) read it as before.

What a row holds, by its columns (views.record_lists.Column):
    a field                       that field ("email")
    a dotted path "owner.name"    the related record with that field (joined)
    a reference "account_id"      the id, and the referenced record's name and owner (joined), so
                                  that `visible_refs` keeps those the user may see (app.permissions)
    a computed name "full_name"   the fields the record's name is made of (`name_fields`)
    anything else                 nothing: an annotation set afterwards (a contact's deal role)
Every row also holds its id and its name (`str(row)`), and its currency when it has money columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.permissions import MODULE_OF_MODEL, Principal, can

# What app.permissions reads of a record to decide whether a user may see it.
_ACCESS_FIELDS = ("owner_id", "organization_id")


def name_fields(model: type[Model], prefix: str = "") -> tuple[str, ...]:
    """The order fields of what names a record of `model`: its NAME_ORDER (by reading), else its
    name (a person: family, then given name). `str()` of a record reads no other field."""
    if order := getattr(model, "NAME_ORDER", ()):
        return tuple(prefix + n for n in order)
    fields_map = model._meta.fields_map
    for name in ("name", "display_name", "subject"):
        if name in fields_map:
            return (prefix + name,)
    names = getattr(model, "SEARCH_NAMES", ())
    if names:
        return tuple(prefix + n for n in names[0])
    return (prefix + "id",)


def _db_field(model: type[Model], name: str) -> bool:
    return name in model._meta.fields_db_projection


def partial(model: type[Model], values: dict[str, Any]) -> Model:
    """A record of `model` holding `values` only (as tortoise's `.only()` makes them): for showing."""
    obj = model.__new__(model)
    values.update(_partial=True, _saved_in_db=True, _custom_generated_pk=False, _await_when_save={})
    obj.__dict__.update(values)
    return obj


@dataclass(frozen=True)
class RowReader:
    """How to read the rows of `model` shown with `columns`: `keys` for `.values()`, the joined
    relations by name with their model and fields, and which of them are references."""

    model: type[Model]
    keys: tuple[str, ...]
    joined: tuple[tuple[str, type[Model], tuple[str, ...]], ...]
    refs: tuple[str, ...]  # the reference columns' attributes ("account_id")

    @classmethod
    def of(cls, model: type[Model], columns) -> RowReader:
        fields_map = model._meta.fields_map
        own: dict[str, None] = dict.fromkeys(("id", *name_fields(model)))
        joined: dict[str, dict[str, None]] = {}
        refs = []
        for col in columns:
            attr = col.attr
            if col.kind == "ref":
                rel = attr.removesuffix("_id")
                ref_model = fields_map[rel].related_model
                own[attr] = None
                wanted = joined.setdefault(rel, {})
                wanted.update(dict.fromkeys(("id", *name_fields(ref_model),
                                             *(f for f in _ACCESS_FIELDS if _db_field(ref_model, f)))))
                refs.append(attr)
            elif "." in attr:
                rel, _, rest = attr.partition(".")
                if "." in rest:
                    raise ValueError(f"{model.__name__} list column {attr!r}: one relation at most")
                joined.setdefault(rel, {"id": None})[rest] = None
            elif _db_field(model, attr):
                own[attr] = None
            elif isinstance(getattr(model, attr, None), property):
                own.update(dict.fromkeys(name_fields(model)))  # a computed name (full_name)
            if col.kind == "money" and _db_field(model, "currency"):
                own["currency"] = None
        own.pop("id", None)
        keys = ("id", *own, *(f"{rel}__{f}" for rel, wanted in joined.items() for f in wanted))
        return cls(model, keys,
                   tuple((rel, fields_map[rel].related_model, tuple(wanted)) for rel, wanted in joined.items()),
                   tuple(refs))

    async def read(self, queryset: QuerySet) -> list[Model]:
        """The queryset's rows (its filters, order, offset and limit) as partial records."""
        return self.build(await queryset.values(*self.keys))

    def build(self, rows: list[dict[str, Any]]) -> list[Model]:
        out = []
        model, joined = self.model, self.joined
        for values in rows:
            for rel, rel_model, wanted in joined:
                related = {f: values.pop(f"{rel}__{f}") for f in wanted}
                values[f"_{rel}"] = None if related["id"] is None else partial(rel_model, related)
            out.append(partial(model, values))
        return out

    def visible_refs(self, principal: Principal, rows: list[Model]) -> dict[str, dict[int, Model]]:
        """The records the rows' reference columns name, by column and id, kept only where the
        user may see them (app.permissions: the rule `restrict` applies in SQL)."""
        out: dict[str, dict[int, Model]] = {}
        for attr in self.refs:
            rel = "_" + attr.removesuffix("_id")
            found = (r.__dict__.get(rel) for r in rows)
            out[attr] = {o.id: o for o in found
                         if o is not None and (type(o) not in MODULE_OF_MODEL or can(principal, "view", o))}
        return out
