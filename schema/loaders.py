"""DataLoaders: one per relation, created per request, so a list of N records costs one query per
relation instead of N. Every loader of CRM and Books records goes through
`app.permissions.restrict`: what the user may not see resolves to None (to-one) or is left out
(lists). The parts of a Books transaction (lines, payments, comments, documents) and a Books
contact's persons are loaded by their parent's id: whoever sees the parent sees its parts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.models import (
    Account,
    BooksContact,
    Case,
    Comment,
    Contact,
    ContactPerson,
    Deal,
    DealContact,
    Document,
    Event,
    EventAttendee,
    Item,
    Lead,
    Organization,
    Payment,
    RelatedType,
    Stage,
    Task,
    Transaction,
    TransactionLine,
    User,
)
from app.permissions import MODULE_OF_KIND, Principal, restrict


def _group(rows: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


class Loaders:
    def __init__(self, principal: Principal | None) -> None:
        self.principal = principal
        # to-one, by primary key
        self.account = self._by_id(Account)
        self.contact = self._by_id(Contact)
        self.lead = self._by_id(Lead)
        self.deal = self._by_id(Deal)
        self.case = self._by_id(Case)
        self.user = DataLoader(self._users)
        self.stage = DataLoader(self._stages)
        # to-many
        self.contacts_by_account = DataLoader(self._contacts_by_account)
        self.deals_by_account = DataLoader(self._deals_by_account)
        self.deals_by_contact = DataLoader(self._deals_by_contact)
        self.deal_contacts_by_deal = DataLoader(self._deal_contacts_by_deal)
        self.tasks_by_related = DataLoader(self._activities(Task))
        self.events_by_related = DataLoader(self._activities(Event))
        self.attendees_by_event = DataLoader(self._attendees_by_event)
        # Books, to-one
        self.organization = DataLoader(self._organizations)
        self.books_contact = self._by_id(BooksContact)
        self.item = self._by_id(Item)
        self.transaction = DataLoader(self._transactions)
        # Books, to-many
        self.persons_by_contact = self._parts(ContactPerson, "books_contact_id", "-is_primary", "id")
        self.lines_by_transaction = self._parts(TransactionLine, "transaction_id", "position", "id")
        self.payments_by_invoice = self._parts(Payment, "invoice_id", "date", "id")
        self.comments_by_transaction = self._parts(Comment, "transaction_id", "created_at", "id")
        self.documents_by_transaction = self._parts(Document, "transaction_id", "-created_at", "-id")
        self.conversions_by_source = DataLoader(self._conversions_by_source)

    def visible(self, model: type[Model]):
        return restrict(model.all(), self.principal)

    def visible_transactions(self, **filters: Any) -> list[QuerySet]:
        """One queryset per kind: the four kinds share a table but not their permissions."""
        return [
            restrict(Transaction.filter(kind=kind, **filters), self.principal, module=module)
            for kind, module in MODULE_OF_KIND.items()
        ]

    def _by_id(self, model: type[Model]) -> DataLoader[int, Any]:
        async def load(keys: Sequence[int]) -> list[Any]:
            found = {o.id: o for o in await self.visible(model).filter(id__in=list(keys))}
            return [found.get(k) for k in keys]

        return DataLoader(load)

    async def _users(self, keys: Sequence[int]) -> list[User | None]:
        found = {u.id: u for u in await User.filter(id__in=list(keys))}
        return [found.get(k) for k in keys]

    async def _stages(self, keys: Sequence[int]) -> list[Stage | None]:
        found = {s.id: s for s in await Stage.filter(id__in=list(keys))}
        return [found.get(k) for k in keys]

    async def _contacts_by_account(self, keys: Sequence[int]) -> list[list[Contact]]:
        grouped = _group(await self.visible(Contact).filter(account_id__in=list(keys)), "account_id")
        return [grouped.get(k, []) for k in keys]

    async def _deals_by_account(self, keys: Sequence[int]) -> list[list[Deal]]:
        grouped = _group(await self.visible(Deal).filter(account_id__in=list(keys)), "account_id")
        return [grouped.get(k, []) for k in keys]

    async def _deals_by_contact(self, keys: Sequence[int]) -> list[list[Deal]]:
        links = await DealContact.filter(contact_id__in=list(keys)).values_list("contact_id", "deal_id")
        contacts_of: dict[int, list[int]] = defaultdict(list)
        for contact_id, deal_id in links:
            contacts_of[deal_id].append(contact_id)
        grouped: dict[int, list[Deal]] = defaultdict(list)
        if contacts_of:
            for deal in await self.visible(Deal).filter(id__in=list(contacts_of)):
                for contact_id in contacts_of[deal.id]:
                    grouped[contact_id].append(deal)
        return [grouped.get(k, []) for k in keys]

    async def _deal_contacts_by_deal(self, keys: Sequence[int]) -> list[list[tuple[Contact, str]]]:
        """(contact, role) pairs per deal, leaving out the contacts the user may not see."""
        links = await DealContact.filter(deal_id__in=list(keys)).order_by("id")
        contacts = {}
        if links:
            ids = list({link.contact_id for link in links})
            contacts = {c.id: c for c in await self.visible(Contact).filter(id__in=ids)}
        grouped: dict[int, list[tuple[Contact, str]]] = defaultdict(list)
        for link in links:
            if link.contact_id in contacts:
                grouped[link.deal_id].append((contacts[link.contact_id], link.role))
        return [grouped.get(k, []) for k in keys]

    def _activities(self, model: type[Task] | type[Event]):
        async def load(keys: Sequence[tuple[RelatedType, int]]) -> list[list[Any]]:
            ids_by_type: dict[RelatedType, list[int]] = defaultdict(list)
            for related_type, related_id in keys:
                ids_by_type[related_type].append(related_id)
            grouped: dict[tuple[RelatedType, int], list[Any]] = defaultdict(list)
            for related_type, ids in ids_by_type.items():
                rows = await self.visible(model).filter(related_type=related_type, related_id__in=ids)
                for row in rows:
                    grouped[(related_type, row.related_id)].append(row)
            return [grouped.get(k, []) for k in keys]

        return load

    async def _attendees_by_event(self, keys: Sequence[int]) -> list[list[EventAttendee]]:
        grouped = _group(await EventAttendee.filter(event_id__in=list(keys)).order_by("id"), "event_id")
        return [grouped.get(k, []) for k in keys]

    async def _organizations(self, keys: Sequence[int]) -> list[Organization | None]:
        mine = sorted(set(keys) & self.principal.organization_ids)
        found = {o.id: o for o in await Organization.filter(id__in=mine)}
        return [found.get(k) for k in keys]

    async def _transactions(self, keys: Sequence[int]) -> list[Transaction | None]:
        found = {t.id: t for qs in self.visible_transactions(id__in=list(keys)) for t in await qs}
        return [found.get(k) for k in keys]

    async def _conversions_by_source(self, keys: Sequence[int]) -> list[list[Transaction]]:
        rows = [t for qs in self.visible_transactions(source_id__in=list(keys)) for t in await qs]
        grouped = _group(sorted(rows, key=lambda t: t.id), "source_id")
        return [grouped.get(k, []) for k in keys]

    def _parts(self, model: type[Model], parent: str, *order: str) -> DataLoader[int, list[Any]]:
        async def load(keys: Sequence[int]) -> list[list[Any]]:
            grouped = _group(await model.filter(**{f"{parent}__in": list(keys)}).order_by(*order), parent)
            return [grouped.get(k, []) for k in keys]

        return DataLoader(load)

    def related(self, related_type: RelatedType | None) -> DataLoader[int, Any] | None:
        return {
            RelatedType.ACCOUNT: self.account,
            RelatedType.CONTACT: self.contact,
            RelatedType.LEAD: self.lead,
            RelatedType.DEAL: self.deal,
            RelatedType.CASE: self.case,
        }.get(related_type)


def ready(loader: DataLoader, key: Any) -> Any:
    """The loaded value when the loader already holds it, else the awaitable.

    graphql-core completes a plain value far faster than an awaitable (no coroutine, no
    scheduling per field), so list resolvers prefetch relations (`schema.prefetch`) and the
    field resolvers then answer synchronously from the same per-request loaders.
    """
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return future.result()
    return loader.load(key)
