"""The query executor: graphql-core's semantics at a fraction of its per-field cost.

graphql-core walks every field of every object generically: it looks the field up, builds a
resolve-info record, calls strawberry's resolver wrapper (which converts arguments and builds an
Info even for a plain attribute), then dispatches on the return type again. A 50-record page with
two relations is ~800 fields, and that walk was most of the request's time.

Here a query is compiled once per parsed document (schema.plan) (strawberry's ParserCache keeps the document, so
the same text maps to the same operation node) into a plan: for each field its response key, how
to resolve it, and a completion function specialised to its return type. Running the plan costs a
call or two per field:

- plain fields (no resolver, permission classes, field extensions or directives, no exception
  handlers in the schema) read the attribute (what strawberry's basic-field path does);
- resolvers without arguments, permission classes, field extensions or directives are called
  directly, with an Info only when they ask for one;
- every other field goes through strawberry's resolver exactly as graphql-core calls it.

Kept as graphql-core does it: error messages, locations and paths; null propagation to the nearest
nullable position; `is_type_of` checks (called without an info: strawberry's and ours ignore it);
abstract types; scalars and enums serialised by the schema. Awaitables are settled breadth-first in
rounds, so DataLoaders still batch a whole level into one query.

Not planned, and run by graphql-core unchanged: mutations (serial), subscriptions, documents with
directives (@skip/@include/@defer/@stream) or fragment arguments, middleware, abort signals.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, OperationType
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app import settings
from schema.documents import PerDocument
from schema.plan import Runner, Compiler, Unplannable, is_awaitable

__all__ = ["ExecutionContext", "PerDocument", "is_awaitable"]

_plans: PerDocument[tuple[Runner, ...] | None] = PerDocument()


def _compile(ex: ExecutionContext) -> tuple[Runner, ...] | None:
    try:
        return Compiler(ex).operation()
    except Unplannable:
        return None


def _plan_for(ex: ExecutionContext) -> tuple[Runner, ...] | None:
    return _plans.get((ex.schema, ex.operation), lambda: _compile(ex))


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, running queries from a compiled plan (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # KIZUNA_GRAPHQL_EXECUTOR=graphql-core: strawberry's execution context, unchanged
        self.compiled = settings.GRAPHQL_EXECUTOR == "compiled"
        if self.compiled:
            self.is_awaitable = is_awaitable
        self.pending: list[tuple[Any, Callable, Path, Any, Any]] = []
        self.data: dict[str, Any] | None = None

    def execute_operation(self, serially: bool | None = None) -> Any:
        middleware = self.middleware_manager.middlewares if self.middleware_manager else ()
        if (not self.compiled or self.operation.operation != OperationType.QUERY or serially or middleware
                or self.abort_signal is not None or self.hooks is not None):
            return super().execute_operation(serially)
        runners = _plan_for(self)
        if runners is None:
            return super().execute_operation(serially)
        data: dict[str, Any] | None = {}
        try:
            for run in runners:
                run(self.root_value, None, None, self, data)
        except GraphQLError as error:  # a non-null root field failed: no data at all
            self.collected_errors.add(error, None)
            data = None
        self.data = data
        if self.pending:
            return self._settle()
        return self.build_response(data)

    async def _settle(self) -> Any:
        """Await what resolvers left pending, a round at a time (one DataLoader batch per round)."""
        while self.pending:
            batch, self.pending = self.pending, []
            results = await asyncio.gather(*(entry[0] for entry in batch), return_exceptions=True)
            for (_, finish, path, nullable_at, out), value in zip(batch, results, strict=True):
                finish(value, path, nullable_at, out, self)
        return self.build_response(self.data)

    def null_out(self, position: Path | None, error: GraphQLError) -> None:
        """A non-null field failed after its parents were placed: null the nearest nullable one."""
        self.collected_errors.add(error, position)
        if position is None:
            self.data = None
            return
        keys = position.as_list()
        container: Any = self.data
        for key in keys[:-1]:
            if container is None:
                return  # an ancestor was nulled already
            container = container[key]
        if container is not None:
            container[keys[-1]] = None
