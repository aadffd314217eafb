"""Applying items to the CRM: one engine for every way in (file imports, DAV, sync now, re-sync).

For each item, in order: the reader's problems, each value through the column's own coercion
(the form's: app.services.records.coerce_value) and limit (never cut), the category filter of the
user's settings (sync runs only), de-duplication against the records the user can see and against
the items before it in the same batch (app.pim.dedup), permissions (no grant, or a match the user
may only read: ignored with the reason, seed 003), the record service's own cross-field rules
(`validate`, as on the form), then one bulk write. Every item ends as added, updated, unchanged,
outside (not in the synced category) or ignored, and the run counts it.

The write (app.pim.writes) is one transaction of a few statements whatever the batch's size, so
importing 10,000 contacts costs little more than the SQL itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import InvalidOperation
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Lower

from app import cleaning
from app.errors import KizunaError, NotFound
from app.i18n import N_
from app.models import (
    Account,
    PimIgnored,
    PimIgnoreReason,
    PimKind,
    PimRun,
    PimRunSource,
    PimSetting,
)
from app.models.users import Access
from app.permissions import Principal, module_of, restrict
from app.pim import dedup
from app.pim import settings as pim_settings
from app.pim import writes
from app.pim.items import FIELDS, MODELS, Item, Problem
from app.pim.writes import Plan
from app.search import normalise
from app.services.activities import events, tasks
from app.services.contacts import contacts
from app.services.records import EMAIL_FIELDS, EMAIL_RE, Cleaned, RecordService, coerce_value

SERVICES: dict[PimKind, RecordService] = {PimKind.CONTACTS: contacts, PimKind.TASKS: tasks, PimKind.EVENTS: events}
# Runs that follow the user's sync settings (a file import takes what the user chose to import).
SYNC_SOURCES = (PimRunSource.DEVICE, PimRunSource.SYNC_NOW)
_CHUNK = 500
_FEW = 20  # up to this many items, look the matches up by key rather than read them all

_DUPLICATE = {
    "email": N_("Another item of this sync has the same e-mail address."),
    "name": N_("Another item of this sync has the same full name."),
    "task": N_("Another item of this sync has the same subject and due date."),
    "event": N_("Another item of this sync has the same subject, start and end."),
}
_NO_GRANT = N_("Your role does not allow creating or editing these records.")
_READ_ONLY = N_("This record is shared with you read-only.")
_NO_ACCOUNT_GRANT = N_("The account %(name)s does not exist, and your role does not allow creating accounts.")
_NOTHING = N_("The item has nothing to match or show it by (a name, an e-mail address or a subject).")


@dataclass
class Outcome:
    item: Item
    action: str  # added | updated | unchanged | outside | deleted | ignored
    record_id: int | None = None
    ignored: PimIgnored | None = None


def in_category(setting: PimSetting, categories: Sequence[str]) -> bool:
    """Is an item with these categories in sync under `setting` (seed 003's category)?"""
    if not setting.category_only:
        return True
    wanted = dedup.width_normal(setting.category_name)
    return any(dedup.width_normal(c) == wanted for c in categories)


def _coerce(kind: PimKind, principal: Principal, item: Item) -> tuple[dict[str, Any], Problem | None]:
    """The item's values as the columns take them, or the first value that is not acceptable."""
    model = MODELS[kind]
    out: dict[str, Any] = {}
    for name, value in item.values.items():
        if name not in FIELDS[kind]:
            continue
        if name == "account_name":
            try:
                out[name] = cleaning.text(value)
            except cleaning.Unclean as problem:
                return out, Problem(name, problem.msgid, problem.params)
            continue
        column = model._meta.fields_map[name]
        if value is None or (isinstance(value, str) and not value.strip()):
            out[name] = None if column.null else ("" if column.default is None else column.default)
            continue
        try:
            value = coerce_value(column, value, principal.user.timezone)
        except cleaning.Unclean as problem:
            return out, Problem(name, problem.msgid, problem.params)
        except (ValueError, InvalidOperation, TypeError):
            return out, Problem(name, N_("Choose one of the offered values.") if hasattr(column, "enum_type")
                                else N_("Enter a valid value."))
        if name in EMAIL_FIELDS and value and not EMAIL_RE.match(value):
            return out, Problem(name, N_("Enter a valid e-mail address."))
        out[name] = value
    if item.categories:
        out["categories"] = ",".join(c.strip() for c in item.categories if c.strip())
    if kind is not PimKind.CONTACTS and item.recurrence:
        out["recurrence"] = item.recurrence
    return out, None


def _full(kind: PimKind, values: dict[str, Any]) -> dict[str, Any]:
    """A whole representation (a DAV PUT): every value it leaves out is emptied."""
    model = MODELS[kind]
    out = dict(values)
    for name in (*FIELDS[kind], "categories", *(() if kind is PimKind.CONTACTS else ("recurrence",))):
        if name in out or name == "account_name":
            continue
        column = model._meta.fields_map[name]
        if column.null:
            out[name] = None
        elif name not in SERVICES[kind].required and not (kind is PimKind.EVENTS and name in ("start_at", "end_at")):
            out[name] = column.default if column.default is not None and not callable(column.default) else ""
    return out


async def _existing(principal: Principal, kind: PimKind, plans: list[Plan]) -> dict[tuple, int]:
    """Key -> the id of the visible record it finds (the first created when several do)."""
    model = MODELS[kind]
    visible = restrict(model.all(), principal)
    found: dict[tuple, int] = {}
    if kind is PimKind.CONTACTS:
        # Names are compared after width normalisation, which SQL cannot index. A big batch reads
        # every visible contact's keys in one query (a few columns: 10,000 contacts in
        # milliseconds); a few items (a DAV PUT) narrow it down first: the addresses, and the
        # names through the search text (which holds each name normalised more loosely).
        columns = ("id", "email", "secondary_email", "last_name", "first_name")
        if len(plans) <= _FEW:
            wanted = Q(id__isnull=True)
            for plan in plans:
                if plan.key is None:
                    continue
                if plan.key[0] == "email":
                    wanted |= Q(email_lower=plan.key[1]) | Q(secondary_lower=plan.key[1])
                elif text := normalise(f"{plan.values.get('last_name') or ''}{plan.values.get('first_name') or ''}"):
                    wanted |= Q(search_text__contains=text)
            visible = visible.annotate(email_lower=Lower("email"), secondary_lower=Lower("secondary_email")).filter(wanted)
        records = await visible.order_by("id").values_list(*columns)
        for row in records:
            for k in dedup.record_keys(kind, dict(zip(columns, row))):
                found.setdefault(k, row[0])
        return found
    subjects = sorted({p.values.get("subject") for p in plans if p.values.get("subject")})
    columns = ("id", "subject", "due_date") if kind is PimKind.TASKS else ("id", "subject", "start_at", "end_at")
    for start in range(0, len(subjects), _CHUNK):
        records = await visible.filter(subject__in=subjects[start:start + _CHUNK]).order_by("id").values_list(*columns)
        for row in records:
            for k in dedup.record_keys(kind, dict(zip(columns, row))):
                found.setdefault(k, row[0])
    return found


async def _load(principal: Principal, kind: PimKind, ids: set[int]) -> dict[int, Any]:
    model = MODELS[kind]
    wanted, loaded = sorted(ids), {}
    for start in range(0, len(wanted), _CHUNK):
        for record in await restrict(model.filter(id__in=wanted[start:start + _CHUNK]), principal):
            loaded[record.id] = record
    return loaded


async def _accounts(principal: Principal) -> dict[str, int]:
    """Normalised account name -> the visible account of that name (the first created). Names
    match after width normalisation, which SQL cannot index: every visible account's name, once."""
    found: dict[str, int] = {}
    for pk, name in await restrict(Account.all(), principal).order_by("id").values_list("id", "name"):
        found.setdefault(dedup.width_normal(name), pk)
    return found


def _ignore(plan: Plan, reason: PimIgnoreReason, problem: Problem) -> None:
    if plan.problem is None:
        plan.problem = (reason, problem)


async def apply(principal: Principal, items: Sequence[Item], run: PimRun, *,
                targets: dict[int, int] | None = None) -> list[Outcome]:
    """Apply `items` for `principal`, counting them in `run`. `targets` maps an item's index to
    the record it must update (a DAV PUT to an item the client already has: a whole
    representation, so values it leaves out are emptied); the others are matched by the
    de-duplication rules. One outcome per item, in order."""
    targets = targets or {}
    outcomes: list[Outcome | None] = [None] * len(items)
    by_kind: dict[PimKind, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_kind[item.kind].append(index)
    for kind, indexes in by_kind.items():
        for index, outcome in zip(indexes, await _apply_kind(principal, kind, [items[i] for i in indexes], run,
                                                             {n: targets[i] for n, i in enumerate(indexes) if i in targets})):
            outcomes[index] = outcome
    await _count(run, [o for o in outcomes if o is not None])
    return [o for o in outcomes if o is not None]


async def _apply_kind(principal: Principal, kind: PimKind, items: list[Item], run: PimRun,
                      targets: dict[int, int]) -> list[Outcome]:
    model, service = MODELS[kind], SERVICES[kind]
    module = module_of(model)
    setting = await pim_settings.get(principal.user, kind)
    granted = principal.has(module, "view") and principal.has(module, "create_edit")
    plans: list[Plan] = []
    outcomes: dict[int, Outcome] = {}
    for index, item in enumerate(items):
        values, problem = _coerce(kind, principal, item)
        if index in targets:
            values = _full(kind, values)
        plan = Plan(index, item, values, dedup.key(kind, values), full=index in targets)
        plans.append(plan)
        if item.problems:
            _ignore(plan, PimIgnoreReason.INVALID, item.problems[0])
        if over := item.over_limits():
            _ignore(plan, PimIgnoreReason.LIMIT, over[0])
        if problem is not None:
            _ignore(plan, PimIgnoreReason.INVALID, problem)
        if run.source in SYNC_SOURCES and not in_category(setting, item.categories):
            outcomes[index] = Outcome(item, "outside", targets.get(index))
            continue
        if not granted:
            _ignore(plan, PimIgnoreReason.PERMISSION, Problem("", _NO_GRANT))
        if plan.key is None and index not in targets:
            _ignore(plan, PimIgnoreReason.INVALID, Problem("", _NOTHING))
    live = [p for p in plans if p.index not in outcomes and p.problem is None]
    existing = await _existing(principal, kind, live) if live else {}
    matched: dict[int, Plan] = {}
    for plan in live:
        target = targets.get(plan.index)
        record_id = target if target is not None else existing.get(plan.key) if plan.key else None
        if record_id is not None:
            matched[plan.index] = plan
            plan.record = record_id
    records = await _load(principal, kind, {p.record for p in matched.values()})
    seen: dict[tuple, int] = {}
    taken: set[int] = set()
    for plan in live:
        if plan.record is not None and plan.record not in records:
            plan.record = None  # deleted meanwhile: the item is new again
        claim = ("record", plan.record) if plan.record is not None else plan.key
        if claim in seen or (plan.record is not None and plan.record in taken):
            _ignore(plan, PimIgnoreReason.DUPLICATE, Problem("", _DUPLICATE[plan.key[0] if plan.key else "name"]))
            continue
        if plan.key is not None:
            seen[plan.key] = plan.index
        seen[claim] = plan.index
        if plan.record is None:
            continue
        record = records[plan.record]
        taken.add(record.id)
        plan.record = record
        if principal.access_to(module, record.owner_id) != Access.READ_WRITE:
            _ignore(plan, PimIgnoreReason.PERMISSION, Problem("", _READ_ONLY))
    live = [p for p in live if p.problem is None]
    # The contacts' companies: accounts matched by name, or created when the role allows it.
    names = {p.values["account_name"] for p in live if p.values.get("account_name")}
    accounts = await _accounts(principal) if names else {}
    may_create_accounts = principal.has("accounts", "view") and principal.has("accounts", "create_edit")
    new_accounts: dict[str, str] = {}
    for plan in live:
        name = plan.values.pop("account_name", None) if kind is PimKind.CONTACTS else None
        if not name:
            continue
        normal = dedup.width_normal(name)
        if normal not in accounts and not may_create_accounts:
            _ignore(plan, PimIgnoreReason.PERMISSION, Problem("account_name", _NO_ACCOUNT_GRANT, {"name": name}))
            continue
        if normal not in accounts:
            new_accounts.setdefault(normal, name)
        plan.account_name = normal
    # The record service's own rules, as on its form (birthdays, date order, required fields).
    for plan in (p for p in live if p.problem is None):
        record = plan.record
        cleaned = Cleaned(dict(plan.values), [], dict(plan.values), record)
        for name in service.required:
            current = plan.values.get(name, getattr(record, name, None))
            if current in (None, ""):
                cleaned.error(name, N_("This field is required."))
        if not cleaned.errors:
            try:
                await service.validate(principal, cleaned, record)
            except KizunaError as error:
                cleaned.error("", error.msgid, **error.params)
        if cleaned.errors:
            first = cleaned.errors[0]
            _ignore(plan, PimIgnoreReason.INVALID, Problem(first.field, first.msgid, dict(first.params or {})))
    live = [p for p in live if p.problem is None]
    await writes.write(principal, kind, live, new_accounts, accounts)
    ignored = [p for p in plans if p.problem is not None]
    rows_by_index = await writes.record_ignored(principal, kind, run, ignored)
    for plan in plans:
        if plan.index in outcomes:
            continue
        if plan.problem is not None:
            outcomes[plan.index] = Outcome(plan.item, "ignored", getattr(plan.record, "id", plan.record),
                                           rows_by_index[plan.index])
        elif plan.record is not None and not isinstance(plan.record, int):
            outcomes[plan.index] = Outcome(plan.item, "updated" if plan.changed else "unchanged", plan.record.id)
        else:
            outcomes[plan.index] = Outcome(plan.item, "added", plan.record)
    return [outcomes[i] for i in range(len(items))]


async def _count(run: PimRun, outcomes: list[Outcome]) -> None:
    counts = {k: dict(v) for k, v in (run.counts or {}).items()}
    for outcome in outcomes:
        if outcome.action in ("unchanged", "outside"):
            continue
        bucket = counts.setdefault(outcome.item.kind.value, {})
        bucket[outcome.action] = bucket.get(outcome.action, 0) + 1
    if counts != run.counts:
        run.counts = counts
        await run.save(update_fields=["counts"])


async def delete(principal: Principal, kind: PimKind, record_ids: Sequence[int], run: PimRun) -> list[Outcome]:
    """Delete records a client deleted, each through its service (permission, the records that
    go with it); a refused one is ignored with the reason."""
    service = SERVICES[kind]
    outcomes = []
    for record_id in record_ids:
        item = Item(kind, source=f"#{record_id}")
        try:
            record = await service.get(principal, record_id)
            item.values = {"subject": getattr(record, "subject", "")} if kind is not PimKind.CONTACTS else {
                "last_name": record.last_name, "first_name": record.first_name}
            await service.delete(principal, record_id)
        except NotFound:
            outcomes.append(Outcome(item, "unchanged", record_id))  # gone already, or never visible
            continue
        except KizunaError as error:
            plan = Plan(0, item, {}, None, problem=(PimIgnoreReason.PERMISSION, Problem("", error.msgid, error.params)))
            found = await writes.record_ignored(principal, kind, run, [plan])
            outcomes.append(Outcome(item, "ignored", record_id, found[0]))
            continue
        outcomes.append(Outcome(item, "deleted", record_id))
    await _count(run, outcomes)
    return outcomes
