"""Create, update and delete leads."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import UNSET

from app.services.leads import leads
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError
from schema.mutations.common import DeletePayload, create, delete, update
from schema.queries.common import AUTH
from schema.types.leads import Lead, LeadStatus


@strawberry.input(description="Fields of a lead; on update, omitted fields keep their value.")
class LeadInput:
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    last_name_kana: str | None = strawberry.field(
        default=UNSET, description="Reading of the family name (katakana; hiragana is converted). Empty: generated.")
    first_name_kana: str | None = strawberry.field(
        default=UNSET, description="Reading of the given name (katakana; hiragana is converted). Empty: generated.")
    company: str | None = UNSET
    email: str | None = UNSET
    phone: str | None = UNSET
    mobile: str | None = UNSET
    status: LeadStatus | None = UNSET
    description: str | None = UNSET
    owner_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of the new owner (a user)."
    )


@strawberry.type
class LeadPayload:
    lead: Lead


CreateLeadResult = Annotated[
    LeadPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("CreateLeadResult")
]
UpdateLeadResult = Annotated[  # Conflict: a converted lead's status stays
    LeadPayload | ValidationError | NotFound | PermissionDenied | Conflict, strawberry.union("UpdateLeadResult")
]
DeleteLeadResult = Annotated[
    DeletePayload | NotFound | PermissionDenied | Conflict, strawberry.union("DeleteLeadResult")
]


@strawberry.type
class LeadMutation:
    @strawberry.mutation(permission_classes=AUTH)
    async def create_lead(self, info: Info, input: LeadInput) -> CreateLeadResult:
        return await create(info, leads, input, lambda r: LeadPayload(lead=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def update_lead(self, info: Info, id: strawberry.ID, input: LeadInput) -> UpdateLeadResult:
        return await update(info, leads, "Lead", id, input, lambda r: LeadPayload(lead=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def delete_lead(self, info: Info, id: strawberry.ID) -> DeleteLeadResult:
        return await delete(info, leads, "Lead", id)
