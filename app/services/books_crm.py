"""Books inside the CRM (issue 12): the one set of rules pages and GraphQL read.

- `access(principal)`: what a CRM user may do with Books through the link, or None when the
  integration is not theirs to see (no active link, or no invoice `view` grant): then no Books
  data at all. They act through the link (`books_mapping.acting`) under their own grants: the
  kinds they see, create and e-mail (sales orders only in the Books edition), the receivables.
- The Books data of a CRM record: a deal's documents (those the automation made, `DealDocument`);
  an account's or contact's are those of its linked Books customer(s) (an account's also those
  of its contacts' customers when the sync module is contacts). Always of the link's
  organization: a switched organization finds nothing of the previous one. The record must be
  visible to the user (`permissions.require`), else NotFound.
- Batch versions (`documents_of`, `receivables_of`) for GraphQL's loaders; the single-record
  functions go through them, so both faces answer alike.
- A document reached from a record (`document`): 404 unless it is one of that record's.
- New documents from an account or contact page (`customer_of_record`, `create`) and sending
  one by e-mail (`compose`, `send`) with the CRM's contacts offered as recipients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app import cleaning, kinds
from app.errors import NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import (
    Account,
    BooksContact,
    BooksLink,
    Contact,
    Deal,
    DealContact,
    DealDocument,
    Kind,
    Organization,
    Status,
    SyncModule,
    Transaction,
)
from app.permissions import Principal, require, restrict
from app.services import books_link, books_mapping, receivables, sending, workflow
from app.services import transactions as txns
from app.services.books_fields import Side
from app.services.receivables import CustomerReceivables
from app.services.sending import Composition, Recipient

# What the CRM shows, in this order (purchase orders are the organization's own business).
SHOWN = (Kind.ESTIMATE, Kind.SALES_ORDER, Kind.INVOICE)
MODULES = ("accounts", "contacts", "deals")
MODELS = {"accounts": Account, "contacts": Contact, "deals": Deal}
# Records documents can be created from ("not from a deal page", as in the seed).
CREATES_FROM = ("accounts", "contacts")
MAX_DOCUMENTS = 100  # per record and page, newest first

NOT_THIS_CUSTOMER = N_("Choose the customer of this record.")


class PaymentStatus:
    """How far an invoice is paid (other kinds have none)."""

    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERDUE = "overdue"


PAYMENT_LABELS = {
    PaymentStatus.UNPAID: N_("Unpaid"),
    PaymentStatus.PARTIALLY_PAID: N_("Partially paid"),
    PaymentStatus.PAID: N_("Paid"),
    PaymentStatus.OVERDUE: N_("Overdue"),
}


@dataclass(frozen=True)
class BooksAccess:
    """What one CRM user may do with Books through the active link."""

    link: BooksLink
    organization: Organization
    acting: Principal  # the user acting through the link: for every Books service
    viewable: tuple[Kind, ...]
    creatable: tuple[Kind, ...]
    emailable: tuple[Kind, ...]
    receivables: bool

    def allows(self, action: str, kind: Kind) -> bool:
        return kind in {"view": self.viewable, "create_edit": self.creatable, "email": self.emailable}[action]


@dataclass(frozen=True)
class BooksDocument:
    """A document as the CRM lists it."""

    txn: Transaction
    display_status: str  # workflow.display_status
    payment_status: str | None  # PaymentStatus, invoices only

    @property
    def kind(self) -> Kind:
        return self.txn.kind


@dataclass(frozen=True)
class RecordBooks:
    """The Books data of one CRM record: its documents, and its customers' receivables (None
    when the user may not see receivables, or for a deal)."""

    module: str
    record_id: int
    access: BooksAccess
    documents: list[BooksDocument]
    receivables: list[CustomerReceivables] | None


async def access(principal: Principal) -> BooksAccess | None:
    """None: the integration is not there for this user (no Books data anywhere in the CRM)."""
    if not principal.has("invoices", "view"):
        return None
    link = await books_link.active_link()
    if link is None or link.organization_id is None:
        return None
    organization = link.organization if isinstance(link.organization, Organization) else (
        await Organization.get(id=link.organization_id))
    kept = [k for k in SHOWN if kinds.of(k).exists_in(organization)]

    def granted(action: str) -> tuple[Kind, ...]:
        return tuple(k for k in kept if principal.has(kinds.of(k).module, "view")
                     and principal.has(kinds.of(k).module, action))

    return BooksAccess(link=link, organization=organization, acting=books_mapping.acting(principal, link),
                       viewable=granted("view"), creatable=granted("create_edit"), emailable=granted("email"),
                       receivables=principal.has("receivables", "view"))


def _module(module: str) -> str:
    if module not in MODULES:
        raise NotFound()
    return module


async def record(principal: Principal, module: str, record_id: Any) -> Account | Contact | Deal:
    """The CRM record, when the user may see it (else NotFound)."""
    pk = cleaning.pk(record_id)
    obj = await MODELS[_module(module)].get_or_none(id=pk) if pk else None
    if obj is None:
        raise NotFound()
    require(principal, "view", obj)
    return obj


# ---- which Books customers and documents belong to which records ----------------------------


async def customers_of(acc: BooksAccess, principal: Principal, module: str,
                       record_ids: Iterable[int]) -> dict[int, list[int]]:
    """Record id -> the Books customers linked to it, in the link's organization."""
    ids = sorted(set(record_ids))
    out: dict[int, list[int]] = {i: [] for i in ids}
    if module == "deals" or not ids:
        return out
    side = Side.ACCOUNTS if module == "accounts" else Side.CONTACTS
    for crm_id, books_id in (await books_mapping.linked_ids(acc.link, side, ids)).items():
        out[crm_id].append(books_id)
    if module == "accounts" and acc.link.sync_module == SyncModule.CONTACTS:
        # the account's contacts the user may see, and their customers
        rows = await restrict(Contact.filter(account_id__in=ids), principal).values_list("id", "account_id")
        linked = await books_mapping.linked_ids(acc.link, Side.CONTACTS, [c for c, _ in rows])
        for contact_id, account_id in rows:
            if contact_id in linked and linked[contact_id] not in out[account_id]:
                out[account_id].append(linked[contact_id])
    return out


def payment_status(txn: Transaction, today: date) -> str | None:
    if txn.kind != Kind.INVOICE or txn.status in (Status.DRAFT, Status.VOID):
        return None
    if txn.status == Status.PAID or (txn.balance <= 0 and txn.total > 0):
        return PaymentStatus.PAID
    if workflow.is_overdue(txn, today):
        return PaymentStatus.OVERDUE
    settled = txn.amount_paid + txn.credit_applied  # payments and credit notes alike (payments.settle)
    return PaymentStatus.PARTIALLY_PAID if settled > 0 else PaymentStatus.UNPAID


def _entry(txn: Transaction, today: date) -> BooksDocument:
    return BooksDocument(txn, workflow.display_status(txn, today), payment_status(txn, today))


async def documents_of(acc: BooksAccess, principal: Principal, module: str, record_ids: Iterable[int],
                       customers: dict[int, list[int]] | None = None) -> dict[int, list[BooksDocument]]:
    """Record id -> its documents of the kinds the user may see, newest first (at most
    MAX_DOCUMENTS each). The records are taken as visible: callers load them through
    `restrict` or `record`. Two queries for any number of records."""
    ids = sorted(set(record_ids))
    out: dict[int, list[BooksDocument]] = {i: [] for i in ids}
    if not ids or not acc.viewable:
        return out
    org = acc.link.organization_id
    shown = Transaction.filter(organization_id=org, kind__in=[k.value for k in acc.viewable])
    owners: dict[Any, list[int]] = defaultdict(list)  # customer or document id -> records
    if module == "deals":
        for deal_id, txn_id in await DealDocument.filter(
                deal_id__in=ids, organization_id=org).values_list("deal_id", "txn_id"):
            owners[txn_id].append(deal_id)
        rows = await shown.filter(id__in=sorted(owners)) if owners else []
        key = "id"
    else:
        if customers is None:
            customers = await customers_of(acc, principal, module, ids)
        for record_id in ids:
            for customer in customers[record_id]:
                owners[customer].append(record_id)
        rows = await shown.filter(contact_id__in=sorted(owners)) if owners else []
        key = "contact_id"
    today = txns.today_in(principal)
    for txn in sorted(rows, key=lambda t: (t.issue_date, t.id), reverse=True):
        for record_id in owners[getattr(txn, key)]:
            if len(out[record_id]) < MAX_DOCUMENTS:
                out[record_id].append(_entry(txn, today))
    return out


async def receivables_of(acc: BooksAccess, principal: Principal, module: str, record_ids: Iterable[int],
                         customers: dict[int, list[int]] | None = None
                         ) -> dict[int, list[CustomerReceivables] | None]:
    """Record id -> its customers' receivables (one row per customer with counted invoices), or
    None when the user may not see receivables or the record is a deal."""
    ids = sorted(set(record_ids))
    if not acc.receivables or module == "deals":
        return dict.fromkeys(ids)
    if customers is None:
        customers = await customers_of(acc, principal, module, ids)
    wanted = {c for cs in customers.values() for c in cs}
    rows = {r.contact_id: r for r in await receivables.summary(
        acc.acting, txns.today_in(principal), acc.link.organization_id, contact_ids=wanted)} if wanted else {}
    return {i: [rows[c] for c in customers[i] if c in rows] for i in ids}


async def books_of(acc: BooksAccess, principal: Principal, module: str,
                   record_ids: Iterable[int]) -> dict[int, RecordBooks]:
    """Record id -> its Books data, for records the user may see (loaded through `restrict`):
    a handful of queries for any number of records of one module."""
    ids = sorted(set(record_ids))
    customers = await customers_of(acc, principal, module, ids)
    docs = await documents_of(acc, principal, module, ids, customers)
    owed = await receivables_of(acc, principal, module, ids, customers)
    return {i: RecordBooks(module, i, acc, docs[i], owed[i]) for i in ids}


async def for_record(principal: Principal, module: str, record_id: Any) -> RecordBooks | None:
    """The Books data of one record the user may see (NotFound otherwise); None when the
    integration is not there for them."""
    obj = await record(principal, module, record_id)
    acc = await access(principal)
    if acc is None:
        return None
    return (await books_of(acc, principal, module, [obj.id]))[obj.id]


# ---- one document, reached from a record ----------------------------------------------------


async def allowed(principal: Principal, module: str, record_id: Any, kind: Kind,
                   action: str) -> tuple[Account | Contact | Deal, BooksAccess]:
    obj = await record(principal, module, record_id)
    acc = await access(principal)
    if acc is None or not acc.allows("view", kind):
        raise NotFound()
    if action != "view" and not acc.allows(action, kind):
        raise PermissionDenied()
    return obj, acc


async def document(principal: Principal, module: str, record_id: Any, kind: Kind, txn_id: Any,
                   action: str = "view") -> tuple[Account | Contact | Deal, BooksAccess, Transaction]:
    """A document of a record: NotFound unless the record is visible, the user may see the kind
    through an active link and the document is one of the record's (in the link's organization)."""
    obj, acc = await allowed(principal, module, record_id, kind, action)
    pk = cleaning.pk(txn_id)
    if pk is None:
        raise NotFound()
    org = acc.link.organization_id
    if module == "deals":
        mine = await DealDocument.filter(deal_id=obj.id, organization_id=org, txn_id=pk).exists()
    else:
        customers = (await customers_of(acc, principal, module, [obj.id]))[obj.id]
        mine = bool(customers) and await Transaction.filter(
            id=pk, kind=kind, organization_id=org, contact_id__in=customers).exists()
    if not mine:
        raise NotFound()
    return obj, acc, await txns.get(acc.acting, kind, pk, action)


async def pdf_of(principal: Principal, module: str, record_id: Any, kind: Kind, txn_id: Any) -> tuple[str, bytes]:
    from app.services import archive

    _obj, acc, txn = await document(principal, module, record_id, kind, txn_id)
    return await archive.current_pdf(acc.acting, kind, txn.id)


# ---- new documents from an account or contact --------------------------------------------


async def customer_of_record(principal: Principal, module: str, record_id: Any,
                             kind: Kind) -> tuple[Account | Contact, BooksAccess, BooksContact]:
    """The Books customer a new document of `kind` from this record is for: the record's linked
    customer, synced on the spot when it has none (so: on POST only)."""
    if module not in CREATES_FROM:
        raise NotFound()
    obj, acc = await allowed(principal, module, record_id, kind, "create_edit")
    return obj, acc, await books_mapping.customer_for(acc.link, obj)


async def customer_choices(acc: BooksAccess, principal: Principal, module: str, record_id: int) -> list[tuple[int, str]]:
    """(id, name) of the record's customers: what a new document from it may be for."""
    ids = (await customers_of(acc, principal, module, [record_id]))[record_id]
    return list(await BooksContact.filter(id__in=ids, is_active=True).order_by("display_name", "id").values_list(
        "id", "display_name"))


async def create(principal: Principal, module: str, record_id: Any, kind: Kind,
                 data: dict[str, Any]) -> Transaction:
    """A new document for one of the record's customers, in the link's organization."""
    if module not in CREATES_FROM:
        raise NotFound()
    obj, acc = await allowed(principal, module, record_id, kind, "create_edit")
    customers = (await customers_of(acc, principal, module, [obj.id]))[obj.id]
    if cleaning.pk(data.get("contact_id")) not in customers:
        raise ValidationError.single("contact_id", NOT_THIS_CUSTOMER)
    return await txns.create(acc.acting, kind, {**data, "organization_id": acc.link.organization_id})


# ---- e-mail as PDF ----------------------------------------------------------------------------


async def crm_recipients(principal: Principal, module: str, obj: Account | Contact | Deal) -> list[Recipient]:
    """The record's CRM contacts with an address, as far as the user may see them: the contact
    itself, an account's contacts, a deal's contacts."""
    if module == "contacts":
        people = [obj]
    else:
        qs = (Contact.filter(account_id=obj.id) if module == "accounts" else Contact.filter(
            id__in=[c for c in await DealContact.filter(deal_id=obj.id).values_list("contact_id", flat=True)]))
        people = await restrict(qs, principal).order_by("id").limit(sending.MAX_RECIPIENTS)
    return [Recipient(str(p), p.email) for p in people if p.email]


async def compose(principal: Principal, module: str, record_id: Any, kind: Kind, txn_id: Any,
                  template_id: Any = None) -> tuple[BooksAccess, Composition]:
    obj, acc, txn = await document(principal, module, record_id, kind, txn_id, "email")
    also = await crm_recipients(principal, module, obj)
    return acc, await sending.compose(acc.acting, kind, txn.id, template_id, also=also)


async def send(principal: Principal, module: str, record_id: Any, kind: Kind, txn_id: Any, *,
               to: Any, cc: Any, subject: str, body: str, lang: str | None = None) -> Transaction:
    obj, acc, txn = await document(principal, module, record_id, kind, txn_id, "email")
    also = await crm_recipients(principal, module, obj)
    return await sending.send(acc.acting, kind, txn.id, to=to, cc=cc, subject=subject, body=body,
                              lang=lang, also=also)


def kinds_shown(acc: BooksAccess, module: str) -> dict[str, Sequence[Kind]]:
    """For a record page: the kinds listed, and those it offers to create."""
    return {"viewable": acc.viewable, "creatable": acc.creatable if module in CREATES_FROM else ()}
