"""Leads: list (filter by status), page, form."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.errors import Conflict
from app.i18n import N_
from app.models import RelatedType
from app.services.leads import leads
from views import lead_conversion, related
from views.choices import LEAD_STATUS
from views.records import Column, Field, Filter, RecordPages, Section
from views.templating import translator


class LeadPages(RecordPages):
    async def update(self, request: Request) -> Response:
        """A converted lead refuses another status (app.services.leads): the form says so, by
        the field, where the user changed it."""
        try:
            return await super().update(request)
        except Conflict as exc:
            obj = await self.service.get(request.state.principal, request.path_params["id"], "create_edit")
            data = self.parse(await request.form())
            return await self._form(request, obj, data, {"status": [exc.render(translator(request))]}, 422)


pages = LeadPages(
    module="leads",
    service=leads,
    singular=N_("Lead"),
    mail=True,  # a Mail panel (views/mail/tabs.py)
    compose=True,  # and e-mail written from it (views/mail/compose.py)
    plural=N_("Leads"),
    sections=(
        Section(N_("Lead"), (
            Field("last_name", N_("Last name"), required=True),
            Field("first_name", N_("First name")),
            Field("last_name_kana", N_("Last name reading"), "reading"),
            Field("first_name_kana", N_("First name reading"), "reading"),
            Field("company", N_("Company")),
            Field("email", N_("E-mail"), "email"),
            Field("phone", N_("Phone"), "tel"),
            Field("mobile", N_("Mobile"), "tel"),
            Field("status", N_("Status"), "select", LEAD_STATUS, blank=False),
        )),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Name"), "full_name", "link"),
        Column(N_("Company"), "company"),
        Column(N_("E-mail"), "email"),
        Column(N_("Status"), "status", "choice", LEAD_STATUS),
        Column(N_("Owner"), "owner.name"),
    ),
    filters=(Filter("status", N_("Status"), (("", N_("All")), *LEAD_STATUS),
                    lambda qs, v, p: qs.filter(status=v)),),
    related=related.activities(RelatedType.LEAD),
    detail_template="leads/detail.html",  # Convert; what a converted lead became
    extra_detail=lead_conversion.lead_detail,
)

routes = pages.routes() + lead_conversion.routes
