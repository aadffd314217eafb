"""Cases: customer questions and problems, often opened from an e-mail.

A case keeps the files of the e-mail it was opened from (`CaseAttachment`, made by
app.services.email_actions.create_case). They are parts of the case: whoever may see the case
sees and downloads them, whoever may edit it removes them. Their bytes are the e-mail's blobs,
shared and never deleted with a file or a case.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.queryset import QuerySet

from app import cleaning
from app.errors import NotFound
from app.models import Case, CaseAttachment
from app.models.activities import RelatedType
from app.permissions import Principal, require
from app.services.activities import delete_activities_of
from app.services.records import RecordService

ATTACHMENTS_MAX = 100  # files a case takes from one e-mail: what a page lists at once


class CaseService(RecordService):
    model = Case
    fields = ("subject", "status", "description", "contact_id", "email")
    required = ("subject",)

    async def before_delete(self, obj: Case) -> None:
        # Its files go with it (ON DELETE CASCADE); their blobs stay, the e-mail names them.
        await delete_activities_of(RelatedType.CASE, obj.id)


cases = CaseService()


# ---- files ------------------------------------------------------------------------------------


def attachments_query(case_ids: Sequence[int]) -> QuerySet:
    """The files of these cases, oldest first: for cases the caller has already checked (the
    case page, GraphQL's loader of a page of cases)."""
    return CaseAttachment.filter(case_id__in=list(case_ids)).order_by("id")


async def attachments_of(principal: Principal, case: Case | int | str) -> list[CaseAttachment]:
    """The files of a case the user may see."""
    if isinstance(case, Case):
        require(principal, "view", case)
    else:
        case = await cases.get(principal, case)
    return list(await attachments_query([case.id]).limit(ATTACHMENTS_MAX))


async def _attachment(principal: Principal, attachment_id: Any, action: str) -> tuple[CaseAttachment, Case]:
    pk = cleaning.pk(attachment_id)
    attachment = None if pk is None else await CaseAttachment.get_or_none(id=pk).select_related("blob")
    if attachment is None:
        raise NotFound()
    return attachment, await cases.get(principal, attachment.case_id, action)


async def get_attachment(principal: Principal, attachment_id: Any) -> CaseAttachment:
    """The file with its blob, if the user may see its case (else NotFound, as for the case)."""
    attachment, _case = await _attachment(principal, attachment_id, "view")
    return attachment


async def remove_attachment(principal: Principal, attachment_id: Any) -> Case:
    """Remove a file from its case, which takes the right to edit the case (seeing it only:
    PermissionDenied); the blob stays. Returns the case."""
    attachment, case = await _attachment(principal, attachment_id, "create_edit")
    await CaseAttachment.filter(id=attachment.id).delete()
    return case
