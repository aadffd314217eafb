"""When two contacts, tasks or events are the same (seed 003's exact rules), for every way in:

- contacts: their e-mail addresses match (case-insensitive); without an address, their full
  names match after width normalisation (full-width and half-width letters and kana, spaces);
- tasks: subject and due date match;
- events: subject, start and end match.

A key is None when an item has nothing to match by (no address and no name).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any

from app.models import PimKind


def width_normal(text: str | None) -> str:
    """NFKC (half-width kana and full-width letters to their usual forms), case-folded, runs of
    spaces (ideographic ones too) as one."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def full_name(last: str | None, first: str | None) -> str:
    return width_normal(f"{last or ''} {first or ''}")


def email_key(address: str | None) -> str:
    return (address or "").strip().lower()


def _moment(value: datetime | None) -> Any:
    return None if value is None else value.timestamp()


def key(kind: PimKind, values: dict[str, Any]) -> tuple | None:
    """The item's de-duplication key, from its values (model field names)."""
    if kind is PimKind.CONTACTS:
        if address := email_key(values.get("email")):
            return ("email", address)
        name = full_name(values.get("last_name"), values.get("first_name"))
        return ("name", name) if name else None
    subject = (values.get("subject") or "").strip()
    if not subject:
        return None
    if kind is PimKind.TASKS:
        due: date | None = values.get("due_date")
        return ("task", subject, due)
    return ("event", subject, _moment(values.get("start_at")), _moment(values.get("end_at")))


def record_keys(kind: PimKind, row: dict[str, Any]) -> list[tuple]:
    """The keys an existing record is found by: a contact by each of its addresses and by its
    name (an item without an address matches any contact of that name)."""
    if kind is PimKind.CONTACTS:
        found = [("email", a) for a in (email_key(row.get("email")), email_key(row.get("secondary_email"))) if a]
        name = full_name(row.get("last_name"), row.get("first_name"))
        return [*found, ("name", name)] if name else found
    k = key(kind, row)
    return [k] if k is not None else []
