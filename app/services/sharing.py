"""Sharing rules: the records of one owner (a user, a role, or everyone) in one CRM module opened
to a grantee (a user or a role), read-only or read-write. Administrators only; Settings >
Sharing rules and the GraphQL mutations call these functions."""

from __future__ import annotations

from typing import Any

from app.errors import NotFound, ValidationError
from app.i18n import N_
from app.models import Access, Role, SharingRule, User
from app.permissions import CRM_MODULES, Principal
from app.services.roles import parse_id, require_admin

PARTIES = ("owner_user_id", "owner_role_id", "grantee_user_id", "grantee_role_id")


PARTY_RELATIONS = ("owner_user", "owner_role", "grantee_user", "grantee_role")


def rules(principal: Principal):
    """Every sharing rule with its parties, oldest first (a queryset: callers bound it)."""
    require_admin(principal)
    return SharingRule.all().select_related(*PARTY_RELATIONS).order_by("id")


async def create_sharing_rule(principal: Principal, data: dict[str, Any]) -> SharingRule:
    """`data`: module, access and the ids of the parties (None or "" when not given)."""
    require_admin(principal)
    module = data.get("module")
    if module not in CRM_MODULES:
        raise ValidationError.single("module", N_("Choose one of the offered values."))
    try:
        access = Access(data.get("access"))
    except ValueError:
        raise ValidationError.single("access", N_("Choose one of the offered values.")) from None
    ids: dict[str, int | None] = {}
    for key in PARTIES:
        given = data.get(key)
        ids[key] = parse_id(given) if given not in (None, "") else None
        if given not in (None, "") and ids[key] is None:
            raise ValidationError.single(key, N_("Choose a valid record."))
    if ids["owner_user_id"] and ids["owner_role_id"]:
        raise ValidationError.single("owner_user_id", N_("Choose a user or a role, not both."))
    if bool(ids["grantee_user_id"]) == bool(ids["grantee_role_id"]):
        raise ValidationError.single("grantee_user_id", N_("Choose either a user or a role to share with."))
    for key, model in (("owner_user_id", User), ("grantee_user_id", User),
                       ("owner_role_id", Role), ("grantee_role_id", Role)):
        if ids[key] and not await model.exists(id=ids[key]):
            raise ValidationError.single(key, N_("Choose a valid record."))
    rule = await SharingRule.create(module=module, access=access, **ids)
    await rule.fetch_related(*PARTY_RELATIONS)
    return rule


async def delete_sharing_rule(principal: Principal, rule_id: Any) -> None:
    require_admin(principal)
    pk = parse_id(rule_id)
    if not pk or not await SharingRule.filter(id=pk).delete():
        raise NotFound()
