"""The home page's blocks (issue 15): one function per block, each taking the principal and
returning plain data, at most ROWS rows, in a constant number of statements whatever the data size.

Every rule is someone else's: visibility is `restrict()`/`visible_mailboxes()` (through the mail
and receivables services), "due today" and "upcoming" are app.services.activities', mail with
known people is app.services.mail's. A block the user's grants do not allow returns None (the page
leaves it out), an allowed block with nothing in it returns empty data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Sum

from app.models import (
    Deal,
    Email,
    Event,
    EventType,
    Kind,
    Notification,
    NotificationEvent,
    Stage,
    StageCategory,
    Task,
    Transaction,
)
from app.permissions import MODULE_OF_KIND, Principal, restrict
from app.services import mail, notification_settings, receivables
from app.services.activities import tasks_due, upcoming_events, user_now, user_today

ROWS = 10
# What customers did on the portal that staff want to see first.
PORTAL_EVENTS = (EventType.ESTIMATE_VIEWED, EventType.ESTIMATE_ACCEPTED, EventType.ESTIMATE_DECLINED,
                 EventType.INVOICE_VIEWED, EventType.INVOICE_PAID, EventType.INVOICE_TRANSFER_REPORTED,
                 EventType.CREDIT_NOTE_VIEWED)


@dataclass
class StageDeals:
    stage_id: int
    name: str
    count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)  # by currency


@dataclass
class OpenDeals:
    stages: list[StageDeals]
    count: int
    totals: dict[str, Decimal]  # by currency, every stage


async def open_deals(principal: Principal) -> OpenDeals | None:
    """My open deals by stage (in pipeline order) with their count and amounts per currency."""
    if not principal.has("deals", "view"):
        return None
    mine = restrict(Deal.all(), principal).filter(owner_id=principal.user.id, stage__category=StageCategory.OPEN)
    rows = await mine.annotate(n=Count("id"), total=Sum("amount")).group_by("stage_id", "currency").values_list(
        "stage_id", "currency", "n", "total")
    # Stages come in pipeline order (their Meta ordering).
    stages = {s.id: StageDeals(s.id, s.name) for s in await Stage.filter(id__in=sorted({r[0] for r in rows}))
              } if rows else {}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for stage_id, currency, n, total in rows:
        amount = Decimal(str(total or 0))  # a backend may sum to a float: never carried as one
        row = stages[stage_id]
        row.count += n
        row.totals[currency] = row.totals.get(currency, Decimal(0)) + amount
        totals[currency] += amount
    ordered = list(stages.values())
    return OpenDeals(ordered[:ROWS], sum(s.count for s in ordered), dict(sorted(totals.items())))


@dataclass
class DueTasks:
    today: list[Task]
    overdue: list[Task]
    today_count: int
    overdue_count: int


async def due_tasks(principal: Principal, now: datetime | None = None) -> DueTasks | None:
    """My open tasks due on my today (my time zone) and those past due, most urgent first."""
    if not principal.has("tasks", "view"):
        return None
    today = user_today(principal.user, now)
    mine = restrict(Task.all(), principal).filter(owner_id=principal.user.id)
    due_today = tasks_due(mine, "today", today)
    overdue = tasks_due(mine, "overdue", today)
    return DueTasks(
        today=await due_today.order_by("id").limit(ROWS),
        overdue=await overdue.order_by("due_date", "id").limit(ROWS),
        today_count=await due_today.count(), overdue_count=await overdue.count(),
    )


@dataclass
class NextEvents:
    events: list[Event]
    count: int
    today: date  # the user's today, to tell today's events from later ones


async def next_events(principal: Principal, now: datetime | None = None) -> NextEvents | None:
    """My events not over yet, soonest first."""
    if not principal.has("events", "view"):
        return None
    moment = user_now(principal.user, now)
    upcoming = upcoming_events(restrict(Event.all(), principal).filter(owner_id=principal.user.id), moment)
    return NextEvents(await upcoming.limit(ROWS), await upcoming.count(), moment.date())


async def recent_mail(principal: Principal) -> list[Email]:
    """The latest e-mails the user sees exchanged with their contacts and leads."""
    return await mail.page(mail.with_known_people(principal, mail.visible(principal)), limit=ROWS)


@dataclass
class PortalActivity:
    event: NotificationEvent
    txn: Transaction | None
    customer: str


def _visible_documents(principal: Principal) -> Q:
    """The estimates and invoices the user may see, as a condition on events' documents."""
    shown = Q(txn_id__isnull=True) & Q(id__isnull=True)  # nothing, when no kind is allowed
    for kind in (Kind.ESTIMATE, Kind.INVOICE):
        module = MODULE_OF_KIND[kind]
        if principal.has(module, "view"):
            docs = restrict(Transaction.filter(kind=kind), principal, module=module)
            shown |= Q(txn_id__in=Subquery(docs.values("id")))
    return shown


async def portal_activity(principal: Principal) -> list[PortalActivity] | None:
    """What customers did lately on the portal to documents the user sees (Books members only)."""
    if not principal.organization_ids:
        return None
    events = await NotificationEvent.filter(
        _visible_documents(principal), organization_id__in=sorted(principal.organization_ids),
        type__in=PORTAL_EVENTS).order_by("-id").limit(ROWS)
    txn_ids = {e.txn_id for e in events if e.txn_id}
    docs = {t.id: t for t in await Transaction.filter(id__in=sorted(txn_ids)).prefetch_related("contact")
            } if txn_ids else {}
    return [PortalActivity(e, docs.get(e.txn_id), str((e.data or {}).get("customer") or e.actor or (
        docs[e.txn_id].contact.display_name if e.txn_id in docs else ""))) for e in events]


@dataclass
class MyNotifications:
    items: list[Notification]
    unread: int


async def my_notifications(principal: Principal) -> MyNotifications:
    return MyNotifications(await notification_settings.inbox(principal, limit=ROWS),
                           await notification_settings.unread_count(principal))


@dataclass
class ReceivablesTotals:
    currency: str
    outstanding: Decimal = Decimal(0)
    overdue: Decimal = Decimal(0)
    customers: int = 0
    overdue_customers: int = 0
    credit: Decimal = Decimal(0)  # customers' unapplied credit (app.services.receivables)
    # yen equivalents at each invoice's rate (app.services.receivables), for the total in yen
    outstanding_jpy: Decimal = Decimal(0)
    overdue_jpy: Decimal = Decimal(0)
    credit_jpy: Decimal = Decimal(0)


async def receivables_summary(principal: Principal, now: datetime | None = None) -> list[ReceivablesTotals] | None:
    """Outstanding and overdue amounts per currency in the organization the user works in, for
    users whose grants allow receivables (None for the others: the block is left out)."""
    if not principal.has("receivables", "view") or principal.current_organization_id is None:
        return None
    rows = await receivables.summary(principal, user_today(principal.user, now),
                                     organization_id=principal.current_organization_id)
    totals: dict[str, ReceivablesTotals] = {}
    for row in rows:
        if row.credit > 0:
            entry = totals.setdefault(row.currency, ReceivablesTotals(row.currency))
            entry.credit += row.credit
            entry.credit_jpy += row.credit_jpy
        if row.outstanding <= 0:
            continue
        entry = totals.setdefault(row.currency, ReceivablesTotals(row.currency))
        entry.outstanding += row.outstanding
        entry.overdue += row.overdue
        entry.outstanding_jpy += row.outstanding_jpy
        entry.overdue_jpy += row.overdue_jpy
        entry.customers += 1
        entry.overdue_customers += row.overdue > 0
    return [totals[c] for c in sorted(totals)]
