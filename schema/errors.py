"""Typed errors returned as members of mutation result unions, mapped from app.errors.

Messages are translated into the request's language (request.state.lang); field paths are the
GraphQL input's camelCase names (`lastName`, `contacts.0.contactId`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from app import errors
from app.errors import FieldError as FieldProblem
from schema.context import Info

# Service fields whose GraphQL input is named differently.
_PATHS = {"related_type": "relatedTo", "related_id": "relatedTo",
          # sendEmail's files are its attachmentIds (files are uploaded through the page only).
          "attachments": "attachmentIds"}


def _camel(segment: str) -> str:
    head, *rest = segment.split("_")
    return head + "".join(part.title() for part in rest)


def field_path(field: str) -> str:
    """`contacts.0.contact_id` -> `contacts.0.contactId`."""
    return ".".join(_PATHS.get(seg) or _camel(seg) for seg in field.split("."))


@strawberry.type(description="One problem with one input field.")
class FieldError:
    path: str = strawberry.field(description="The input field, e.g. `lastName` or `contacts.0.contactId`.")
    message: str


@strawberry.type(description="The input was refused; `fields` says why, field by field.")
class ValidationError:
    message: str
    fields: list[FieldError]


@strawberry.type(description="No such record, or one you may not see.")
class NotFound:
    message: str


@strawberry.type(description="You may see the record but not do this to it.")
class PermissionDenied:
    message: str


@strawberry.type(description="The change clashes with the current state, e.g. a record still in use.")
class Conflict:
    message: str


@strawberry.type(
    description="The mail server refused the e-mail or could not be reached; nothing was recorded."
)
class DeliveryFailed:
    message: str


def to_error(
    info: Info, exc: errors.KizunaError
) -> ValidationError | NotFound | PermissionDenied | Conflict | DeliveryFailed:
    gettext = info.context.gettext
    if isinstance(exc, errors.ValidationError):
        return ValidationError(
            message=exc.render(gettext),
            fields=[FieldError(path=field_path(e.field), message=e.render(gettext)) for e in exc.errors],
        )
    if isinstance(exc, errors.NotFound):
        return NotFound(message=exc.render(gettext))
    if isinstance(exc, errors.PermissionDenied):
        return PermissionDenied(message=exc.render(gettext))
    if isinstance(exc, errors.Conflict):
        return Conflict(message=exc.render(gettext))
    if isinstance(exc, errors.DeliveryFailed):
        return DeliveryFailed(message=exc.render(gettext))
    raise exc


async def attempt(
    info: Info, call: Callable[[], Awaitable[Any]], payload: Callable[[Any], Any] = lambda result: result
) -> Any:
    """Run a service call: its result (through `payload`), or its error as a typed union member."""
    try:
        result = await call()
    except errors.KizunaError as exc:
        return to_error(info, exc)
    info.context.data_changed()
    return payload(result)


def invalid_record(field: str) -> FieldProblem:
    """The error for an input id that is not a global id of the expected type."""
    return FieldProblem(field, "Choose a valid record.")
