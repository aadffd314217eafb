"""The deal automation of the Books link (issue 12): the rule an administrator chose
(`BooksLink.automation`) makes and moves a Books document as a deal is saved.

    estimate   a deal is created: a draft estimate; won: it is accepted (marked sent first: the
               workflow accepts sent estimates only), lost: declined
    invoice    a deal is won: an invoice (a draft); lost afterwards: voided, unless it has
               payments (then it stays, and its history says why)
    none       nothing

The document's lines are the deal's (each product through its Books item), or one line with the
deal's name and amount; its customer is the Books contact of the deal's account or first contact
(as `BooksLink.sync_module` says), synced on the spot when it has none. `DealDocument` links
the deal to it; its unique (deal, organization, kind) makes a second one impossible, so
re-saving a deal, or winning it again, reuses the document. A document that can no longer follow
the deal (an estimate declined or voided, an invoice voided) is replaced when the deal is won
again, the link then pointing at the new one.

The rule is the administrator's: it acts whatever the saving user's Books grants (the document
is theirs: created_by, history), through the same cleaning, numbering and status steps as a
user's (`transactions.insert`, `workflow.step`). It runs in the deal's transaction, in a
savepoint of its own: a deal is never saved with half a document, and a document that cannot be
made (no customer, another currency, a Books refusal) does not stop the deal from saving; the
reason goes to the link's log (a sync run triggered by the automation) and the server log.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.errors import KizunaError, ValidationError
from app.i18n import N_
from app.models import (
    Account,
    Automation,
    BooksLink,
    BooksSyncLogEntry,
    BooksSyncRun,
    Contact,
    Deal,
    DealContact,
    DealDocument,
    DealLine,
    Kind,
    Product,
    Stage,
    StageCategory,
    Status,
    SyncModule,
    SyncOutcome,
    SyncRunStatus,
    SyncSide,
    SyncTrigger,
    Transaction,
    TransactionLine,
)
from app.permissions import Principal
from app.services import books_link, books_mapping, deal_lines, history, workflow
from app.services import transactions as txns
from app.services.tax import line_amount

log = logging.getLogger(__name__)

OPEN, WON, LOST = StageCategory.OPEN, StageCategory.WON, StageCategory.LOST
KIND_OF_RULE = {Automation.ESTIMATE: Kind.ESTIMATE, Automation.INVOICE: Kind.INVOICE}
# Documents that can no longer follow a won deal: winning it again makes a new one.
DEAD = {Kind.ESTIMATE: {Status.DECLINED, Status.VOID}, Kind.INVOICE: {Status.VOID}}
# The workflow's steps the automation takes: action -> (status, history text).
STEPS = {
    "mark_sent": (Status.SENT, N_("Marked as sent.")),
    "accept": (Status.ACCEPTED, N_("Marked as accepted.")),
    "decline": (Status.DECLINED, N_("Marked as declined.")),
    "void": (Status.VOID, N_("Voided.")),
}
# Where a document already is when the deal's outcome needs no step (converted: accepted and beyond).
REACHED = {"accept": {Status.ACCEPTED, Status.CONVERTED}, "decline": {Status.DECLINED, Status.VOID},
           "void": {Status.VOID}}
CREATED = N_("Created by the automation for the deal “%(deal)s”.")
REPLACES = N_("Created by the automation for the deal “%(deal)s”, won again (replaces %(number)s).")
# History of a document a refused step left as it is (the log keeps the workflow's own reason).
KEPT = {
    "accept": N_("The deal “%(deal)s” was won, but the automation could not mark this estimate as accepted."),
    "decline": N_("The deal “%(deal)s” was lost, but the automation could not mark this estimate as declined."),
    "void": N_("The deal “%(deal)s” was lost, but the automation could not void this invoice."),
}
NO_CUSTOMER = {
    SyncModule.ACCOUNTS: N_("The deal has no account: the automation made no document."),
    SyncModule.CONTACTS: N_("The deal has no contact: the automation made no document."),
}
OTHER_CURRENCY = N_("The deal is in %(deal)s and its Books customer in %(customer)s: the automation made no document.")
UNEXPECTED = N_("The automation failed unexpectedly; the deal was saved without its document.")
MODULE = "deals"  # BooksSyncLogEntry.crm_module of the automation's entries
RATE_PLACES = TransactionLine._meta.fields_map["rate"].decimal_places


class Skipped(Exception):
    """The document is not made, for a reason the log shows (msgid and params)."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid)
        self.msgid, self.params = msgid, params


async def deal_saved(principal: Principal, deal: Deal, *, created: bool, previous_stage_id: int | None) -> None:
    """Apply the rule to a deal just saved by `principal`, in the deal's transaction.

    `previous_stage_id`: the stage the deal had before this save (None when created)."""
    # One cheap look-up while no rule is chosen; the full gate (enabled, key valid) after it.
    if not await BooksLink.filter(slot=1, enabled=True).exclude(automation=Automation.NONE).exists():
        return
    link = await books_link.active_link()
    if link is None or link.automation not in KIND_OF_RULE:
        return
    wanted = {deal.stage_id} | ({previous_stage_id} if previous_stage_id else set())
    categories = dict(await Stage.filter(id__in=sorted(wanted)).values_list("id", "category"))
    now = StageCategory(categories[deal.stage_id])
    before = None if created or previous_stage_id is None else StageCategory(categories[previous_stage_id])
    if not created and before == now:
        return  # a re-save: the document already followed this stage
    try:
        async with in_transaction():  # a savepoint: all of the document's changes, or none
            await _apply(principal, link, deal, created, now)
    except Skipped as skipped:
        await _log(link, principal, deal, SyncOutcome.SKIPPED, skipped.msgid, skipped.params)
    except KizunaError as refused:  # Books refused (its cleaning, its workflow): the deal saves anyway
        first = refused.errors[0] if isinstance(refused, ValidationError) and refused.errors else refused
        await _log(link, principal, deal, SyncOutcome.ERROR, first.msgid, first.params)
    except Exception:  # not the user's doing: the deal saves, the failure is logged
        log.exception("deal %s: the Books automation failed", deal.id)
        await _log(link, principal, deal, SyncOutcome.ERROR, UNEXPECTED, {})


async def _apply(principal: Principal, link: BooksLink, deal: Deal, created: bool, now: StageCategory) -> None:
    kind = KIND_OF_RULE[link.automation]
    if kind == Kind.ESTIMATE:
        if created or now == WON:
            txn = await _ensure(principal, link, deal, kind)
            if now == WON:
                await _follow(principal, link, deal, txn, ["mark_sent", "accept"])
            elif now == LOST:
                await _follow(principal, link, deal, txn, ["mark_sent", "decline"])
        elif now == LOST:
            txn = await _existing(link, deal, kind)
            if txn is not None:
                await _follow(principal, link, deal, txn, ["mark_sent", "decline"])
    elif now == WON:
        await _ensure(principal, link, deal, kind)
    elif now == LOST and not created:
        txn = await _existing(link, deal, kind)
        if txn is not None:
            await _follow(principal, link, deal, txn, ["void"])


# ---- the document ----------------------------------------------------------------------------


async def _existing(link: BooksLink, deal: Deal, kind: Kind) -> Transaction | None:
    """The deal's document of `kind` in the link's organization, locked."""
    txn_id = await DealDocument.filter(deal_id=deal.id, organization_id=link.organization_id, kind=kind.value
                                       ).first().values_list("txn_id", flat=True)
    if txn_id is None:
        return None
    return await Transaction.filter(id=txn_id).select_for_update().first()


async def _ensure(principal: Principal, link: BooksLink, deal: Deal, kind: Kind) -> Transaction:
    """The deal's live document of `kind`: the one it has, else a new one (replacing a dead one)."""
    current = await _existing(link, deal, kind)
    if current is not None and current.status not in DEAD[kind]:
        return current
    data = await _document_data(link, deal, kind)
    acting = books_mapping.acting(principal, link)
    if current is not None:
        txn = await txns.insert(acting, kind, data)
        await history.record(txn, "automation", REPLACES, principal.user, deal=deal.name, number=current.number)
        # Only the link of the dead document moves: a concurrent save moving it first wins.
        moved = await DealDocument.filter(deal_id=deal.id, organization_id=link.organization_id, kind=kind.value,
                                          txn_id=current.id).update(txn_id=txn.id)
        if not moved:
            raise IntegrityError("the deal's document changed meanwhile")
        return txn
    try:
        async with in_transaction():  # a savepoint: a concurrent save may have linked one first
            txn = await txns.insert(acting, kind, data)
            await history.record(txn, "automation", CREATED, principal.user, deal=deal.name)
            await DealDocument.create(deal_id=deal.id, organization_id=link.organization_id, kind=kind.value,
                                      txn_id=txn.id)
    except IntegrityError:  # that one is the deal's (its number and lines went with the savepoint)
        found = await _existing(link, deal, kind)
        if found is None:
            raise
        return found
    return txn


async def _follow(principal: Principal, link: BooksLink, deal: Deal, txn: Transaction, actions: list[str]) -> None:
    """Take the workflow steps that bring `txn` where the deal now is (those already behind it
    are skipped); a step the workflow refuses (an accepted estimate declined, an invoice with
    payments voided) leaves the document as it is, its history and the log saying why."""
    if txn.status in REACHED[actions[-1]]:
        return
    for action in actions:
        if action == "mark_sent" and txn.status != Status.DRAFT:
            continue
        status, msgid = STEPS[action]
        try:
            async with in_transaction():
                # No date: the deal's outcome is the customer's answer, whatever the estimate's validity.
                await workflow.step(txn, action, status, msgid, principal.user)
        except KizunaError as refused:
            await history.record(txn, "automation", KEPT[actions[-1]], principal.user, deal=deal.name)
            await _log(link, principal, deal, SyncOutcome.SKIPPED, refused.msgid, refused.params, txn)
            return


async def _document_data(link: BooksLink, deal: Deal, kind: Kind) -> dict[str, Any]:
    """The input of the deal's document, as a user would give it to app.services.transactions."""
    record = await _crm_customer(link, deal)
    customer = await books_mapping.customer_for(link, record)
    if customer.currency != deal.currency:
        raise Skipped(OTHER_CURRENCY, deal=deal.currency, customer=customer.currency)
    return {"organization_id": link.organization_id, "contact_id": customer.id,
            "subject": deal.name[:250], "lines": await _lines(link, deal)}


async def _crm_customer(link: BooksLink, deal: Deal) -> Account | Contact:
    if link.sync_module == SyncModule.ACCOUNTS:
        record = await Account.get_or_none(id=deal.account_id) if deal.account_id else None
    else:
        first = await DealContact.filter(deal_id=deal.id).order_by("id").first().values_list("contact_id", flat=True)
        record = await Contact.get_or_none(id=first) if first else None
    if record is None:
        raise Skipped(NO_CUSTOMER[link.sync_module])
    return record


async def _lines(link: BooksLink, deal: Deal) -> list[dict[str, Any]]:
    rows = await deal_lines.lines_of(deal)
    if not rows:
        return [{"description": deal.name, "quantity": Decimal(1), "rate": deal.amount or Decimal(0)}]
    wanted = sorted({r.product_id for r in rows if r.product_id})
    products = {p.id: p for p in await Product.filter(id__in=wanted)} if wanted else {}
    items: dict[int, int] = {}
    for pid, product in products.items():
        items[pid] = (await books_mapping.item_for(link, product)).id
    return [{"item_id": items.get(r.product_id), **_priced(r, deal.currency)} for r in rows]


def _priced(line: DealLine, currency: str) -> dict[str, Any]:
    """A deal line as a document line of the same amount. Deal discounts are amounts, document
    discounts percentages (two decimals): when no percentage gives the same amount, the line
    carries its net unit price, or its net amount for a quantity of 1."""
    net = deal_lines.line_amount(line.quantity, line.unit_price, line.discount, currency)
    values = {"description": line.description, "quantity": line.quantity, "rate": line.unit_price,
              "discount": Decimal(0)}
    if not line.discount:
        return values
    gross = net + line.discount
    percent = (line.discount * 100 / gross).quantize(Decimal("0.01")) if gross else Decimal(0)
    if line_amount(line.quantity, line.unit_price, percent, currency) == net:
        return {**values, "discount": percent}
    unit = (net / line.quantity).quantize(Decimal(1).scaleb(-RATE_PLACES))
    if unit * line.quantity == net:
        return {**values, "rate": unit}
    return {**values, "quantity": Decimal(1), "rate": net}


# ---- the log ---------------------------------------------------------------------------------


async def _log(link: BooksLink, principal: Principal, deal: Deal, outcome: SyncOutcome, reason: str,
               params: dict[str, Any], txn: Transaction | None = None) -> None:
    """What the automation did not do, and why, in the link's log (a finished run of its own:
    never `running`, so it holds no sync back) and the server's."""
    log.info("deal %s: automation %s: %s %s", deal.id, outcome.value, reason, params)
    run = await BooksSyncRun.create(
        organization_id=link.organization_id, trigger=SyncTrigger.AUTOMATION, started_by_id=principal.user.id,
        status=SyncRunStatus.DONE, finished_at=datetime.now(timezone.utc), generation=link.generation,
        skipped=int(outcome == SyncOutcome.SKIPPED), errors=int(outcome == SyncOutcome.ERROR))
    await BooksSyncLogEntry.create(run_id=run.id, outcome=outcome, side=SyncSide.BOOKS, crm_module=MODULE,
                                   crm_id=deal.id, books_id=txn.id if txn else None, label=deal.name[:200],
                                   reason=reason[:300], params={k: str(v) for k, v in params.items()})
