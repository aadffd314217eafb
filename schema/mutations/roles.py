"""Administrators: create, rename and delete roles, set a role's permission matrix, create and
delete sharing rules. The rules are Settings' own (app.services.roles, app.services.sharing);
what a change opens or closes reaches every user on their next request (the access stamp)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from app.services import roles, sharing
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.common import DeletePayload, existing_pk, remove, to_data
from schema.queries.common import AUTH
from schema.types.node import to_global_id
from schema.types.roles import PermissionAction, PermissionModule, Role, SharingAccess, SharingRule

PARTY_TYPES = {"owner_user_id": "User", "owner_role_id": "Role", "grantee_user_id": "User",
               "grantee_role_id": "Role"}


@strawberry.input(description="A role's name and settings; on update, omitted fields keep their value.")
class RoleInput:
    name: str | None = UNSET
    description: str | None = UNSET
    sees_all_records: bool | None = strawberry.field(
        default=UNSET, description="Members see every owner's records (within their grants).")


@strawberry.input(description="One cell of the permission matrix.")
class RoleGrantInput:
    module: PermissionModule  # type: ignore[valid-type]
    action: PermissionAction  # type: ignore[valid-type]


@strawberry.input(description="Share the records of an owner (a user, a role, or everyone when both are "
                              "omitted) in one CRM module with a user or a role.")
class SharingRuleInput:
    module: PermissionModule  # type: ignore[valid-type]
    access: SharingAccess  # type: ignore[valid-type]
    owner_user_id: strawberry.ID | None = UNSET
    owner_role_id: strawberry.ID | None = UNSET
    grantee_user_id: strawberry.ID | None = UNSET
    grantee_role_id: strawberry.ID | None = UNSET


@strawberry.type
class RolePayload:
    role: Role


@strawberry.type
class SharingRulePayload:
    sharing_rule: SharingRule


CreateRoleResult = Annotated[RolePayload | ValidationError | PermissionDenied, strawberry.union("CreateRoleResult")]
UpdateRoleResult = Annotated[
    RolePayload | ValidationError | NotFound | PermissionDenied, strawberry.union("UpdateRoleResult")]
DeleteRoleResult = Annotated[
    DeletePayload | NotFound | PermissionDenied | Conflict, strawberry.union("DeleteRoleResult")]
SetRoleGrantsResult = Annotated[
    RolePayload | ValidationError | NotFound | PermissionDenied | Conflict, strawberry.union("SetRoleGrantsResult")]
CreateSharingRuleResult = Annotated[
    SharingRulePayload | ValidationError | PermissionDenied, strawberry.union("CreateSharingRuleResult")]
DeleteSharingRuleResult = Annotated[
    DeletePayload | NotFound | PermissionDenied, strawberry.union("DeleteSharingRuleResult")]


def _role_data(input: RoleInput) -> dict[str, Any]:
    data = to_data(input, {})
    if data.get("sees_all_records") is None:
        data.pop("sees_all_records", None)
    return data


def _deleted(type_name: str, pk: int) -> DeletePayload:
    return DeletePayload(deleted_id=strawberry.ID(to_global_id(type_name, pk)))


@strawberry.type
class RoleMutation:
    @strawberry.mutation(permission_classes=AUTH, description="A new role, with no permissions yet.")
    async def create_role(self, info: Info, input: RoleInput) -> CreateRoleResult:
        return await attempt(info, lambda: roles.create_role(info.context.principal, _role_data(input)),
                             lambda role: RolePayload(role=role))

    @strawberry.mutation(permission_classes=AUTH, description="Rename a role or change its settings.")
    async def update_role(self, info: Info, id: strawberry.ID, input: RoleInput) -> UpdateRoleResult:
        return await attempt(
            info, lambda: roles.update_role(info.context.principal, existing_pk(id, "Role"), _role_data(input)),
            lambda role: RolePayload(role=role))

    @strawberry.mutation(permission_classes=AUTH, description="Delete a role nobody holds (not a built-in one).")
    async def delete_role(self, info: Info, id: strawberry.ID) -> DeleteRoleResult:
        return await remove(info, "Role", id, lambda pk: roles.delete_role(info.context.principal, pk),
                            lambda pk: _deleted("Role", pk))

    @strawberry.mutation(permission_classes=AUTH, description="Replace a role's whole permission matrix.")
    async def set_role_grants(self, info: Info, id: strawberry.ID, grants: list[RoleGrantInput]) -> SetRoleGrantsResult:
        wanted = [(g.module.value, g.action.value) for g in grants]
        return await attempt(
            info, lambda: roles.set_grants(info.context.principal, existing_pk(id, "Role"), wanted),
            lambda role: RolePayload(role=role))

    @strawberry.mutation(permission_classes=AUTH, description="A new sharing rule.")
    async def create_sharing_rule(self, info: Info, input: SharingRuleInput) -> CreateSharingRuleResult:
        async def run() -> Any:
            data = to_data(input, PARTY_TYPES)
            data["module"] = input.module.value
            return await sharing.create_sharing_rule(info.context.principal, data)

        return await attempt(info, run, lambda rule: SharingRulePayload(sharing_rule=rule))

    @strawberry.mutation(permission_classes=AUTH, description="Delete a sharing rule.")
    async def delete_sharing_rule(self, info: Info, id: strawberry.ID) -> DeleteSharingRuleResult:
        return await remove(info, "SharingRule", id,
                            lambda pk: sharing.delete_sharing_rule(info.context.principal, pk),
                            lambda pk: _deleted("SharingRule", pk))
