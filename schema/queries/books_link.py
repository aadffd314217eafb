"""booksLink (administrators), booksOrganizationsForKey (administrators: checks a key) and
booksConnectionKey (your own key's prefix and dates)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.errors import KizunaError
from app.services import books_link
from schema.context import Info
from schema.errors import PermissionDenied, ValidationError, to_error
from schema.permissions import IsAdministrator, IsAuthenticated
from schema.queries.common import AUTH
from app.services import books_fields, books_sync
from schema.types.books_sync import BooksSyncRun
from schema.types.node import pk_of
from schema.types.books_link import (
    BooksConnectionKey,
    BooksLink,
    BooksOrganization,
    BooksSyncField,
    BooksSyncFields,
    FieldPair,
)


@strawberry.type(description="The organizations a connection key reaches: those its user administers.")
class BooksKeyOrganizations:
    organizations: list[BooksOrganization]


BooksOrganizationsForKeyResult = Annotated[
    BooksKeyOrganizations | ValidationError | PermissionDenied, strawberry.union("BooksOrganizationsForKeyResult")]


def client_address(info: Info) -> str:
    client = info.context.request.client
    return client.host if client else ""


async def link_of(link) -> BooksLink | None:
    if link is None:
        return None
    return BooksLink.of(link, await books_link.key_state(link) == books_link.KeyState.VALID)


@strawberry.type
class BooksLinkQuery:
    @strawberry.field(permission_classes=[IsAuthenticated, IsAdministrator],
                      description="The CRM's link to Books, null when not connected (administrators only).")
    async def books_link(self, info: Info) -> BooksLink | None:
        return await link_of(await books_link.link_for(info.context.principal))

    @strawberry.field(permission_classes=AUTH, description=(
        "The organizations the connection key reaches, given with its user's e-mail address "
        "(administrators; attempts are throttled). A wrong address or key: one ValidationError."))
    async def books_organizations_for_key(
        self, info: Info, email: str, key: str
    ) -> BooksOrganizationsForKeyResult:
        try:
            reached = await books_link.organizations_for_key(info.context.principal, email, key,
                                                             client_address(info))
        except KizunaError as exc:
            return to_error(info, exc)
        return BooksKeyOrganizations(organizations=[BooksOrganization.of(o) for o in reached])

    @strawberry.field(permission_classes=[IsAuthenticated, IsAdministrator], description=(
        "The fields the Books sync may map, per CRM module, with the default mappings (administrators)."))
    async def books_sync_fields(self, info: Info) -> list[BooksSyncFields]:
        def fields(registry: dict) -> list[BooksSyncField]:
            return [BooksSyncField(  # type: ignore[call-arg]
                name=f.name, label=info.context.gettext(f.label), type=f.type, max_length=f.max_length,
                required=f.required) for f in registry.values()]

        return [BooksSyncFields(  # type: ignore[call-arg]
            module=side, crm_fields=fields(books_fields.CRM_FIELDS[side]),
            books_fields=fields(books_fields.BOOKS_FIELDS[side]),
            default_mapping=[FieldPair(module=side, crm_field=c, books_field=b)  # type: ignore[call-arg]
                             for c, b in books_fields.DEFAULTS[side]])
            for side in books_fields.Side]

    @strawberry.field(permission_classes=[IsAuthenticated, IsAdministrator], description=(
        f"The latest runs of the Books sync, newest first (administrators; at most {books_sync.RUNS_MAX}); "
        "none while the link is not active."))
    async def books_sync_runs(self, info: Info, first: int = 10) -> list[BooksSyncRun]:
        return [BooksSyncRun.of(r) for r in await books_sync.runs(info.context.principal, first)]

    @strawberry.field(permission_classes=[IsAuthenticated, IsAdministrator],
                      description="One run of the Books sync with its entries, or null (administrators).")
    async def books_sync_run(self, info: Info, id: strawberry.ID) -> BooksSyncRun | None:
        pk = pk_of(id, "BooksSyncRun")
        if pk is None:
            return None
        try:
            return BooksSyncRun.of(await books_sync.get_run(info.context.principal, pk))
        except KizunaError:
            return None

    @strawberry.field(permission_classes=AUTH, description="Your active connection key for the CRM, or null.")
    async def books_connection_key(self, info: Info) -> BooksConnectionKey | None:
        key = await books_link.current_key(info.context.principal)
        return BooksConnectionKey.of(key) if key else None
