"""Users (as owners and attendees: id, name and e-mail only), roles, API tokens, signed-in
sessions and `me`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from schema.loaders import ready

from app.models import ApiToken as ApiTokenModel
from app import sessions
from app.models import User as UserModel
from schema.context import Info
from schema.types.connection import bounded
from schema.types.node import Node, global_id_field, model_type_check, to_global_id

if TYPE_CHECKING:
    from schema.types.roles import Role


@strawberry.enum(description="What a personal API token opens.")
class ApiTokenScope(Enum):
    API = "api"  # GraphQL
    DAV = "dav"  # CalDAV/CardDAV, as an app password


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

    @strawberry.field(description="What the token opens: API (GraphQL) and/or DAV (CalDAV/CardDAV as an app password).")
    def scopes(self) -> list[ApiTokenScope]:  # type: ignore[valid-type]
        return [ApiTokenScope(s) for s in (self.scopes or "api").split(",") if s]
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_type_of = model_type_check(ApiTokenModel)


@strawberry.type(description="A signed-in browser session of the current user.")
class Session:
    id: strawberry.ID
    created_at: datetime
    last_seen_at: datetime = strawberry.field(description="Last use, recorded at most once a minute.")
    expires_at: datetime = strawberry.field(description="Ends then unless used again before.")
    user_agent: str
    address: str = strawberry.field(description="The client's address when it signed in.")
    current: bool = strawberry.field(description="True for the session making this request.")


def current_session_id(info: Info) -> int | None:
    request = info.context.request
    return getattr(request.state, "session_id", None) if request is not None else None


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

    @strawberry.field(description="The user's signed-in sessions, most recently used first.")
    async def sessions(self, info: Info) -> list[Session]:
        current = current_session_id(info)
        return [
            Session(id=strawberry.ID(to_global_id("Session", s.id)), created_at=s.created_at, last_seen_at=s.last_seen_at, expires_at=s.expires_at,
                    user_agent=s.user_agent, address=s.ip, current=s.id == current)
            for s in await sessions.active(self.user)
        ]


def _owner(root: Any, info: Info) -> User:
    return ready(info.context.loaders.user, root.owner_id)


def owner_field() -> Any:
    return strawberry.field(resolver=_owner, description="The user who owns the record.")
