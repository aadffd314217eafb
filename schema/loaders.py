"""DataLoaders: one per relation, created per request, so a list of N records costs one query per
relation instead of N. Every loader of CRM and Books records goes through
`app.permissions.restrict`: what the user may not see resolves to None (to-one) or is left out
(lists). The parts of a Books transaction (lines, payments, comments, documents) and a Books
contact's persons, a case's files and a deal's lines, are loaded by their parent's id: whoever sees the parent
sees its parts."""

from __future__ import annotations

import asyncio
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.models import (
    CreditApplication,
    CreditNoteInvoice,
    Refund,
    Account,
    BooksContact,
    Case,
    CaseAttachment,
    Comment,
    Contact,
    ContactPerson,
    Deal,
    DealLine,
    Document,
    EventAttendee,
    Item,
    Lead,
    Organization,
    Payment,
    Product,
    RelatedType,
    Stage,
    Transaction,
    TransactionLine,
    TransferReport,
    User,
)
from app.permissions import MODULE_OF_KIND, Principal, restrict
from app.services import books_crm, related, roles
from app.services.cases import attachments_query
from app.statements import Statements
from schema.columns import partial_maker, partials
from schema.mail_loaders import MailLoaders


def _group(rows: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


class Loader(DataLoader):
    """A DataLoader that prefetch can also fill with records read with only some columns.

    `fetch(keys, columns)` loads; `columns` None means every column. The DataLoader path (a
    resolver awaiting `load`) always reads whole records; `prefetch` reads what the document
    needs of `model` (plus `extra`, what the loader itself groups by) and keeps the records in
    `prefetched`, where `ready` finds them first.
    """

    def __init__(self, fetch: Any, model: type[Model] | None = None, extra: Iterable[str] = ()) -> None:
        super().__init__(lambda keys: fetch(keys, None))
        self.fetch, self.model, self.extra = fetch, model, frozenset(extra)
        self.prefetched: dict[Any, Any] = {}

    def keep(self, rows: Iterable[Any]) -> None:
        """Keep every row of a small table, read ahead of the keys that will ask for them."""
        self.prefetched.update((row.id, row) for row in rows)

    async def prefetch(self, keys: list[Any], needs: Mapping[type[Model], frozenset[str] | None]) -> list[Any]:
        missing = [k for k in keys if k not in self.prefetched]
        if missing:
            columns = needs.get(self.model) if self.model is not None else None
            found = await (self.fetch(missing, sorted(columns | self.extra)) if columns else self.load_many(missing))
            self.prefetched.update(zip(missing, found, strict=True))
        return [self.prefetched[k] for k in keys]


class Loaders(MailLoaders):
    """The request's loaders, each built on first use (most requests touch a few); mail's are in
    schema.mail_loaders."""

    def __init__(self, principal: Principal | None) -> None:
        self.principal = principal

    # to-one, by primary key
    account = cached_property(lambda self: self._by_id(Account))
    contact = cached_property(lambda self: self._by_id(Contact))
    lead = cached_property(lambda self: self._by_id(Lead))
    deal = cached_property(lambda self: self._by_id(Deal))
    case = cached_property(lambda self: self._by_id(Case))
    product = cached_property(lambda self: self._by_id(Product))
    user = cached_property(lambda self: Loader(self._users, User))
    stage = cached_property(lambda self: Loader(self._stages, Stage))
    role_grants = cached_property(lambda self: DataLoader(self._role_grants))
    # to-many
    contacts_by_account = cached_property(
        lambda self: Loader(self._contacts_by_account, Contact, ["account_id"]))
    deals_by_account = cached_property(lambda self: Loader(self._deals_by_account, Deal, ["account_id"]))
    deals_by_contact = cached_property(lambda self: Loader(self._deals_by_contact, Deal))
    deal_contacts_by_deal = cached_property(lambda self: Loader(self._deal_contacts_by_deal))
    tasks_by_related = cached_property(lambda self: Loader(self._activities("tasks")))
    events_by_related = cached_property(lambda self: Loader(self._activities("events")))
    attendees_by_event = cached_property(lambda self: Loader(self._attendees_by_event))
    lines_by_deal = cached_property(lambda self: self._parts(DealLine, "deal_id", "position", "id"))
    attachments_by_case = cached_property(
        lambda self: Loader(self._attachments_by_case, CaseAttachment, ["case_id"]))
    # Books, to-one
    organization = cached_property(lambda self: Loader(self._organizations, Organization))
    books_contact = cached_property(lambda self: self._by_id(BooksContact))
    item = cached_property(lambda self: self._by_id(Item))
    transaction = cached_property(lambda self: Loader(self._transactions, Transaction, ["kind"]))
    # Books, to-many
    persons_by_contact = cached_property(
        lambda self: self._parts(ContactPerson, "books_contact_id", "-is_primary", "id"))
    lines_by_transaction = cached_property(
        lambda self: self._parts(TransactionLine, "transaction_id", "position", "id"))
    payments_by_invoice = cached_property(lambda self: self._parts(Payment, "invoice_id", "date", "id"))
    # credit notes: the invoices they refer to, their applications (also by invoice) and refunds
    credited_invoices_by_credit_note = cached_property(
        lambda self: self._parts(CreditNoteInvoice, "credit_note_id", "id"))
    applications_by_credit_note = cached_property(
        lambda self: self._parts(CreditApplication, "credit_note_id", "date", "id"))
    applications_by_invoice = cached_property(
        lambda self: self._parts(CreditApplication, "invoice_id", "date", "id"))
    refunds_by_credit_note = cached_property(lambda self: self._parts(Refund, "credit_note_id", "date", "id"))
    transfer_reports_by_invoice = cached_property(
        lambda self: self._parts(TransferReport, "invoice_id", "created_at", "id"))
    comments_by_transaction = cached_property(
        lambda self: self._parts(Comment, "transaction_id", "created_at", "id"))
    documents_by_transaction = cached_property(
        lambda self: self._parts(Document, "transaction_id", "-created_at", "-id"))
    conversions_by_source = cached_property(
        lambda self: Loader(self._conversions_by_source, Transaction, ["kind", "source_id"]))
    # Books inside the CRM: (module, record id) -> its Books data (app.services.books_crm)
    books_by_record = cached_property(lambda self: DataLoader(self._books_by_record))

    async def preload(self, needs: Mapping[type[Model], frozenset[str] | None]) -> None:
        """Pipeline stages are a handful of rows: when the document reads any, they are all read
        together with the first page instead of in a round trip of their own at the end."""
        if Stage in needs and not self.stage.prefetched:  # once per request, however many pages
            self.stage.keep(await self.records(Stage, "stages", lambda _: Stage.all().order_by("id"), None,
                                               needs[Stage]))

    @property
    def statements(self) -> Statements:
        """The principal's, read each time: `Principal.joined` replaces them mid-request."""
        if self.principal is None:
            return self.__dict__.setdefault("_statements", Statements())
        return self.principal.statements

    async def records(self, model: type[Model], shape: Any, build: Any, keys: Sequence[Any] | None,
                      columns: Iterable[str] | None) -> list[Any]:
        """The records of `build(keys)`, a queryset of `model` filtered by the keys (`IN`).

        With `columns`, only those are read, through a statement built once per `shape`
        (`app.statements`), named by the caller for everything but the keys that the query
        depends on (what the request's principal may see needs no naming: `statements` is the
        principal's); without, whole records are read."""
        if not columns:
            return [] if keys is not None and not keys else list(await build(list(keys or ())))
        names = tuple(sorted(columns))
        return partials(model, names, await self.statements.rows(
            model, (shape, names), lambda ks: build(ks).values_list(*names), keys))

    def visible(self, model: type[Model]):
        return restrict(model.all(), self.principal)

    def _by_id(self, model: type[Model]) -> Loader:
        async def load(keys: Sequence[int], columns: Sequence[str] | None) -> list[Any]:
            # ordered by id: the model's default order (accounts by name) is no use to a look-up by
            # key, and led PostgreSQL to walk that order's index
            found = {o.id: o for o in await self.records(
                model, ("by id", model), lambda ids: self.visible(model).filter(id__in=ids).order_by("id"), keys,
                columns)}
            return [found.get(k) for k in keys]

        return Loader(load, model)

    async def _users(self, keys: Sequence[int], columns: Sequence[str] | None) -> list[User | None]:
        found = {u.id: u for u in await self.records(
            User, "users", lambda ids: User.filter(id__in=ids).order_by("id"), keys, columns)}
        return [found.get(k) for k in keys]

    async def _role_grants(self, keys: Sequence[int]) -> list[list[tuple[str, str]]]:
        found = await roles.grants_by_role(keys)
        return [found[k] for k in keys]

    async def _stages(self, keys: Sequence[int], columns: Sequence[str] | None) -> list[Stage | None]:
        found = {s.id: s for s in await self.records(
            Stage, "stages by id", lambda ids: Stage.filter(id__in=ids).order_by("id"), keys, columns)}
        return [found.get(k) for k in keys]

    async def _contacts_by_account(self, keys: Sequence[int], columns: Sequence[str] | None) -> list[list[Contact]]:
        return await self._related(Account, "contacts", "contacts by account", keys, columns)

    async def _deals_by_account(self, keys: Sequence[int], columns: Sequence[str] | None) -> list[list[Deal]]:
        return await self._related(Account, "deals", "deals by account", keys, columns)

    async def _related(self, model: type[Model], key: str, shape: str, keys: Sequence[int],
                       columns: Sequence[str] | None) -> list[list[Any]]:
        """A relation whose rows name their parent (`app.services.related`), batched."""
        rel = related.relation(model, key)
        rows = await self.records(rel.model, shape, lambda ids: rel.query(self.principal, ids), keys, columns)
        return rel.group(keys, rows)

    async def _deals_by_contact(self, keys: Sequence[int], columns: Sequence[str] | None) -> list[list[Deal]]:
        rel = related.relation(Contact, "deals")
        if not columns:
            return await rel.load(self.principal, keys)
        # one query: each deal's columns with the contact it is linked to
        grouped: dict[int, list[Deal]] = defaultdict(list)
        names = tuple(sorted(columns))
        make, deals, at = partial_maker(Deal, names), {}, names.index("id")
        rows = await self.statements.rows(
            Deal, ("deals by contact", names),
            lambda ids: rel.query(self.principal, ids).filter(deal_contacts__contact_id__in=ids).values_list(
                "deal_contacts__contact_id", *names),
            keys)
        for contact_id, *values in rows:
            deal = deals.get(values[at]) or deals.setdefault(values[at], make(values))
            grouped[contact_id].append(deal)
        return [grouped.get(k, []) for k in keys]

    async def _deal_contacts_by_deal(self, keys: Sequence[int], _columns: Any) -> list[list[tuple[Contact, str]]]:
        """(contact, role) pairs per deal, leaving out the contacts the user may not see."""
        contacts, links = await asyncio.gather(
            related.relation(Deal, "contacts").query(self.principal, keys), related.deal_roles(keys))
        by_id = {c.id: c for c in contacts}
        grouped: dict[int, list[tuple[Contact, str]]] = defaultdict(list)
        for deal_id, contact_id, role in links:
            if contact_id in by_id:
                grouped[deal_id].append((by_id[contact_id], role))
        return [grouped.get(k, []) for k in keys]

    def _activities(self, key: str):
        async def load(keys: Sequence[tuple[RelatedType, int]], _columns: Any) -> list[list[Any]]:
            ids_by_type: dict[RelatedType, list[int]] = defaultdict(list)
            for related_type, related_id in keys:
                ids_by_type[related_type].append(related_id)
            grouped: dict[tuple[RelatedType, int], list[Any]] = {}
            for related_type, ids in ids_by_type.items():
                lists = await related.of_type(related_type, key).load(self.principal, ids)
                grouped.update(((related_type, i), rows) for i, rows in zip(ids, lists, strict=True))
            return [grouped.get(k, []) for k in keys]

        return load

    async def _attendees_by_event(self, keys: Sequence[int], _columns: Any) -> list[list[EventAttendee]]:
        grouped = _group(await EventAttendee.filter(event_id__in=list(keys)).order_by("id"), "event_id")
        return [grouped.get(k, []) for k in keys]

    async def _attachments_by_case(
        self, keys: Sequence[int], columns: Sequence[str] | None
    ) -> list[list[CaseAttachment]]:
        rows = await self.records(CaseAttachment, "case attachments", attachments_query, keys, columns)
        grouped = _group(rows, "case_id")
        return [grouped.get(k, []) for k in keys]

    async def _organizations(self, keys: Sequence[int], columns: Sequence[str] | None) -> list[Organization | None]:
        mine = sorted(set(keys) & self.principal.organization_ids)
        found = {o.id: o for o in await self.records(
            Organization, "organizations", lambda ids: Organization.filter(id__in=ids).order_by("id"), mine, columns)}
        return [found.get(k) for k in keys]

    async def _transactions(self, keys: Sequence[int], columns: Sequence[str] | None) -> list[Transaction | None]:
        found = {t.id: t for t in await self._each_kind("transactions", "id__in", keys, columns)}
        return [found.get(k) for k in keys]

    async def _each_kind(self, shape: str, filter_: str, keys: Sequence[int], columns: Sequence[str] | None) -> list[Transaction]:
        """The visible transactions of every kind filtered by `filter_` (an `IN` of the keys)."""
        found = []
        for kind, module in MODULE_OF_KIND.items():
            def build(ids: list[int], kind: str = kind, module: str = module) -> QuerySet:
                return restrict(Transaction.filter(kind=kind, **{filter_: ids}), self.principal, module=module)

            found += await self.records(Transaction, (shape, kind), build, keys, columns)
        return found

    async def _conversions_by_source(
        self, keys: Sequence[int], columns: Sequence[str] | None
    ) -> list[list[Transaction]]:
        rows = await self._each_kind("conversions", "source_id__in", keys, columns)
        grouped = _group(sorted(rows, key=lambda t: t.id), "source_id")
        return [grouped.get(k, []) for k in keys]

    def _parts(self, model: type[Model], parent: str, *order: str) -> Loader:
        async def load(keys: Sequence[int], columns: Sequence[str] | None) -> list[list[Any]]:
            rows = await self.records(model, ("parts", model, parent, order),
                                      lambda ids: model.filter(**{f"{parent}__in": ids}).order_by(*order), keys, columns)
            grouped = _group(rows, parent)
            return [grouped.get(k, []) for k in keys]

        return Loader(load, model, [parent])

    async def books_access(self) -> books_crm.BooksAccess | None:
        """What the user may do with Books through the link: looked up once per request."""
        if "_books_access" not in self.__dict__:
            self.__dict__["_books_access"] = asyncio.ensure_future(books_crm.access(self.principal))
        return await self.__dict__["_books_access"]

    async def _books_by_record(self, keys: Sequence[tuple[str, int]]) -> list[books_crm.RecordBooks | None]:
        """The records reached here were loaded through `restrict`: the user may see them."""
        acc = await self.books_access() if self.principal is not None else None
        if acc is None:
            return [None] * len(keys)
        found: dict[tuple[str, int], books_crm.RecordBooks] = {}
        for module in sorted({m for m, _ in keys}):
            batch = await books_crm.books_of(acc, self.principal, module, [i for m, i in keys if m == module])
            found.update(((module, i), books) for i, books in batch.items())
        return [found[k] for k in keys]

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
    prefetched = getattr(loader, "prefetched", None)
    if prefetched and key in prefetched:
        return prefetched[key]
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return future.result()
    return loader.load(key)


# ---- the first rows of each of several runs (a sync report's entries, its ignored records) ----

_first_rows: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def _load_first_rows(model: type[Model], parent: str, keys: Sequence[tuple[int, int]]) -> list[list[Model]]:
    ids = sorted({parent_id for parent_id, _ in keys})
    most = max(first for _, first in keys)
    table = model._meta.db_table
    # The first `most` rows of each parent, by a window: a run of 10,000 rows is not read whole.
    found = await model.raw(
        f'SELECT * FROM (SELECT r.*, row_number() OVER (PARTITION BY r."{parent}" ORDER BY r.id) AS n '
        f'FROM "{table}" r WHERE r."{parent}" IN ({", ".join(str(int(i)) for i in ids)})) t '
        f'WHERE t.n <= {int(most)} ORDER BY t."{parent}", t.id')
    grouped: dict[int, list[Model]] = {i: [] for i in ids}
    for row in found:
        grouped[getattr(row, parent)].append(row)
    return [grouped[parent_id][:first] for parent_id, first in keys]


def first_rows(loaders: Loaders, model: type[Model], parent: str) -> DataLoader:
    """The request's loader of (parent id, n) -> the first n rows of `model` (by id) whose `parent`
    column is that id: one windowed query for every parent asked for in a batch."""
    per_request = _first_rows.setdefault(loaders, {})
    loader = per_request.get((model, parent))
    if loader is None:
        loader = per_request[(model, parent)] = DataLoader(
            lambda keys: _load_first_rows(model, parent, keys))
    return loader
