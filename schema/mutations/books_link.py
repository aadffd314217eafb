"""Connecting the CRM to Books: connection keys (Books organization administrators) and the
link (CRM administrators). The rules are app.services.books_link's."""

from __future__ import annotations

from typing import Any

import strawberry

from app.models import Automation
from app.services import books_link
from schema.context import Info
from schema.errors import NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.common import existing_pk, result
from schema.queries.books_link import client_address, link_of
from schema.queries.common import AUTH
from schema.types.books_link import BooksAutomation, BooksConnectionKey, BooksLink
from schema.types.node import pk_of


@strawberry.type
class BooksLinkPayload:
    books_link: BooksLink


@strawberry.type
class DisconnectBooksPayload:
    disconnected: bool


@strawberry.type
class CreateBooksConnectionKeyPayload:
    key: BooksConnectionKey
    secret: str = strawberry.field(description="The key, for the CRM. Shown now and never again; "
                                               "your previous key stopped working.")


@strawberry.type
class RevokeBooksConnectionKeyPayload:
    revoked: bool


ConnectBooksResult = result("ConnectBooks", BooksLinkPayload, ValidationError, PermissionDenied)
SetBooksLinkEnabledResult = result("SetBooksLinkEnabled", BooksLinkPayload, NotFound, PermissionDenied)
DisconnectBooksResult = result("DisconnectBooks", DisconnectBooksPayload, NotFound, PermissionDenied)
CreateBooksConnectionKeyResult = result(
    "CreateBooksConnectionKey", CreateBooksConnectionKeyPayload, NotFound, PermissionDenied)
RevokeBooksConnectionKeyResult = result("RevokeBooksConnectionKey", RevokeBooksConnectionKeyPayload, NotFound)


async def _payload(link: Any) -> BooksLinkPayload:
    return BooksLinkPayload(books_link=await link_of(link))  # type: ignore[arg-type]


@strawberry.type
class BooksLinkMutation:
    @strawberry.mutation(permission_classes=AUTH, description=(
        "Link the CRM to an organization the key reaches (booksOrganizationsForKey), enabled, with the "
        "automation rule; connecting again switches organization (administrators)."))
    async def connect_books(
        self, info: Info, email: str, key: str, organization_id: strawberry.ID,
        automation: BooksAutomation = Automation.NONE,  # type: ignore[valid-type]
    ) -> ConnectBooksResult:
        async def run() -> Any:
            link = await books_link.connect(
                info.context.principal, email, key, pk_of(organization_id, "Organization"),
                automation.value, client_address(info))
            return await _payload(link)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description=(
        "Disable the link (the CRM shows no Books data; the organization and settings stay) or enable it "
        "again (administrators)."))
    async def set_books_link_enabled(self, info: Info, enabled: bool) -> SetBooksLinkEnabledResult:
        async def run() -> Any:
            return await _payload(await books_link.set_enabled(info.context.principal, enabled))

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH,
                         description="Remove the CRM's link to Books; Books keeps its data (administrators).")
    async def disconnect_books(self, info: Info) -> DisconnectBooksResult:
        return await attempt(info, lambda: books_link.disconnect(info.context.principal),
                             lambda _: DisconnectBooksPayload(disconnected=True))

    @strawberry.mutation(permission_classes=AUTH, description=(
        "A new connection key for the CRM, as an administrator of the organization; it reaches every "
        "organization you administer. Your previous key stops working."))
    async def create_books_connection_key(
        self, info: Info, organization_id: strawberry.ID
    ) -> CreateBooksConnectionKeyResult:
        async def run() -> Any:
            row, secret = await books_link.create_key(info.context.principal,
                                                      existing_pk(organization_id, "Organization"))
            return CreateBooksConnectionKeyPayload(key=BooksConnectionKey.of(row), secret=secret)

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH,
                         description="Revoke your connection key: a CRM linked with it stops reading Books.")
    async def revoke_books_connection_key(self, info: Info) -> RevokeBooksConnectionKeyResult:
        return await attempt(info, lambda: books_link.revoke_key(info.context.principal),
                             lambda _: RevokeBooksConnectionKeyPayload(revoked=True))
