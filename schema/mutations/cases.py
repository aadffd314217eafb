"""Create, update and delete cases."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import UNSET

from app.services.cases import cases
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError
from schema.mutations.common import DeletePayload, create, delete, update
from schema.queries.common import AUTH
from schema.types.cases import Case, CaseStatus


@strawberry.input(description="Fields of a case; on update, omitted fields keep their value.")
class CaseInput:
    subject: str | None = UNSET
    status: CaseStatus | None = UNSET
    description: str | None = UNSET
    contact_id: strawberry.ID | None = UNSET
    email: str | None = UNSET
    owner_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of the new owner (a user)."
    )


@strawberry.type
class CasePayload:
    case: Case


CreateCaseResult = Annotated[
    CasePayload | ValidationError | NotFound | PermissionDenied, strawberry.union("CreateCaseResult")
]
UpdateCaseResult = Annotated[
    CasePayload | ValidationError | NotFound | PermissionDenied, strawberry.union("UpdateCaseResult")
]
DeleteCaseResult = Annotated[
    DeletePayload | NotFound | PermissionDenied | Conflict, strawberry.union("DeleteCaseResult")
]


@strawberry.type
class CaseMutation:
    @strawberry.mutation(permission_classes=AUTH)
    async def create_case(self, info: Info, input: CaseInput) -> CreateCaseResult:
        return await create(info, cases, input, lambda r: CasePayload(case=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def update_case(self, info: Info, id: strawberry.ID, input: CaseInput) -> UpdateCaseResult:
        return await update(info, cases, "Case", id, input, lambda r: CasePayload(case=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def delete_case(self, info: Info, id: strawberry.ID) -> DeleteCaseResult:
        return await delete(info, cases, "Case", id)
