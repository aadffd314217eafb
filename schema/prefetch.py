"""Prefetch the relations a query selects for a whole page of records, through the request's
DataLoaders, before the executor walks the page: one query per relation, and every field resolver
then answers from what was loaded, without an awaitable (see `loaders.ready`). Records are loaded
with only the columns the document reads of their model (`schema.columns`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

from schema.columns import Needs, document_needs
from schema.loaders import Loaders


@dataclass(frozen=True)
class Plan:
    loader: str
    key_attribute: str  # what the relation follows: the parent's column
    child_type: str
    many: bool = False
    key: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", attrgetter(self.key_attribute))

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.key_attribute,)


_OWNER = Plan("user", "owner_id", "User")
PLANS: dict[str, dict[str, Plan]] = {
    "Account": {
        "contacts": Plan("contacts_by_account", "id", "Contact", many=True),
        "deals": Plan("deals_by_account", "id", "Deal", many=True),
        "owner": _OWNER,
    },
    "Contact": {
        "account": Plan("account", "account_id", "Account"),
        "deals": Plan("deals_by_contact", "id", "Deal", many=True),
        "owner": _OWNER,
    },
    "Deal": {
        "account": Plan("account", "account_id", "Account"),
        "stage": Plan("stage", "stage_id", "Stage"),
        "lines": Plan("lines_by_deal", "id", "DealLine", many=True),
        "owner": _OWNER,
    },
    "DealLine": {"product": Plan("product", "product_id", "Product")},
    "Product": {"owner": _OWNER},
    "Lead": {
        "convertedContact": Plan("contact", "converted_contact_id", "Contact"),
        "convertedAccount": Plan("account", "converted_account_id", "Account"),
        "convertedDeal": Plan("deal", "converted_deal_id", "Deal"),
        "owner": _OWNER,
    },
    "Task": {"owner": _OWNER},
    "Event": {"owner": _OWNER},
    "Case": {
        "contact": Plan("contact", "contact_id", "Contact"),
        "attachments": Plan("attachments_by_case", "id", "CaseAttachment", many=True),
        "owner": _OWNER,
    },
}

_ORGANIZATION = Plan("organization", "organization_id", "Organization")
# The four kinds share one plan; "Transaction" serves `source` and `conversions`, whose
# selections reach kind-specific fields (payments) through inline fragments.
_TRANSACTION = {
    "organization": _ORGANIZATION,
    "contact": Plan("books_contact", "contact_id", "BooksContact"),
    "salesperson": Plan("user", "salesperson_id", "User"),
    "lines": Plan("lines_by_transaction", "id", "TransactionLine", many=True),
    "comments": Plan("comments_by_transaction", "id", "Comment", many=True),
    "documents": Plan("documents_by_transaction", "id", "Document", many=True),
    "payments": Plan("payments_by_invoice", "id", "Payment", many=True),
    "source": Plan("transaction", "source_id", "Transaction"),
    "conversions": Plan("conversions_by_source", "id", "Transaction", many=True),
}
PLANS.update({
    "BooksContact": {
        "organization": _ORGANIZATION,
        "persons": Plan("persons_by_contact", "id", "ContactPerson", many=True),
    },
    "Item": {"organization": _ORGANIZATION},
    "TransactionLine": {"item": Plan("item", "item_id", "Item")},
    "Comment": {"author": Plan("user", "author_id", "User")},
    **{name: _TRANSACTION for name in ("Transaction", "Estimate", "SalesOrder", "Invoice", "PurchaseOrder")},
})


def _fields(selections: Iterable[Any], fragments: dict[str, Any]) -> Iterator[FieldNode]:
    """The fields of a selection, through inline fragments and fragment spreads (the document's
    own nodes: strawberry's `selected_fields` would convert the whole selection on every call)."""
    for selection in selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set.selections, fragments)
        elif isinstance(selection, FragmentSpreadNode) and (fragment := fragments.get(selection.name.value)):
            yield from _fields(fragment.selection_set.selections, fragments)


def _selections(node: FieldNode) -> tuple[Any, ...]:
    return node.selection_set.selections if node.selection_set else ()


async def prefetch(loaders: Loaders, type_name: str, objs: list[Any], selections: Iterable[Any],
                   needs: Needs, fragments: dict[str, Any]) -> None:
    """Load the selected relations of `objs`, then theirs; sibling relations load concurrently
    (on PostgreSQL each takes a pooled connection, so their round trips overlap)."""
    plans = PLANS.get(type_name, {})
    if not objs:
        return

    async def follow(plan: Plan, selected: FieldNode) -> None:
        keys = list(dict.fromkeys(k for o in objs if (k := plan.key(o)) is not None))
        results = await getattr(loaders, plan.loader).prefetch(keys, needs)
        children = [c for r in results for c in r] if plan.many else [r for r in results if r is not None]
        if selected.selection_set:
            await prefetch(loaders, plan.child_type, children, _selections(selected), needs, fragments)

    await asyncio.gather(*(follow(plan, f) for f in _fields(selections, fragments)
                           if (plan := plans.get(f.name.value))))


def needs_of(info: Any) -> Needs:
    """What this request's document reads, per model."""
    raw = info._raw_info
    return document_needs(raw.schema, raw.operation, raw.fragments, PLANS)


async def prefetch_connection(info: Any, type_name: str, objs: list[Any], needs: Needs | None = None) -> None:
    """For a connection field: find `edges { node { ... } }` in the selection and prefetch it."""
    raw = info._raw_info
    needs = needs_of(info) if needs is None else needs
    fragments = raw.fragments
    for connection in raw.field_nodes:
        for edges in _fields(_selections(connection), fragments):
            if edges.name.value != "edges":
                continue
            for node in _fields(_selections(edges), fragments):
                if node.name.value == "node":
                    await prefetch(info.context.loaders, type_name, objs, _selections(node), needs, fragments)
