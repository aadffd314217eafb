"""Who an event's attendee is (seed 003): linked by e-mail address, with the priority contact >
lead > user; when two contacts share the address, the one created first. An attendee found
nowhere stays as a bare address. Only records the user may see are linked (the same rule as the
event form's attendee field). Syncing never sends invitations: nothing here sends anything."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.functions import Lower

from app.models import Contact, Lead, User
from app.permissions import Principal
from app.pim.dedup import email_key
from app.services import links

_CHUNK = 500


async def _first_by_address(queryset, addresses: list[str]) -> dict[str, int]:
    """Address -> the id of the record created first with it (as primary address)."""
    found: dict[str, tuple] = {}
    for start in range(0, len(addresses), _CHUNK):
        part = addresses[start:start + _CHUNK]
        rows = await (queryset.annotate(address=Lower("email")).filter(address__in=part)
                      .values_list("address", "created_at", "id"))
        for address, created, pk in rows:
            if address not in found or (created, pk) < found[address]:
                found[address] = (created, pk)
    return {a: v[1] for a, v in found.items()}


async def link(principal: Principal, addresses: Iterable[str]) -> dict[str, dict[str, int | str]]:
    """Each address (lower-cased) -> the attendee it is: {"contact_id": id}, {"lead_id": id},
    {"user_id": id} or {"email": address}."""
    wanted = sorted({email_key(a) for a in addresses if email_key(a)})
    if not wanted:
        return {}
    contacts = await _first_by_address(links.reachable(principal, Contact), wanted)
    rest = [a for a in wanted if a not in contacts]
    leads = await _first_by_address(links.reachable(principal, Lead), rest) if rest else {}
    rest = [a for a in rest if a not in leads]
    users = await _first_by_address(User.filter(is_active=True), rest) if rest else {}
    result: dict[str, dict[str, int | str]] = {}
    for address in wanted:
        if address in contacts:
            result[address] = {"contact_id": contacts[address]}
        elif address in leads:
            result[address] = {"lead_id": leads[address]}
        elif address in users:
            result[address] = {"user_id": users[address]}
        else:
            result[address] = {"email": address}
    return result
