"""Bulk actions on records picked in a list: change owner, delete, a follow-up task for each.

Every record goes through its service, as if changed alone: what the user may not change (or see)
is skipped and counted with the reason, never changed. The request itself is checked first (how
many ids, a valid owner, the task's subject and date), so one bad input refuses the whole batch.

    result = await bulk.delete(principal, deals, ids)
    result.done, result.skipped  # 12, [(7, PermissionDenied(...)), ...]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable

from app import cleaning, settings
from app.errors import Conflict, KizunaError, NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import RelatedType, User
from app.permissions import Principal, require
from app.services.activities import RELATED_MODELS, tasks
from app.services.records import RecordService

ACTIONS = ("owner", "delete", "follow_up")
RELATED_TYPE_OF_MODEL = {model: rtype for rtype, model in RELATED_MODELS.items()}


def max_ids() -> int:
    """At most one page of records at a time."""
    return settings.MAX_PAGE_SIZE


@dataclass
class BulkResult:
    done: int = 0
    skipped: list[tuple[int, KizunaError]] = field(default_factory=list)


def clean_ids(values: Iterable[Any]) -> list[int]:
    """The ids of a request, in order, once each; refused when one is not an id or too many."""
    ids: list[int] = []
    for value in values:
        pk = cleaning.pk(value)
        if pk is None:
            raise ValidationError.single("ids", N_("Choose a valid record."))
        ids.append(pk)
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValidationError.single("ids", N_("Select at least one record."))
    if len(ids) > max_ids():
        raise ValidationError.single("ids", N_("Select at most %(max)d records at a time."), max=max_ids())
    return ids


def follow_up_offered(service: RecordService) -> bool:
    return service.model in RELATED_TYPE_OF_MODEL


def actions_of(principal: Principal, service: RecordService) -> tuple[str, ...]:
    """The bulk actions a list offers this user (each record is still checked)."""
    module = service.module
    offered = []
    if service.owned and principal.has(module, "create_edit"):
        offered.append("owner")
    if principal.has(module, "delete"):
        offered.append("delete")
    if follow_up_offered(service) and principal.has("tasks", "create_edit"):
        offered.append("follow_up")
    return tuple(offered)


async def _each(ids: list[int], run: Callable[[int], Awaitable[Any]]) -> BulkResult:
    result = BulkResult()
    for pk in ids:
        try:
            await run(pk)
        except (NotFound, PermissionDenied, Conflict, ValidationError) as exc:
            result.skipped.append((pk, exc))
        else:
            result.done += 1
    return result


async def change_owner(principal: Principal, service: RecordService, ids: Iterable[Any], owner_id: Any) -> BulkResult:
    if not service.owned:
        raise PermissionDenied()
    require(principal, "create_edit", service.module)
    picked = clean_ids(ids)
    pk = cleaning.pk(owner_id)
    owner = await User.get_or_none(id=pk, is_active=True) if pk is not None else None
    if owner is None:
        raise ValidationError.single("owner_id", N_("Choose an active user."))
    return await _each(picked, lambda rid: service.update(principal, rid, {"owner_id": owner.id}))


async def delete(principal: Principal, service: RecordService, ids: Iterable[Any]) -> BulkResult:
    require(principal, "delete", service.module)
    return await _each(clean_ids(ids), lambda rid: service.delete(principal, rid))


async def follow_up(principal: Principal, service: RecordService, ids: Iterable[Any],
                    subject: Any, due_date: Any) -> BulkResult:
    """A task about each record (its subject and due date), owned by the user."""
    if not follow_up_offered(service):
        raise PermissionDenied()
    require(principal, "create_edit", "tasks")
    picked = clean_ids(ids)
    rtype: RelatedType = RELATED_TYPE_OF_MODEL[service.model]
    data = {"subject": subject if isinstance(subject, str) else "",
            "due_date": due_date if isinstance(due_date, str) else ""}
    await tasks.clean(principal, data, None)  # subject and date, once for all: refuses the batch
    if not str(data["due_date"]).strip():
        raise ValidationError.single("due_date", N_("This field is required."))

    async def one(rid: int) -> None:
        await service.get(principal, rid)  # seen by the user, else skipped as not found
        await tasks.create(principal, {**data, "related_type": rtype.value, "related_id": str(rid)})

    return await _each(picked, one)


async def run(principal: Principal, service: RecordService, action: str, ids: Iterable[Any],
              values: dict[str, Any]) -> BulkResult:
    """One entry point for pages and GraphQL: `values` holds owner_id, or subject and due_date."""
    if action == "owner":
        return await change_owner(principal, service, ids, values.get("owner_id"))
    if action == "delete":
        return await delete(principal, service, ids)
    if action == "follow_up":
        return await follow_up(principal, service, ids, values.get("subject"), values.get("due_date"))
    raise ValidationError.single("action", N_("Choose one of the offered values."))
