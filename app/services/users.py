"""Users, roles, the permission matrix and sharing rules (Settings > Users & roles)."""

from __future__ import annotations

from typing import Any, Iterable

from tortoise.transactions import in_transaction

from app import auth, cleaning, settings
from app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import Access, Grant, Role, SharingRule, User
from app.permissions import CRM_MODULES, DEFAULT_ROLES, MODULE_ACTIONS, Principal
from app.services.records import EMAIL_RE


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(N_("Only administrators may change users and roles."))


async def ensure_default_roles() -> dict[str, Role]:
    """Create the out-of-the-box roles (idempotent; never changes roles an admin edited)."""
    roles = {}
    for name, spec in DEFAULT_ROLES.items():
        role, created = await Role.get_or_create(
            name=name,
            defaults={
                "description": spec["description"],
                "sees_all_records": spec["sees_all_records"],
                "is_system": True,
            },
        )
        if created:
            await Grant.bulk_create([Grant(role=role, module=m, action=a) for m, a in spec["grants"]])
        roles[name] = role
    return roles


def _clean_user_fields(data: dict[str, Any], creating: bool) -> dict[str, Any]:
    if problems := cleaning.unstorable(data):
        raise ValidationError(problems)
    errors = []
    out: dict[str, Any] = {}
    if "email" in data or creating:
        email = str(data.get("email") or "").strip().lower()
        if not EMAIL_RE.match(email) or len(email) > 254:
            errors.append(("email", N_("Enter a valid e-mail address.")))
        out["email"] = email
    if "name" in data or creating:
        name = str(data.get("name") or "").strip()
        if not name:
            errors.append(("name", N_("This field is required.")))
        elif len(name) > 100:
            errors.append(("name", N_("Must be at most 100 characters.")))
        out["name"] = name
    if "language" in data:
        lang = data.get("language") or None
        if lang is not None and lang not in settings.LANGUAGES:
            errors.append(("language", N_("Choose one of the offered values.")))
        out["language"] = lang
    if "timezone" in data:
        from zoneinfo import available_timezones

        tz = str(data.get("timezone") or settings.DEFAULT_TIMEZONE)
        if tz not in available_timezones():
            errors.append(("timezone", N_("Choose one of the offered values.")))
        out["timezone"] = tz
    if "is_active" in data:
        out["is_active"] = bool(data["is_active"])
    if errors:
        from app.errors import FieldError

        raise ValidationError([FieldError(f, m) for f, m in errors])
    return out


async def create_user(principal: Principal | None, data: dict[str, Any]) -> User:
    """Create a user. `principal` None is the command line (first administrator)."""
    if principal is not None:
        _require_admin(principal)
    values = _clean_user_fields(data, creating=True)
    password = str(data.get("password") or "")
    auth.check_password_strength(password)
    role_id = cleaning.pk(data.get("role_id") or 0)
    role = role_id and await Role.get_or_none(id=role_id)
    if not role:
        raise ValidationError.single("role_id", N_("Choose a valid record."))
    if await User.exists(email=values["email"]):
        raise ValidationError.single("email", N_("A user with this e-mail address exists already."))
    return await User.create(
        **values, role=role, password_hash=auth.hash_password(password)
    )


async def update_user(principal: Principal, user_id: int, data: dict[str, Any]) -> User:
    """Admins edit anyone; every user may edit their own name, language and time zone."""
    user = await User.get_or_none(id=user_id).select_related("role")
    if user is None:
        raise NotFound()
    own_fields = {"name", "language", "timezone"}
    if not principal.is_admin and (user.id != principal.user.id or set(data) - own_fields):
        raise PermissionDenied()
    values = _clean_user_fields(data, creating=False)
    if "email" in values and await User.exists(email=values["email"]).exclude(id=user.id):
        raise ValidationError.single("email", N_("A user with this e-mail address exists already."))
    if "role_id" in data:
        role_id = cleaning.pk(data["role_id"] or 0)
        role = role_id and await Role.get_or_none(id=role_id)
        if not role:
            raise ValidationError.single("role_id", N_("Choose a valid record."))
        values["role_id"] = role.id
    if user.id == principal.user.id and (
        values.get("is_active") is False
        or ("role_id" in values and values["role_id"] != user.role_id and principal.is_admin)
    ):
        raise Conflict(N_("You cannot deactivate yourself or change your own role."))
    await User.filter(id=user.id).update(**values)
    await user.refresh_from_db()
    return user


async def create_role(principal: Principal, data: dict[str, Any]) -> Role:
    _require_admin(principal)
    if problems := cleaning.unstorable(data):
        raise ValidationError(problems)
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationError.single("name", N_("This field is required."))
    if len(name) > 100:
        raise ValidationError.single("name", N_("Must be at most 100 characters."))
    if await Role.exists(name=name):
        raise ValidationError.single("name", N_("A role with this name exists already."))
    return await Role.create(
        name=name,
        description=str(data.get("description") or "")[:255],
        sees_all_records=bool(data.get("sees_all_records")),
    )


async def delete_role(principal: Principal, role_id: int) -> None:
    _require_admin(principal)
    role = await Role.get_or_none(id=role_id)
    if role is None:
        raise NotFound()
    if role.is_system:
        raise Conflict(N_("Built-in roles cannot be deleted."))
    if await User.exists(role_id=role.id):
        raise Conflict(N_("Move this role's users to another role first."))
    await role.delete()


async def set_grants(principal: Principal, role_id: int, grants: Iterable[tuple[str, str]]) -> Role:
    """Replace a role's permission matrix."""
    _require_admin(principal)
    role = await Role.get_or_none(id=role_id)
    if role is None:
        raise NotFound()
    wanted = set(grants)
    for module, action in wanted:
        if action not in MODULE_ACTIONS.get(module, ()):
            raise ValidationError.single("grants", N_("Unknown permission %(perm)s."), perm=f"{module}.{action}")
    if role.id == principal.user.role_id and ("settings", "admin") not in wanted:
        raise Conflict(N_("You cannot remove the settings permission from your own role."))
    async with in_transaction():
        await Grant.filter(role_id=role.id).delete()
        await Grant.bulk_create([Grant(role_id=role.id, module=m, action=a) for m, a in sorted(wanted)])
    return role


async def create_sharing_rule(principal: Principal, data: dict[str, Any]) -> SharingRule:
    _require_admin(principal)
    module = data.get("module")
    if module not in CRM_MODULES:
        raise ValidationError.single("module", N_("Choose one of the offered values."))
    try:
        access = Access(data.get("access"))
    except ValueError:
        raise ValidationError.single("access", N_("Choose one of the offered values.")) from None
    ids = {k: cleaning.pk(data[k]) if data.get(k) not in (None, "") else None for k in
           ("owner_user_id", "owner_role_id", "grantee_user_id", "grantee_role_id")}
    if bad := [k for k, v in ids.items() if v is None and data.get(k) not in (None, "")]:
        raise ValidationError.single(bad[0], N_("Choose a valid record."))
    if ids["owner_user_id"] and ids["owner_role_id"]:
        raise ValidationError.single("owner_user_id", N_("Choose a user or a role, not both."))
    if bool(ids["grantee_user_id"]) == bool(ids["grantee_role_id"]):
        raise ValidationError.single("grantee_user_id", N_("Choose either a user or a role to share with."))
    for key, model in (("owner_user_id", User), ("grantee_user_id", User),
                       ("owner_role_id", Role), ("grantee_role_id", Role)):
        if ids[key] and not await model.exists(id=ids[key]):
            raise ValidationError.single(key, N_("Choose a valid record."))
    return await SharingRule.create(module=module, access=access, **ids)


async def delete_sharing_rule(principal: Principal, rule_id: int) -> None:
    _require_admin(principal)
    deleted = await SharingRule.filter(id=rule_id).delete()
    if not deleted:
        raise NotFound()
