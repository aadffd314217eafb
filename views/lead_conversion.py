"""Converting a lead (app.services.lead_conversion): the page showing the offer, its form, and
what a lead's page says about it (the Convert action; what a converted lead became).

    GET  /leads/{id}/convert   the offer: account match, duplicates, optional deal
    POST /leads/{id}/convert   convert; then the contact's page with a flash message
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.errors import Conflict, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import Account, Contact, Deal, Lead
from app.permissions import Principal
from app.services import lead_conversion as conversion
from views.choices import CURRENCIES, stage_options
from views.flash import flash
from views.htmx import is_partial, redirect_after_post
from views.pages import error_page, page
from views.records import error_map, visible_refs
from views.templating import render, translator

FORM_ID = "convert-form"


async def lead_detail(request: Request, lead: Lead) -> dict[str, Any]:
    """What a lead's page adds: may it be converted, and (converted) the records it became that
    the user may see."""
    principal: Principal = request.state.principal
    became: dict[str, Any] = {}
    if lead.converted_at is not None:
        for key, model in (("contact", Contact), ("account", Account), ("deal", Deal)):
            pk = getattr(lead, f"converted_{key}_id")
            became[key] = (await visible_refs(principal, model, {pk})).get(pk) if pk else None
    return {"may_convert": conversion.may_convert(principal, lead), "became": became}


def parse(form: FormData) -> dict[str, Any]:
    """The form as the service's data: `account` is an account id, "new" or "none"; `contact`
    a contact id or "new"; the deal's fields count when `with_deal` is checked."""
    data: dict[str, Any] = {}
    account = str(form.get("account", "none"))
    if account == "new":
        data["account_name"] = str(form.get("account_name", ""))
    elif account != "none":
        data["account_id"] = account
    contact = str(form.get("contact", "new"))
    if contact != "new":
        data["contact_id"] = contact
    if form.get("with_deal"):
        data["deal"] = {name: str(form.get(f"deal_{name}", "")) for name in conversion.DEAL_FIELDS}
    return data


def _initial(offer: conversion.ConversionOffer) -> dict[str, Any]:
    lead = offer.lead
    if offer.account is not None:
        account = str(offer.account.id)
    else:
        account = "new" if offer.account_name and offer.may_create_account else "none"
    return {
        "account": account, "account_name": offer.account_name,
        "contact": str(offer.same_email_contacts[0].id) if offer.same_email_contacts else "new",
        "with_deal": "", "deal_name": lead.company or lead.full_name, "deal_currency": "JPY",
    }


def _values(form: FormData) -> dict[str, Any]:
    keys = ("account", "account_name", "contact", "with_deal", *(f"deal_{n}" for n in conversion.DEAL_FIELDS))
    return {k: str(form.get(k, "")) for k in keys}


async def _page(request: Request, offer: conversion.ConversionOffer, values: dict[str, Any],
                errors: dict | None = None, refusal: str = "", status_code: int = 200) -> Response:
    context = {
        "offer": offer, "lead": offer.lead, "values": values, "errors": errors or {}, "refusal": refusal,
        "stages": await stage_options(request.state.principal), "currencies": CURRENCIES,
        "action": f"/leads/{offer.lead.id}/convert", "form_id": FORM_ID,
    }
    fragment = request.method == "POST" and is_partial(request)
    return render(request, "leads/_convert_form.html" if fragment else "leads/convert.html",
                  context, status_code=status_code)


async def convert_form(request: Request) -> Response:
    principal: Principal = request.state.principal
    try:
        offer = await conversion.offer(principal, request.path_params["id"])
    except Conflict as exc:
        return error_page(request, exc, 409)
    return await _page(request, offer, _initial(offer))


async def convert(request: Request) -> Response:
    principal: Principal = request.state.principal
    form = await request.form()
    try:
        done = await conversion.convert(principal, request.path_params["id"], parse(form))
    except Conflict as exc:
        return error_page(request, exc, 409)
    except (ValidationError, PermissionDenied) as exc:
        offer = await conversion.offer(principal, request.path_params["id"])
        if isinstance(exc, ValidationError):
            return await _page(request, offer, _values(form), error_map(exc, request), status_code=422)
        return await _page(request, offer, _values(form), refusal=exc.render(translator(request)),
                           status_code=403)
    flash(request, N_("Lead converted: %(name)s"), name=done.contact.full_name)
    return redirect_after_post(request, f"/contacts/{done.contact.id}")


routes = [
    Route("/leads/{id:id}/convert", page(convert_form, "leads"), methods=["GET"]),
    Route("/leads/{id:id}/convert", page(convert, "leads"), methods=["POST"]),
]
