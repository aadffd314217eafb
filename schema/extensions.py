"""Validation limits and error masking (size caps and caches: schema/limits.py).

Depth and alias limits are plain graphql-core validation rules added as the SAME classes on every
request. strawberry's QueryDepthLimiter/MaxAliasesLimiter build a new rule class per request
(strawberry issue 4635), which makes the rules tuple differ each time so the ValidationCache never
hits; static rule classes keep the cache key (schema, parsed document, rules) stable.

Unexpected exceptions are logged with their traceback and a request id; outside debug mode the
client only sees "Unexpected error (request id ...)" so nothing internal leaks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, SchemaExtension

from app import settings
from schema.execution import ExecutionContext
from schema.limits import ParseWithinLimits, ValidateCached

logger = logging.getLogger("kizuna.graphql")


class QueryDepthRule(ValidationRule):
    """Refuse operations nested deeper than settings.MAX_QUERY_DEPTH (introspection excluded).

    Each fragment's depth is computed once per document and remembered: walking every spread
    path instead is exponential (`fragment F0 { ...F1 ...F1 }`, `F1 { ...F2 ...F2 }`, ...), so
    the rule stays linear in the document's size.
    """

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.fragment_depths: dict[str, int] = {}
        self.in_progress: set[str] = set()

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        depth = self.selection_depth(node.selection_set)
        limit = settings.MAX_QUERY_DEPTH
        if depth > limit:
            self.report_error(
                GraphQLError(
                    f"The query is nested {depth} levels deep; at most {limit} are allowed.",
                    node, extensions={"code": "QUERY_TOO_DEEP", "max_depth": limit},
                )
            )

    def selection_depth(self, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue  # GraphiQL's introspection query is deep by nature
                deepest = max(deepest, 1 + self.selection_depth(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.selection_depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self.fragment_depth(selection.name.value))
        return deepest

    def fragment_depth(self, name: str) -> int:
        if name in self.fragment_depths:
            return self.fragment_depths[name]
        fragment = self.context.get_fragment(name)
        if fragment is None or name in self.in_progress:
            return 0  # unknown fragments and cycles are other rules' errors
        self.in_progress.add(name)
        depth = self.selection_depth(fragment.selection_set)
        self.in_progress.discard(name)
        self.fragment_depths[name] = depth
        return depth


class AliasLimitRule(ValidationRule):
    """Refuse documents with more than settings.MAX_ALIASES aliases (a cheap amplification)."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.aliases = 0

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.alias is not None:
            self.aliases += 1

    def leave_document(self, node: Any, *_: Any) -> None:
        limit = settings.MAX_ALIASES
        if self.aliases > limit:
            self.report_error(
                GraphQLError(
                    f"The query uses {self.aliases} aliases; at most {limit} are allowed.",
                    extensions={"code": "TOO_MANY_ALIASES", "max_aliases": limit},
                )
            )


LIMIT_RULES = [QueryDepthRule, AliasLimitRule]


def is_unexpected(error: GraphQLError) -> bool:
    """An exception from our code (not a GraphQL error we raised on purpose, not bad input)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError) and error.path is not None


def log_unexpected(errors: list[GraphQLError], request_id: str) -> None:
    for error in errors:
        if is_unexpected(error):
            original = error.original_error
            logger.error(
                "Unexpected error in GraphQL request %s at %s", request_id, error.path,
                exc_info=(type(original), original, original.__traceback__),
            )


class MaskUnexpectedErrors(SchemaExtension):
    """Replace unexpected errors with a message quoting the request id (not in debug mode)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not errors or settings.DEBUG:
            return
        request_id = self.execution_context.context.request_id
        result.errors = [
            GraphQLError(
                f"Unexpected error (request id {request_id}).",
                nodes=e.nodes, path=e.path, extensions={"code": "INTERNAL", "request_id": request_id},
            )
            if is_unexpected(e)
            else e
            for e in errors
        ]


def extensions() -> list[Any]:
    """In order: parse within the size caps (small documents cached), add the limit rules,
    validate (cached for small documents), mask errors."""
    return [
        ParseWithinLimits,
        lambda: AddValidationRules(LIMIT_RULES),
        ValidateCached,
        MaskUnexpectedErrors,
    ]


class Schema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, execution_context_class=ExecutionContext, **kwargs)

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # Expected errors (bad input, permissions) are answers, not incidents: log only the rest.
        context = getattr(execution_context, "context", None)
        log_unexpected(errors, getattr(context, "request_id", "-"))
