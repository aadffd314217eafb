"""Cases: customer questions and problems, often opened from an e-mail."""

from __future__ import annotations

from app.models import Case
from app.models.activities import RelatedType
from app.services.activities import delete_activities_of
from app.services.records import RecordService


class CaseService(RecordService):
    model = Case
    fields = ("subject", "status", "description", "contact_id", "email")
    required = ("subject",)

    async def before_delete(self, obj: Case) -> None:
        await delete_activities_of(RelatedType.CASE, obj.id)


cases = CaseService()
