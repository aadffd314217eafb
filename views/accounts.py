"""Accounts: list, page (with its contacts and deals), form."""

from __future__ import annotations

from app.i18n import N_
from app.models import RelatedType
from app.services.accounts import accounts
from views import related
from views.records import Column, Field, RecordPages, Related, Section


def address(prefix: str, title: str, building: bool = True) -> Section:
    """An address block; its form orders the fields as the country writes them (app.addressing).
    `building`: the record keeps a building line (CRM records do, Books contacts not yet)."""
    return Section(title, (
        Field(f"{prefix}_street", N_("Street")),
        *((Field(f"{prefix}_building", N_("Building")),) if building else ()),
        Field(f"{prefix}_city", N_("City")),
        Field(f"{prefix}_state", N_("State / prefecture")),
        Field(f"{prefix}_code", N_("Postal code")),
        Field(f"{prefix}_country", N_("Country")),
    ), address=prefix)


pages = RecordPages(
    module="accounts",
    service=accounts,
    singular=N_("Account"),
    mail=True,  # a Mail panel (views/mail/tabs.py)
    compose=True,  # and e-mail written from it (views/mail/compose.py)
    plural=N_("Accounts"),
    sections=(
        Section(N_("Account"), (
            Field("name", N_("Account name"), required=True),
            Field("name_kana", N_("Account name reading"), "reading"),
            Field("phone", N_("Phone"), "tel"),
            Field("fax", N_("Fax"), "tel"),
            Field("website", N_("Website"), "url"),
        )),
        address("billing", N_("Billing address")),
        address("shipping", N_("Shipping address")),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Account name"), "name", "link"),
        Column(N_("Phone"), "phone"),
        Column(N_("Website"), "website"),
        Column(N_("City"), "billing_city"),
        Column(N_("Owner"), "owner.name"),
    ),
    related=(
        Related("contacts", N_("Contacts"), "contacts", related.CONTACT_COLUMNS,
                        related.account_contacts,
                        new_url=lambda a: f"/contacts/new?account_id={a.id}"),
        Related("deals", N_("Deals"), "deals", related.DEAL_COLUMNS, related.account_deals,
                        new_url=lambda a: f"/deals/new?account_id={a.id}"),
        *related.activities(RelatedType.ACCOUNT),
    ),
)

routes = pages.routes()
