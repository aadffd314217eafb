"""Which columns a query reads: records are loaded with only those (`QuerySet.only`).

A page of 50 contacts with their accounts and deals used to read every column of every row, and
turning ~30 columns per row into Python values was most of the data side's time. A record read
for one document is now loaded with the columns any selection of its model in that document
needs, so whichever field reaches the record later finds what it reads.

What a field reads:
- a plain field (no resolver) named after a model field: that column;
- a relation with a prefetch plan (`schema.prefetch.PLANS`): the key it follows;
- a resolver that declares `metadata={"columns": (...)}`;
- anything else: every column (the safe answer for a resolver that declares nothing).
Every record also keeps its primary key and what its type's `is_type_of` reads.

GraphQL types name their model through `is_type_of` (`schema.types.node.model_type_check`).
"""

from __future__ import annotations

from typing import Any

from collections.abc import Iterable

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_object_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from tortoise.models import Model
from tortoise.queryset import QuerySet

from schema.documents import PerDocument

ALL = None  # every column
Needs = dict[type[Model], frozenset[str] | None]

_needs: PerDocument[Needs] = PerDocument()


def model_of(type_: Any) -> type[Model] | None:
    model = getattr(type_.is_type_of, "model", None) if is_object_type(type_) else None
    return model if isinstance(model, type) and issubclass(model, Model) else None


def field_columns(type_: Any, field_name: str, relations: dict[str, dict[str, Any]]) -> tuple[str, ...] | None:
    """The columns of `type_`'s model that resolving `field_name` reads; None for all of them."""
    if field_name == "__typename":
        return ()
    plan = relations.get(type_.name, {}).get(field_name)
    if plan is not None:
        return plan.columns
    field_def = type_.fields.get(field_name)
    sfield = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF) if field_def else None
    if sfield is None:
        return ALL
    declared = (sfield.metadata or {}).get("columns")
    if declared is not None:
        return tuple(declared)
    if sfield.base_resolver is None and sfield.python_name in model_of(type_)._meta.fields_db_projection:
        return (sfield.python_name,)
    return ALL


class _Walker:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, Any], relations: dict[str, dict[str, Any]]):
        self.schema, self.fragments, self.relations = schema, fragments, relations
        self.needs: dict[type[Model], set[str] | None] = {}
        self.seen: set[tuple[int, str]] = set()

    def add(self, type_: Any, columns: tuple[str, ...] | None) -> None:
        model = model_of(type_)
        if model is None:
            return
        if model not in self.needs:
            check = type_.is_type_of
            self.needs[model] = {model._meta.pk_attr, *getattr(check, "columns", ())}
        elif self.needs[model] is not ALL:
            self.needs[model] |= set(getattr(type_.is_type_of, "columns", ()))
        if columns is ALL:
            self.needs[model] = ALL
        elif self.needs[model] is not ALL:
            self.needs[model] |= set(columns)

    def concrete(self, type_: Any) -> list[Any]:
        if is_abstract_type(type_):
            return list(self.schema.get_possible_types(type_))
        return [type_] if is_object_type(type_) else []

    def selection_set(self, type_: Any, selection_set: SelectionSetNode | None) -> None:
        if selection_set is None:
            return
        key = (id(selection_set), type_.name)
        if key in self.seen:
            return
        self.seen.add(key)
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(type_, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                self.selection_set(self.schema.get_type(condition.name.value) if condition else type_,
                                   selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    self.selection_set(self.schema.get_type(fragment.type_condition.name.value),
                                       fragment.selection_set)

    def field(self, parent: Any, node: FieldNode) -> None:
        name = node.name.value
        for concrete in self.concrete(parent):
            if model_of(concrete) is not None:
                self.add(concrete, field_columns(concrete, name, self.relations))
            field_def = concrete.fields.get(name)
            if field_def is not None and node.selection_set is not None:
                self.selection_set(get_named_type(field_def.type), node.selection_set)


def document_needs(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: dict[str, Any],
                   relations: dict[str, dict[str, Any]]) -> Needs:
    """Per model, the columns this operation may read of its records (cached per document)."""

    def walk() -> Needs:
        walker = _Walker(schema, fragments, relations)
        walker.selection_set(schema.get_root_type(operation.operation), operation.selection_set)
        return {m: (ALL if c is ALL else frozenset(c)) for m, c in walker.needs.items()}

    return _needs.get((schema, operation), walk)


def partial_maker(model: type[Model], names: tuple[str, ...]):
    """A function making a `model` instance from values of the fields `names`, marked partial as
    `QuerySet.only` marks them (tortoise refuses to save those). The values must already be
    Python values, as `values_list` returns them."""
    custom_pk = model._meta.db_pk_column not in model._meta.generated_db_fields
    new = model.__new__

    def make(values: Iterable[Any]) -> Model:
        record = new(model)
        state = record.__dict__
        state.update(zip(names, values))
        state.update(_partial=True, _saved_in_db=True, _custom_generated_pk=custom_pk, _await_when_save={})
        return record

    return make


async def records(queryset: QuerySet, columns: Iterable[str] | None) -> list[Model]:
    """The query's records, reading only `columns` (all of them when None).

    Rows come through `values_list`, which converts each value as the model field does, without
    `only`'s per-row fallback path (it costs more than the reading).
    """
    if not columns:
        return list(await queryset)
    names = tuple(sorted(columns))
    return partials(queryset.model, names, await queryset.values_list(*names))


def partials(model: type[Model], names: tuple[str, ...], rows: Iterable[Iterable[Any]]) -> list[Model]:
    """Partial `model` records (see `partial_maker`) of rows holding the fields `names`."""
    make = partial_maker(model, names)
    return [make(row) for row in rows]
