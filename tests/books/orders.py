"""Sales orders as users make them, for the billing tests: confirmed, then billed."""

from __future__ import annotations

from app.models import Kind
from app.services import consolidation, workflow
from app.services import transactions as txns


async def confirmed_order(principal, contact, day, lines, **kw):
    order = await txns.create(principal, Kind.SALES_ORDER, {
        "contact_id": contact.id, "issue_date": day, "lines": lines, **kw})
    return await workflow.confirm(principal, order.id)


async def consolidate(principal, contact, period_end):
    return await consolidation.create(principal, {"contact_id": contact.id, "period_end": period_end})
