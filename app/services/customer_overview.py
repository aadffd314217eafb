"""A Books customer (or vendor) at a glance, for its page: the documents addressed to it with
their status and amounts, what it owes (its outstanding receivables), and the CRM record it is
linked to through the CRM <-> Books mapping, as far as the user may see each of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app import kinds
from app.models import Account, BooksContact, BooksSyncRecord, Contact, Kind, Organization, Transaction
from app.permissions import Principal, can
from app.services import receivables, workflow
from app.services import transactions as txns

MAX_DOCUMENTS = 20  # per kind, newest first; the kind's list filtered to the customer shows all


@dataclass(frozen=True)
class KindDocuments:
    kind: Kind
    documents: list[tuple[Transaction, str]]  # (document, display status)
    total: int  # how many the user may see in all


@dataclass(frozen=True)
class Overview:
    documents: list[KindDocuments]  # the kinds addressed to this party the user may see
    outstanding: Decimal | None  # None: receivables are not the user's to see (or a vendor)
    overdue: Decimal | None
    crm_module: str  # "accounts" or "contacts", "" when not linked or not visible
    crm_record: Account | Contact | None
    # What it owes per currency (a customer's documents may be in another currency than the yen;
    # `outstanding`, `overdue` and `credit` are in yen): app.services.receivables rows.
    receivables: tuple[receivables.CustomerReceivables, ...] = ()
    credit: Decimal | None = None  # unapplied credit of open credit notes, in yen (receivables' `credit`)


async def linked_crm_record(principal: Principal, contact: BooksContact) -> tuple[str, Account | Contact | None]:
    """The CRM account or contact this Books record is linked to, when the user may see it."""
    row = await BooksSyncRecord.filter(organization_id=contact.organization_id,
                                       books_contact_id=contact.id).order_by("id").first()
    if row is None:
        return "", None
    if row.account_id:
        module, record = "accounts", await Account.get_or_none(id=row.account_id)
    else:
        module, record = "contacts", await Contact.get_or_none(id=row.contact_id) if row.contact_id else None
    if record is None or not can(principal, "view", record):
        return "", None
    return module, record


async def overview(principal: Principal, contact: BooksContact, today: date) -> Overview:
    org = await Organization.get(id=contact.organization_id)
    shown = [doc for doc in kinds.KINDS if doc.party == contact.contact_type and doc.exists_in(org)
             and principal.has(doc.module, "view")]
    documents = []
    for doc in shown:
        qs = txns.query(principal, doc.kind).filter(contact_id=contact.id)
        rows = await qs.order_by("-issue_date", "-id").limit(MAX_DOCUMENTS)
        documents.append(KindDocuments(doc.kind, [(t, workflow.display_status(t, today)) for t in rows],
                                       await qs.count() if len(rows) == MAX_DOCUMENTS else len(rows)))
    outstanding = overdue = credit = None
    rows: list[receivables.CustomerReceivables] = []
    if any(doc.has_balance for doc in shown) and principal.has("receivables", "view"):
        rows = await receivables.summary(principal, today, contact.organization_id, contact_id=contact.id)
        # in yen: the customer's currencies may differ (each amount at its document's rate)
        outstanding = sum((r.outstanding_jpy for r in rows), Decimal(0))
        overdue = sum((r.overdue_jpy for r in rows), Decimal(0))
        credit = sum((r.credit_jpy for r in rows), Decimal(0))
    module, record = await linked_crm_record(principal, contact)
    return Overview(documents, outstanding, overdue, module, record, tuple(rows), credit)
