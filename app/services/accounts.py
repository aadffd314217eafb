"""Accounts: the companies (or people) a team sells to."""

from __future__ import annotations

from app.models import Account
from app.models.activities import RelatedType
from app.services.activities import delete_activities_of
from app.services.records import RecordService

_ADDRESS = ("street", "building", "city", "state", "code", "country")


class AccountService(RecordService):
    model = Account
    fields = (
        "name", "name_kana", "phone", "fax", "website", "description",
        *(f"billing_{p}" for p in _ADDRESS),
        *(f"shipping_{p}" for p in _ADDRESS),
    )
    required = ("name",)

    async def before_delete(self, obj: Account) -> None:
        await delete_activities_of(RelatedType.ACCOUNT, obj.id)


accounts = AccountService()
