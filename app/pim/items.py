"""The one form every way in and out of PIM sync speaks: an `Item` is a contact, a task or an event
as read from an Outlook CSV row, a vCard, an iCalendar component or a DAV request, before any rule
is applied; the writers (files, DAV) turn records back into items.

`values` is keyed by the CRM model's field names (seed 003's mappings are applied by the readers),
with Python values: str for text, `date` for dates, aware `datetime` for moments. A contact's
company is `account_name` (matched to an account by name when applied). Nothing here is cut to
fit: `problems` names every value over its column's limit, and the run ignores the item with that
reason (seed 003: a value over its limit is never silently cut).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.i18n import N_
from app.models import Contact, Event, PimKind, Task
from app.models.base import LONG_TEXT_MAX
from app.services.records import max_length

# Writable values per kind, by model field name (plus account_name for contacts).
_ADDRESS = ("street", "city", "state", "code", "country")
CONTACT_FIELDS = (
    "first_name", "last_name", "first_name_kana", "last_name_kana", "email", "secondary_email", "title",
    "account_name", "department",
    "work_phone", "home_phone", "other_phone", "mobile", "fax", "assistant", "assistant_phone",
    "reports_to", *(f"mailing_{p}" for p in _ADDRESS), *(f"other_{p}" for p in _ADDRESS),
    "description", "birthday",
)
TASK_FIELDS = ("subject", "due_date", "start_date", "priority", "status", "description")
EVENT_FIELDS = ("subject", "start_at", "end_at", "all_day", "location", "description")
FIELDS = {PimKind.CONTACTS: CONTACT_FIELDS, PimKind.TASKS: TASK_FIELDS, PimKind.EVENTS: EVENT_FIELDS}
MODELS = {PimKind.CONTACTS: Contact, PimKind.TASKS: Task, PimKind.EVENTS: Event}
RECORD_TYPES = {PimKind.CONTACTS: "contact", PimKind.TASKS: "task", PimKind.EVENTS: "event"}
ACCOUNT_NAME_MAX = 200
CATEGORIES_MAX = 255
# The repetition of one task or event: its rule lines and the occurrences it overrides.
RECURRENCE_MAX = 100_000


def limit_of(kind: PimKind, name: str) -> int | None:
    """The most characters a value may have (the column's own limit)."""
    if name == "account_name":
        return ACCOUNT_NAME_MAX
    if name == "description":
        return LONG_TEXT_MAX
    model_field = MODELS[kind]._meta.fields_map.get(name)
    return None if model_field is None else max_length(model_field)


@dataclass
class Attendee:
    email: str
    name: str = ""


@dataclass
class Problem:
    """Why an item cannot be applied as it is: the field (empty: the whole item) and a message id
    with its parameters."""

    field: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Item:
    kind: PimKind
    values: dict[str, Any] = field(default_factory=dict)
    uid: str = ""  # the client's UID (vCard/iCalendar); empty for CSV rows
    categories: list[str] = field(default_factory=list)
    attendees: list[Attendee] = field(default_factory=list)  # events only
    # RRULE/EXDATE/RDATE lines, then the occurrences it overrides (app.pim.ical), for tasks and events
    recurrence: str = ""
    # Where it came from, for the report: "line 12", "contact.vcf", a DAV href.
    source: str = ""
    # Problems the reader found (a date it could not read, an unknown time zone).
    problems: list[Problem] = field(default_factory=list)

    @property
    def label(self) -> str:
        """What the user recognises it by in a report."""
        v = self.values
        if self.kind is PimKind.CONTACTS:
            name = " ".join(p for p in (v.get("last_name"), v.get("first_name")) if p)
            return name or v.get("email") or self.source
        return v.get("subject") or self.source

    def over_limits(self) -> list[Problem]:
        """Every value longer than its column allows (never cut: the item is ignored)."""
        found = []
        for name, value in self.values.items():
            limit = limit_of(self.kind, name)
            if isinstance(value, str) and limit is not None and len(value) > limit:
                found.append(Problem(name, N_("Must be at most %(max)d characters (now %(length)d)."),
                                     {"max": limit, "length": len(value)}))
        categories = ",".join(self.categories)
        if len(categories) > CATEGORIES_MAX:
            found.append(Problem("categories", N_("Must be at most %(max)d characters (now %(length)d)."),
                                 {"max": CATEGORIES_MAX, "length": len(categories)}))
        if len(self.recurrence) > RECURRENCE_MAX:
            found.append(Problem("recurrence", N_("Must be at most %(max)d characters (now %(length)d)."),
                                 {"max": RECURRENCE_MAX, "length": len(self.recurrence)}))
        return found

    # ---- kept as JSON (ignored records, held changes) ---------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value, "uid": self.uid, "source": self.source,
            "values": {k: _dump(v) for k, v in self.values.items()},
            "categories": self.categories, "recurrence": self.recurrence,
            "attendees": [[a.email, a.name] for a in self.attendees],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        return cls(
            kind=PimKind(data["kind"]), uid=data.get("uid", ""), source=data.get("source", ""),
            values={k: _load(v) for k, v in data.get("values", {}).items()},
            categories=list(data.get("categories", [])), recurrence=data.get("recurrence", ""),
            attendees=[Attendee(e, n) for e, n in data.get("attendees", [])],
        )


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _load(value: Any) -> Any:
    if isinstance(value, dict) and "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    if isinstance(value, dict) and "date" in value:
        return date.fromisoformat(value["date"])
    return value
