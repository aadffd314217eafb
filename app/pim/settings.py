"""Per-user, per-kind PIM sync settings (seed 003): the direction, automatic or manual (changes
held until "sync now"), only the items of one category, and the share of a collection a client
may delete in one sync before the deletions are held for confirmation.

Everyone has settings: a kind nobody saved yet reads as the model's defaults (unsaved). Pages and
GraphQL both call `update`, which checks every value and saves one row per user and kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import cleaning
from app.errors import FieldError, ValidationError
from app.i18n import N_
from app.models import PimDirection, PimKind, PimSetting, User
from app.permissions import Principal

CATEGORY_MAX = 50
THRESHOLD_MIN, THRESHOLD_MAX = 1, 100
CHOOSE = N_("Choose one of the offered values.")


def kind_of(value: Any) -> PimKind:
    """A kind named by a form or a URL; ValidationError for anything else."""
    try:
        return PimKind(str(value))
    except ValueError:
        raise ValidationError.single("kind", CHOOSE) from None


async def of(user_id: int, kinds: Sequence[PimKind] = tuple(PimKind)) -> dict[PimKind, PimSetting]:
    """The user's settings of `kinds`, in that order (one query); a kind never saved reads as the
    model's defaults (not saved)."""
    saved = {s.kind: s for s in await PimSetting.filter(user_id=user_id, kind__in=list(kinds))}
    return {kind: saved.get(kind) or PimSetting(user_id=user_id, kind=kind) for kind in kinds}


async def get(user: User, kind: PimKind) -> PimSetting:
    """The user's setting for `kind`; the defaults (not saved) when they never saved one."""
    return (await of(user.id, (kind,)))[kind]


async def all_for(user: User) -> dict[PimKind, PimSetting]:
    """Every kind's setting, in PimKind order (one query)."""
    return await of(user.id)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("on", "true", "1", "yes")
    return bool(value)


def clean(current: PimSetting, data: dict[str, Any]) -> dict[str, Any]:
    """The values `data` sets (keys left out keep the current value), checked together: the
    category's name is needed only when syncing by category."""
    errors: list[FieldError] = [*cleaning.unstorable(data)]
    out: dict[str, Any] = {}
    if "direction" in data:
        try:
            out["direction"] = PimDirection(str(data["direction"]))
        except ValueError:
            errors.append(FieldError("direction", CHOOSE))
    if "automatic" in data:
        out["automatic"] = _flag(data["automatic"])
    if "category_only" in data:
        out["category_only"] = _flag(data["category_only"])
    if "category_name" in data and not any(e.field == "category_name" for e in errors):
        out["category_name"] = str(data["category_name"] or "").strip()
    category_only = out.get("category_only", current.category_only)
    name = out.get("category_name", current.category_name)
    if len(name) > CATEGORY_MAX:
        errors.append(FieldError("category_name", N_("Must be at most %(max)d characters (now %(length)d)."),
                                 {"max": CATEGORY_MAX, "length": len(name)}))
    elif category_only and not name:
        errors.append(FieldError("category_name", N_("Name the category to sync.")))
    elif "," in name:
        # Categories travel as a comma-separated list (vCard, iCalendar, Outlook CSV).
        errors.append(FieldError("category_name", N_("A category name cannot contain a comma.")))
    if not name and not category_only:
        out["category_name"] = current.category_name or "Kizuna"  # kept for when it is turned on
    if "delete_threshold" in data:
        try:
            out["delete_threshold"] = cleaning.integer(data["delete_threshold"], THRESHOLD_MIN, THRESHOLD_MAX)
        except cleaning.Unclean as exc:
            errors.append(FieldError("delete_threshold", exc.msgid, exc.params))
    if errors:
        raise ValidationError(errors)
    return out


async def update(principal: Principal, kind: PimKind | str, data: dict[str, Any]) -> PimSetting:
    """Save the principal's own setting for `kind` (everyone may: these are personal)."""
    kind = kind_of(kind)
    user = principal.user
    async with in_transaction():
        setting = await PimSetting.select_for_update().get_or_none(user_id=user.id, kind=kind)
        values = clean(setting or PimSetting(user_id=user.id, kind=kind), data)
        if setting is None:
            try:
                async with in_transaction():
                    return await PimSetting.create(user_id=user.id, kind=kind, **values)
            except IntegrityError:  # saved at the same moment by another request: update that one
                setting = await PimSetting.get(user_id=user.id, kind=kind)
                values = clean(setting, data)
        for name, value in values.items():
            setattr(setting, name, value)
        await setting.save()
    return setting
