"""Create, update and delete cases."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import UNSET

from app.services import cases as case_service
from app.services.cases import cases
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.common import DeletePayload, create, delete, existing_pk, update
from schema.queries.common import AUTH
from schema.types.cases import Case, CaseStatus
from schema.types.node import to_global_id


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


@strawberry.type(description="The file is no longer kept with the case (the e-mail keeps its own).")
class RemoveCaseAttachmentPayload:
    removed_id: strawberry.ID
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
RemoveCaseAttachmentResult = Annotated[
    RemoveCaseAttachmentPayload | NotFound | PermissionDenied, strawberry.union("RemoveCaseAttachmentResult")
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

    @strawberry.mutation(permission_classes=AUTH, description="Remove a file from a case (editing the case); "
                         "the e-mail it came from keeps it.")
    async def remove_case_attachment(self, info: Info, id: strawberry.ID) -> RemoveCaseAttachmentResult:
        principal = info.context.principal

        async def run() -> RemoveCaseAttachmentPayload:
            pk = existing_pk(id, "CaseAttachment")
            case = await case_service.remove_attachment(principal, pk)
            return RemoveCaseAttachmentPayload(removed_id=strawberry.ID(to_global_id("CaseAttachment", pk)), case=case)

        return await attempt(info, run)
