"""Records back into items: what exports and DAV send to clients (the mirror of app.pim.apply)."""

from __future__ import annotations

from collections.abc import Sequence

from app.models import PimKind
from app.pim.items import Item


async def items_of(kind: PimKind, records: Sequence) -> list[Item]:
    """One item per record, in order (contacts with their account name, events with their
    attendees' addresses), with `uid` set to the record's stable UID (`uid_of`)."""
    raise NotImplementedError


def uid_of(record_type: str, record_id: int) -> str:
    """The UID of a record created in Kizuna, stable for its lifetime."""
    return f"kizuna-{record_type}-{record_id}"
