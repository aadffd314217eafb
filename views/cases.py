"""Cases: list (filter by status), page, form."""

from __future__ import annotations

from app.i18n import N_
from app.models import RelatedType
from app.services.cases import cases
from views import related
from views.choices import CASE_STATUS, contact_options
from views.records import Column, Field, Filter, RecordPages, Section

pages = RecordPages(
    module="cases",
    service=cases,
    singular=N_("Case"),
    plural=N_("Cases"),
    sections=(
        Section(N_("Case"), (
            Field("subject", N_("Subject"), required=True),
            Field("status", N_("Status"), "select", CASE_STATUS, blank=False),
            Field("contact_id", N_("Contact"), "ref", options=contact_options, module="contacts"),
            Field("email", N_("E-mail"), "email"),
        )),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Subject"), "subject", "link"),
        Column(N_("Status"), "status", "choice", CASE_STATUS),
        Column(N_("Contact"), "contact_id", "ref", module="contacts"),
        Column(N_("E-mail"), "email"),
        Column(N_("Owner"), "owner.name"),
    ),
    filters=(Filter("status", N_("Status"), (("", N_("All")), *CASE_STATUS),
                    lambda qs, v, p: qs.filter(status=v)),),
    related=related.activities(RelatedType.CASE),
)

routes = pages.routes()
