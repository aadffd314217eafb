"""The customer's link to a document (`/portal/<token>`): no sign-in, an unguessable token.

Drafts are never shown. The first time the customer opens a sent estimate or invoice it becomes
`viewed` (with a history entry); members of the organization looking at the link do not count.
"""

from __future__ import annotations

from app import cleaning
from app.errors import NotFound
from app.models import Status, Transaction
from app.permissions import Principal
from app.services import workflow


async def document_for(token: str) -> Transaction:
    if not token or len(token) > 64 or not cleaning.storable(token):
        raise NotFound()
    txn = await Transaction.get_or_none(portal_token=token)
    if txn is None or txn.status == Status.DRAFT:
        raise NotFound()
    return txn


async def open_document(token: str, visitor: Principal | None) -> Transaction:
    txn = await document_for(token)
    if visitor is None or txn.organization_id not in visitor.organization_ids:
        if await workflow.mark_viewed(txn):
            txn = await Transaction.get(id=txn.id)
    return txn
