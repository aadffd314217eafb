"""Related lists: for each kind of CRM record, which lists of other records it has, and which
records each list holds for a user.

One definition serves both faces, so they cannot drift apart (they did: a contact's page listed
the events the contact attends, GraphQL's `Contact.events` did not). Record pages page through
`relation.query(principal, [record.id])`; GraphQL's per-request loaders batch the same query for
all parents at once (`query(principal, ids)`) and sort the rows to their parents with
`relation.parent` (a row that names its parent) and `relation.links(ids)` (link-table pairs).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.models import Account, Case, Contact, Deal, DealContact, Event, EventAttendee, Lead, RelatedType, Task
from app.permissions import Principal, restrict


@dataclass(frozen=True)
class Through:
    """A link table naming (parent, record) pairs: `DealContact` links contacts and deals."""

    model: type[Model]
    parent: str  # the link's column naming the parent
    record: str  # the link's column naming the related record


@dataclass(frozen=True)
class Relation:
    """One related list: records of `model` linked to a parent directly (`direct`, the condition
    for a set of parent ids, with `parent` telling which parent a row names, or None) and/or
    through a link table (`through`)."""

    key: str
    model: type[Model]
    direct: Callable[[Sequence[int]], Q] | None = None
    parent: Callable[[Model], int | None] | None = None
    through: Through | None = None

    def where(self, ids: Sequence[int]) -> Q:
        ids = list(ids)
        conditions = []
        if self.direct is not None:
            conditions.append(self.direct(ids))
        if self.through is not None:
            t = self.through
            linked = t.model.filter(**{f"{t.parent}__in": ids}).values(t.record)
            conditions.append(Q(id__in=Subquery(linked)))
        where = conditions[0]
        for condition in conditions[1:]:
            where |= condition
        return where

    def query(self, principal: Principal, ids: Sequence[int]) -> QuerySet:
        """The records related to any of the parents `ids` that the principal may see, in the
        model's own order (a subquery on the link table, not a join: no duplicates, no DISTINCT)."""
        return restrict(self.model.filter(self.where(ids)), principal)

    def links(self, ids: Sequence[int]) -> Any:
        """(parent id, record id) pairs of the link table for the parents `ids` (awaitable)."""
        t = self.through
        assert t is not None
        return t.model.filter(**{f"{t.parent}__in": list(ids)}).order_by("id").values_list(t.parent, t.record)

    def group(self, ids: Sequence[int], rows: Sequence[Model], links: Sequence[tuple[int, int]] = ()) -> list[list]:
        """`rows` (as `query(principal, ids)` returned them) sorted to their parents, in the
        rows' order, each row once per parent."""
        wanted = set(ids)
        parents: dict[int, set[int]] = defaultdict(set)  # record id -> its parents among `ids`
        for parent_id, record_id in links:
            if parent_id in wanted:
                parents[record_id].add(parent_id)
        grouped: dict[int, list] = defaultdict(list)
        for row in rows:
            mine = set(parents.get(row.id, ())) if parents else set()
            if self.parent is not None and (p := self.parent(row)) in wanted:
                mine.add(p)
            for p in mine:
                grouped[p].append(row)
        return [grouped.get(k, []) for k in ids]

    async def load(self, principal: Principal, ids: Sequence[int]) -> list[list]:
        """The visible related records of each parent in `ids` (one or two queries)."""
        if not ids:
            return []
        if self.through is None:
            return self.group(ids, await self.query(principal, ids))
        rows, links = await asyncio.gather(self.query(principal, ids), self.links(ids))
        return self.group(ids, rows, links)


def _field_in(name: str) -> Callable[[Sequence[int]], Q]:
    return lambda ids: Q(**{f"{name}__in": list(ids)})


def _attr(name: str) -> Callable[[Model], int | None]:
    return lambda row: getattr(row, name)


def _about(rtype: RelatedType) -> tuple[Callable[[Sequence[int]], Q], Callable[[Model], int | None]]:
    """Tasks and events name the record they are about by (related_type, related_id)."""
    return (lambda ids: Q(related_type=rtype, related_id__in=list(ids)),
            lambda row: row.related_id if row.related_type == rtype else None)


def _activities(rtype: RelatedType, attended: Through | None = None) -> dict[str, Relation]:
    direct, parent = _about(rtype)
    return {"tasks": Relation("tasks", Task, direct, parent),
            "events": Relation("events", Event, direct, parent, attended)}


# For each kind of record, its related lists by key (the GraphQL field and the page's list).
RELATIONS: dict[type[Model], dict[str, Relation]] = {
    Account: {
        "contacts": Relation("contacts", Contact, _field_in("account_id"), _attr("account_id")),
        "deals": Relation("deals", Deal, _field_in("account_id"), _attr("account_id")),
        **_activities(RelatedType.ACCOUNT),
    },
    Contact: {
        "deals": Relation("deals", Deal, through=Through(DealContact, "contact_id", "deal_id")),
        # a contact's events include those the contact attends
        **_activities(RelatedType.CONTACT, attended=Through(EventAttendee, "contact_id", "event_id")),
    },
    Deal: {
        "contacts": Relation("contacts", Contact, through=Through(DealContact, "deal_id", "contact_id")),
        **_activities(RelatedType.DEAL),
    },
    Lead: _activities(RelatedType.LEAD),
    Case: _activities(RelatedType.CASE),
}

MODEL_OF_TYPE: dict[RelatedType, type[Model]] = {
    RelatedType.ACCOUNT: Account, RelatedType.CONTACT: Contact, RelatedType.LEAD: Lead,
    RelatedType.DEAL: Deal, RelatedType.CASE: Case,
}


def relation(model: type[Model], key: str) -> Relation:
    return RELATIONS[model][key]


def of_type(rtype: RelatedType, key: str) -> Relation:
    """The tasks or events relation of the kind of record `rtype` names."""
    return RELATIONS[MODEL_OF_TYPE[rtype]][key]


def deal_roles(deal_ids: Sequence[int]) -> Any:
    """(deal id, contact id, role) of the deals' links, in the order they were made (awaitable);
    the contacts' visibility is the `Deal` "contacts" relation's."""
    return DealContact.filter(deal_id__in=list(deal_ids)).order_by("id").values_list("deal_id", "contact_id", "role")
