"""Connecting the CRM to Books: connection keys (Books organization administrators) and the
link (CRM administrators). The rules are app.services.books_link's."""

from __future__ import annotations

from typing import Any

import strawberry

from app.models import Automation
from app.errors import ValidationError as CoreValidationError
from app.i18n import N_
from app.services import books_fields, books_link, books_sync
from schema.context import Info
from schema.errors import NotFound, PermissionDenied, ValidationError, attempt, to_error
from schema.mutations.common import existing_pk, result
from schema.queries.books_link import client_address, link_of
from schema.queries.common import AUTH
from schema.types.books_link import (
    BooksAutomation,
    BooksConflictPolicy,
    BooksConnectionKey,
    BooksLink,
    BooksMappingModule,
    BooksSyncDirection,
    BooksSyncModule,
)
from schema.types.node import pk_of


@strawberry.input(description="One CRM field feeding one Books field (see booksSyncFields).")
class FieldPairInput:
    module: BooksMappingModule  # type: ignore[valid-type]
    crm_field: str
    books_field: str


@strawberry.input(description="A condition of the sync's record filter (see BooksSyncCondition).")
class BooksSyncConditionInput:
    field: str
    op: str
    value: str = ""


@strawberry.input(description=(
    "The sync settings and the field mappings, saved together or not at all. A module without pairs in "
    "fieldMapping uses the defaults. deletePrevious applies to accounts only."))
class BooksSyncSettingsInput:
    sync_module: BooksSyncModule  # type: ignore[valid-type]
    direction: BooksSyncDirection  # type: ignore[valid-type]
    conflict_policy: BooksConflictPolicy  # type: ignore[valid-type]
    product_direction: BooksSyncDirection  # type: ignore[valid-type]
    product_conflict_policy: BooksConflictPolicy  # type: ignore[valid-type]
    delete_previous: bool = False
    field_mapping: list[FieldPairInput] = strawberry.field(default_factory=list)
    record_filter: list[BooksSyncConditionInput] | None = strawberry.field(default=None, description=(
        "Which records sync: every condition must match; empty: all; null: the stored filter stays "
        "(cleared when the module changes)."))


@strawberry.type
class BooksLinkPayload:
    books_link: BooksLink


@strawberry.type
class StartBooksSyncPayload:
    queued: bool = strawberry.field(description="False when a run was already waiting: that one does the work.")


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
UpdateBooksSyncSettingsResult = result(
    "UpdateBooksSyncSettings", BooksLinkPayload, ValidationError, NotFound, PermissionDenied)
StartBooksSyncResult = result("StartBooksSync", StartBooksSyncPayload, NotFound, PermissionDenied)
SetBooksLinkEnabledResult = result("SetBooksLinkEnabled", BooksLinkPayload, NotFound, PermissionDenied)
DisconnectBooksResult = result("DisconnectBooks", DisconnectBooksPayload, NotFound, PermissionDenied)
CreateBooksConnectionKeyResult = result(
    "CreateBooksConnectionKey", CreateBooksConnectionKeyPayload, NotFound, PermissionDenied)
RevokeBooksConnectionKeyResult = result("RevokeBooksConnectionKey", RevokeBooksConnectionKeyPayload, NotFound)
SetBooksAutomationResult = result("SetBooksAutomation", BooksLinkPayload, ValidationError, NotFound, PermissionDenied)


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
        "Save the sync settings and field mappings of the link; a refused mapping saves nothing "
        "(administrators)."))
    async def update_books_sync_settings(
        self, info: Info, input: BooksSyncSettingsInput
    ) -> UpdateBooksSyncSettingsResult:
        if len(input.field_mapping) > 3 * books_fields.MAX_ROWS:
            return to_error(info, CoreValidationError.single(
                "field_mapping", N_("Map at most %(max)d fields."), max=books_fields.MAX_ROWS))
        if input.record_filter is not None and len(input.record_filter) > books_fields.FILTER_MAX:
            return to_error(info, CoreValidationError.single(
                "record_filter", N_("Use at most %(max)d conditions."), max=books_fields.FILTER_MAX))
        mapping: dict[str, list[list[str]]] = {}
        for pair in input.field_mapping:
            mapping.setdefault(pair.module.value, []).append([pair.crm_field, pair.books_field])
        data = {"sync_module": input.sync_module.value, "direction": input.direction.value,
                "conflict_policy": input.conflict_policy.value,
                "product_direction": input.product_direction.value,
                "product_conflict_policy": input.product_conflict_policy.value,
                "delete_previous": input.delete_previous, "mapping": mapping,
                "record_filter": None if input.record_filter is None else [
                    {"field": c.field, "op": c.op, "value": c.value} for c in input.record_filter]}

        async def run() -> Any:
            return await _payload(await books_link.save_settings(info.context.principal, data))

        return await attempt(info, run)

    @strawberry.mutation(permission_classes=AUTH, description=(
        "Run the Books sync now (administrators): queued on the job engine; the run shows in booksSyncRuns."))
    async def start_books_sync(self, info: Info) -> StartBooksSyncResult:
        return await attempt(info, lambda: books_sync.start(info.context.principal),
                             lambda queued: StartBooksSyncPayload(queued=queued))

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

    @strawberry.mutation(permission_classes=AUTH, description=(
        "Change the automation rule chosen when connecting: deals saved from now on follow it; documents "
        "already made stay (administrators)."))
    async def set_books_automation(
        self, info: Info, automation: BooksAutomation  # type: ignore[valid-type]
    ) -> SetBooksAutomationResult:
        async def run() -> Any:
            return await _payload(await books_link.set_automation(info.context.principal, automation.value))

        return await attempt(info, run)
