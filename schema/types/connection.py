"""Relay-style connections: edges with cursors, page info and a total count.

Cursors are opaque offsets into the filtered, ordered list; every ordering ends with `id`, so a
page boundary is stable as long as the data does not change between requests. The page size is
capped at settings.MAX_PAGE_SIZE: asking for more is an error (BAD_USER_INPUT), never a silent
clamp, so a client cannot mistake a short page for the end of the list.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

import strawberry
from graphql import GraphQLError
from tortoise.queryset import QuerySet

from app import settings
from app.statements import Statements
from schema.columns import partials, records

T = TypeVar("T")
_CURSOR_PREFIX = "offset:"
# OFFSET is a signed 64-bit number in the databases; no list is anywhere near this long.
MAX_OFFSET = 2**31 - 1


class BadInput(GraphQLError):
    """A request the client must fix (bad cursor, page too large). Shown as is, never masked."""

    def __init__(self, message: str, **extensions) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT", **extensions})


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor, validate=True).decode()
        if text.startswith(_CURSOR_PREFIX):
            offset = int(text[len(_CURSOR_PREFIX):])
            if 0 <= offset < MAX_OFFSET:
                return offset
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadInput("Invalid cursor.")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    offset: strawberry.Private[int]

    @strawberry.field(description="Where this record is in the list: pass it as `after` to continue.")
    def cursor(self) -> str:  # encoded when asked for: most clients only read the page's end
        return encode_cursor(self.offset)


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    _total: strawberry.Private[QuerySet]

    @strawberry.field(description="How many records match the filter (only those you may see).")
    async def total_count(self) -> int:
        return await self._total.count()


def page_size(first: int | None, default: int | None = None) -> int:
    """`first`, or the default page size; more than settings.MAX_PAGE_SIZE is BAD_USER_INPUT."""
    size = (settings.DEFAULT_PAGE_SIZE if default is None else default) if first is None else first
    if not 0 <= size <= settings.MAX_PAGE_SIZE:
        raise BadInput(
            f"`first` must be between 0 and {settings.MAX_PAGE_SIZE}.",
            max_page_size=settings.MAX_PAGE_SIZE,
        )
    return size


async def bounded(queryset: QuerySet, first: int | None) -> list:
    """A short list that needs no cursor (roles, one's organizations or API tokens): at most
    `first` rows, settings.MAX_PAGE_SIZE by default and at most."""
    return await queryset.limit(page_size(first, settings.MAX_PAGE_SIZE))


async def paginate(
    queryset: QuerySet, order: list[str], first: int | None, after: str | None,
    columns: Iterable[str] | None = None, kept: tuple[Statements, Hashable] | None = None,
) -> Connection:
    """A page of `queryset`; `columns`, when given, are all the rows are read with.

    `kept`: where the page's statement may be kept, and the name of `queryset` there: what
    nothing but the statements' owner (a user's reach) decides. Then only LIMIT and OFFSET are
    bound anew (`app.statements`)."""
    size = page_size(first)
    start = decode_cursor(after) + 1 if after else 0
    if kept is not None and columns:
        statements, shape = kept
        names = tuple(sorted(columns))
        values = await statements.bound(  # the query is built only when its statement is not kept
            queryset.model, (shape, tuple(order), names),
            lambda limit, offset: queryset.order_by(*order).offset(offset).limit(limit).values_list(*names),
            (size + 1, start))
        rows = partials(queryset.model, names, values)
    else:
        rows = await records(queryset.order_by(*order).offset(start).limit(size + 1), columns)
    edges = [Edge(node=row, offset=start + i) for i, row in enumerate(rows[:size])]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size,
            has_previous_page=start > 0,
            start_cursor=encode_cursor(start) if edges else None,
            end_cursor=encode_cursor(start + len(edges) - 1) if edges else None,
        ),
        _total=queryset,
    )
