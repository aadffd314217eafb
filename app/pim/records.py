"""Records back into items: what exports and DAV send to clients (the mirror of app.pim.apply).
A few queries per batch whatever its size: the accounts' names and the events' attendees are
read once for all the records given."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from app.models import Account, EventAttendee, PimKind
from app.pim.items import FIELDS, Attendee, Item, RECORD_TYPES

_CHUNK = 500


def uid_of(record_type: str, record_id: int) -> str:
    """The UID of a record created in Kizuna, stable for its lifetime."""
    return f"kizuna-{record_type}-{record_id}"


async def _by_ids(queryset, ids: list[int], *columns: str) -> list[tuple]:
    found: list[tuple] = []
    for start in range(0, len(ids), _CHUNK):
        found += await queryset.filter(**{f"{columns[0]}__in": ids[start:start + _CHUNK]}).values_list(*columns)
    return found


async def _attendees(event_ids: list[int]) -> dict[int, list[Attendee]]:
    found: dict[int, list[Attendee]] = defaultdict(list)
    rows = await _by_ids(EventAttendee.all().order_by("id"), event_ids, "event_id", "email",
                         "contact__email", "contact__last_name", "contact__first_name",
                         "lead__email", "lead__last_name", "lead__first_name", "user__email", "user__name")
    for event_id, email, c_mail, c_last, c_first, l_mail, l_last, l_first, u_mail, u_name in rows:
        if c_mail:
            found[event_id].append(Attendee(c_mail, " ".join(p for p in (c_last, c_first) if p)))
        elif l_mail:
            found[event_id].append(Attendee(l_mail, " ".join(p for p in (l_last, l_first) if p)))
        elif u_mail:
            found[event_id].append(Attendee(u_mail, u_name or ""))
        elif email:
            found[event_id].append(Attendee(email))
    return found


async def items_of(kind: PimKind, records: Sequence) -> list[Item]:
    """One item per record, in order (contacts with their account's name, events with their
    attendees' addresses), `uid` the record's stable UID (`uid_of`). Empty values are left out."""
    accounts: dict[int, str] = {}
    attendees: dict[int, list[Attendee]] = {}
    if kind is PimKind.CONTACTS:
        wanted = sorted({r.account_id for r in records if r.account_id})
        accounts = dict(await _by_ids(Account.all(), wanted, "id", "name"))
    elif kind is PimKind.EVENTS:
        attendees = await _attendees([r.id for r in records])
    items = []
    for record in records:
        values = {}
        for name in FIELDS[kind]:
            if name == "account_name":
                value = accounts.get(record.account_id) if record.account_id else None
            else:
                value = getattr(record, name)
            if value not in (None, ""):
                values[name] = value
        items.append(Item(
            kind=kind, values=values, uid=uid_of(RECORD_TYPES[kind], record.id),
            categories=[c.strip() for c in (record.categories or "").split(",") if c.strip()],
            attendees=attendees.get(record.id, []),
            recurrence=getattr(record, "recurrence", "") or "",
            source=f"#{record.id}",
        ))
    return items
