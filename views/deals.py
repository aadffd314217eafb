"""Deals: list (filter by stage category), page (with its contacts and their roles), form with
a small multi-row editor for the contacts."""

from __future__ import annotations

from starlette.datastructures import FormData

from app import settings
from app.i18n import N_
from app.models import DealContact, RelatedType
from app.services.deals import deals
from views import related
from views.choices import CURRENCIES, STAGE_CATEGORY, account_options, contact_options, stage_options
from views.records import Column, Field, Filter, RecordPages, Related, Section

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
            Field("contacts", N_("Contacts and roles"), "deal_contacts", options=contact_options,
                  parse=parse_contacts, initial=initial_contacts, on_detail=False),
        )),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Deal name"), "name", "link"),
        Column(N_("Account"), "account_id", "ref", module="accounts"),
        Column(N_("Stage"), "stage.name", "msgid"),
        Column(N_("Amount"), "amount", "money"),
        Column(N_("Closing date"), "closing_date", "date"),
        Column(N_("Owner"), "owner.name"),
    ),
    filters=(Filter("stage", N_("Stage"), (("", N_("All")), *STAGE_CATEGORY),
                    lambda qs, v, p: qs.filter(stage__category=v)),),
    list_related=("owner", "stage"),
    related=(
        Related("contacts", N_("Contacts"), "contacts",
                (*related.CONTACT_COLUMNS, related.ROLE_COLUMN), related.deal_contacts,
                annotate=related.add_roles),
        *related.activities(RelatedType.DEAL),
    ),
    defaults={"currency": settings.DEFAULT_CURRENCY},
)

routes = pages.routes()
