"""The CRM <-> Books link (administrators) and Books connection keys."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.models import Automation as AutomationEnum
from app.models import BooksConnectionKey as BooksConnectionKeyModel
from app.models import BooksLink as BooksLinkModel
from app.models import ConflictPolicy as ConflictPolicyEnum
from app.models import Organization as OrganizationModel
from app.models import SyncDirection as SyncDirectionEnum
from app.models import SyncModule as SyncModuleEnum
from app.services import books_fields
from app.services.books_fields import FieldType as FieldTypeEnum
from app.services.books_fields import Side as SideEnum
from schema.types.books import Edition
from schema.types.node import to_global_id
from schema.types.users import User

BooksAutomation = strawberry.enum(AutomationEnum, name="BooksAutomation", description=(
    "What deals do in Books: NONE; ESTIMATE (a draft estimate with a new deal, accepted when won, declined "
    "when lost); INVOICE (an invoice when won, voided when lost afterwards)."))
BooksSyncModule = strawberry.enum(SyncModuleEnum, name="BooksSyncModule")
BooksSyncDirection = strawberry.enum(SyncDirectionEnum, name="BooksSyncDirection")
BooksConflictPolicy = strawberry.enum(ConflictPolicyEnum, name="BooksConflictPolicy", description=(
    "When a matching record exists in Books, or one changed on both sides: create another (DUPLICATE), "
    "OVERWRITE it, or SKIP it."))

BooksMappingModule = strawberry.enum(SideEnum, name="BooksMappingModule", description=(
    "The CRM module a field mapping is for: ACCOUNTS and CONTACTS map to Books customers, PRODUCTS to items."))
BooksSyncFieldType = strawberry.enum(FieldTypeEnum, name="BooksSyncFieldType")


@strawberry.type(description="One CRM field feeding one Books field in the sync.")
class FieldPair:
    module: BooksMappingModule  # type: ignore[valid-type]
    crm_field: str
    books_field: str


def pairs_of(mapping: object) -> list[FieldPair]:
    return [FieldPair(module=side, crm_field=crm, books_field=books)  # type: ignore[call-arg]
            for side in SideEnum for crm, books in books_fields.effective(side, mapping)]


@strawberry.type(description="A field the sync may map, with its type and maximum length.")
class BooksSyncField:
    name: str
    label: str = strawberry.field(description="In the language of the request.")
    type: BooksSyncFieldType  # type: ignore[valid-type]
    max_length: int | None = strawberry.field(description="Null: unbounded text, or not text.")
    required: bool = strawberry.field(description="A Books field every mapping must feed.")


@strawberry.type(description="The fields of one CRM module and of its Books counterpart.")
class BooksSyncFields:
    module: BooksMappingModule  # type: ignore[valid-type]
    crm_fields: list[BooksSyncField]
    books_fields: list[BooksSyncField]
    default_mapping: list[FieldPair]


@strawberry.type(description="A Books organization as the CRM link names it.")
class BooksOrganization:
    id: strawberry.ID = strawberry.field(description="The organization's global id (type Organization).")
    name: str
    edition: Edition  # type: ignore[valid-type]

    @classmethod
    def of(cls, org: OrganizationModel) -> BooksOrganization:
        return cls(id=strawberry.ID(to_global_id("Organization", org.id)), name=org.name, edition=org.edition)


@strawberry.type(description="A condition of the sync's record filter.")
class BooksSyncCondition:
    field: str = strawberry.field(description="A CRM field of the synced module (booksSyncFields), or owner.")
    op: str = strawberry.field(description=(
        "equals, not_equals, contains, starts_with, is_empty, not_empty (text); equals, not_equals, "
        "greater_than, less_than (numbers); equals, not_equals (owner: a user's number)."))
    value: str


@strawberry.type(description="How CRM records and Books records are synced (used by the sync engine).")
class BooksLinkSettings:
    sync_module: BooksSyncModule = strawberry.field(  # type: ignore[valid-type]
        description="The CRM module synced with Books customers.")
    direction: BooksSyncDirection  # type: ignore[valid-type]
    conflict_policy: BooksConflictPolicy  # type: ignore[valid-type]
    product_direction: BooksSyncDirection  # type: ignore[valid-type]
    product_conflict_policy: BooksConflictPolicy  # type: ignore[valid-type]
    field_mapping: JSON = strawberry.field(description="CRM field -> Books field; empty: the defaults.")
    delete_previous: bool = strawberry.field(
        description="Delete from Books the records pushed under the previous settings (accounts only).")
    record_filter: list[BooksSyncCondition] = strawberry.field(description=(
        "Which records of the synced module sync: those matching every condition; empty: all of them."))


@strawberry.type(description="The link of the CRM to one Books organization (one per installation).")
class BooksLink:
    organization: BooksOrganization | None
    enabled: bool = strawberry.field(description="Disabled: the CRM shows no Books data; the organization stays.")
    automation: BooksAutomation  # type: ignore[valid-type]
    settings: BooksLinkSettings
    field_mapping: list[FieldPair] = strawberry.field(
        description="The mapping in force for each module: the stored one, or the defaults.")
    connected_by: User | None
    key_valid: bool = strawberry.field(
        description="False when the key was revoked or no longer reaches the organization: connect again.")
    key_prefix: str | None = strawberry.field(description="The first characters of the key used.")
    active: bool = strawberry.field(description="Enabled with a valid key: the CRM reads Books through it.")
    created_at: datetime
    modified_at: datetime

    @classmethod
    def of(cls, link: BooksLinkModel, key_valid: bool) -> BooksLink:
        return cls(
            organization=BooksOrganization.of(link.organization) if link.organization_id else None,
            enabled=link.enabled, automation=link.automation,
            settings=BooksLinkSettings(
                sync_module=link.sync_module, direction=link.direction, conflict_policy=link.conflict_policy,
                product_direction=link.product_direction, product_conflict_policy=link.product_conflict_policy,
                field_mapping=link.field_mapping, delete_previous=link.delete_previous,
                record_filter=[BooksSyncCondition(field=c["field"], op=c["op"], value=c["value"])
                               for c in link.record_filter or []]),
            field_mapping=pairs_of(link.field_mapping),
            connected_by=link.connected_by if link.connected_by_id else None,
            key_valid=key_valid, key_prefix=link.key.prefix if link.key_id else None,
            active=link.enabled and key_valid, created_at=link.created_at, modified_at=link.modified_at,
        )


@strawberry.type(description="Your connection key for the CRM: the key itself is shown once, at creation.")
class BooksConnectionKey:
    id: strawberry.ID
    prefix: str = strawberry.field(description="The first characters of the key, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: BooksConnectionKeyModel) -> BooksConnectionKey:
        return cls(id=strawberry.ID(to_global_id("BooksConnectionKey", key.id)), prefix=key.prefix,
                   created_at=key.created_at, last_used_at=key.last_used_at)
