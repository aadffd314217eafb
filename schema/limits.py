"""Caps a GraphQL document must pass before it costs anything, and the caches that keep only
small documents.

In order, before validation: the query's size in bytes, its token count (graphql-core's
`max_tokens` stops the parser), the variables an operation declares and the selections in any
one selection set. Each refusal is a GraphQL error with its own `extensions.code`. During
validation, graphql-core's OverlappingFieldsCanBeMerged (quadratic in fields sharing a response
name, fragments merged) works within settings.GRAPHQL_MAX_OVERLAP_COST, set on the module
attribute graphql-core documents for it; a validation it aborts answers QUERY_TOO_COMPLEX.

Parsed documents and their validation results are cached, but only for queries of at most
settings.GRAPHQL_CACHE_MAX_QUERY_BYTES: a parsed document takes about twice its text's memory,
so caching every distinct large query would keep megabytes per request. The validation cache is
keyed by (document, rules); the rules are the same classes on every request (see
schema/extensions.py), so identical small queries are validated once.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from app import settings

# graphql-core's messages when `max_tokens` or its nesting guard stop the parser (the codes they
# map to are checked by tests/graphql/test_limits.py).
_TOKEN_LIMIT_MESSAGE = "tokens. Parsing aborted."
_NESTING_LIMIT_MESSAGE = "nested too deeply. Parsing aborted."


def limit_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def is_small(query: str) -> bool:
    limit = settings.GRAPHQL_CACHE_MAX_QUERY_BYTES
    return len(query) <= limit and len(query.encode("utf-8", "surrogatepass")) <= limit


def parse_document(query: str) -> DocumentNode:
    """Parse `query` within the caps, from the cache when it is small."""
    limit = settings.GRAPHQL_MAX_QUERY_BYTES
    # A character is at least one byte: a long text is refused before it is encoded.
    size = len(query) if len(query) > limit else len(query.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise limit_error(
            f"The query is {size} bytes long; at most {limit} are allowed.",
            "QUERY_TOO_LARGE", max_bytes=limit,
        )
    if is_small(query):
        return _parse_cached(query)
    return _parse_checked(query)


def _parse_checked(query: str) -> DocumentNode:
    limit = settings.GRAPHQL_MAX_TOKENS
    too_deep = False
    try:
        document = parse(query, max_tokens=limit)
    except GraphQLSyntaxError as error:
        if _TOKEN_LIMIT_MESSAGE in error.message:
            raise limit_error(
                f"The query has more than {limit} tokens.", "TOO_MANY_TOKENS", max_tokens=limit,
            ) from None
        if _NESTING_LIMIT_MESSAGE not in error.message:
            raise
        too_deep = True
    except RecursionError:  # graphql-core's parser recurses per nesting level
        too_deep = True
    if too_deep:
        raise limit_error(
            "The query is nested too deeply to be read.", "QUERY_TOO_DEEP",
            max_depth=settings.MAX_QUERY_DEPTH,
        ) from None
    check_shape(document)
    return document


_parse_cached = lru_cache(maxsize=settings.GRAPHQL_CACHE_SIZE)(_parse_checked)


def check_shape(document: DocumentNode) -> None:
    """Count declared variables and selections per selection set in one linear walk."""
    max_variables, max_selections = settings.GRAPHQL_MAX_VARIABLES, settings.GRAPHQL_MAX_SELECTIONS
    pending: list[SelectionSetNode] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            declared = len(definition.variable_definitions or ())
            if declared > max_variables:
                raise limit_error(
                    f"The operation declares {declared} variables; at most {max_variables} are allowed.",
                    "TOO_MANY_VARIABLES", max_variables=max_variables,
                )
        if (selection_set := getattr(definition, "selection_set", None)) is not None:
            pending.append(selection_set)
    while pending:
        selection_set = pending.pop()
        count = len(selection_set.selections)
        if count > max_selections:
            raise limit_error(
                f"A selection set holds {count} fields; at most {max_selections} are allowed.",
                "TOO_MANY_FIELDS", max_fields=max_selections,
            )
        pending.extend(
            child for selection in selection_set.selections
            if (child := getattr(selection, "selection_set", None)) is not None
        )


_validate_cached = lru_cache(maxsize=settings.GRAPHQL_CACHE_SIZE)(validate_document)


class ParseWithinLimits(SchemaExtension):
    """Replaces strawberry's ParserCache: the caps above, then parse (cached when small)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            context.graphql_document = parse_document(context.query)
        yield


class ValidateCached(SchemaExtension):
    """Replaces strawberry's ValidationCache: cached for small documents only."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        validate = _validate_cached if context.query and is_small(context.query) else validate_document
        # Read by the rule when a validation starts (graphql-core >= 3.3).
        overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = settings.GRAPHQL_MAX_OVERLAP_COST
        # strawberry keeps graphql-core's schema on `_schema`; its ValidationCache reads it too.
        errors = validate(context.schema._schema, context.graphql_document, context.validation_rules)
        context.pre_execution_errors = [_with_code(error) for error in errors] if errors else errors
        yield


def _with_code(error: GraphQLError) -> GraphQLError:
    if not isinstance(error, ValidationAbortedError):
        return error
    message = error.message
    if message == "Validation aborted.":  # the overlap budget or fragments nested too deeply
        message = "The query is too complex to validate; send fewer overlapping fields or fragments."
    return limit_error(message, "QUERY_TOO_COMPLEX", max_cost=settings.GRAPHQL_MAX_OVERLAP_COST)
