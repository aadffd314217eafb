"""Roles, their permission matrix and members, and sharing rules. Every signed-in user sees a
role's name; its matrix and members are for administrators (null for others)."""

from __future__ import annotations

from enum import Enum

import strawberry

from app.models import Access
from app.models import Role as RoleModel
from app.models import SharingRule as SharingRuleModel
from app.permissions import ACTIONS, MODULES
from app.services import roles as role_service
from schema.context import Info
from schema.queries.common import AfterArg, FirstArg
from schema.types.connection import Connection, paginate
from schema.types.node import Node, global_id_field, model_type_check
from schema.types.users import User

PermissionModule = strawberry.enum(
    Enum("PermissionModule", {m.upper(): m for m in MODULES}),  # type: ignore[misc]
    description="A module of the permission matrix (`settings` only knows ADMIN).",
)
PermissionAction = strawberry.enum(
    Enum("PermissionAction", {a.upper(): a for a in ACTIONS}),  # type: ignore[misc]
    description="An action of the permission matrix.",
)
SharingAccess = strawberry.enum(Access, name="SharingAccess", description="What a sharing rule opens.")


@strawberry.type(description="One cell of a role's permission matrix: members may do `action` in `module`.")
class RoleGrant:
    module: PermissionModule  # type: ignore[valid-type]
    action: PermissionAction  # type: ignore[valid-type]


@strawberry.type(description="A role: a set of permissions given to users.")
class Role(Node):
    id: strawberry.ID = global_id_field("Role")
    name: str = strawberry.field(description="As the administrator typed it (built-in ones in English).")
    description: str
    sees_all_records: bool
    is_system: bool = strawberry.field(description="Built in: can be renamed and edited, not deleted.")
    is_type_of = model_type_check(RoleModel)

    @strawberry.field(description="The permission matrix, in the matrix's order. Administrators only: "
                                  "null for others (your own grants are `me.grants`).")
    async def grants(self, info: Info) -> list[RoleGrant] | None:
        if not info.context.principal.is_admin:
            return None
        pairs = await info.context.loaders.role_grants.load(self.id)
        return [RoleGrant(module=PermissionModule(m), action=PermissionAction(a)) for m, a in pairs]

    @strawberry.field(description="The users who hold the role, by name. Administrators only: null for others.")
    async def users(self, info: Info, first: FirstArg = None, after: AfterArg = None) -> Connection[User] | None:
        principal = info.context.principal
        if not principal.is_admin:
            return None
        return await paginate(role_service.members(principal, self.id), ["name", "id"], first, after)


@strawberry.type(description="Opens the records of one owner (a user, a role's members, or everyone when "
                             "both are null) in one CRM module to a user or a role's members.")
class SharingRule(Node):
    id: strawberry.ID = global_id_field("SharingRule")
    access: SharingAccess  # type: ignore[valid-type]
    is_type_of = model_type_check(SharingRuleModel)

    @strawberry.field
    def module(self) -> PermissionModule:  # type: ignore[valid-type]
        return PermissionModule(self.module)

    # The rule's parties are read with the rule (app.services.sharing.with_parties).
    @strawberry.field(description="Whose records are shared: this user's.")
    def owner_user(self) -> User | None:
        return self.owner_user

    @strawberry.field(description="Whose records are shared: those of this role's members.")
    def owner_role(self) -> Role | None:
        return self.owner_role

    @strawberry.field(description="Who sees them: this user.")
    def grantee_user(self) -> User | None:
        return self.grantee_user

    @strawberry.field(description="Who sees them: this role's members.")
    def grantee_role(self) -> Role | None:
        return self.grantee_role
