"""Leads: people not yet qualified into contacts."""

from __future__ import annotations

from app.models import Lead
from app.models.activities import RelatedType
from app.services.activities import delete_activities_of
from app.services.records import RecordService


class LeadService(RecordService):
    model = Lead
    fields = (
        "first_name", "last_name", "company", "email", "phone", "mobile", "status", "description",
    )
    required = ("last_name",)

    async def before_delete(self, obj: Lead) -> None:
        await delete_activities_of(RelatedType.LEAD, obj.id)


leads = LeadService()
