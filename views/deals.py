"""Deals: list (filter by stage category), page (with its contacts and their roles, and its line
items), form with a small multi-row editor for the contacts and an htmx line editor.

Line inputs are named `lines-<key>-<field>`; rows added later take the next key and removed ones
leave gaps. The form is read in page order with blank rows dropped and renumbered, so the
service's error paths (`lines.<n>.unit_price`) are the keys of the rows shown again with them.

    GET  /deals/contacts-editor?account_id=A&contacts-0-contact_id=...  the contacts editor
                                       again, the account's contacts first (when it changes)
    GET  /deals/lines/new?index=N      a blank row (and the add button, now for N+1)
    GET  /deals/lines/product?index=N  the row again, filled from the chosen product
"""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData, ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import cleaning, settings
from app.i18n import N_
from app.models import Deal, DealContact, Product, RelatedType
from app.permissions import require, restrict
from app.services import deal_lines
from app.services.deals import deals
from views import deal_pipeline, related
from views.choices import (
    CURRENCIES, STAGE_CATEGORY, account_options, product_options, stage_options,
)
from views.linked import offer_linked
from views.pages import page
from views.records import Column, Field, Filter, RecordPages, Related, Section, form_value, visible_refs
from views.templating import render

BLANK_CONTACT_ROWS = 3  # empty rows offered for adding contacts; blank rows are ignored


def parse_contacts(form: FormData) -> dict:
    """Rows `contacts-<i>-contact_id` / `contacts-<i>-role`, blank ones dropped, renumbered."""
    rows, i = [], 0
    while f"contacts-{i}-contact_id" in form:
        cid = str(form.get(f"contacts-{i}-contact_id", "")).strip()
        role = str(form.get(f"contacts-{i}-role", ""))
        if cid:
            rows.append({"contact_id": cid, "role": role})
        i += 1
    return {"contacts": rows}


async def initial_contacts(deal) -> dict:
    links = await DealContact.filter(deal_id=deal.id).order_by("id").values_list("contact_id", "role")
    return {"contacts": [{"contact_id": str(cid), "role": role} for cid, role in links]}


LINE_NAME = re.compile(rf"^lines-(\d+)-({'|'.join(deal_lines.LINE_FIELDS)})$")


def blank_line() -> dict[str, str]:
    return {"product_id": "", "description": "", "quantity": "1", "unit_price": "", "discount": ""}


def _rows(form: FormData | ImmutableMultiDict) -> list[dict[str, str]]:
    """Every row as typed, in page order."""
    rows: dict[str, dict[str, str]] = {}
    for name, value in form.multi_items():
        if match := LINE_NAME.match(name):
            rows.setdefault(match[1], {})[match[2]] = str(value)
    return list(rows.values())


def parse_lines(form: FormData) -> dict:
    """The rows that say something (a product, a description or a price), renumbered."""
    keep = ("product_id", "description", "unit_price")
    return {"lines": [{name: row.get(name, "") for name in deal_lines.LINE_FIELDS}
                      for row in _rows(form) if any(row.get(n, "").strip() for n in keep)]}


async def initial_lines(deal: Deal) -> dict:
    return {"lines": [{name: form_value(getattr(line, name)) for name in deal_lines.LINE_FIELDS}
                      for line in await deal_lines.lines_of(deal)]}


async def _line_options(request: Request, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    keep = {pk for r in rows if (pk := cleaning.pk(r.get("product_id")))}
    return await product_options(request.state.principal, keep)


def _index(request: Request) -> int:
    return cleaning.index(request.query_params.get("index", "")) or 0


async def new_line(request: Request) -> Response:
    require(request.state.principal, "create_edit", "deals")
    index = _index(request)
    context = {"row": blank_line(), "k": index, "next_index": index + 1, "errors": {},
               "products": await product_options(request.state.principal)}
    return render(request, "deals/_line_added.html", context)


async def product_line(request: Request) -> Response:
    """The row filled from the chosen product (name, unit price), if the user may see it."""
    principal = request.state.principal
    require(principal, "create_edit", "deals")
    index = _index(request)
    rows = _rows(request.query_params)
    row = {**blank_line(), **(rows[0] if rows else {})}
    pk = cleaning.pk(row["product_id"])
    product = await restrict(Product.filter(id=pk), principal).first() if pk else None
    if product is not None:
        row.update(description=product.name, unit_price=form_value(product.unit_price))
    context = {"row": row, "k": index, "errors": {}, "products": await _line_options(request, [row])}
    return render(request, "deals/_line.html", context)


async def _lines_detail(request: Request, deal: Deal) -> dict:
    lines = await deal_lines.lines_of(deal)
    products = await visible_refs(request.state.principal, Product, {x.product_id for x in lines})
    amounts = {x.id: deal_lines.line_amount(x.quantity, x.unit_price, x.discount, deal.currency) for x in lines}
    return {"lines": lines, "line_products": products, "line_amounts": amounts}


async def _detail(request: Request, deal: Deal) -> dict:
    return {**await _lines_detail(request, deal), **await deal_pipeline.path_context(request, deal)}


# Its selects list the chosen account's contacts first (views/linked.py fills them) and are drawn
# again when the account changes.
CONTACTS_FIELD = Field("contacts", N_("Contacts and roles"), "deal_contacts", parse=parse_contacts,
                       initial=initial_contacts, on_detail=False)


async def contacts_editor(request: Request) -> Response:
    """The contacts editor again, as chosen so far, for the account now chosen (nothing is saved)."""
    require(request.state.principal, "create_edit", "deals")
    params = request.query_params
    values = {**parse_contacts(params), "account_id": params.get("account_id", "")}
    options: dict[str, Any] = {}
    await offer_linked(request, [CONTACTS_FIELD], options, values)
    return render(request, "records/_widget_deal_contacts.html", {"values": values, "options": options, "errors": {}})


pages = RecordPages(
    module="deals",
    service=deals,
    singular=N_("Deal"),
    mail=True,  # a Mail panel (views/mail/tabs.py)
    compose=True,  # and e-mail written from it (views/mail/compose.py)
    plural=N_("Deals"),
    sections=(
        Section(N_("Deal"), (
            Field("name", N_("Deal name"), required=True),
            Field("account_id", N_("Account"), "ref", options=account_options, module="accounts"),
            Field("amount", N_("Amount"), "amount"),
            Field("currency", N_("Currency"), "select", CURRENCIES, blank=False, translate=False),
            Field("stage_id", N_("Stage"), "ref", options=stage_options, required=True, blank=False,
                  translate=True),  # default stage names are in the catalog
            Field("closing_date", N_("Closing date"), "date"),
        )),
        Section(N_("Contacts"), (
            CONTACTS_FIELD,
        )),
        Section(N_("Line items"), (
            Field("lines", N_("Products and services"), "deal_lines", options=product_options,
                  parse=parse_lines, initial=initial_lines, on_detail=False),
        )),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Deal name"), "name", "link"),
        Column(N_("Account"), "account_id", "ref", module="accounts"),
        Column(N_("Stage"), "stage.name", "msgid", sort=("stage__sort_order",)),  # in the pipeline's order
        Column(N_("Amount"), "amount", "money"),
        Column(N_("Closing date"), "closing_date", "date"),
        Column(N_("Owner"), "owner.name"),
    ),
    filters=(Filter("stage", N_("Stage"), (("", N_("All")), *STAGE_CATEGORY),
                    lambda qs, v, p: qs.filter(stage__category=v)),),
    related=(
        Related("contacts", N_("Contacts"), "contacts",
                (*related.CONTACT_COLUMNS, related.ROLE_COLUMN), related.deal_contacts,
                annotate=related.add_roles),
        *related.activities(RelatedType.DEAL),
    ),
    defaults={"currency": settings.DEFAULT_CURRENCY},
    detail_template="deals/detail.html",
    extra_detail=_detail,
)

routes = [
    *deal_pipeline.routes,  # /deals/board before /deals/{id}
    Route("/deals/lines/new", page(new_line, "deals")),
    Route("/deals/lines/product", page(product_line, "deals")),
    Route("/deals/contacts-editor", page(contacts_editor, "deals")),
    *pages.routes(),
]
