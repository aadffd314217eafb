"""Input -> service data, and the create/update/delete round trip every record type shares.

Inputs are named like the service's fields (`last_name`, `account_id`), so translating one is
mostly decoding global ids. Fields left out of an input are left out of the data: on update
they keep their value. Every rule stays in app/services; errors come back as typed union members.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import strawberry

from app.errors import FieldError as FieldProblem
from app.errors import KizunaError, NotFound, ValidationError
from app.models import RelatedType
from app.services.records import RecordService
from schema.context import Info
from schema.errors import to_error
from schema.types.node import from_global_id, pk_of, to_global_id

# Input fields holding a global id, and the type it must name.
ID_TYPES = {
    "account_id": "Account",
    "contact_id": "Contact",
    "lead_id": "Lead",
    "user_id": "User",
    "owner_id": "User",
    "stage_id": "Stage",
}
RELATED_TYPES = {t.value.title(): t for t in RelatedType}  # "Account" -> RelatedType.ACCOUNT


def _value(name: str, value: Any, path: str, problems: list[FieldProblem]) -> Any:
    if value is None:
        return None
    if name in ID_TYPES:
        pk = pk_of(value, ID_TYPES[name])
        if pk is None:
            problems.append(FieldProblem(path, "Choose a valid record."))
        return pk
    if isinstance(value, list):
        return [_to_dict(item, f"{path}.{i}", problems) if dataclasses.is_dataclass(item) else item
                for i, item in enumerate(value)]
    return value


def _to_dict(obj: Any, prefix: str, problems: list[FieldProblem]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is strawberry.UNSET:
            continue
        path = f"{prefix}.{f.name}" if prefix else f.name
        if f.name == "related_to":
            data.update(_related(value, problems))
        else:
            data[f.name] = _value(f.name, value, path, problems)
    return data


def _related(value: str | None, problems: list[FieldProblem]) -> dict[str, Any]:
    """`relatedTo` (a global id of an account, contact, lead, deal or case) -> type and id."""
    if value is None:
        return {"related_type": None, "related_id": None}
    decoded = from_global_id(value)
    if decoded is None or decoded[0] not in RELATED_TYPES:
        problems.append(FieldProblem("related_id", "Choose a valid record."))
        return {}
    return {"related_type": RELATED_TYPES[decoded[0]], "related_id": decoded[1]}


def to_data(input: Any) -> dict[str, Any]:
    """A strawberry input as the dict a service expects; raises ValidationError for bad ids."""
    problems: list[FieldProblem] = []
    data = _to_dict(input, "", problems)
    if problems:
        raise ValidationError(problems)
    return data


@strawberry.type(description="The record is gone.")
class DeletePayload:
    deleted_id: strawberry.ID


async def create(info: Info, service: RecordService, input: Any, payload: Callable[[Any], Any]) -> Any:
    try:
        record = await service.create(info.context.principal, to_data(input))
    except KizunaError as exc:
        return to_error(info, exc)
    return payload(record)


async def update(
    info: Info, service: RecordService, type_name: str, id: str, input: Any,
    payload: Callable[[Any], Any],
) -> Any:
    try:
        pk = pk_of(id, type_name)
        if pk is None:
            raise NotFound()
        record = await service.update(info.context.principal, pk, to_data(input))
    except KizunaError as exc:
        return to_error(info, exc)
    return payload(record)


async def delete(info: Info, service: RecordService, type_name: str, id: str) -> Any:
    try:
        pk = pk_of(id, type_name)
        if pk is None:
            raise NotFound()
        deleted = await service.delete(info.context.principal, pk)
    except KizunaError as exc:
        return to_error(info, exc)
    return DeletePayload(deleted_id=strawberry.ID(to_global_id(type_name, deleted)))
