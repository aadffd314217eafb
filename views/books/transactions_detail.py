"""A transaction's page: header, lines with per-rate subtotals and taxes, totals, the buttons its
status and the user's grants allow, the documents it was converted from or into, and its
sections (payments for invoices, comments & history, documents).

The section endpoints (payments, comments, documents) re-render their fragment for htmx, or the
whole page for a plain form, through `section_or_page`; refused status changes come back through
`refused` with the service's explanation, the page staying as it was."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.errors import KizunaError
from app.i18n import N_
from app.models import BooksContact, Comment, Kind, Organization, PaymentMode, Status, Transaction, TransferReport, User
from app.permissions import Principal, can
from app.services import billing, documents, history, payments, workflow
from app.services import transactions as txns
from app.formatting import format_document_period
from app.money import to_yen
from app.services.tax import CATEGORY_LABELS, RateTotal, Totals
from views.books.kinds import DISPLAY_LABELS, PAGES_OF_KIND, KindPages, number_text, refusal_status
from views.books.transactions_workflow import offered_actions
from views.htmx import is_partial
from views.records import Field, form_value
from views.templating import render, translator

PAYMENT_MODES = {
    PaymentMode.BANK_TRANSFER.value: N_("Bank transfer"),
    PaymentMode.CASH.value: N_("Cash"),
    PaymentMode.CREDIT_CARD.value: N_("Credit card"),
    PaymentMode.CHECK.value: N_("Check"),
    PaymentMode.OTHER.value: N_("Other"),
}
PAYMENT_FIELDS = (
    Field("amount", N_("Amount"), "amount", required=True),
    Field("date", N_("Payment date"), "date"),
    Field("mode", N_("Payment mode"), "select", tuple(PAYMENT_MODES.items()), blank=False),
    Field("reference", N_("Reference")),
    Field("notes", N_("Notes")),
)


async def detail(request: Request, kp: KindPages) -> Response:
    txn = await txns.get(request.state.principal, kp.kind, request.path_params["id"])
    return render(request, "books/detail.html", await page_context(request, kp, txn))


async def page_context(request: Request, kp: KindPages, txn: Transaction, **overrides: Any) -> dict[str, Any]:
    """Everything the page shows; `overrides` carry a section's errors and typed values."""
    principal: Principal = request.state.principal
    org = await Organization.get(id=txn.organization_id)
    status = workflow.display_status(txn, txns.today_in(principal))
    available = workflow.available_actions(principal, txn, org)
    context = {
        "kp": kp, "txn": txn, "org": org,
        "contact": await BooksContact.get(id=txn.contact_id),
        "salesperson": await User.get_or_none(id=txn.salesperson_id) if txn.salesperson_id else None,
        "lines": await txns.lines_of(txn),
        "sums": Totals(tuple(RateTotal.from_json(r) for r in txn.tax_breakdown), txn.subtotal,
                       txn.tax_total, txn.total, txn.discount_total, txn.prices_include_tax),
        "category_labels": CATEGORY_LABELS,
        "period": format_document_period(txn.transaction_date, txn.transaction_date_end, request.state.lang)
        if txn.transaction_date else "",
        "status": status, "status_label": DISPLAY_LABELS[status],
        "actions": offered_actions(available),
        "can_edit": "edit" in available,
        "can_email": "email" in available,
        "can_write": principal.has(kp.module, "create_edit"),
        "links": await linked_documents(principal, txn),
        "billing": await line_billing(principal, txn),
        "comments": await comments_of(request, txn),
        "documents": await documents.documents_of(principal, kp.kind.value, txn.id),
        "problem": "", "note_errors": {}, "note_text": "", "document_errors": {},
        "number": number_text,
        "total_jpy": to_yen(txn.total, txn.currency, txn.exchange_rate),
    }
    if kp.doc.has_balance:
        context.update(payments_context(request, txn, await payments.payments_of(principal, txn)))
    if kp.doc.has_balance or kp.doc.is_credit:
        from views.books import credit_notes  # it builds on this module's sections

        context.update(await credit_notes.context(request, txn))
    # The customer portal (views/books/portal_staff.py): staff actions about it.
    can_write = context["can_write"] and txn.kind in (Kind.ESTIMATE, Kind.INVOICE)
    context["portal"] = {
        "show": can_write and txn.status != Status.DRAFT,
        "accept_on_behalf": can_write and txn.kind == Kind.ESTIMATE and txn.status in workflow.ALLOWED["accept"][Kind.ESTIMATE],
        "revert": can_write and txn.kind == Kind.ESTIMATE and txn.status == Status.ACCEPTED,
        "transfers": await TransferReport.filter(invoice_id=txn.id, confirmed_at__isnull=True,
                                                 dismissed_at__isnull=True) if txn.kind == Kind.INVOICE else [],
    }
    context.update(overrides)
    return context


async def linked_documents(principal: Principal, txn: Transaction) -> list[dict[str, Any]]:
    """"Converted from EST-00001" / "Converted to INV-00003", for the documents the user may see."""
    related = [("from", t) for t in await Transaction.filter(id=txn.source_id)] if txn.source_id else []
    related += [("to", t) for t in await Transaction.filter(source_id=txn.id).order_by("id")]
    # An invoice and the sales orders whose lines it bills (app.services.billing)
    days: dict[int, tuple] = {}
    if txn.kind == Kind.SALES_ORDER:
        invoices = {b.invoice.id: b.invoice for b in await billing.of_order(txn) if b.invoice is not None}
        related += [("billed_by", t) for t in sorted(invoices.values(), key=lambda t: t.id)]
    elif txn.kind == Kind.INVOICE:
        for source in await billing.sources_of(txn):
            related.append(("bills", source.order))
            days[source.order.id] = source.delivery_dates
    shown = set()
    links = []
    for direction, other in related:
        if other.id in shown or not can(principal, "view", other):
            continue
        shown.add(other.id)
        links.append({"direction": direction, "number": other.number, "url": PAGES_OF_KIND[other.kind].url(other),
                      "delivery_dates": days.get(other.id, ())})
    return links


async def line_billing(principal: Principal, txn: Transaction) -> dict[str, Any]:
    """A sales order's lines: the invoice billing each (one the user may see), and whether the
    order is partly invoiced."""
    if txn.kind != Kind.SALES_ORDER:
        return {"billed": {}, "partly_invoiced": False, "delivered": {}}
    rows = await billing.of_order(txn)
    billed = {b.line.id: {"number": b.invoice.number, "url": PAGES_OF_KIND[Kind.INVOICE].url(b.invoice)}
              for b in rows if b.invoice is not None and can(principal, "view", b.invoice)}
    return {"billed": billed, "partly_invoiced": billing.is_partly_billed(rows),
            "delivered": {b.line.id: b.delivered for b in rows}}


async def comments_of(request: Request, txn: Transaction) -> list[dict[str, Any]]:
    comments = await Comment.filter(transaction_id=txn.id).select_related("author")
    return [comment_entry(request, c) for c in comments]


def comment_entry(request: Request, comment: Comment) -> dict[str, Any]:
    return {"comment": comment, "text": history.render_comment(comment, translator(request)),
            "author": comment.author.name if comment.author else comment.customer_author}


def payments_context(request: Request, invoice: Transaction, rows: list) -> dict[str, Any]:
    principal: Principal = request.state.principal
    return {
        "payments": rows,
        "payment_modes": PAYMENT_MODES,
        "payment_fields": PAYMENT_FIELDS,
        "can_record_payment": invoice.status in payments.PAYABLE and principal.has("invoices", "create_edit"),
        # a draft says how it comes to take payments (the service's own reason)
        "payment_hint": payments.not_payable_reason(invoice) if invoice.status == Status.DRAFT else None,
        "payment_values": {"amount": form_value(invoice.balance), "date": txns.today_in(principal).isoformat(),
                           "mode": "bank_transfer", "reference": "", "notes": ""},
        "payment_errors": {},
        "payment_problem": "",
    }


async def section_or_page(request: Request, kp: KindPages, txn: Transaction, fragment: str,
                          status_code: int = 200, **overrides: Any) -> Response:
    """A section after a write: its fragment for htmx, the whole page for a plain form."""
    context = await page_context(request, kp, txn, **overrides)
    template = fragment if is_partial(request) else "books/detail.html"
    return render(request, template, context, status_code=status_code)


async def refused(request: Request, kp: KindPages, record_id: Any, exc: KizunaError) -> Response:
    """A refused action, explained: htmx gets the message for the page's message area; a plain
    form gets the page again with the message."""
    message, status_code = exc.render(translator(request)), refusal_status(request, 409)
    if is_partial(request):
        return render(request, "books/_message.html", {"message": message}, status_code=status_code)
    txn = await txns.get(request.state.principal, kp.kind, record_id)
    context = await page_context(request, kp, txn, problem=message)
    return render(request, "books/detail.html", context, status_code=status_code)
