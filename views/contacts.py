"""Contacts: list, page (with their deals, tasks and events), form."""

from __future__ import annotations

from app.i18n import N_
from app.models import RelatedType
from app.services.contacts import contacts
from views import related
from views.accounts import address
from views.choices import account_options
from views.records import Column, Field, RecordPages, Section

pages = RecordPages(
    module="contacts",
    service=contacts,
    singular=N_("Contact"),
    mail=True,  # a Mail panel (views/mail/tabs.py)
    compose=True,  # and e-mail written from it (views/mail/compose.py)
    plural=N_("Contacts"),
    sections=(
        Section(N_("Contact"), (
            Field("last_name", N_("Last name"), required=True),
            Field("first_name", N_("First name")),
            Field("last_name_kana", N_("Last name reading"), "reading"),
            Field("first_name_kana", N_("First name reading"), "reading"),
            Field("account_id", N_("Account"), "ref", options=account_options, module="accounts"),
            Field("title", N_("Title")),
            Field("department", N_("Department")),
            Field("email", N_("E-mail"), "email"),
            Field("secondary_email", N_("Secondary e-mail"), "email"),
            Field("work_phone", N_("Work phone"), "tel"),
            Field("mobile", N_("Mobile"), "tel"),
            Field("home_phone", N_("Home phone"), "tel"),
            Field("other_phone", N_("Other phone"), "tel"),
            Field("fax", N_("Fax"), "tel"),
            Field("assistant", N_("Assistant")),
            Field("assistant_phone", N_("Assistant phone"), "tel"),
            Field("reports_to", N_("Reports to")),
            Field("birthday", N_("Birthday"), "date"),
        )),
        address("mailing", N_("Mailing address")),
        address("other", N_("Other address")),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Name"), "full_name", "link"),
        Column(N_("Account"), "account_id", "ref", module="accounts"),
        Column(N_("E-mail"), "email"),
        Column(N_("Work phone"), "work_phone"),
        Column(N_("Owner"), "owner.name"),
    ),
    related=(
        related.Related("deals", N_("Deals"), "deals", related.DEAL_COLUMNS, related.contact_deals),
        *related.activities(RelatedType.CONTACT),
    ),
)

routes = pages.routes()
