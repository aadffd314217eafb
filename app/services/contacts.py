"""Contacts: the people at accounts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.i18n import N_
from app.models import Contact
from app.models.activities import RelatedType
from app.services.activities import delete_activities_of
from app.permissions import Principal
from app.services.records import Cleaned, RecordService

_ADDRESS = ("street", "building", "city", "state", "code", "country")


class ContactService(RecordService):
    model = Contact
    fields = (
        "first_name", "last_name", "last_name_kana", "first_name_kana", "email", "secondary_email", "title", "department",
        "work_phone", "home_phone", "other_phone", "mobile", "fax", "assistant",
        "assistant_phone", "reports_to", "description", "birthday", "account_id",
        *(f"mailing_{p}" for p in _ADDRESS),
        *(f"other_{p}" for p in _ADDRESS),
    )
    required = ("last_name",)

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Contact | None) -> None:
        await super().validate(principal, cleaned, instance)
        birthday = cleaned.values.get("birthday")
        if birthday is not None and birthday > datetime.now(ZoneInfo(principal.user.timezone)).date():
            cleaned.error("birthday", N_("A birthday cannot be in the future."))

    async def before_delete(self, obj: Contact) -> None:
        await delete_activities_of(RelatedType.CONTACT, obj.id)


contacts = ContactService()
