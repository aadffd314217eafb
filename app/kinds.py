"""The document kinds (estimate, sales order, invoice, purchase order, credit note): one registry, one frozen
dataclass per kind, that permissions, services, GraphQL, pages, PDFs and e-mails read. A fact
about a kind is written here once; the tables elsewhere are built from it.

    from app import kinds
    kinds.of(Kind.INVOICE).module          # "invoices"
    kinds.of(txn.kind).exists_in(org)      # False for a sales order outside the Books edition
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.i18n import N_
from app.models import ContactType, Edition, Kind, Status

# The one wording of the edition rule, whichever face refuses.
BOOKS_EDITION_ONLY = N_("Sales orders exist only in the Books edition.")


@dataclass(frozen=True)
class DocumentKind:
    kind: Kind
    module: str  # the permission module (app.permissions)
    type_name: str  # the GraphQL type, and the type of its global ids
    slug: str  # the URL segment of its pages and PDF: /books/<slug>
    label: str  # msgid used inside sentences ("This estimate ...")
    singular: str  # msgid of a heading
    plural: str
    due_label: str  # what its second date (`due_date`) means, on pages and forms
    second_date: str  # the e-mail placeholder its second date fills
    party: ContactType  # who it is addressed to
    editable: frozenset[Status]  # statuses in which its content may still change
    statuses: tuple[str, ...]  # what its list filters by: statuses, display statuses, "unpaid" (a balance due)
    pdf_title: str
    pdf_lead: str  # the PDF's opening sentence
    pdf_second_date: str
    pdf_amount: str
    books_edition_only: bool = False
    has_balance: bool = False  # payments are recorded against it (amount paid, balance)
    is_credit: bool = False  # a credit note: a balance of credit to apply or refund
    # Prints the consumption tax in yen (a qualified invoice or return invoice): in another
    # currency it needs an exchange rate; the other kinds take one when it is given.
    rate_required: bool = False

    @property
    def value(self) -> str:
        return self.kind.value

    @property
    def prefix_field(self) -> str:
        """The organization's column holding this kind's number prefix."""
        return f"{self.kind.value}_prefix"

    @property
    def party_label(self) -> str:
        return N_("Vendor") if self.party == ContactType.VENDOR else N_("Customer")

    def exists_in(self, organization: Any) -> bool:
        """Whether the organization's edition keeps documents of this kind."""
        return not self.books_edition_only or (
            organization is not None and organization.edition == Edition.BOOKS)


_VOID = Status.VOID.value
KINDS: tuple[DocumentKind, ...] = (
    DocumentKind(
        Kind.ESTIMATE, "estimates", "Estimate", "estimates", N_("estimate"), N_("Estimate"), N_("Estimates"),
        N_("Expiry date"), "expiry_date", ContactType.CUSTOMER,
        frozenset({Status.DRAFT, Status.SENT, Status.VIEWED}),
        ("draft", "sent", "viewed", "accepted", "declined", "expired", "converted", _VOID),
        N_("Quotation"), N_("We are pleased to quote as follows."), N_("Expiry date"), N_("Amount quoted"),
    ),
    DocumentKind(
        Kind.SALES_ORDER, "sales_orders", "SalesOrder", "sales-orders", N_("sales order"), N_("Sales order"),
        N_("Sales orders"), N_("Expected delivery date"), "delivery_date", ContactType.CUSTOMER,
        frozenset({Status.DRAFT, Status.CONFIRMED}),
        ("draft", "confirmed", "invoiced", _VOID),
        N_("Order Confirmation"), N_("We confirm your order as follows."), N_("Delivery date"), N_("Total amount"),
        books_edition_only=True,
    ),
    DocumentKind(
        Kind.INVOICE, "invoices", "Invoice", "invoices", N_("invoice"), N_("Invoice"), N_("Invoices"),
        N_("Due date"), "due_date", ContactType.CUSTOMER,
        frozenset({Status.DRAFT, Status.SENT, Status.VIEWED, Status.PARTIALLY_PAID}),
        ("draft", "sent", "viewed", "unpaid", "overdue", "partially_paid", "paid", _VOID),
        N_("Invoice"), N_("Please find our invoice below."), N_("Payment due"), N_("Amount billed"),
        has_balance=True, rate_required=True,
    ),
    DocumentKind(
        Kind.PURCHASE_ORDER, "purchase_orders", "PurchaseOrder", "purchase-orders", N_("purchase order"),
        N_("Purchase order"), N_("Purchase orders"), N_("Expected delivery date"), "delivery_date",
        ContactType.VENDOR,
        frozenset({Status.DRAFT, Status.SENT}),
        ("draft", "sent", "closed", _VOID),
        N_("Purchase Order"), N_("We would like to order the following."), N_("Delivery date"), N_("Total amount"),
    ),
    DocumentKind(
        Kind.CREDIT_NOTE, "credit_notes", "CreditNote", "credit-notes", N_("credit note"), N_("Credit note"),
        N_("Credit notes"), N_("Refund by"), "due_date", ContactType.CUSTOMER,
        frozenset({Status.DRAFT}),
        ("draft", "sent", "viewed", "closed", _VOID),
        N_("Credit Note"), N_("We credit you the following amounts returned on our invoices."), N_("Refund by"),
        N_("Amount credited"),
        is_credit=True, rate_required=True,
    ),
)
BY_KIND: dict[Kind, DocumentKind] = {k.kind: k for k in KINDS}
BY_TYPE_NAME: dict[str, DocumentKind] = {k.type_name: k for k in KINDS}


def of(kind: Kind | str) -> DocumentKind:
    return BY_KIND[Kind(kind)]
