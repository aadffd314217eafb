"""Roles and their permission matrix: the one set of rules Settings > Users & roles and the
GraphQL administrator mutations share. Reading roles is open to every signed-in user (to show a
role's name); changing them, reading their matrix or their members is for administrators."""

from __future__ import annotations

from typing import Any, Iterable

from tortoise.transactions import in_transaction

from app import cleaning
from app.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import Grant, Role, User
from app.permissions import MODULE_ACTIONS, MODULES, Principal

NAME_MAX = 100
DESCRIPTION_MAX = 255


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(N_("Only administrators may change users and roles."))


def parse_id(value: Any) -> int | None:
    """A record id from a form or an API: None when it is not one in the id column's range."""
    return cleaning.pk(value) if value is not None else None


async def get_role(role_id: Any) -> Role:
    pk = parse_id(role_id)
    role = await Role.get_or_none(id=pk) if pk else None
    if role is None:
        raise NotFound()
    return role


def roles():
    """Every role, by name (a queryset: callers bound it)."""
    return Role.all().order_by("name", "id")


async def _clean(data: dict[str, Any], role: Role | None) -> dict[str, Any]:
    if unstorable := cleaning.unstorable(data):  # NUL, lone surrogates: nothing else is looked at
        raise ValidationError(unstorable)
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    if "name" in data or role is None:
        name = str(data.get("name") or "").strip()
        if not name:
            errors.append(FieldError("name", N_("This field is required.")))
        elif len(name) > NAME_MAX:
            errors.append(FieldError("name", N_("Must be at most %(max)d characters (now %(length)d)."),
                                     {"max": NAME_MAX, "length": len(name)}))
        else:
            same = Role.filter(name=name)
            if role is not None:
                same = same.exclude(id=role.id)
            if await same.exists():
                errors.append(FieldError("name", N_("A role with this name exists already.")))
        out["name"] = name
    if "description" in data:
        description = str(data.get("description") or "").strip()
        if len(description) > DESCRIPTION_MAX:
            errors.append(FieldError("description", N_("Must be at most %(max)d characters (now %(length)d)."),
                                     {"max": DESCRIPTION_MAX, "length": len(description)}))
        out["description"] = description
    if "sees_all_records" in data:
        out["sees_all_records"] = bool(data["sees_all_records"])
    if errors:
        raise ValidationError(errors)
    return out


async def create_role(principal: Principal, data: dict[str, Any]) -> Role:
    require_admin(principal)
    values = await _clean(data, None)
    return await Role.create(**values)


async def update_role(principal: Principal, role_id: Any, data: dict[str, Any]) -> Role:
    """Rename a role, or change its description or whether its members see every record."""
    require_admin(principal)
    role = await get_role(role_id)
    values = await _clean(data, role)
    if values:
        await Role.filter(id=role.id).update(**values)
        await role.refresh_from_db()
    return role


async def delete_role(principal: Principal, role_id: Any) -> None:
    """Only roles nobody holds; the built-in ones stay (setup relies on them)."""
    require_admin(principal)
    role = await get_role(role_id)
    if role.is_system:
        raise Conflict(N_("Built-in roles cannot be deleted."))
    async with in_transaction():
        if await User.filter(role_id=role.id).exists():
            raise Conflict(N_("Move this role's users to another role first."))
        await Role.filter(id=role.id).delete()


async def grants_of(principal: Principal, role_id: Any) -> tuple[Role, set[tuple[str, str]]]:
    """A role and its permission matrix as (module, action) pairs."""
    require_admin(principal)
    role = await get_role(role_id)
    return role, set(await Grant.filter(role_id=role.id).values_list("module", "action"))


async def grants_by_role(role_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """The matrices of several roles in one query, in the matrix's order (for loaders)."""
    order = {(m, a): i for i, (m, a) in enumerate((m, a) for m in MODULES for a in MODULE_ACTIONS[m])}
    found: dict[int, list[tuple[str, str]]] = {pk: [] for pk in role_ids}
    rows = await Grant.filter(role_id__in=list(found)).values_list("role_id", "module", "action")
    for role_id, module, action in rows:
        found[role_id].append((module, action))
    for pairs in found.values():
        pairs.sort(key=lambda p: order.get(p, len(order)))
    return found


async def set_grants(principal: Principal, role_id: Any, grants: Iterable[tuple[str, str]]) -> Role:
    """Replace a role's permission matrix."""
    require_admin(principal)
    role = await get_role(role_id)
    wanted = set(grants)
    for module, action in sorted(wanted):
        if action not in MODULE_ACTIONS.get(module, ()):
            raise ValidationError.single("grants", N_("Unknown permission %(perm)s."), perm=f"{module}.{action}")
    if role.id == principal.user.role_id and ("settings", "admin") not in wanted:
        raise Conflict(N_("You cannot remove the settings permission from your own role."))
    async with in_transaction():
        await Grant.filter(role_id=role.id).delete()
        await Grant.bulk_create([Grant(role_id=role.id, module=m, action=a) for m, a in sorted(wanted)])
    return role


def members(principal: Principal, role_id: int):
    """The users who hold a role (administrators only), by name (a queryset: callers bound it)."""
    require_admin(principal)
    return User.filter(role_id=role_id).order_by("name", "id")
