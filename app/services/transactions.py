"""Estimates, sales orders, invoices and purchase orders: creation with gapless numbers, line
items and totals, editing, and reading. Status changes live in app.services.workflow, payments
in app.services.payments.

Input is a dict like every service's (`contact_id`, `issue_date`, ...) plus `lines`: a list of
dicts (`item_id` or `description`, `quantity`, `unit`, `rate`, `discount`, `tax_category` or
`tax_rate`). A line naming an item takes the item's name, unit, rate and tax rate for whatever it
leaves out; a bare tax rate is read as its category (app.services.tax.category_of_rate). A
negative unit price makes a discount line (値引) of its category. The header may carry the
transaction date or period, tax-inclusive pricing and a document-level discount
(app.services.tax computes what they mean).
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from app import cleaning, kinds
from app.errors import InvalidTransition, NotFound, ValidationError
from app.i18n import N_, Msgid
from app.models import (
    BooksContact,
    ContactType,
    Kind,
    Organization,
    Status,
    Transaction,
    TransactionLine,
    User,
)
from app.models.base import LONG_TEXT_MAX
from app.permissions import MODULE_OF_KIND, Principal, require, restrict
from app.services import history
from app.services.activities import user_today
from app.services import payment_terms
from app.services.payment_terms import due_date_for
# What reads a document's lines and pricing, and what other services import from here
from app.services.document_input import (  # noqa: F401
    _AMOUNT, _DIGITS, _TOO_LARGE, LINE_FIELDS, MAX_LINES, PRICING_FIELDS, Problems, _clean_lines, _clean_pricing,
    EXCHANGE_FIELDS, _date, _period_problems, clean_exchange, clean_line, price, price_problems, pricing_of, read_pricing,
)

ESTIMATE_VALIDITY_DAYS = 30
KIND_LABELS = {k.kind: k.label for k in kinds.KINDS}
STATUS_LABELS = {
    Status.DRAFT: N_("Draft"),
    Status.SENT: N_("Sent"),
    Status.VIEWED: N_("Viewed"),
    Status.ACCEPTED: N_("Accepted"),
    Status.DECLINED: N_("Declined"),
    Status.CONVERTED: N_("Converted"),
    Status.CONFIRMED: N_("Confirmed"),
    Status.INVOICED: N_("Invoiced"),
    Status.PARTIALLY_PAID: N_("Partially paid"),
    Status.PAID: N_("Paid"),
    Status.CLOSED: N_("Closed"),
    Status.VOID: N_("Void"),
}
# Statuses in which a document's content may still change.
EDITABLE = {k.kind: k.editable for k in kinds.KINDS}
HEADER_FIELDS = {
    "contact_id", "issue_date", "due_date", "payment_terms", "reference", "subject",
    "salesperson_id", "notes", "terms", "currency", "organization_id", "lines",
    "transaction_date", "transaction_date_end", "prices_include_tax", "discount_type", "discount_value",
    "exchange_rate", "exchange_rate_date",
}
TEXT_LIMITS = {"reference": 100, "subject": 250, "notes": LONG_TEXT_MAX, "terms": LONG_TEXT_MAX}


def today_in(principal: Principal) -> date:
    """The principal's today (their time zone's day): the one rule, app.services.activities.user_today."""
    return user_today(principal.user)


def module(kind: Kind) -> str:
    return MODULE_OF_KIND[kind]


def query(principal: Principal, kind: Kind, action: str = "view") -> QuerySet:
    return restrict(Transaction.filter(kind=kind), principal, action, module=module(kind))


async def get(principal: Principal, kind: Kind, record_id: Any, action: str = "view",
              *, for_update: bool = False) -> Transaction:
    pk = cleaning.pk(record_id)
    if pk is None:
        raise NotFound()
    qs = Transaction.filter(id=pk, kind=kind)
    txn = await (qs.select_for_update() if for_update else qs).first()
    if txn is None:
        raise NotFound()
    require(principal, action, txn)
    return txn


# ---- input cleaning: lines and pricing are app.services.document_input ------------------

async def _clean(principal: Principal, kind: Kind, data: dict[str, Any],
                 instance: Transaction | None, converted: bool = False,
                 ) -> tuple[dict[str, Any], list[dict[str, Any]] | None, Organization]:
    problems = Problems()
    problems.errors.extend(cleaning.unstorable(data))
    problems.raise_if_any()
    for name in sorted(set(data) - HEADER_FIELDS):
        problems.add(name, N_("Unknown field."))
    # Organization: fixed once created.
    if instance is not None:
        org_id = instance.organization_id
        if data.get("organization_id") not in (None, "", org_id, str(org_id)):
            problems.add("organization_id", N_("A record cannot move to another organization."))
    else:
        org_id = cleaning.pk(data.get("organization_id") or principal.current_organization_id or 0)
        if org_id not in principal.organization_ids:
            problems.add("organization_id", N_("Choose an organization you belong to."))
            problems.raise_if_any()
    org = await Organization.get(id=org_id)
    if not kinds.of(kind).exists_in(org):
        problems.add("organization_id", kinds.BOOKS_EDITION_ONLY)
    values: dict[str, Any] = {}
    # Customer or vendor.
    contact = None
    if "contact_id" in data or instance is None:
        contact = await _contact(org_id, kind, data.get("contact_id"), problems)
        if contact is not None:
            values["contact_id"] = contact.id
            # a converted document follows its source; a new choice must be an active customer
            if not contact.is_active and not converted and (instance is None or instance.contact_id != contact.id):
                problems.add("contact_id", INACTIVE_PARTY)
    else:
        contact = await BooksContact.get(id=instance.contact_id)
    for name in ("issue_date", "due_date"):
        if name in data and not (instance is None and data[name] in (None, "")):
            try:
                values[name] = _date(data[name])
            except cleaning.Unclean as problem:
                problems.add(name, problem.msgid, **problem.params)
    if instance is None and values.get("issue_date") is None:
        values["issue_date"] = today_in(principal)
    elif "issue_date" in values and values["issue_date"] is None and not problems.errors:
        problems.add("issue_date", N_("This field is required."))
    for name, limit in TEXT_LIMITS.items():
        if name in data:
            text = str(data[name] or "").strip()
            if len(text) > limit:
                problems.add(name, N_("Must be at most %(max)d characters (now %(length)d)."),
                             max=limit, length=len(text))
            values[name] = text
    _clean_pricing(data, values, problems)
    if "salesperson_id" in data:
        values["salesperson_id"] = await _salesperson(org_id, data["salesperson_id"], problems)
    if "payment_terms" in data and data["payment_terms"] not in (None, ""):
        try:
            values["payment_terms"] = payment_terms.clean_code(data["payment_terms"])
        except ValidationError as invalid:
            problems.errors.extend(invalid.errors)
    if "currency" in data and contact is not None and data["currency"] not in (None, "", contact.currency):
        problems.add("currency", N_("Transactions use the customer's currency (%(currency)s)."),
                     currency=contact.currency)
    lines = None
    if "lines" in data or instance is None:
        lines = await _clean_lines(org_id, data.get("lines"), problems)
    # one pass: the header, the lines and what relates them are all checked before refusing
    _dates(kind, values, instance, contact, org)
    issue = values.get("issue_date") or (instance.issue_date if instance else None)
    due = values.get("due_date", instance.due_date if instance else None)
    if due is not None and issue is not None and due < issue:
        problems.add("due_date", N_("Must be on or after the issue date."))
    _period_problems(values, instance, problems)
    currency = contact.currency if contact is not None else instance.currency if instance else "JPY"
    clean_exchange(data, values, currency, instance, problems, kinds.of(kind).rate_required)
    repriced = any(name in values for name in PRICING_FIELDS) or (
        instance is not None and values.get("exchange_rate", instance.exchange_rate) != instance.exchange_rate)
    if instance is not None and lines is None and repriced:
        lines = line_data(await lines_of(instance))  # the same lines, priced anew
    if lines and not any(e.field.startswith(("lines", "discount")) for e in problems.errors):
        rounding = instance.tax_rounding if instance else org.tax_rounding.value
        result = price_problems(lines, currency, pricing_of(values, instance, rounding), problems)
        settled = instance.amount_paid + instance.credit_applied if instance is not None else 0
        if instance is not None and result is not None and result.total < settled:
            problems.add("lines", N_("The total cannot drop below the %(paid)s already paid."),
                         paid=_money(settled, currency))
    problems.raise_if_any()
    if contact is not None:
        values["currency"] = contact.currency
    return values, lines, org


INACTIVE_PARTY = N_("This customer or vendor is inactive: make it active again to use it on new documents.")


async def _contact(org_id: int, kind: Kind, value: Any, problems: Problems) -> BooksContact | None:
    wanted = kinds.of(kind).party
    if value in (None, ""):
        problems.add("contact_id", N_("This field is required."))
        return None
    pk = cleaning.pk(value)
    contact = None if pk is None else await BooksContact.get_or_none(id=pk, organization_id=org_id)
    if contact is None:
        problems.add("contact_id", N_("Choose a valid record."))
    elif contact.contact_type != wanted:
        problems.add("contact_id", N_("Choose a vendor.") if wanted == ContactType.VENDOR
                     else N_("Choose a customer."))
        return None
    return contact


async def _salesperson(org_id: int, value: Any, problems: Problems) -> int | None:
    if value in (None, ""):
        return None
    pk = cleaning.pk(value)
    user = None if pk is None else await User.get_or_none(
        id=pk, is_active=True, memberships__organization_id=org_id)
    if user is None:
        problems.add("salesperson_id", N_("Choose a member of the organization."))
        return None
    return user.id


def _dates(kind: Kind, values: dict[str, Any], instance: Transaction | None, contact: BooksContact | None,
           org: Organization) -> None:
    """Defaults: an estimate is valid 30 days; an invoice is due by the customer's payment terms
    (the organization's when the customer has none), from its issue date."""
    issue = values.get("issue_date") or (instance.issue_date if instance else None)
    if kind == Kind.ESTIMATE and "due_date" not in values and instance is None:
        values["due_date"] = issue + timedelta(days=ESTIMATE_VALIDITY_DAYS)
    if kind == Kind.INVOICE:
        terms = values.get("payment_terms") or (instance.payment_terms if instance else "") or (
            contact.payment_terms if contact else "") or org.payment_terms
        values["payment_terms"] = str(terms.value if hasattr(terms, "value") else terms)
        explicit = "due_date" in values and values["due_date"] is not None
        if not explicit and values["payment_terms"] and (instance is None or "issue_date" in values or "payment_terms" in values):
            values["due_date"] = due_date_for(values["payment_terms"], issue)


# ---- writing ------------------------------------------------------------------------------


def apply_totals(txn: Transaction, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Price the lines and set the document's totals; returns the lines with position and amount."""
    rows, result = price(lines, txn.currency, pricing_of({}, txn, txn.tax_rounding))
    if not cleaning.fits(_AMOUNT, result.total):  # each line fits, their sum may not
        raise ValidationError.single("lines", _TOO_LARGE, digits=_DIGITS)
    txn.subtotal, txn.tax_total, txn.total = result.subtotal, result.tax, result.total
    txn.tax_breakdown = [r.as_json() for r in result.rates]
    txn.discount_total = result.discount
    doc = kinds.of(txn.kind)
    txn.balance = txn.total - txn.amount_paid - txn.credit_applied if doc.has_balance or doc.is_credit else Decimal(0)
    return rows


async def create(principal: Principal, kind: Kind, data: dict[str, Any], *,
                 source: Transaction | None = None) -> Transaction:
    require(principal, "create_edit", module(kind))
    return await insert(principal, kind, data, source=source)


async def insert(principal: Principal, kind: Kind, data: dict[str, Any], *,
                 source: Transaction | None = None) -> Transaction:
    """`create` without its grant check, for a rule that decided on its own that the document is
    made (the deal automation, app.services.books_automation): cleaned, numbered and recorded
    alike. `principal` must reach the organization (its `organization_ids`)."""
    values, lines, org = await _clean(principal, kind, data, None, converted=source is not None)
    from app.services.numbering import take_number

    async with in_transaction():
        txn = Transaction(organization_id=org.id, kind=kind, tax_rounding=org.tax_rounding.value,
                          created_by_id=principal.user.id, portal_token=secrets.token_urlsafe(32),
                          source_id=source.id if source else None, **values)
        rows = apply_totals(txn, lines or [])
        txn.number = await take_number(org, kind)
        await txn.save()
        await TransactionLine.bulk_create([TransactionLine(transaction_id=txn.id, **r) for r in rows])
        if source is None:
            await history.record(txn, "created", N_("Created."), principal.user)
    return txn


async def update(principal: Principal, kind: Kind, record_id: Any, data: dict[str, Any]) -> Transaction:
    async with in_transaction():
        txn = await get(principal, kind, record_id, "create_edit", for_update=True)
        if txn.status not in EDITABLE[kind]:
            raise InvalidTransition(N_("This %(kind)s is “%(status)s” and can no longer be edited."),
                                    kind=Msgid(KIND_LABELS[kind]), status=Msgid(STATUS_LABELS[txn.status]))
        values, lines, _org = await _clean(principal, kind, data, txn)
        for key, value in values.items():
            setattr(txn, key, value)
        if lines is not None:
            from app.services import billing

            rows = apply_totals(txn, lines)  # not below what was paid (checked with the rest)
            # lines that bill, or are billed by, another document's lines stay as they are
            if not billing.kept_lines(txn, await lines_of(txn), rows):
                await TransactionLine.filter(transaction_id=txn.id).delete()
                await TransactionLine.bulk_create([TransactionLine(transaction_id=txn.id, **r) for r in rows])
        await txn.save()
        await history.record(txn, "updated", N_("Edited."), principal.user)
    from app.services import archive  # it renders through books_pdf, which reads this module

    await archive.after_edit(txn, principal.user)
    return txn


def _money(amount: Decimal, currency: str) -> str:
    from app.money import format_money

    return format_money(amount, currency)


def pricing_data(txn: Transaction) -> dict[str, Any]:
    """The transaction date and pricing of a document, as input for one made from it."""
    return {"transaction_date": txn.transaction_date, "transaction_date_end": txn.transaction_date_end,
            "prices_include_tax": txn.prices_include_tax, "discount_type": txn.discount_type,
            "discount_value": txn.discount_value,
            # a foreign-currency document keeps its rate (a yen one has none: ignored)
            "exchange_rate": txn.exchange_rate, "exchange_rate_date": txn.exchange_rate_date}


async def lines_of(txn: Transaction) -> list[TransactionLine]:
    return await TransactionLine.filter(transaction_id=txn.id).order_by("position", "id")


def line_data(lines: list[TransactionLine]) -> list[dict[str, Any]]:
    """Lines as input for a new document (conversion copies them)."""
    return [{"item_id": line.item_id, "description": line.description, "quantity": line.quantity,
             "unit": line.unit, "rate": line.rate, "discount": line.discount, "tax_rate": line.tax_rate,
             "tax_category": line.tax_category, "delivery_date": line.delivery_date}
            for line in lines]
