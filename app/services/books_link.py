"""Connecting the CRM to a Books organization (issue 12, "Connecting").

Books side: an organization administrator creates (or regenerates) a connection key, shown once
and kept as its sha256 only, tied to their user; one active key per user; revoking ends it.
CRM side: an administrator gives the key's e-mail address and the key, is shown the
organizations the key reaches (those its user administers: a member holding the settings.admin
grant), picks one and the automation rule. The installation has one link (`BooksLink`);
connecting again switches organization; disabling keeps it.

Every later reader of Books data through the link asks `active_link()`: the link when it is
enabled and its key still reaches its organization, else None.

Wrong e-mail address and wrong key get one message, so a caller cannot tell which was wrong;
attempts are throttled as sign-ins are (`app.throttle`, under a login of their own).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from app import cleaning, throttle
from app.errors import FieldError, LoginThrottled, NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import (
    Automation,
    BooksConnectionKey,
    BooksLink,
    BooksSyncRecord,
    ConflictPolicy,
    Grant,
    Membership,
    Organization,
    SyncDirection,
    SyncModule,
    User,
)
from app.permissions import Principal
from app.services import books_fields
from app.services.books_fields import Side
from app.services.organizations import organizations
from app.services.records import EMAIL_RE

KEY_PREFIX = "kzk_"
KEY_SHOWN = 12  # characters of the key kept (and shown) to recognise it
# What `create_key` makes; anything else is refused before it is counted or looked up.
KEY_RE = re.compile(r"kzk_[A-Za-z0-9_-]{43}")
EMAIL_MAX = 254
WRONG_KEY = N_("The e-mail address or the key is wrong.")
THROTTLE_LOGIN = "books-key:"


class KeyState(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"  # revoked, deleted, or its user may no longer reach the organization


def _now() -> datetime:
    return datetime.now(timezone.utc)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(N_("Only administrators may connect the CRM to Books."))


# ---- Books side: connection keys -----------------------------------------------------------


async def current_key(principal: Principal) -> BooksConnectionKey | None:
    """The user's active key (its prefix and dates; never the key itself)."""
    return await BooksConnectionKey.filter(user_id=principal.user.id, revoked_at=None).first()


async def create_key(principal: Principal, organization_id: Any) -> tuple[BooksConnectionKey, str]:
    """A new key for the user, administrator of `organization_id`; their previous key stops
    working. Returns the row and the key, which is shown this once only."""
    await organizations.get(principal, cleaning.pk(organization_id) or 0, "admin")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "postgres":
            # Two regenerations at once: one after the other, so one key stays active.
            await User.filter(id=principal.user.id).using_db(conn).select_for_update().values_list("id")
        await BooksConnectionKey.filter(user_id=principal.user.id, revoked_at=None).using_db(conn).update(
            revoked_at=_now())
        key = await BooksConnectionKey.create(user_id=principal.user.id, key_hash=digest(secret),
                                              prefix=secret[:KEY_SHOWN], using_db=conn)
    return key, secret


async def revoke_key(principal: Principal) -> None:
    """End the user's active key: a CRM linked with it stops reading Books. Anyone may end their
    own key, also after losing the rights that made it."""
    if not await BooksConnectionKey.filter(user_id=principal.user.id, revoked_at=None).update(revoked_at=_now()):
        raise NotFound(N_("You have no active key."))


# ---- CRM side: verifying a key -------------------------------------------------------------


async def _reachable(user_id: int) -> list[Organization]:
    """The organizations a key's user administers: a member, holding the settings.admin grant."""
    user = await User.get_or_none(id=user_id, is_active=True)
    if user is None or not await Grant.filter(role_id=user.role_id, module="settings", action="admin").exists():
        return []
    member_of = Membership.filter(user_id=user.id).values_list("organization_id", flat=True)
    return await Organization.filter(id__in=await member_of).order_by("name", "id")


async def verify(email: Any, key: Any, ip: str) -> tuple[BooksConnectionKey, list[Organization]]:
    """The active key given with its user's e-mail address and the organizations it reaches;
    ValidationError with one message for a wrong address or key (or too many attempts)."""
    email = email.strip().lower() if isinstance(email, str) else ""
    key = key.strip() if isinstance(key, str) else ""
    if (len(email) > EMAIL_MAX or not EMAIL_RE.match(email) or not cleaning.storable(email)
            or not KEY_RE.fullmatch(key)):
        raise ValidationError.single("key", WRONG_KEY)  # not even the shape of a key: nothing to count
    login = THROTTLE_LOGIN + digest(email)[:32]
    try:
        attempt = await throttle.admit(login, ip[:64])
    except LoginThrottled as exc:
        raise ValidationError.single("key", exc.msgid, **exc.params) from exc
    row = await BooksConnectionKey.get_or_none(key_hash=digest(key), revoked_at=None).select_related("user")
    # The address is compared in constant time too: the answer's timing says nothing either.
    owner = row.user.email.lower() if row is not None else "\0"
    if row is None or not hmac.compare_digest(owner.encode(), email.encode()) or not row.user.is_active:
        raise ValidationError.single("key", WRONG_KEY)
    await throttle.succeeded(attempt)
    await BooksConnectionKey.filter(id=row.id).update(last_used_at=_now())
    return row, await _reachable(row.user_id)


async def organizations_for_key(principal: Principal, email: Any, key: Any, ip: str) -> list[Organization]:
    require_admin(principal)
    return (await verify(email, key, ip))[1]


# ---- CRM side: the link --------------------------------------------------------------------


async def get_link() -> BooksLink | None:
    return await BooksLink.filter(slot=1).select_related("organization", "key", "connected_by").first()


async def link_for(principal: Principal) -> BooksLink | None:
    require_admin(principal)
    return await get_link()


async def key_state(link: BooksLink) -> KeyState:
    """Whether the link's key still reaches its organization."""
    key = link.key if link.key_id is not None else None
    if key is None or key.revoked_at is not None or link.organization_id is None:
        return KeyState.REVOKED
    reachable = await _reachable(key.user_id)
    return KeyState.VALID if any(o.id == link.organization_id for o in reachable) else KeyState.REVOKED


async def active_link() -> BooksLink | None:
    """The link to read and write Books through: None when there is none, it is disabled, or its
    key no longer reaches its organization."""
    link = await get_link()
    if link is None or not link.enabled or await key_state(link) != KeyState.VALID:
        return None
    return link


def _automation(value: Any) -> Automation:
    try:
        return Automation(value if value not in (None, "") else Automation.NONE.value)
    except ValueError:
        raise ValidationError.single("automation", N_("Choose one of the offered values.")) from None


async def connect(principal: Principal, email: Any, key: Any, organization_id: Any, automation: Any,
                  ip: str) -> BooksLink:
    """Link the CRM to an organization the key reaches (the installation's link, created or
    switched to it), enabled, with the automation rule chosen."""
    require_admin(principal)
    rule = _automation(automation)
    row, reachable = await verify(email, key, ip)
    chosen = cleaning.pk(organization_id) if organization_id not in (None, "") else None
    organization = next((o for o in reachable if o.id == chosen), None)
    if organization is None:
        raise ValidationError.single("organization_id", N_("Choose one of the organizations the key reaches."))
    values = {"organization_id": organization.id, "key_id": row.id, "connected_by_id": principal.user.id,
              "enabled": True, "automation": rule}
    async with in_transaction() as conn:
        link = await BooksLink.filter(slot=1).using_db(conn).select_for_update().first()
        if link is None:
            await BooksLink.create(slot=1, **values, using_db=conn)
        else:
            if link.organization_id != organization.id:
                values["generation"] = link.generation + 1  # what is synced changed
            link.update_from_dict(values)
            await link.save(using_db=conn)
    return await get_link()  # type: ignore[return-value]


async def set_enabled(principal: Principal, enabled: bool) -> BooksLink:
    """Disable or enable the link again: its organization and settings stay."""
    require_admin(principal)
    link = await get_link()
    if link is None:
        raise NotFound(N_("The CRM is not connected to Books."))
    link.enabled = bool(enabled)
    await link.save(update_fields=["enabled", "modified_at"])
    return link


async def disconnect(principal: Principal) -> None:
    require_admin(principal)
    if not await BooksLink.filter(slot=1).delete():
        raise NotFound(N_("The CRM is not connected to Books."))


# ---- CRM side: the sync settings -------------------------------------------------------------


def _choice(enum: type[StrEnum], value: Any, field: str, errors: list[FieldError]) -> Any:
    try:
        return enum(value)
    except ValueError:
        errors.append(FieldError(field, N_("Choose one of the offered values.")))
        return None


def _pairs(value: Any) -> list[tuple[Any, Any]] | None:
    """Pairs from [[crm, books], ...] or [{"crm": .., "books": ..}, ...]; None when not a list."""
    if not isinstance(value, (list, tuple)):
        return None
    out = []
    for item in value:
        if isinstance(item, dict):
            out.append((item.get("crm"), item.get("books")))
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            out.append((item[0], item[1]))
        else:
            out.append((None, None))
    return out


async def save_settings(principal: Principal, data: dict[str, Any]) -> BooksLink:
    """Save the sync settings and the field mappings at once, or nothing.

    `data`: sync_module, direction, conflict_policy, product_direction, product_conflict_policy,
    delete_previous, and `mapping`: {"accounts"|"contacts"|"products": [[crm, books], ...]};
    a missing or empty list stores nothing for it: the defaults apply (books_fields.DEFAULTS).
    `record_filter`: the conditions a synced record matches ([] every record; missing: the stored
    ones, unless the module changes). Deleting the records pushed under the previous settings
    concerns accounts only: asked with contacts, it is refused.

    A change of what is synced (the module, the filter, a mapping) raises the link's generation:
    what was pushed before is then "pushed under the previous settings", and the next run looks
    at every record again.
    """
    require_admin(principal)
    link = await get_link()
    if link is None:
        raise NotFound(N_("The CRM is not connected to Books."))
    errors: list[FieldError] = []
    values: dict[str, Any] = {
        "sync_module": _choice(SyncModule, data.get("sync_module"), "sync_module", errors),
        "direction": _choice(SyncDirection, data.get("direction"), "direction", errors),
        "conflict_policy": _choice(ConflictPolicy, data.get("conflict_policy"), "conflict_policy", errors),
        "product_direction": _choice(SyncDirection, data.get("product_direction"), "product_direction", errors),
        "product_conflict_policy": _choice(ConflictPolicy, data.get("product_conflict_policy"),
                                           "product_conflict_policy", errors),
        "delete_previous": bool(data.get("delete_previous")),
    }
    if values["delete_previous"] and values["sync_module"] == SyncModule.CONTACTS:
        errors.append(FieldError("delete_previous", N_(
            "Only records synced from accounts can be deleted from Books.")))
    record_filter = data.get("record_filter")
    if record_filter is None:
        record_filter = link.record_filter if values["sync_module"] == link.sync_module else []
    if values["sync_module"] is not None:
        record_filter, problems = books_fields.check_filter(Side(values["sync_module"].value), record_filter)
        errors.extend(problems)
    mapping = data.get("mapping") or {}
    if not isinstance(mapping, dict):
        mapping = {}
        errors.append(FieldError("mapping", N_("The field mapping is not valid.")))
    stored: dict[str, list[list[str]]] = {}
    for side in Side:
        pairs = _pairs(mapping.get(side.value) or [])
        if pairs is None:
            errors.append(FieldError(f"mapping.{side.value}", N_("The field mapping is not valid.")))
            continue
        if not pairs:
            continue  # the defaults
        clean, problems = books_fields.check(side, pairs, f"mapping.{side.value}")
        errors.extend(problems)
        if clean != [list(p) for p in books_fields.DEFAULTS[side]]:  # the defaults stay "the defaults"
            stored[side.value] = clean
    if errors:
        raise ValidationError(errors)
    async with in_transaction() as conn:
        row = await BooksLink.filter(slot=1).using_db(conn).select_for_update().first()
        if row is None:
            raise NotFound(N_("The CRM is not connected to Books."))
        remapped = [side.value for side in Side
                    if books_fields.effective(side, row.field_mapping) != books_fields.effective(side, stored)]
        if row.sync_module != values["sync_module"] or row.record_filter != record_filter or remapped:
            values["generation"] = row.generation + 1
        if remapped and row.organization_id is not None:
            # Digests made through the old mapping say nothing now: the next run starts those
            # pairs again from the CRM's values (app.services.books_sync).
            await BooksSyncRecord.filter(organization_id=row.organization_id, crm_module__in=remapped).using_db(
                conn).update(crm_digest="", books_digest="")
        row.update_from_dict({**values, "field_mapping": stored, "record_filter": record_filter})
        await row.save(using_db=conn)
    return await get_link()  # type: ignore[return-value]


# ---- CRM side: the automation rule -----------------------------------------------------------


async def set_automation(principal: Principal, rule: Any) -> BooksLink:
    """Change the automation rule chosen when connecting (app.services.books_automation): deals
    saved from now on follow it; documents made under the previous rule stay."""
    require_admin(principal)
    if rule in (None, ""):  # no default here: the rule in force stays unless another is chosen
        raise ValidationError.single("automation", N_("Choose one of the offered values."))
    value = _automation(rule)
    if not await BooksLink.filter(slot=1).update(automation=value, modified_at=_now()):
        raise NotFound(N_("The CRM is not connected to Books."))
    return await get_link()  # type: ignore[return-value]
