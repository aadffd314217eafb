"""Notifications (issue 13): recording events in the outbox.

`record` is called by whatever changes a document on a customer's behalf (the portal: viewed,
commented, accepted, declined, transfer reported; payments), inside the transaction of that
change, so that an event exists exactly when its change does. Delivery (destinations, retries,
the delivery log) reads the outbox afterwards through the job engine.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app.models import EventType, NotificationEvent, Transaction

ACTOR_MAX = 200


async def record(event_type: EventType | str, txn: Transaction, *, actor: str = "",
                 data: dict[str, Any] | None = None, conn: BaseDBAsyncClient | None = None) -> NotificationEvent:
    """Add an event to the outbox in the caller's transaction (`conn`, or the current one)."""
    event = await NotificationEvent.create(
        organization_id=txn.organization_id, type=EventType(event_type), txn_id=txn.id,
        actor=(actor or "")[:ACTOR_MAX], data=data or {}, using_db=conn)
    return event
