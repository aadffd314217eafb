"""The compiler of query plans (see schema.execution): for each field of an operation its
response key, how to resolve it, and a completion function specialised to its return type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
    VariableNode,
    Visitor,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    located_error,
    visit,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, inspect, is_iterable
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from tortoise.models import Model


if TYPE_CHECKING:
    from schema.execution import ExecutionContext

# Values that are never awaitable, told by their exact type before the full predicate runs.
_PLAIN = frozenset({str, int, float, bool, type(None), Decimal, date, datetime})

# run(source, parent_path, nullable_at, executor, out): resolves one field into out[key]
Runner = Callable[[Any, Any, Any, "ExecutionContext", Any], None]
# complete(value, path, nullable_at, executor) -> the response value
Completer = Callable[[Any, Path, Any, "ExecutionContext"], Any]


def is_awaitable(value: Any) -> bool:
    """strawberry's predicate, except that a tortoise model is a value, never an awaitable.

    `Model.__await__` exists (awaiting a model returns the model), so the stock predicate takes
    every record a resolver returns for a coroutine, and graphql-core then schedules a task per
    record.
    """
    return not isinstance(value, Model) and optimized_is_awaitable(value)


class LazyInfo(Info):
    """strawberry's Info whose graphql-core record is built on first use: most resolvers only
    read `info.context` (the request's loaders), which is answered directly."""

    def __init__(self, field: Any, ex: ExecutionContext, field_def: GraphQLField, nodes: list[FieldNode],
                 parent: GraphQLObjectType, path: Path) -> None:
        self._field = field
        self._record = (ex, field_def, nodes, parent, path)

    @cached_property
    def _raw_info(self) -> Any:  # type: ignore[override]
        ex, field_def, nodes, parent, path = self._record
        return ex.build_resolve_info(field_def, nodes, parent, path)

    @property
    def context(self) -> Any:
        return self._record[0].context_value


class Unplannable(Exception):
    """The document uses something the plan does not cover: graphql-core runs it."""


class _HasDirective(Visitor):
    def enter_directive(self, *_: Any) -> None:
        raise Unplannable


def _is_bare(sfield: Any) -> bool:
    """A field with nothing around its value: no permission classes, field extensions or directives.
    Only such a field may skip strawberry's resolver wrapper; every other one runs it, so its
    permissions and extensions apply exactly as under graphql-core's executor."""
    return not (sfield.extensions or sfield.permission_classes or sfield.directives)


def _uses_variables(node: FieldNode) -> bool:
    found = []

    class Finder(Visitor):
        def enter_variable(self, node: VariableNode, *_: Any) -> None:
            found.append(node)

    for argument in node.arguments or ():
        visit(argument, Finder())
    return bool(found)


def _finisher(complete: Completer, non_null: bool, nodes: list[FieldNode], key: str | None) -> Callable:
    """What completes an awaited value into `out[key]` (a list item's index when `key` is None);
    a non-null failure nulls the nearest nullable position, as graphql-core does."""

    def finish(value: Any, path: Path, nullable_at: Any, out: Any, ex: ExecutionContext) -> None:
        slot = path.key if key is None else key
        try:
            if isinstance(value, BaseException):
                raise value
            out[slot] = complete(value, path, nullable_at if non_null else path, ex)
        except Exception as error:  # noqa: BLE001 - becomes a field error, as in graphql-core
            located = located_error(error, nodes, path.as_list())
            if non_null:
                ex.null_out(nullable_at, located)
            else:
                ex.collected_errors.add(located, path)
                out[slot] = None

    return finish


class Compiler:
    """Builds runners for one operation, from the executor that first meets it."""

    def __init__(self, ex: ExecutionContext) -> None:
        self.ex = ex
        self.path_readers: set[Callable] = set()  # resolvers that build an info from the path
        self.plain_readers: dict[Callable, Callable[[Any], Any]] = {}  # resolver -> read(source)
        self.schema = ex.schema
        strawberry_schema = getattr(ex.schema, "_strawberry_schema", None)
        self.info_class = strawberry_schema.config.info_class if strawberry_schema else None
        converter = getattr(strawberry_schema, "schema_converter", None)
        self.exception_handlers = bool(getattr(converter, "_exception_handler_specs", None))

    def operation(self) -> tuple[Runner, ...]:
        ex = self.ex
        visit(ex.operation, _HasDirective())
        for fragment in ex.fragments.values():
            if fragment.variable_signatures:
                raise Unplannable
            visit(fragment.definition, _HasDirective())
        root_type = self.schema.get_root_type(ex.operation.operation)
        collected = collect_fields(self.schema, ex.fragments, ex.variable_values, root_type, ex.operation)
        return self.fields(root_type, collected.grouped_field_set)

    def object_runners(self, type_: GraphQLObjectType, details: list[FieldDetails]) -> tuple[Runner, ...]:
        collected = collect_subfields(self.schema, self.ex.fragments, self.ex.variable_values,
                                      self.ex.operation, type_, details)
        return self.fields(type_, collected.grouped_field_set)

    def fields(self, parent: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]) -> tuple[Runner, ...]:
        runners = []
        for key, details in grouped.items():
            if any(d.fragment_variable_values is not None or d.defer_usage is not None for d in details):
                raise Unplannable
            field_def = self.schema.get_field(parent, details[0].node.name.value)
            if field_def is not None:  # graphql-core leaves unknown fields out too
                runners.append(self.field(parent, key, details, field_def))
        return tuple(runners)

    # ---- one field -----------------------------------------------------------------------------

    def field(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails],
              field_def: GraphQLField) -> Runner:
        nodes = [d.node for d in details]
        return_type = field_def.type
        non_null = is_non_null_type(return_type)
        resolve = self.resolver(parent, details, nodes, field_def)
        complete = self.completer(return_type, parent, nodes[0].name.value, details, nodes)
        parent_name = parent.name

        def fail(error: Exception, path: Path, out: Any, ex: ExecutionContext) -> None:
            located = located_error(error, nodes, path.as_list())
            if non_null:
                raise located
            ex.collected_errors.add(located, path)
            out[key] = None

        finish = _finisher(complete, non_null, nodes, key)

        named = return_type.of_type if non_null else return_type
        read = self.plain_readers.get(resolve)
        if is_leaf_type(named) and read is not None:
            null_message = f"Cannot return null for non-nullable field {parent_name}.{nodes[0].name.value}."

            # String and ID give a str back unchanged: no call needed for the usual value
            passes_str = named is GraphQLString or named is GraphQLID

            def run_leaf(source: Any, parent_path: Any, nullable_at: Any, ex: ExecutionContext, out: Any) -> None:
                """The common case, in one call: a scalar or enum read without an info or a path
                (the path is only built for an error or an awaitable)."""
                try:
                    value = read(source)
                    kind = type(value)
                    if kind is str and passes_str:
                        out[key] = value
                        return
                    if kind not in _PLAIN and is_awaitable(value):
                        path = Path(parent_path, key, parent_name)
                        out[key] = None
                        ex.pending.append((value, finish, path, nullable_at, out))
                        return
                    if value is None or value is Undefined:
                        if non_null:
                            raise TypeError(null_message)
                        out[key] = None
                        return
                    if isinstance(value, Exception):
                        raise value
                    out[key] = complete_leaf(value, None, None, ex)
                except Exception as error:  # noqa: BLE001
                    fail(error, Path(parent_path, key, parent_name), out, ex)

            # null is handled above, so the leaf's own completer is enough
            complete_leaf = self.completer(named, parent, nodes[0].name.value, details, nodes)
            return run_leaf

        def run(source: Any, parent_path: Any, nullable_at: Any, ex: ExecutionContext, out: Any) -> None:
            path = Path(parent_path, key, parent_name)
            try:
                value = resolve(source, path, ex)
                if is_awaitable(value):
                    out[key] = None  # keeps the key's place; filled when the round settles
                    ex.pending.append((value, finish, path, nullable_at, out))
                    return
                if isinstance(value, Exception):
                    raise value
                out[key] = complete(value, path, nullable_at if non_null else path, ex)
            except Exception as error:  # noqa: BLE001
                fail(error, path, out, ex)

        return run

    def resolver(self, parent: GraphQLObjectType, details: list[FieldDetails], nodes: list[FieldNode],
                 field_def: GraphQLField) -> Callable[[Any, Path, ExecutionContext], Any]:
        name = nodes[0].name.value
        if name == "__typename":
            type_name = parent.name
            return self.plain(lambda source: type_name)

        sfield = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        resolve = field_def.resolve
        bare = sfield is not None and _is_bare(sfield) and not self.exception_handlers
        if bare and sfield.base_resolver is None and getattr(resolve, "_is_default", False):
            # strawberry's basic field: no resolver, no extensions, just the attribute
            if sfield.default_resolver is getattr:
                return self.plain(attrgetter(sfield.python_name))
            return self.plain(lambda source: resolve(source, None))

        base = getattr(sfield, "base_resolver", None)
        if (bare and base is not None and not field_def.args and not nodes[0].arguments
                and self.info_class is not None):
            return self.direct(parent, nodes, field_def, sfield, base)

        resolve = resolve or self.ex.field_resolver
        node = nodes[0]
        if not (field_def.args or node.arguments):
            return self.reads_path(
                lambda source, path, ex: resolve(source, ex.build_resolve_info(field_def, nodes, parent, path)))
        if _uses_variables(node):
            fragment_values = details[0].fragment_variable_values

            def with_arguments(source: Any, path: Path, ex: ExecutionContext) -> Any:
                args = get_argument_values(field_def, node, ex.variable_values, fragment_values,
                                           ex.hide_suggestions)
                return resolve(source, ex.build_resolve_info(field_def, nodes, parent, path), **args)

            return self.reads_path(with_arguments)
        # Literal arguments: coerced once. A coercion error must still surface per execution.
        try:
            literal = get_argument_values(field_def, node, self.ex.variable_values)
        except GraphQLError:
            raise Unplannable from None
        return self.reads_path(
            lambda source, path, ex: resolve(source, ex.build_resolve_info(field_def, nodes, parent, path), **literal))

    def plain(self, read: Callable[[Any], Any]) -> Callable[[Any, Path, ExecutionContext], Any]:
        """A resolver that needs the source only; `run_leaf` calls `read` itself."""
        def resolve(source: Any, path: Path, ex: ExecutionContext) -> Any:
            return read(source)

        self.plain_readers[resolve] = read
        return resolve

    def reads_path(self, resolve: Callable) -> Callable:
        self.path_readers.add(resolve)
        return resolve

    def direct(self, parent: GraphQLObjectType, nodes: list[FieldNode], field_def: GraphQLField,
               sfield: Any, base: Any) -> Callable[[Any, Path, ExecutionContext], Any]:
        """Call the resolver function itself, as strawberry's wrapper would, minus the wrapper."""
        func = base.wrapped_func
        positional = base.self_parameter is not None
        source_names = [p.name for p in (base.parent_parameter, base.root_parameter) if p is not None]
        info_name = base.info_parameter.name if base.info_parameter is not None else None
        info_class = self.info_class
        if info_name is None:
            if positional and not source_names:
                return self.plain(func)
            if not positional and len(source_names) == 1:  # `def resolve(root)`, as global ids are
                name = source_names[0]
                return self.plain(lambda source: func(**{name: source}))
        lazy = info_class is Info  # a custom info class gets the full record, as strawberry builds it

        def call(source: Any, path: Path, ex: ExecutionContext) -> Any:
            kwargs = {name: source for name in source_names}
            if info_name is not None:
                kwargs[info_name] = (LazyInfo(sfield, ex, field_def, nodes, parent, path) if lazy else
                                     info_class(_raw_info=ex.build_resolve_info(field_def, nodes, parent, path),
                                                _field=sfield))
            return func(source, **kwargs) if positional else func(**kwargs)

        return call if info_name is None else self.reads_path(call)

    # ---- completion, specialised by return type --------------------------------------------------

    def completer(self, type_: GraphQLOutputType, parent: GraphQLObjectType, field_name: str,
                  details: list[FieldDetails], nodes: list[FieldNode]) -> Completer:
        if is_non_null_type(type_):
            inner = self.completer(type_.of_type, parent, field_name, details, nodes)
            message = f"Cannot return null for non-nullable field {parent.name}.{field_name}."

            def non_null(value: Any, path: Path, nullable_at: Any, ex: ExecutionContext) -> Any:
                completed = inner(value, path, nullable_at, ex)
                if completed is None:
                    raise TypeError(message)
                return completed

            return non_null

        if is_list_type(type_):
            return self.list_completer(type_.of_type, parent, field_name, details, nodes)

        if is_leaf_type(type_):
            coerce = type_.coerce_output_value

            def leaf(value: Any, path: Path, nullable_at: Any, ex: ExecutionContext) -> Any:
                if value is None or value is Undefined:
                    return None
                coerced = coerce(value)
                if coerced is Undefined or coerced is None:
                    raise TypeError(f"Expected `{inspect(type_)}.coerce_output_value({inspect(value)})`"
                                    f" to return non-nullable value, returned: {inspect(coerced)}")
                return coerced

            return leaf

        if is_object_type(type_):
            return self.object_completer(type_, details, nodes)

        if is_abstract_type(type_):
            return self.abstract_completer(type_, parent, details, nodes)

        raise Unplannable  # pragma: no cover - every output type is covered above

    def list_completer(self, item_type: GraphQLOutputType, parent: GraphQLObjectType, field_name: str,
                       details: list[FieldDetails], nodes: list[FieldNode]) -> Completer:
        item = self.completer(item_type, parent, field_name, details, nodes)
        item_non_null = is_non_null_type(item_type)
        message = f"Expected Iterable, but did not find one for field '{parent.name}.{field_name}'."

        finish = _finisher(item, item_non_null, nodes, None)

        def complete_list(value: Any, path: Path, nullable_at: Any, ex: ExecutionContext) -> Any:
            if value is None or value is Undefined:
                return None
            if not is_iterable(value) or ex.is_async_iterable(value):
                raise GraphQLError(message)
            out: list = []
            append = out.append
            for index, entry in enumerate(value):
                item_path = Path(path, index, None)
                try:
                    if is_awaitable(entry):
                        append(None)
                        ex.pending.append((entry, finish, item_path, nullable_at, out))
                        continue
                    if isinstance(entry, Exception):
                        raise entry
                    append(item(entry, item_path, nullable_at if item_non_null else item_path, ex))
                except Exception as error:  # noqa: BLE001
                    located = located_error(error, nodes, item_path.as_list())
                    if item_non_null:
                        raise located from None
                    ex.collected_errors.add(located, item_path)
                    append(None)
            return out

        return complete_list

    def object_completer(self, type_: GraphQLObjectType, details: list[FieldDetails],
                         nodes: list[FieldNode]) -> Completer:
        runners = self.object_runners(type_, details)
        is_type_of = type_.is_type_of

        def complete_object(value: Any, path: Path, nullable_at: Any, ex: ExecutionContext) -> Any:
            if value is None or value is Undefined:
                return None
            if is_type_of is not None and not is_type_of(value, None):
                raise GraphQLError(f"Expected value of type '{type_.name}' but got: {inspect(value)}.", nodes)
            out: dict[str, Any] = {}
            for run in runners:
                run(value, path, nullable_at, ex, out)
            return out

        return complete_object

    def abstract_completer(self, type_: Any, parent: GraphQLObjectType, details: list[FieldDetails],
                           nodes: list[FieldNode]) -> Completer:
        by_runtime: dict[str, Completer] = {}
        field_def = self.schema.get_field(parent, nodes[0].name.value)

        def complete_abstract(value: Any, path: Path, nullable_at: Any, ex: ExecutionContext) -> Any:
            if value is None or value is Undefined:
                return None
            info = ex.build_resolve_info(field_def, nodes, parent, path)
            resolve_type = type_.resolve_type or ex.type_resolver
            runtime_name = resolve_type(value, info, type_)
            if is_awaitable(runtime_name):
                raise GraphQLError(f"Abstract type '{type_.name}' resolved its runtime type asynchronously,"
                                   " which this executor does not support.", nodes)
            runtime = ex.ensure_valid_runtime_type(runtime_name, type_, details, info, value)
            complete = by_runtime.get(runtime.name)
            if complete is None:
                complete = by_runtime[runtime.name] = Compiler(ex).object_completer(runtime, details, nodes)
            return complete(value, path, nullable_at, ex)

        return complete_abstract
