"""The create/edit form of a transaction and its htmx line editor.

Line inputs are named `lines-<key>-<field>`; a key is the row's own number in the page, so rows
added later take the next number and removed ones leave gaps. Rows are read in page order; rows
left blank are dropped, and the service's error paths (`lines.<n>.rate`, counting the lines it
was given) are mapped back to the rows' keys so each message sits next to its input.

    GET  /books/<kind>/lines/new?index=N   a blank row (and the add button, now for N+1)
    GET  /books/<kind>/lines/item?index=N  the row again, filled from the chosen item
    GET  /books/<kind>/exchange            the exchange rate fields, for the chosen customer's currency
    POST /books/<kind>/totals              per-rate subtotals, taxes and totals of the posted form
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from starlette.datastructures import FormData, ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import Response
from tortoise.expressions import Q

from app import cleaning, settings
from app.errors import Conflict, ValidationError
from app.i18n import N_
from app.models import BooksContact, DiscountType, Item, Organization, TaxCategory, TaxRounding, Transaction, User
from app.money import needs_rate
from app.permissions import require
from app.services import transactions as txns
from app.services.preview import Preview, preview_lines
from app.services.tax import CATEGORY_LABELS, ROUNDING, category_of_rate
from views.books import credit_form, feedback
from views.books.kinds import KIND_PAGES, KindPages, current_organization, kind_route, refusal_status
from views.choices import OPTION_LIMIT
from views.htmx import is_partial, redirect_after_post
from views.records import Field, error_map, form_value
from views.templating import render, translator

# The editor posts tax_category; a posted tax_rate alone is read as its category by the service.
LINE_FIELDS = ("item_id", "description", "quantity", "unit", "rate", "discount", "tax_category", "tax_rate",
               "delivery_date")
LINE_NAME = re.compile(rf"^lines-(\d+)-({'|'.join(LINE_FIELDS)})$")
PRICING_FIELDS = ("transaction_date", "transaction_date_end", "prices_include_tax", "discount_type",
                  "discount_value")
PRICING_CHOICES = (("false", N_("Tax excluded")), ("true", N_("Tax included")))
DISCOUNT_CHOICES = tuple((t.value, label) for t, label in ((DiscountType.AMOUNT, N_("Amount")),
                                                           (DiscountType.PERCENT, N_("Percent"))))
PRICING_FORM_FIELDS = (
    Field("transaction_date", N_("Transaction date (or first day)"), "date"),
    Field("transaction_date_end", N_("Last day of the period"), "date"),
    Field("prices_include_tax", N_("Prices"), "select", PRICING_CHOICES, blank=False),
    Field("discount_type", N_("Document discount"), "select", DISCOUNT_CHOICES, blank=False),
    Field("discount_value", N_("Discount amount or percent"), "amount"),
)
# A document in another currency than the yen: its rate to the yen and the rate's date (shown
# only then: the currency is the chosen customer's).
# Required on the kinds that print their tax in yen (kinds.DocumentKind.rate_required).
EXCHANGE_FORM_FIELDS = {required: (
    Field("exchange_rate", N_("Exchange rate (yen per 1 unit)"), "amount", required=required),
    Field("exchange_rate_date", N_("Exchange rate date"), "date", required=required),
) for required in (True, False)}
EXCHANGE_FIELDS = tuple(f.name for f in EXCHANGE_FORM_FIELDS[True])
HEADER_FIELDS = ("contact_id", "issue_date", "due_date", "reference", "subject", "salesperson_id",
                 "notes", "terms", *PRICING_FIELDS, *EXCHANGE_FIELDS)
NOTE_FIELDS = (Field("notes", N_("Notes"), "textarea"), Field("terms", N_("Terms and conditions"), "textarea"))


def header_fields(kp: KindPages) -> tuple[Field, ...]:
    return (
        *((credit_form.INVOICES_FIELD, credit_form.REASON_FIELD) if kp.doc.is_credit else ()),
        Field("contact_id", kp.party_label, "ref", required=True),
        Field("issue_date", N_("Issue date"), "date"),
        Field("due_date", kp.due_label, "date"),
        Field("reference", N_("Reference")),
        Field("salesperson_id", N_("Salesperson"), "ref"),
        Field("subject", N_("Subject")),
        *PRICING_FORM_FIELDS,
    )


def blank_line(key: int | str) -> dict[str, str]:
    return {"key": str(key), "item_id": "", "description": "", "quantity": "1", "unit": "", "rate": "",
            "discount": "", "tax_category": TaxCategory.STANDARD.value, "tax_rate": "", "delivery_date": ""}


# ---- reading the form --------------------------------------------------------------------------


def parse_lines(form: FormData | ImmutableMultiDict) -> list[dict[str, str]]:
    """Every row as typed, in page order, each with its key."""
    rows: dict[str, dict[str, str]] = {}
    for name, value in form.multi_items():
        if match := LINE_NAME.match(name):
            rows.setdefault(match[1], {"key": match[1]})[match[2]] = str(value)
    return list(rows.values())


def parse(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in HEADER_FIELDS}
    values["lines"] = parse_lines(form)
    values.update(credit_form.parse(form))
    return values


def _is_blank(row: dict[str, str]) -> bool:
    return not any(row.get(name, "").strip() for name in ("item_id", "description", "rate"))


def service_data(values: dict[str, Any], creating: bool) -> tuple[dict[str, Any], list[str]]:
    """The service's input, and the key of the row each of its lines came from."""
    rows = [row for row in values["lines"] if not _is_blank(row)]
    data = {name: values[name] for name in HEADER_FIELDS}
    data["lines"] = [{name: row.get(name, "") for name in LINE_FIELDS} for row in rows]
    data["prices_include_tax"] = data["prices_include_tax"] or "false"
    if creating and not data["due_date"]:
        del data["due_date"]  # the kind's default: 30 days for estimates, payment terms for invoices
    return data, [row["key"] for row in rows]


def keyed_errors(errors: dict[str, list[str]], keys: list[str]) -> dict[str, list[str]]:
    """`lines.1.rate` (the service's second line) -> `lines.<that row's key>.rate`."""
    out: dict[str, list[str]] = {}
    for path, messages in errors.items():
        head, _, rest = path.partition(".")
        index, _, tail = rest.partition(".")
        if head == "lines" and index.isdigit() and int(index) < len(keys):
            path = ".".join(p for p in ("lines", keys[int(index)], tail) if p)
        out[path] = messages
    return out


# ---- live totals -------------------------------------------------------------------------------


def preview(rows: list[dict[str, str]], currency: str, rounding: str,
            header: dict[str, Any] | None = None) -> tuple[Preview, dict[str, Decimal]]:
    """The service's preview of the rows (priced as `header` asks: 内税, the document discount),
    and each priced row's amount by the row's key."""
    pricing, _errors = txns.read_pricing(header or {}, rounding)
    result = preview_lines(rows, currency, pricing)
    return result, {rows[i]["key"]: amount for i, amount in result.amounts.items()}


async def _currency(org: Organization | None, contact_id: str) -> str:
    """The chosen customer's currency (documents take it), else the organization's."""
    if org is None:
        return settings.DEFAULT_CURRENCY
    pk = cleaning.pk(contact_id)
    contact = await BooksContact.get_or_none(id=pk, organization_id=org.id) if pk else None
    return contact.currency if contact else org.currency


def _rounding_of(org: Organization | None) -> str:
    return (org.tax_rounding if org else TaxRounding.DOWN).value


async def line_totals(request: Request, kp: KindPages) -> Response:
    require(request.state.principal, "create_edit", kp.module)
    form = await request.form()
    org = await current_organization(request)
    rounding = str(form.get("rounding", ""))
    if rounding not in ROUNDING:  # an edited document posts the rounding it was created with
        rounding = _rounding_of(org)
    rows = parse_lines(form)
    header = {name: str(form.get(name, "")) for name in (*PRICING_FIELDS, *EXCHANGE_FIELDS)}
    result, amounts = preview(rows, await _currency(org, str(form.get("contact_id", ""))), rounding, header)
    context = {"sums": result.totals, "currency": result.currency, "amounts": amounts,
               "row_keys": [row["key"] for row in rows], "oob": True}
    return render(request, "books/_totals.html", context)


# ---- the line editor ---------------------------------------------------------------------------


def _index(request: Request) -> int:
    value = request.query_params.get("index", "")
    return cleaning.index(value) or 0


async def _item_options(org: Organization | None, keep: set[str] = frozenset()) -> list[tuple[str, str]]:
    """Active items, and any inactive one the document already uses."""
    if org is None:
        return []
    wanted = Q(is_active=True) | Q(id__in=sorted({cleaning.pk(k) for k in keep} - {None}))
    rows = await Item.filter(wanted, organization_id=org.id).limit(OPTION_LIMIT).values_list("id", "name")
    return [(str(i), name) for i, name in rows]


def _line_context(kp: KindPages, items: list, **context: Any) -> dict[str, Any]:
    return {"kp": kp, "items": items, "tax_categories": list(CATEGORY_LABELS.items()), "errors": {},
            "amounts": {}, "currency": settings.DEFAULT_CURRENCY, **context}


async def new_line(request: Request, kp: KindPages) -> Response:
    require(request.state.principal, "create_edit", kp.module)
    index = _index(request)
    items = await _item_options(await current_organization(request))
    context = _line_context(kp, items, row=blank_line(index), next_index=index + 1)
    return render(request, "books/_line_added.html", context)


async def item_line(request: Request, kp: KindPages) -> Response:
    require(request.state.principal, "create_edit", kp.module)
    org = await current_organization(request)
    rows = parse_lines(request.query_params)
    row = {**blank_line(_index(request)), **(rows[0] if rows else {})}
    pk = cleaning.pk(row["item_id"])
    item = await Item.get_or_none(id=pk, organization_id=org.id) if org and pk else None
    if item is not None:
        category = category_of_rate(item.tax_rate) or TaxCategory.STANDARD
        row.update(description=item.name, unit=item.unit, rate=form_value(item.rate),
                   tax_category=category.value, tax_rate="")
    response = render(request, "books/_line.html", _line_context(kp, await _item_options(org, {row["item_id"]}),
                                                                 row=row))
    response.headers["HX-Trigger-After-Settle"] = "lines-changed"  # the totals follow the new rate
    return response


# ---- the exchange rate -------------------------------------------------------------------------


def exchange_context(kp: KindPages, currency: str, values: dict[str, Any], errors: dict[str, list[str]]
                     ) -> dict[str, Any]:
    return {"exchange_fields": EXCHANGE_FORM_FIELDS[kp.doc.rate_required] if needs_rate(currency) else (),
            "exchange_currency": currency, "values": values, "errors": errors}


async def exchange_fields(request: Request, kp: KindPages) -> Response:
    """The rate fields again when the customer changes: shown for another currency than the yen,
    with what was typed in them kept."""
    require(request.state.principal, "create_edit", kp.module)
    params = request.query_params
    values = {name: params.get(name, "")[:100] for name in ("contact_id", *EXCHANGE_FIELDS)}
    values = {name: value if cleaning.storable(value) else "" for name, value in values.items()}
    currency = await _currency(await current_organization(request), values["contact_id"])
    return render(request, "books/_exchange.html", {"kp": kp, **exchange_context(kp, currency, values, {})})


# ---- the form ----------------------------------------------------------------------------------


async def _options(org: Organization | None, kp: KindPages, keep: Any = None) -> dict[str, list[tuple[str, str]]]:
    """Choices of the form: active customers (vendors), and the inactive one a document already has."""
    if org is None:
        return {"contact_id": [], "salesperson_id": []}
    wanted = Q(is_active=True) | Q(id=cleaning.pk(keep) or 0)
    contacts = await BooksContact.filter(wanted, organization_id=org.id, contact_type=kp.party_type).limit(
        OPTION_LIMIT).values_list("id", "display_name")
    members = await User.filter(is_active=True, memberships__organization_id=org.id).values_list("id", "name")
    return {"contact_id": [(str(i), n) for i, n in contacts], "salesperson_id": [(str(i), n) for i, n in members]}


async def _form(request: Request, kp: KindPages, txn: Transaction | None, values: dict[str, Any],
                errors: dict[str, list[str]] | None = None, status_code: int = 200,
                options: dict[str, list[tuple[str, str]]] | None = None) -> Response:
    """The form page (or fragment); `options`: the choices of its select fields, when the caller
    narrows them (the CRM offers a record's own customers only)."""
    org = await Organization.get(id=txn.organization_id) if txn else await current_organization(request)
    rounding = txn.tax_rounding if txn else _rounding_of(org)
    rows = values["lines"]
    errors = errors or {}
    shown = {*HEADER_FIELDS, "lines", "invoice_ids", "reason"}
    totals_now, amounts = preview(rows, await _currency(org, values["contact_id"]), rounding, values)
    if kp.doc.is_credit:
        options = {**(options or await _options(org, kp, txn.contact_id if txn else None)),
                   **await credit_form.options(request.state.principal, org, values)}
    context = _line_context(
        kp, await _item_options(org, {r.get("item_id", "") for r in rows}),
        txn=txn, values=values, errors=errors, fields=header_fields(kp), note_fields=NOTE_FIELDS,
        options=options if options is not None else await _options(org, kp, txn.contact_id if txn else None),
        rounding=rounding,
        next_index=max((int(r["key"]) for r in rows), default=-1) + 1,
        preview=totals_now, amounts=amounts, currency=totals_now.currency,
        **{k: v for k, v in exchange_context(kp, totals_now.currency, values, errors).items() if k.startswith("exchange")},
        general_errors=[m for k, ms in errors.items() if k not in shown and not k.startswith("lines.") for m in ms],
        action=kp.url(txn, "edit") if txn else kp.url(),
    )
    fragment = request.method == "POST" and is_partial(request)
    return render(request, "books/_form.html" if fragment else "books/form.html", context, status_code=status_code)


async def new(request: Request, kp: KindPages) -> Response:
    principal = request.state.principal
    require(principal, "create_edit", kp.module)
    values: dict[str, Any] = {name: "" for name in HEADER_FIELDS}
    values.update(issue_date=txns.today_in(principal).isoformat(), lines=[blank_line(0)],
                  prices_include_tax="false", discount_type=DiscountType.AMOUNT.value)
    if kp.doc.is_credit:  # "from invoice": its customer and lines, for the user to reduce
        values.update(await credit_form.prefill(principal, request.query_params.get("invoice")))
    return await _form(request, kp, None, values)


async def edit(request: Request, kp: KindPages) -> Response:
    txn = await txns.get(request.state.principal, kp.kind, request.path_params["id"], "create_edit")
    values: dict[str, Any] = {name: form_value(getattr(txn, name)) for name in HEADER_FIELDS}
    values["prices_include_tax"] = "true" if txn.prices_include_tax else "false"
    if txn.exchange_rate is not None:  # as typed: 150.25, not the column's 150.250000
        values["exchange_rate"] = format(txn.exchange_rate.normalize(), "f")
    if not txn.discount_value:
        values["discount_value"] = ""
    values["lines"] = [
        {"key": str(i), **{name: form_value(getattr(line, name)) for name in LINE_FIELDS}}
        for i, line in enumerate(await txns.lines_of(txn))
    ] or [blank_line(0)]
    if kp.doc.is_credit:
        values.update(await credit_form.current(txn))
    return await _form(request, kp, txn, values)


async def create(request: Request, kp: KindPages) -> Response:
    values = parse(await request.form())
    data, keys = service_data(values, creating=True)
    try:
        txn = await (credit_form.create(request.state.principal, data, values) if kp.doc.is_credit
                     else txns.create(request.state.principal, kp.kind, data))
    except ValidationError as exc:
        return await _form(request, kp, None, values, keyed_errors(error_map(exc, request), keys), 422)
    feedback.done(request, feedback.CREATED, txn)
    return redirect_after_post(request, kp.url(txn))


async def update(request: Request, kp: KindPages) -> Response:
    principal = request.state.principal
    txn = await txns.get(principal, kp.kind, request.path_params["id"], "create_edit")
    values = parse(await request.form())
    data, keys = service_data(values, creating=False)
    try:
        txn = await (credit_form.update(principal, txn.id, data, values) if kp.doc.is_credit
                     else txns.update(principal, kp.kind, txn.id, data))
    except ValidationError as exc:
        return await _form(request, kp, txn, values, keyed_errors(error_map(exc, request), keys), 422)
    except Conflict as exc:  # no longer editable in its status
        errors = {"status": [exc.render(translator(request))]}
        return await _form(request, kp, txn, values, errors, refusal_status(request, 409))
    feedback.done(request, feedback.SAVED, txn)
    return redirect_after_post(request, kp.url(txn))


routes = [
    route
    for kp in KIND_PAGES
    for route in (
        kind_route(kp, "", create, ("POST",)),
        kind_route(kp, "/new", new),
        kind_route(kp, "/{id:id}/edit", edit),
        kind_route(kp, "/{id:id}/edit", update, ("POST",)),
        kind_route(kp, "/lines/new", new_line),
        kind_route(kp, "/lines/item", item_line),
        kind_route(kp, "/totals", line_totals, ("POST",)),
        kind_route(kp, "/exchange", exchange_fields),
    )
]
