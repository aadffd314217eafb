"""Prefetch the relations a query selects for a whole page of records, through the request's
DataLoaders, before graphql-core walks the page: one query per relation (as before), but every
field resolver then answers from the loader cache without an awaitable (see `loaders.ready`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from schema.loaders import Loaders


@dataclass(frozen=True)
class Plan:
    loader: str
    key: Callable[[Any], Any]
    child_type: str
    many: bool = False


_OWNER = Plan("user", lambda o: o.owner_id, "User")
PLANS: dict[str, dict[str, Plan]] = {
    "Account": {
        "contacts": Plan("contacts_by_account", lambda o: o.id, "Contact", many=True),
        "deals": Plan("deals_by_account", lambda o: o.id, "Deal", many=True),
        "owner": _OWNER,
    },
    "Contact": {
        "account": Plan("account", lambda o: o.account_id, "Account"),
        "deals": Plan("deals_by_contact", lambda o: o.id, "Deal", many=True),
        "owner": _OWNER,
    },
    "Deal": {
        "account": Plan("account", lambda o: o.account_id, "Account"),
        "stage": Plan("stage", lambda o: o.stage_id, "Stage"),
        "owner": _OWNER,
    },
    "Lead": {"owner": _OWNER},
    "Task": {"owner": _OWNER},
    "Event": {"owner": _OWNER},
    "Case": {
        "contact": Plan("contact", lambda o: o.contact_id, "Contact"),
        "owner": _OWNER,
    },
}

_ORGANIZATION = Plan("organization", lambda o: o.organization_id, "Organization")
# The four kinds share one plan; "Transaction" serves `source` and `conversions`, whose
# selections reach kind-specific fields (payments) through inline fragments.
_TRANSACTION = {
    "organization": _ORGANIZATION,
    "contact": Plan("books_contact", lambda o: o.contact_id, "BooksContact"),
    "salesperson": Plan("user", lambda o: o.salesperson_id, "User"),
    "lines": Plan("lines_by_transaction", lambda o: o.id, "TransactionLine", many=True),
    "comments": Plan("comments_by_transaction", lambda o: o.id, "Comment", many=True),
    "documents": Plan("documents_by_transaction", lambda o: o.id, "Document", many=True),
    "payments": Plan("payments_by_invoice", lambda o: o.id, "Payment", many=True),
    "source": Plan("transaction", lambda o: o.source_id, "Transaction"),
    "conversions": Plan("conversions_by_source", lambda o: o.id, "Transaction", many=True),
}
PLANS.update({
    "BooksContact": {
        "organization": _ORGANIZATION,
        "persons": Plan("persons_by_contact", lambda o: o.id, "ContactPerson", many=True),
    },
    "Item": {"organization": _ORGANIZATION},
    "TransactionLine": {"item": Plan("item", lambda o: o.item_id, "Item")},
    "Comment": {"author": Plan("user", lambda o: o.author_id, "User")},
    **{name: _TRANSACTION for name in ("Transaction", "Estimate", "SalesOrder", "Invoice", "PurchaseOrder")},
})


def _fields(selections: Iterable[Any]) -> Iterable[SelectedField]:
    for sel in selections:
        if isinstance(sel, SelectedField):
            yield sel
        elif isinstance(sel, (FragmentSpread, InlineFragment)):
            yield from _fields(sel.selections)


async def prefetch(loaders: Loaders, type_name: str, objs: list[Any], selections: Iterable[Any]) -> None:
    plans = PLANS.get(type_name, {})
    for field in _fields(selections):
        plan = plans.get(field.name)
        if plan is None or not objs:
            continue
        keys = list(dict.fromkeys(k for o in objs if (k := plan.key(o)) is not None))
        results = await getattr(loaders, plan.loader).load_many(keys)
        children = [c for r in results for c in r] if plan.many else [r for r in results if r is not None]
        if field.selections:
            await prefetch(loaders, plan.child_type, children, field.selections)


async def prefetch_connection(info: Any, type_name: str, objs: list[Any]) -> None:
    """For a connection field: find `edges { node { ... } }` in the selection and prefetch it."""
    for conn in _fields(info.selected_fields):
        for edges in _fields(conn.selections):
            if edges.name != "edges":
                continue
            for node in _fields(edges.selections):
                if node.name == "node":
                    await prefetch(info.context.loaders, type_name, objs, node.selections)
