"""Users (as owners and attendees: id, name and e-mail only), roles, API tokens and `me`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from schema.loaders import ready

from app.models import ApiToken as ApiTokenModel
from app.models import User as UserModel
from schema.context import Info
from schema.types.connection import bounded
from schema.types.node import Node, global_id_field, model_type_check

if TYPE_CHECKING:
    from schema.types.roles import Role


@strawberry.type(description="A person who uses Kizuna. Only public fields are exposed.")
class User(Node):
    id: strawberry.ID = global_id_field("User")
    name: str
    email: str
    is_type_of = model_type_check(UserModel)


@strawberry.type(description="A personal API token. The secret itself is shown once, at creation.")
class ApiToken(Node):
    id: strawberry.ID = global_id_field("ApiToken")
    name: str
    prefix: str = strawberry.field(description="The first characters of the secret, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_type_of = model_type_check(ApiTokenModel)


@strawberry.type(description="A module permission the current user holds.")
class Grant:
    module: str
    action: str


@strawberry.type(description="The signed-in user.")
class Me:
    user: User
    role: Annotated["Role", strawberry.lazy("schema.types.roles")]
    language: str | None
    timezone: str

    @strawberry.field(description="What the user may do, per module.")
    def grants(self, info: Info) -> list[Grant]:
        principal = info.context.principal
        return [Grant(module=m, action=a) for m, a in sorted(principal.grants)]

    @strawberry.field(description="The user's API tokens, newest first, revoked ones included: at most "
                                  "`first` (default and maximum 100 unless the server is configured otherwise).")
    async def api_tokens(self, first: int | None = None) -> list[ApiToken]:
        return await bounded(ApiTokenModel.filter(user_id=self.user.id).order_by("-created_at", "-id"), first)


def _owner(root: Any, info: Info) -> User:
    return ready(info.context.loaders.user, root.owner_id)


def owner_field() -> Any:
    return strawberry.field(resolver=_owner, description="The user who owns the record.")
