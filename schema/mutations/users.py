"""Personal API tokens (create: the secret is shown once; revoke) and signed-in sessions (sign
out one, or all but this one)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app import auth, sessions
from schema.context import Info
from schema.errors import NotFound, ValidationError, attempt
from schema.mutations.common import remove
from schema.queries.common import AUTH
from schema.types.node import to_global_id
from schema.types.users import ApiToken, ApiTokenScope, current_session_id


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
    @strawberry.mutation(permission_classes=AUTH, description=(
        "A new personal API token: for the API (the default), or an app password for CalDAV/CardDAV (DAV)."))
    async def create_api_token(self, info: Info, name: str,
                               scopes: list[ApiTokenScope] | None = None) -> CreateApiTokenResult:
        chosen = [s.value for s in scopes[:len(auth.SCOPES) + 1]] if scopes is not None else ["api"]
        return await attempt(info, lambda: auth.create_api_token(info.context.user, name, chosen),
                             lambda made: CreateApiTokenPayload(token=made[0], secret=made[1]))

    @strawberry.mutation(permission_classes=AUTH, description="Revoke one of your API tokens.")
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> RevokeApiTokenResult:
        return await remove(info, "ApiToken", id, lambda pk: auth.revoke_api_token(info.context.user, pk),
                            lambda pk: RevokeApiTokenPayload(revoked_id=strawberry.ID(to_global_id("ApiToken", pk))))


@strawberry.type
class RevokeSessionPayload:
    revoked_id: strawberry.ID


@strawberry.type
class RevokeOtherSessionsPayload:
    revoked_count: int


RevokeSessionResult = Annotated[RevokeSessionPayload | NotFound, strawberry.union("RevokeSessionResult")]


@strawberry.type
class SessionMutation:
    @strawberry.mutation(permission_classes=AUTH, description="Sign out one of your sessions.")
    async def revoke_session(self, info: Info, id: strawberry.ID) -> RevokeSessionResult:
        return await remove(info, "Session", id, lambda pk: sessions.revoke(info.context.user, pk),
                            lambda pk: RevokeSessionPayload(revoked_id=strawberry.ID(to_global_id("Session", pk))))

    @strawberry.mutation(permission_classes=AUTH,
                         description="Sign out every session of yours but the one making this request "
                                     "(all of them when called with an API token).")
    async def revoke_other_sessions(self, info: Info) -> RevokeOtherSessionsPayload:
        count = await sessions.revoke_others(info.context.user, current_session_id(info))
        return RevokeOtherSessionsPayload(revoked_count=count)
