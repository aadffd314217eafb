"""Users and the built-in roles (roles and their matrix: app.services.roles; sharing rules:
app.services.sharing)."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, Subquery

from app import auth, cleaning, settings
from app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import Grant, Membership, Role, User, UserSession
from app.permissions import DEFAULT_ROLES, Principal
from app.services.records import EMAIL_RE
from app.services.roles import require_admin


async def ensure_default_roles() -> dict[str, Role]:
    """Create the out-of-the-box roles on first start (idempotent; never changes roles an admin
    edited). Once any built-in role exists, none is created again: an administrator may have
    renamed one, and a second "Sales" would appear at the next start."""
    if await Role.exists(is_system=True):
        return {r.name: r for r in await Role.filter(is_system=True, name__in=list(DEFAULT_ROLES))}
    roles = {}
    for name, spec in DEFAULT_ROLES.items():
        role = await Role.create(
            name=name, description=spec["description"],
            sees_all_records=spec["sees_all_records"], is_system=True,
        )
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
        require_admin(principal)
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
        **values, role=role, password_hash=await auth.hash_password(password)
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
    if values.get("is_active") is False:  # signed out for good: reactivating revives no session
        await UserSession.filter(user_id=user.id).delete()
    await user.refresh_from_db()
    return user


def visible_users(principal: Principal):
    """The active users a principal may list: administrators every one, others themselves and
    those who share one of their organizations."""
    users = User.filter(is_active=True)
    if principal.is_admin:
        return users
    mates = Membership.filter(organization_id__in=list(principal.organization_ids)).values("user_id")
    return users.filter(Q(id=principal.user.id) | Q(id__in=Subquery(mates)))
