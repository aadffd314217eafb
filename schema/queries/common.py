"""The two shapes every record type's root fields share: one record by id, and a connection."""

from __future__ import annotations

import asyncio

from collections.abc import Mapping
from typing import Annotated, Any

import strawberry

from app.errors import NotFound
from app.services.records import RecordService
from schema.context import Info
from schema.permissions import IsAuthenticated
from schema.prefetch import needs_of, prefetch_connection
from schema.types.connection import Connection, paginate
from schema.types.filters import order_by, to_q
from schema.types.node import pk_of

AUTH = [IsAuthenticated]


async def get_record(info: Info, service: RecordService, type_name: str, global_id: str) -> Any:
    """The record, or None when it does not exist or the user may not see it."""
    pk = pk_of(global_id, type_name)
    if pk is None:
        return None
    try:
        return await service.get(info.context.principal, pk)
    except NotFound:
        return None


async def list_records(
    info: Info,
    service: RecordService,
    *,
    first: int | None,
    after: str | None,
    filter: Any,
    order: list[Any] | None,
    id_types: Mapping[str, str],
    default_order: list[str],
    paths: Mapping[str, str] | None = None,
) -> Connection:
    queryset = service.query(info.context.principal)
    filtered = filter is not None and filter is not strawberry.UNSET
    if filtered:
        queryset = queryset.filter(to_q(filter, id_types, paths, service.model))
    return await page(info, queryset, order_by(order, default_order), first, after, service.model.__name__,
                      filtered=filtered)


async def page(info: Info, queryset: Any, order: list[str], first: int | None, after: str | None,
               type_name: str, *, filtered: bool) -> Connection:
    """A connection page of `type_name` records: read with the columns the document needs, then
    the selected relations prefetched for the whole page.

    Unfiltered, `queryset` is what the service lets the principal see of `type_name` records,
    which only the principal's reach decides: its statement is kept with the reach's."""
    needs = needs_of(info)
    kept = None if filtered else (info.context.loaders.statements, ("page", type_name))
    connection, _ = await asyncio.gather(
        paginate(queryset, order, first, after, columns=needs.get(queryset.model), kept=kept),
        info.context.loaders.preload(needs),
    )
    await prefetch_connection(info, type_name, [e.node for e in connection.edges], needs)
    return connection


FirstArg = Annotated[
    int | None,
    strawberry.argument(
        # Static text: the committed schema must not depend on the environment.
        description="Page size (default 25, at most 100 unless the server is configured "
        "otherwise). Asking for more than the maximum is a BAD_USER_INPUT error, not a short page."
    ),
]
AfterArg = Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")]
