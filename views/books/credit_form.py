"""What a credit note's form adds to a transaction's (views/books/transactions_form): its reason
and the invoices it refers to (checkboxes of the organization's sent invoices), prefilled "from
invoice" with that invoice's customer and lines, which the user reduces to what goes back.
The invoices offered are the chosen customer's (credit_notes.creditable)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from app import cleaning
from app.i18n import N_
from app.models import Kind, Organization, Transaction
from app.permissions import Principal, require
from app.services import credit_notes
from app.errors import KizunaError
from views.books.kinds import KindPages, current_organization
from views.choices import OPTION_LIMIT
from views.records import Field, form_value
from views.templating import render

REASON_FIELD = Field("reason", N_("Reason"), "select", tuple(credit_notes.REASONS.items()), blank=False)
INVOICES_FIELD = Field("invoice_ids", N_("Invoices credited"), "credit_invoices", required=True)


def parse(form: FormData) -> dict[str, Any]:
    return {"invoice_ids": [str(v) for v in form.getlist("invoice_ids")], "reason": str(form.get("reason", ""))}


def _own(values: dict[str, Any]) -> dict[str, Any]:
    return {"invoice_ids": values.get("invoice_ids") or [], "reason": values.get("reason") or "return"}


async def create(principal: Principal, data: dict[str, Any], values: dict[str, Any]) -> Transaction:
    return await credit_notes.create(principal, {**data, **_own(values)})


async def update(principal: Principal, pk: int, data: dict[str, Any], values: dict[str, Any]) -> Transaction:
    return await credit_notes.update(principal, pk, {**data, **_own(values)})


async def options(principal: Principal, org: Organization | None, values: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """The invoices a credit note may refer to: those chosen, then the chosen customer's (any
    customer's before one is chosen) sent and not void, newest first (credit_notes.creditable)."""
    if org is None:
        return {"invoice_ids": []}
    chosen = (values.get("invoice_ids") or [])[:credit_notes.MAX_INVOICES]
    keep = [pk for pk in (cleaning.pk(v) for v in chosen) if pk is not None]
    rows = await credit_notes.creditable(principal, org.id, cleaning.pk(values.get("contact_id")), keep,
                                         OPTION_LIMIT)
    return {"invoice_ids": [(str(t.id), f"{t.number} — {t.contact.display_name}") for t in rows]}


async def prefill(principal: Principal, invoice_id: Any) -> dict[str, Any]:
    """The form's values from an invoice (`?invoice=<id>`); nothing when none or not creditable."""
    values = {"invoice_ids": [], "reason": "return"}
    if cleaning.pk(invoice_id) is None:
        return values
    try:
        data = await credit_notes.from_invoice(principal, invoice_id)
    except KizunaError:
        return values
    lines = [{"key": str(i), **{name: form_value(line.get(name, "")) for name in
                                ("item_id", "description", "quantity", "unit", "rate", "discount", "tax_category")},
              "tax_rate": ""} for i, line in enumerate(data["lines"])]
    for line in lines:
        line["tax_category"] = getattr(line["tax_category"], "value", line["tax_category"])
    return {"invoice_ids": [str(i) for i in data["invoice_ids"]], "reason": "return",
            "contact_id": str(data["contact_id"]), "reference": data["reference"], "lines": lines,
            "prices_include_tax": "true" if data.get("prices_include_tax") else "false",
            "exchange_rate": form_value(data["exchange_rate"]),
            "exchange_rate_date": form_value(data["exchange_rate_date"])}


async def current(txn: Transaction) -> dict[str, Any]:
    return {"invoice_ids": [str(i.id) for i in await credit_notes.referenced_invoices(txn)],
            "reason": txn.credit_reason or "return"}



async def invoice_choices(request: Request, kp: KindPages) -> Response:
    """The invoice checkboxes again when the customer changes: that customer's sent invoices, the
    checked ones of that customer kept."""
    principal = request.state.principal
    require(principal, "create_edit", kp.module)
    params = request.query_params
    values = {"contact_id": params.get("contact_id", "")[:100],
              "invoice_ids": [v[:100] for v in params.getlist("invoice_ids")[:credit_notes.MAX_INVOICES]]}
    return render(request, "records/_widget_credit_invoices.html", {
        "f": INVOICES_FIELD, "values": values, "kp": kp,
        "options": await options(principal, await current_organization(request), values)})
