"""Links to records the editor cannot see are kept as they are.

An editor sees only part of what a record links to: a deal's account may belong to a colleague
who never shared it. Forms and API clients send back what they were shown, and a hidden link is
shown as nothing (a select with no matching option, a missing row) or as a bare id a form carried
along. Neither is a wish to change it, and the editor cannot have meant to remove what they never
saw. So every service applies the same rule, through these helpers:

- A single link (a foreign key, a task's related record) that points at a hidden record is left
  unchanged when the input leaves it empty or repeats it (`keeps_hidden`). Choosing a different
  record the editor can see replaces it, as any edit would.
- A list of links (a deal's contacts, an event's attendees) is replaced only as far as the editor
  sees it (`hidden_ids`): links to hidden records stay, and a hidden id repeated in the input is
  ignored rather than refused.

"Can see" is `app.permissions.restrict` for CRM and Books records, membership for organizations,
and everything else (users, stages) is visible to all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.models import Organization
from app import cleaning
from app.permissions import BOOKS_MODEL_MODULE, MODULE_OF_MODEL, Principal, restrict


def reachable(principal: Principal, model: type[Model]) -> QuerySet:
    """The records of `model` the principal may see, and so link to."""
    qs = model.all()
    if model in MODULE_OF_MODEL or model in BOOKS_MODEL_MODULE:
        return restrict(qs, principal)
    if model is Organization:
        return qs.filter(id__in=sorted(principal.organization_ids))
    return qs


async def hidden_ids(principal: Principal, model: type[Model], ids: Iterable[int]) -> set[int]:
    """Those of `ids` (existing records) the principal cannot see."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    visible = await reachable(principal, model).filter(id__in=sorted(wanted)).values_list("id", flat=True)
    return wanted - set(visible)


def as_id(value: Any) -> int | None:
    """An input value as a record id; None for blanks and anything that is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return cleaning.pk(value)  # ids out of the column's range name no record


async def keeps_hidden(principal: Principal, model: type[Model], current: int | None, value: Any) -> bool:
    """Does `value`, given for a link now pointing at `current`, leave a hidden link as it is?

    True when the link points at a record the principal cannot see and the input leaves it
    empty or names that same record."""
    if current is None:
        return False
    blank = value is None or (isinstance(value, str) and not value.strip())
    if not blank and as_id(value) != current:
        return False
    return bool(await hidden_ids(principal, model, {current}))
