"""E-mail templates per organization and transaction kind, editable in Settings."""

from __future__ import annotations

from typing import Any

from app import cleaning
from app.errors import FieldError, NotFound, ValidationError
from app.i18n import N_
from app.models import EmailTemplate, Kind, Organization
from app.permissions import Principal, require


async def templates_for(principal: Principal, organization_id: int, kind: Kind) -> list[EmailTemplate]:
    if organization_id not in principal.organization_ids:
        raise NotFound()
    return await EmailTemplate.filter(organization_id=organization_id, kind=kind)


async def get(principal: Principal, template_id: Any) -> EmailTemplate:
    pk = cleaning.pk(template_id)
    template = None if pk is None else await EmailTemplate.get_or_none(id=pk)
    if template is None or template.organization_id not in principal.organization_ids:
        raise NotFound()
    return template


def _clean(data: dict[str, Any], creating: bool) -> dict[str, Any]:
    from app.mail.templates import check_template

    errors: list[FieldError] = cleaning.unstorable(data)
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {}
    for name in ("name", "subject", "body", "language"):
        if name in data or creating:
            values[name] = str(data.get(name) or "").strip()
    if "name" in values and not values["name"]:
        errors.append(FieldError("name", N_("This field is required.")))
    elif len(values.get("name", "")) > 100:
        errors.append(FieldError("name", N_("Must be at most %(max)d characters (now %(length)d)."),
                                 {"max": 100, "length": len(values["name"])}))
    if "language" in values and values["language"] not in ("ja", "en"):
        errors.append(FieldError("language", N_("Choose one of the offered values.")))
    if "subject" in values or "body" in values:
        errors += check_template(values.get("subject", "x"), values.get("body", ""))
    # Only ever set: another template becoming the default is what unsets one, so every kind
    # keeps a default.
    if str(data.get("is_default", "")).lower() in ("1", "true", "on", "yes"):
        values["is_default"] = True
    if errors:
        raise ValidationError(errors)
    return values


async def create(principal: Principal, organization_id: int, kind: Kind, data: dict[str, Any]) -> EmailTemplate:
    require(principal, "admin", "settings")
    if organization_id not in principal.organization_ids:
        raise NotFound()
    if not data.get("language"):  # the organization's language unless another is chosen
        data = {**data, "language": await Organization.filter(id=organization_id).first().values_list(
            "language", flat=True)}
    values = _clean(data, creating=True)
    template = await EmailTemplate.create(organization_id=organization_id, kind=kind, **values)
    if template.is_default:
        await _only_default(template)
    return template


async def update(principal: Principal, template_id: Any, data: dict[str, Any]) -> EmailTemplate:
    require(principal, "admin", "settings")
    template = await get(principal, template_id)
    for key, value in _clean(data, creating=False).items():
        setattr(template, key, value)
    await template.save()
    if template.is_default:
        await _only_default(template)
    return template


async def delete(principal: Principal, template_id: Any) -> int:
    require(principal, "admin", "settings")
    template = await get(principal, template_id)
    if await EmailTemplate.filter(organization_id=template.organization_id, kind=template.kind).count() <= 1:
        raise ValidationError.single("template", N_("Keep at least one template for each kind of document."))
    await template.delete()
    return template.id


async def _only_default(template: EmailTemplate) -> None:
    await EmailTemplate.filter(organization_id=template.organization_id, kind=template.kind,
                               is_default=True).exclude(id=template.id).update(is_default=False)
