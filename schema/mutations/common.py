"""Input -> service data, and the create/update/delete round trip every record type shares.

Inputs are named like the service's fields (`last_name`, `account_id`), so translating one is
mostly decoding global ids. Fields left out of an input are left out of the data: on update
they keep their value. Every rule stays in app/services; errors come back as typed union members.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Mapping
from typing import Annotated, Any, Callable, Union

import strawberry

from app.errors import FieldError as FieldProblem
from app.errors import NotFound, ValidationError
from app.models import RelatedType
from app.services.records import RecordService
from schema.context import Info
from schema.errors import attempt
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


def _value(
    name: str, value: Any, path: str, problems: list[FieldProblem], id_types: Mapping[str, str]
) -> Any:
    if value is None:
        return None
    if name in id_types:
        pk = pk_of(value, id_types[name])
        if pk is None:
            problems.append(FieldProblem(path, "Choose a valid record."))
        return pk
    if isinstance(value, list):
        return [_to_dict(item, f"{path}.{i}", problems, id_types) if dataclasses.is_dataclass(item)
                else item for i, item in enumerate(value)]
    return value


def _to_dict(
    obj: Any, prefix: str, problems: list[FieldProblem], id_types: Mapping[str, str]
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is strawberry.UNSET:
            continue
        path = f"{prefix}.{f.name}" if prefix else f.name
        if f.name == "related_to":
            data.update(_related(value, problems))
        else:
            data[f.name] = _value(f.name, value, path, problems, id_types)
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


def to_data(input: Any, id_types: Mapping[str, str] = ID_TYPES) -> dict[str, Any]:
    """A strawberry input as the dict a service expects; raises ValidationError for bad ids.

    `id_types` overrides the default map where a domain names its fields alike (a Books
    `contact_id` is a BooksContact, not a CRM Contact)."""
    problems: list[FieldProblem] = []
    data = _to_dict(input, "", problems, id_types)
    if problems:
        raise ValidationError(problems)
    return data


def to_data_list(inputs: list[Any], prefix: str, id_types: Mapping[str, str] = ID_TYPES) -> list[dict[str, Any]]:
    """A list of strawberry inputs as dicts (errors at `<prefix>.<i>.<field>`), as `to_data`."""
    problems: list[FieldProblem] = []
    data = [_to_dict(item, f"{prefix}.{i}", problems, id_types) for i, item in enumerate(inputs)]
    if problems:
        raise ValidationError(problems)
    return data


def result(name: str, *members: type) -> Any:
    """The `<name>Result` union of a mutation's payload and the errors it may return."""
    return Annotated[Union[members], strawberry.union(f"{name}Result")]


@strawberry.type(description="The record is gone.")
class DeletePayload:
    deleted_id: strawberry.ID


def existing_pk(global_id: str, type_name: str) -> int:
    """The primary key a global id names; NotFound when it is not an id of `type_name`."""
    pk = pk_of(global_id, type_name)
    if pk is None:
        raise NotFound()
    return pk


async def create(
    info: Info, service: RecordService, input: Any, payload: Callable[[Any], Any],
    id_types: Mapping[str, str] = ID_TYPES,
) -> Any:
    principal = info.context.principal
    return await attempt(info, lambda: service.create(principal, to_data(input, id_types)), payload)


async def update(
    info: Info, service: RecordService, type_name: str, id: str, input: Any,
    payload: Callable[[Any], Any], id_types: Mapping[str, str] = ID_TYPES,
) -> Any:
    principal = info.context.principal
    return await attempt(
        info, lambda: service.update(principal, existing_pk(id, type_name), to_data(input, id_types)), payload
    )


async def remove(info: Info, type_name: str, id: str, action: Callable[[int], Awaitable[Any]],
                 payload: Callable[[int], Any]) -> Any:
    """A mutation that removes what the global id `id` names with `action(pk)` (a role, a sharing
    rule, an API token, a session): `payload(pk)`, or the typed error."""

    async def run() -> int:
        pk = existing_pk(id, type_name)
        await action(pk)
        return pk

    return await attempt(info, run, payload)


async def delete(info: Info, service: RecordService, type_name: str, id: str) -> Any:
    return await attempt(
        info, lambda: service.delete(info.context.principal, existing_pk(id, type_name)),
        lambda deleted: DeletePayload(deleted_id=strawberry.ID(to_global_id(type_name, deleted))),
    )
