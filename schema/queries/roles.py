"""roles (everyone: names to show) and sharingRules (administrators)."""

from __future__ import annotations

import strawberry

from app.services import roles, sharing
from schema.context import Info
from schema.permissions import IsAdministrator, IsAuthenticated
from schema.queries.common import AUTH, AfterArg, FirstArg
from schema.types.connection import Connection, bounded, paginate
from schema.types.roles import Role, SharingRule


@strawberry.type
class RoleQuery:
    @strawberry.field(permission_classes=AUTH, description="Roles by name: at most `first` (default and "
                      "maximum 100 unless the server is configured otherwise).")
    async def roles(self, first: int | None = None) -> list[Role]:
        return await bounded(roles.roles(), first)

    @strawberry.field(permission_classes=[IsAuthenticated, IsAdministrator],
                      description="Sharing rules, oldest first (administrators only).")
    async def sharing_rules(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> Connection[SharingRule]:
        return await paginate(sharing.rules(info.context.principal), ["id"], first, after)
