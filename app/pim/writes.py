"""The bulk writes of the PIM engine (app.pim.apply decides, this writes): new accounts and
records inserted with reserved ids, changed records updated grouped by the columns that changed,
events' attendees replaced, and the ignored items kept for the report, each in one transaction
of a few statements whatever the batch's size (app.mail.rows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from app import readings
from app.mail import rows
from app.models import Account, Event, EventAttendee, PimIgnored, PimIgnoreReason, PimKind, PimRun
from app.permissions import Principal
from app.pim import attendees as attendee_links
from app.pim import dedup
from app.pim.items import MODELS, Item, Problem
from app.search import search_text
from app.services.activities import _hidden_attendees
from app.services.books_sync_kinds import blank_values


@dataclass
class Plan:
    index: int
    item: Item
    values: dict[str, Any]
    key: tuple | None
    record: Any = None  # the existing record to update
    account_name: str | None = None
    full: bool = False  # a whole representation (DAV PUT): what it leaves out is emptied
    problem: tuple[PimIgnoreReason, Problem] | None = None
    changed: dict[str, Any] = field(default_factory=dict)


def _now() -> datetime:
    return datetime.now(UTC)


def _search(model: type, row: dict[str, Any]) -> str:
    return search_text((row.get(n) for n in model.SEARCH_FIELDS),
                       ((row.get(a), row.get(b)) for a, b in getattr(model, "SEARCH_NAMES", ())))


async def write(principal: Principal, kind: PimKind, plans: list[Plan], new_accounts: dict[str, str],
                 accounts: dict[str, int]) -> None:
    """Insert the new records and update the changed ones, in one transaction."""
    model = MODELS[kind]
    now = _now()
    creates = [p for p in plans if p.record is None]
    updates = [p for p in plans if p.record is not None]
    # Readings as the record services make them (app.readings), for the whole batch at once.
    if (spec := readings.spec_of(model)) is not None:
        await readings.fill_many(spec, [(p.values, p.record) for p in plans])
    account_values = {normal: {"name": name} for normal, name in new_accounts.items()}
    await readings.fill_many(readings.COMPANY, [(values, None) for values in account_values.values()])
    for plan in updates:
        record = plan.record
        wanted = dict(plan.values)
        if plan.account_name is not None:
            wanted["account_id"] = None  # set below, once the account's id is known
        plan.changed = {k: v for k, v in wanted.items()
                        if k != "account_id" and getattr(record, k, None) != v}
    attendee_rows = await attendee_targets(principal, kind, plans)
    async with in_transaction() as conn:
        if conn.capabilities.dialect != "postgres":  # SQLite's write lock at once: reserved ids stay ours
            await conn.execute_query(f'UPDATE "{model._meta.db_table}" SET id = id WHERE 0')
        if new_accounts:
            ids = await rows.reserve_ids(conn, Account, len(new_accounts))
            blank = {**blank_values(Account), "owner_id": principal.user.id, "created_at": now, "modified_at": now}
            columns = ["id", *blank]
            values = []
            for pk, (normal, name) in zip(ids, new_accounts.items()):
                row = {**blank, **account_values[normal], "id": pk}
                row["search_text"] = _search(Account, row)
                values.append([row[c] for c in columns])
                accounts[normal] = pk
            await rows.insert(conn, Account, columns, values)
        for plan in plans:
            if plan.account_name is not None:
                plan.values["account_id"] = accounts[plan.account_name]
                if plan.record is not None and plan.record.account_id != plan.values["account_id"]:
                    plan.changed["account_id"] = plan.values["account_id"]
        if creates:
            ids = await rows.reserve_ids(conn, model, len(creates))
            blank = {**blank_values(model), "owner_id": principal.user.id, "created_at": now, "modified_at": now}
            columns = ["id", *blank]
            values = []
            for pk, plan in zip(ids, creates):
                row = {**blank, **plan.values, "id": pk}
                row["search_text"] = _search(model, row)
                values.append([row[c] for c in columns])
                plan.record = pk
            await rows.insert(conn, model, columns, values)
        groups: dict[tuple[str, ...], list[Plan]] = defaultdict(list)
        for plan in updates:
            if plan.changed:
                for key, value in plan.changed.items():
                    setattr(plan.record, key, value)
                plan.record.refresh_search_text()
                groups[tuple(sorted(plan.changed))].append(plan)
        for names, group in groups.items():
            await rows.update(conn, model, [*names, "search_text", "modified_at"], [
                (p.record.id, *(p.changed[n] for n in names), p.record.search_text, now) for p in group])
        if attendee_rows is not None:
            replaced, new_rows = attendee_rows
            for event_id, keep in replaced.items():
                gone = EventAttendee.filter(event_id=event_id).using_db(conn)
                await (gone.exclude(id__in=sorted(keep)) if keep else gone).delete()
            await rows.insert(conn, EventAttendee, ("event_id", "contact_id", "lead_id", "user_id", "email"), [
                (p.record if isinstance(p.record, int) else p.record.id, *attendee)
                for p, attendee in new_rows])
            # An event whose only change is its attendees is changed too (clients see a new ETag).
            touched = [p.record.id for p, _ in new_rows if not isinstance(p.record, int) and not p.changed]
            touched += [i for i in replaced if i not in touched]
            if touched:
                await Event.filter(id__in=sorted(set(touched))).using_db(conn).update(modified_at=now)
                for plan in updates:
                    if plan.record.id in replaced:
                        plan.changed.setdefault("attendees", True)


async def attendee_targets(principal: Principal, kind: PimKind, plans: list[Plan]):
    """For events: which attendee rows to replace (event id -> the hidden rows kept) and the rows
    to insert (plan, (contact, lead, user, email)); None when nothing changes."""
    if kind is not PimKind.EVENTS:
        return None
    carrying = [p for p in plans if p.item.attendees or (p.record is not None and p.full)]
    if not carrying:
        return None
    links = await attendee_links.link(principal, (a.email for p in carrying for a in p.item.attendees))
    replaced: dict[int, list[int]] = {}
    new_rows = []
    for plan in carrying:
        wanted = []
        for attendee in plan.item.attendees:
            target = links.get(dedup.email_key(attendee.email))
            if target is None:
                continue
            row = (target.get("contact_id"), target.get("lead_id"), target.get("user_id"), target.get("email", ""))
            if row not in wanted:
                wanted.append(row)
        if plan.record is not None:
            hidden = await _hidden_attendees(principal, plan.record)
            current = await EventAttendee.filter(event_id=plan.record.id).values_list(
                "contact_id", "lead_id", "user_id", "email")
            if sorted(map(tuple, current)) == sorted(wanted) and not hidden:
                continue
            replaced[plan.record.id] = list(hidden.values())
        new_rows += [(plan, row) for row in wanted]
    return replaced, new_rows


_IGNORED_COLUMNS = ("id", "run_id", "user_id", "kind", "reason", "field", "message", "params", "label", "values",
                    "resolved_at")


async def record_ignored(principal: Principal, kind: PimKind, run: PimRun,
                          plans: list[Plan]) -> dict[int, PimIgnored]:
    """Keep the ignored items (as read) with their reasons, for the report and a later re-sync."""
    if not plans:
        return {}
    made = {}
    for plan in plans:
        reason, problem = plan.problem  # type: ignore[misc]
        made[plan.index] = PimIgnored(
            run_id=run.id, user_id=principal.user.id, kind=kind, reason=reason, field=problem.field[:50],
            message=problem.message[:255], params=problem.params, label=(plan.item.label or "")[:255],
            values=plan.item.to_json(), resolved_at=None)
    async with in_transaction() as conn:
        if conn.capabilities.dialect != "postgres":  # SQLite's write lock at once: reserved ids stay ours
            await conn.execute_query('UPDATE "pim_ignored" SET id = id WHERE 0')
        for obj, pk in zip(made.values(), await rows.reserve_ids(conn, PimIgnored, len(made))):
            obj.id = pk
        await rows.insert(conn, PimIgnored, _IGNORED_COLUMNS,
                          [[getattr(obj, c) for c in _IGNORED_COLUMNS] for obj in made.values()])
    for obj in made.values():
        obj._saved_in_db = True
    return made
