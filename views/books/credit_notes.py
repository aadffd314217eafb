"""Credit on Books pages: a credit note's invoices, its applications and refunds with the forms
to apply its credit to the customer's open invoices and to refund what remains; an invoice's
credit applied and the button that makes a credit note from it (views/books/credit_form).

    POST /books/credit-notes/<id>/apply                           amounts per open invoice
    POST /books/credit-notes/<id>/applications/<app_id>/void
    POST /books/credit-notes/<id>/refunds, POST .../refunds/<refund_id>/void
    GET  /books/credit-notes/invoices?contact_id=&invoice_ids=     the form's invoice checkboxes
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.errors import Conflict, ValidationError
from app.models import CreditApplication, Kind, Refund, Status, Transaction
from app.money import format_money
from app.permissions import Principal
from app.services import credit_applications as credits
from app.services import credit_notes
from app.services import transactions as txns
from views.books import credit_form, feedback, money_records
from views.books.kinds import PAGES_OF_KIND, KindPages, kind_route, refusal_status
from views.books.transactions_detail import PAYMENT_FIELDS, PAYMENT_MODES, section_or_page
from views.htmx import redirect_after_post
from views.records import error_map, form_value
from views.templating import translator

FRAGMENT = "books/_credit.html"
CREDIT_NOTES, INVOICES = PAGES_OF_KIND[Kind.CREDIT_NOTE], PAGES_OF_KIND[Kind.INVOICE]


async def context(request: Request, txn: Transaction) -> dict[str, Any]:
    """What a credit note's or an invoice's page shows about credit."""
    principal: Principal = request.state.principal
    if txn.kind == Kind.INVOICE:
        applications = await credits.applications_of(principal, txn)
        notes = {t.id: t for t in await txns.query(principal, Kind.CREDIT_NOTE).filter(
            id__in=sorted({a.credit_note_id for a in applications}))} if applications else {}
        return {"credit_applications": applications, "credit_notes_by_id": notes,
                "credit_notes_of_invoice": await credit_notes.credit_notes_of_invoice(principal, txn),
                "can_create_credit_note": txn.status in credit_notes.CREDITABLE
                and principal.has(CREDIT_NOTES.module, "create_edit"),
                "credit_note_pages": CREDIT_NOTES}
    can_use = (credits.not_usable_reason(txn) is None and principal.has(CREDIT_NOTES.module, "create_edit")
               and principal.has(INVOICES.module, "create_edit"))
    applications = await credits.applications_of(principal, txn)
    invoices = {t.id: t for t in await Transaction.filter(
        id__in=sorted({a.invoice_id for a in applications}))} if applications else {}
    return {
        "credited_invoices": await credit_notes.referenced_invoices(txn),
        "reason_label": credit_notes.REASONS.get(txn.credit_reason, credit_notes.REASONS["return"]),
        "credit_applications": applications, "applied_invoices": invoices,
        "refunds": await credits.refunds_of(principal, txn),
        "open_invoices": await credits.open_invoices_for(principal, txn) if can_use else [],
        "can_use_credit": can_use, "credit_hint": credits.not_usable_reason(txn) if txn.status == Status.DRAFT else None,
        "apply_values": {}, "apply_errors": [], "credit_problem": "",
        "refund_fields": PAYMENT_FIELDS, "payment_modes": PAYMENT_MODES, "refund_errors": {},
        "refund_values": {"amount": form_value(txn.balance), "date": txns.today_in(principal).isoformat(),
                          "mode": "bank_transfer", "reference": "", "notes": ""},
        "invoice_pages": INVOICES,
    }


async def apply(request: Request, kp: KindPages) -> Response:
    principal = request.state.principal
    note = await txns.get(principal, kp.kind, request.path_params["id"], "create_edit")
    form = await request.form()
    values = {key[len("amount-"):]: str(value).strip() for key, value in form.multi_items()
              if key.startswith("amount-")}
    rows = [{"invoice_id": pk, "amount": amount} for pk, amount in values.items() if amount]
    try:
        created = await credits.apply_credit(principal, note.id, rows, str(form.get("date", "")))
    except ValidationError as exc:
        messages = [m for ms in error_map(exc, request).values() for m in ms]
        return await section_or_page(request, kp, note, FRAGMENT, 422, apply_values=values, apply_errors=messages)
    except Conflict as exc:
        return await section_or_page(request, kp, note, FRAGMENT, refusal_status(request, 409),
                                     credit_problem=exc.render(translator(request)), apply_values=values)
    total = sum((a.amount for a in created), Decimal(0))
    feedback.done(request, feedback.CREDIT_APPLIED, note, amount=format_money(total, note.currency))
    return redirect_after_post(request, kp.url(note))


async def void_application(request: Request, kp: KindPages) -> Response:
    return await money_records.void(request, kp, CreditApplication, "credit_note_id", "application_id",
                                    credits.void_application, feedback.CREDIT_APPLICATION_VOIDED)


async def refund(request: Request, kp: KindPages) -> Response:
    return await money_records.record(request, kp, credits.record_refund, fragment=FRAGMENT, prefix="refund",
                                      problem="credit_problem", message=feedback.REFUND_RECORDED)


async def void_refund(request: Request, kp: KindPages) -> Response:
    return await money_records.void(request, kp, Refund, "credit_note_id", "refund_id", credits.void_refund,
                                    feedback.REFUND_VOIDED)


routes = [
    kind_route(CREDIT_NOTES, "/invoices", credit_form.invoice_choices),
    kind_route(CREDIT_NOTES, "/{id:id}/apply", apply, ("POST",)),
    kind_route(CREDIT_NOTES, "/{id:id}/applications/{application_id:id}/void", void_application, ("POST",)),
    kind_route(CREDIT_NOTES, "/{id:id}/refunds", refund, ("POST",)),
    kind_route(CREDIT_NOTES, "/{id:id}/refunds/{refund_id:id}/void", void_refund, ("POST",)),
]
