"""Personal API tokens: create (the secret is shown once) and revoke."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app import auth
from app.errors import KizunaError, NotFound as NotFoundError
from schema.context import Info
from schema.errors import NotFound, ValidationError, to_error
from schema.queries.common import AUTH
from schema.types.node import pk_of, to_global_id
from schema.types.users import ApiToken


@strawberry.type
class CreateApiTokenPayload:
    token: ApiToken
    secret: str = strawberry.field(
        description="Send as `Authorization: Bearer <secret>`. Shown now and never again."
    )


@strawberry.type
class RevokeApiTokenPayload:
    revoked_id: strawberry.ID


CreateApiTokenResult = Annotated[
    CreateApiTokenPayload | ValidationError, strawberry.union("CreateApiTokenResult")
]
RevokeApiTokenResult = Annotated[RevokeApiTokenPayload | NotFound, strawberry.union("RevokeApiTokenResult")]


@strawberry.type
class ApiTokenMutation:
    @strawberry.mutation(permission_classes=AUTH, description="A new personal API token.")
    async def create_api_token(self, info: Info, name: str) -> CreateApiTokenResult:
        try:
            token, secret = await auth.create_api_token(info.context.user, name)
        except KizunaError as exc:
            return to_error(info, exc)
        return CreateApiTokenPayload(token=token, secret=secret)

    @strawberry.mutation(permission_classes=AUTH, description="Revoke one of your API tokens.")
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> RevokeApiTokenResult:
        try:
            pk = pk_of(id, "ApiToken")
            if pk is None:
                raise NotFoundError()
            await auth.revoke_api_token(info.context.user, pk)
        except KizunaError as exc:
            return to_error(info, exc)
        return RevokeApiTokenPayload(revoked_id=strawberry.ID(to_global_id("ApiToken", pk)))
