"""Leads: people not yet qualified into contacts."""

from __future__ import annotations

from app.errors import Conflict
from app.i18n import N_
from app.models import Lead
from app.models.activities import RelatedType
from app.services.activities import delete_activities_of
from app.permissions import Principal
from app.services.records import Cleaned, RecordService


class LeadService(RecordService):
    model = Lead
    fields = (
        "first_name", "last_name", "last_name_kana", "first_name_kana", "company", "email", "phone", "mobile", "status", "description",
    )
    required = ("last_name",)

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Lead | None) -> None:
        await super().validate(principal, cleaned, instance)
        # A converted lead (app.services.lead_conversion) is a record of what happened.
        status = cleaned.values.get("status")
        if instance is not None and instance.converted_at is not None and status not in (None, instance.status):
            raise Conflict(N_("This lead has been converted: its status can no longer change."))

    async def before_delete(self, obj: Lead) -> None:
        await delete_activities_of(RelatedType.LEAD, obj.id)


leads = LeadService()
