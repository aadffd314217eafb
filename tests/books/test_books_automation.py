"""The deal automation of the Books link (issue 12), through the deal service: every deal
transition under the "estimate" and "invoice" rules, re-saves and won -> open -> won making no
second document, the document's lines and customer, and the cases where nothing happens (rule
none, link disabled, key revoked) or where the document cannot follow the deal (no customer,
another currency, Books refusing, a paid invoice): the deal saves, the log says why."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from tortoise.transactions import in_transaction

from app.models import (
    Automation,
    BooksLink,
    BooksSyncLogEntry,
    BooksSyncRecord,
    Comment,
    Deal,
    DealDocument,
    Kind,
    Status,
    StageCategory,
    SyncModule,
    SyncOutcome,
    Transaction,
    TransactionLine,
    User,
)
from app.services import books_automation, books_link, payments, workflow
from app.services.deals import deals
from tests import factories as f

OPEN, WON, LOST = StageCategory.OPEN, StageCategory.WON, StageCategory.LOST


async def link_books(automation: Automation = Automation.ESTIMATE):
    """A Books organization linked with `automation` by the key of its administrator (keeper@)."""
    keeper = await f.make_user("Administrator", email="keeper@example.jp")
    org = await f.make_org(keeper)
    key, _ = await books_link.create_key(await f.principal_for(keeper), org.id)
    await BooksLink.create(slot=1, organization_id=org.id, key_id=key.id, connected_by_id=keeper.id,
                           automation=automation)
    return org


@pytest.fixture
async def linked(db):
    """A Books organization linked with the "estimate" rule, and a Sales user (estimates: edit;
    invoices: view only; not a member of the organization) with an account to sell to."""
    org = await link_books()
    seller = await f.make_user("Sales", name="営業 太郎")
    account = await f.make_account(seller, name="株式会社さくら商事")
    return org, seller, await f.principal_for(seller), account


async def rule(value: Automation, **kw) -> None:
    await BooksLink.filter(slot=1).update(automation=value, **kw)


async def stage_id(category: StageCategory) -> int:
    return (await f.stage(category)).id


async def new_deal(principal, account, category=OPEN, **kw) -> Deal:
    data = {"name": "複合機リース", "stage_id": await stage_id(category), "amount": "500000",
            "account_id": account.id if account else None, **kw}
    return await deals.create(principal, data)


async def move(principal, deal: Deal, category: StageCategory) -> Deal:
    return await deals.update(principal, deal.id, {"stage_id": await stage_id(category)})


async def documents(deal: Deal) -> list[Transaction]:
    ids = await DealDocument.filter(deal_id=deal.id).values_list("txn_id", flat=True)
    return list(await Transaction.filter(id__in=ids))


async def the_document(deal: Deal) -> Transaction:
    found = await documents(deal)
    assert len(found) == 1, found
    return found[0]


async def history_of(txn: Transaction) -> list[str]:
    return await Comment.filter(transaction_id=txn.id).order_by("id").values_list("action", flat=True)


async def log_entries() -> list[tuple[str, str]]:
    return [(e.outcome.value, e.reason) for e in await BooksSyncLogEntry.filter(crm_module="deals").order_by("id")]


# ---- estimate ----------------------------------------------------------------------------------


async def test_a_new_deal_gets_a_draft_estimate_for_its_account_with_one_line_of_its_name_and_amount(linked):
    org, seller, principal, account = linked
    deal = await new_deal(principal, account)
    estimate = await the_document(deal)
    assert (estimate.kind, estimate.status, estimate.organization_id) == (Kind.ESTIMATE, Status.DRAFT, org.id)
    assert estimate.created_by_id == seller.id and estimate.subject == "複合機リース"
    assert estimate.number.startswith("EST-") and estimate.subtotal == Decimal(500000)
    # Its customer is the account's Books contact, synced on the spot and linked.
    record = await BooksSyncRecord.get(account_id=account.id, organization_id=org.id)
    assert estimate.contact_id == record.books_contact_id
    lines = await TransactionLine.filter(transaction_id=estimate.id)
    assert [(x.description, x.quantity, x.rate) for x in lines] == [("複合機リース", 1, 500000)]
    assert await history_of(estimate) == ["created", "automation"]
    # A second deal of the same account reuses its customer.
    other = await new_deal(principal, account, name="保守契約")
    assert (await the_document(other)).contact_id == record.books_contact_id
    assert await BooksSyncRecord.filter(account_id=account.id).count() == 1


async def test_the_estimate_takes_the_deals_products_and_the_deal_amount_follows_them(linked):
    org, seller, principal, account = linked
    printer = await f.make_product(seller, name="複合機", unit_price=Decimal(128000), tax_rate=Decimal(10))
    deal = await new_deal(principal, account, amount="1", lines=[
        {"product_id": printer.id, "quantity": "2", "discount": "6000"},  # 2 x 128,000 - 6,000: 2.34375 %
        {"description": "設置作業", "quantity": "3", "unit_price": "1000", "discount": "100"},  # 2,900
        {"description": "搬入", "quantity": "1", "unit_price": "20000", "discount": "2000"},  # 10 %
    ])
    deal = await Deal.get(id=deal.id)
    assert deal.amount == Decimal(250000 + 2900 + 18000)  # the lines' total, not the amount typed
    estimate = await the_document(deal)
    assert estimate.subtotal == deal.amount
    lines = await TransactionLine.filter(transaction_id=estimate.id).order_by("position")
    assert [(x.description, x.amount) for x in lines] == [
        ("複合機", 250000), ("設置作業", 2900), ("搬入", 18000)]
    assert lines[2].discount == 10 and lines[2].rate == 20000
    # The product's line names its Books item, synced on the spot.
    record = await BooksSyncRecord.get(product_id=printer.id, organization_id=org.id)
    assert lines[0].item_id == record.item_id and lines[1].item_id is None
    # Editing the deal's lines changes its amount; the estimate is not duplicated.
    await deals.update(principal, deal.id, {"lines": [{"product_id": printer.id, "quantity": "1"}]})
    assert (await Deal.get(id=deal.id)).amount == 128000
    assert len(await documents(deal)) == 1


async def test_estimate_through_open_won_open_won_and_resaves_is_one_estimate_accepted_once(linked):
    _, _, principal, account = linked
    deal = await new_deal(principal, account)
    first = await the_document(deal)
    await deals.update(principal, deal.id, {"name": "複合機リース", "amount": "500000"})  # a re-save
    await move(principal, deal, WON)
    estimate = await the_document(deal)
    assert estimate.id == first.id and estimate.status == Status.ACCEPTED
    # Draft -> sent -> accepted: the workflow's steps, each in the history.
    assert await history_of(estimate) == ["created", "automation", "mark_sent", "accept"]
    await move(principal, deal, OPEN)
    await move(principal, deal, WON)
    await deals.update(principal, deal.id, {"description": "再保存"})
    assert (await the_document(deal)).id == first.id
    assert await history_of(estimate) == ["created", "automation", "mark_sent", "accept"]
    assert await Transaction.filter(kind=Kind.ESTIMATE).count() == 1


async def test_winning_the_deal_accepts_its_estimate_even_past_its_validity_date(linked):
    _, _, principal, account = linked
    deal = await new_deal(principal, account)
    estimate = await the_document(deal)
    await Transaction.filter(id=estimate.id).update(due_date=date(2020, 1, 31))  # long expired
    await move(principal, deal, WON)
    assert (await Transaction.get(id=estimate.id)).status == Status.ACCEPTED


@pytest.mark.parametrize("category, status, steps", [
    (OPEN, Status.DRAFT, ["created", "automation"]),
    (WON, Status.ACCEPTED, ["created", "automation", "mark_sent", "accept"]),
    (LOST, Status.DECLINED, ["created", "automation", "mark_sent", "decline"]),
])
async def test_a_deal_created_in_any_stage_gets_its_estimate_in_that_state(linked, category, status, steps):
    _, _, principal, account = linked
    estimate = await the_document(await new_deal(principal, account, category))
    assert estimate.status == status and await history_of(estimate) == steps


async def test_estimate_open_to_lost_is_declined_and_lost_to_won_replaces_it_with_an_accepted_one(linked):
    _, _, principal, account = linked
    deal = await new_deal(principal, account)
    first = await the_document(deal)
    await move(principal, deal, LOST)
    assert (await Transaction.get(id=first.id)).status == Status.DECLINED
    await move(principal, deal, WON)
    second = await the_document(deal)  # the deal links to the new one only
    assert second.id != first.id and second.status == Status.ACCEPTED
    assert (await Transaction.get(id=first.id)).status == Status.DECLINED
    replaced = await Comment.get(transaction_id=second.id, action="automation")
    assert replaced.params == {"deal": "複合機リース", "number": first.number}


async def test_estimate_won_then_lost_stays_accepted_and_its_history_and_the_log_say_why(linked):
    _, _, principal, account = linked
    deal = await new_deal(principal, account, WON)
    await move(principal, deal, LOST)
    estimate = await the_document(deal)
    assert estimate.status == Status.ACCEPTED
    last = await Comment.filter(transaction_id=estimate.id).order_by("-id").first()
    assert last.action == "automation" and "could not mark this estimate as declined" in last.text
    [entry] = await BooksSyncLogEntry.filter(crm_module="deals")
    assert (entry.outcome, entry.crm_module, entry.crm_id, entry.books_id) == (
        SyncOutcome.SKIPPED, "deals", deal.id, estimate.id)
    assert "cannot be %(action)s" in entry.reason and entry.params["action"] == "declined"


# ---- invoice -----------------------------------------------------------------------------------


async def test_invoice_rule_through_every_transition(linked):
    org, seller, principal, account = linked
    await rule(Automation.INVOICE)
    assert not principal.has("invoices", "create_edit")  # the rule acts whatever the user's grants
    deal = await new_deal(principal, account)
    assert await documents(deal) == []  # open: nothing yet
    await deals.update(principal, deal.id, {"amount": "600000"})
    await move(principal, deal, WON)
    invoice = await the_document(deal)
    assert (invoice.kind, invoice.status, invoice.total) == (Kind.INVOICE, Status.DRAFT, Decimal(660000))
    assert invoice.created_by_id == seller.id and invoice.organization_id == org.id
    await deals.update(principal, deal.id, {"name": "複合機リース（改）"})  # re-save
    await move(principal, deal, OPEN)
    await move(principal, deal, WON)
    assert (await the_document(deal)).id == invoice.id
    await move(principal, deal, LOST)
    voided = await the_document(deal)
    assert voided.id == invoice.id and voided.status == Status.VOID
    assert (await history_of(voided))[-1] == "void"
    await move(principal, deal, OPEN)
    await move(principal, deal, LOST)  # already void: nothing more
    assert (await history_of(voided))[-1] == "void"
    await move(principal, deal, WON)  # won again: a new invoice, the void one stays
    again = await the_document(deal)
    assert again.id != invoice.id and again.status == Status.DRAFT
    assert await Transaction.filter(kind=Kind.INVOICE).count() == 2
    assert not await Transaction.filter(kind=Kind.ESTIMATE).exists()


@pytest.mark.parametrize("category, made", [(OPEN, False), (WON, True), (LOST, False)])
async def test_invoice_rule_on_a_new_deal(linked, category, made):
    _, _, principal, account = linked
    await rule(Automation.INVOICE)
    deal = await new_deal(principal, account, category)
    assert [t.kind for t in await documents(deal)] == ([Kind.INVOICE] if made else [])


async def test_a_paid_invoice_is_not_voided_when_the_deal_is_lost_and_its_history_says_why(linked):
    org, _, principal, account = linked
    await rule(Automation.INVOICE)
    deal = await new_deal(principal, account, WON)
    invoice = await the_document(deal)
    keeper = await f.principal_for(await User.get(email="keeper@example.jp"))  # a member, an accountant
    await workflow.mark_sent(keeper, Kind.INVOICE, invoice.id)
    await payments.record_payment(keeper, invoice.id, {"amount": str(invoice.total)})
    await move(principal, deal, LOST)
    kept = await the_document(deal)
    assert kept.status == Status.PAID
    last = await Comment.filter(transaction_id=kept.id).order_by("-id").first()
    assert last.action == "automation" and "could not void this invoice" in last.text
    assert await log_entries() == [("skipped", "This invoice has payments: void them first.")]


# ---- nothing happens ---------------------------------------------------------------------------


async def test_rule_none_disabled_link_or_revoked_key_make_no_document(linked):
    _, _, principal, account = linked
    await rule(Automation.NONE)
    assert await documents(await new_deal(principal, account, WON)) == []
    await rule(Automation.INVOICE, enabled=False)
    assert await documents(await new_deal(principal, account, WON)) == []
    await rule(Automation.ESTIMATE, enabled=True)
    await books_link.revoke_key(await f.principal_for(await User.get(email="keeper@example.jp")))
    deal = await new_deal(principal, account)
    await move(principal, deal, WON)
    assert await documents(deal) == [] and not await Transaction.exists()
    assert await log_entries() == []


async def test_a_deal_without_account_saves_without_document_and_the_log_says_why(linked):
    _, _, principal, _ = linked
    deal = await new_deal(principal, None)
    assert await Deal.exists(id=deal.id) and await documents(deal) == []
    assert await log_entries() == [("skipped", "The deal has no account: the automation made no document.")]
    await rule(Automation.ESTIMATE, sync_module=SyncModule.CONTACTS)
    await new_deal(principal, None, name="連絡先なし")
    assert (await log_entries())[-1] == ("skipped", "The deal has no contact: the automation made no document.")
    assert not await Transaction.exists() and not await BooksSyncRecord.exists()


async def test_with_contacts_synced_the_customer_is_the_deals_first_contact(linked):
    org, seller, principal, account = linked
    await rule(Automation.ESTIMATE, sync_module=SyncModule.CONTACTS)
    first, second = await f.make_contact(seller, last_name="山田"), await f.make_contact(seller, last_name="佐藤")
    deal = await new_deal(principal, account, contacts=[{"contact_id": first.id, "role": "決裁者"},
                                                        {"contact_id": second.id, "role": ""}])
    record = await BooksSyncRecord.get(contact_id=first.id, organization_id=org.id)
    assert (await the_document(deal)).contact_id == record.books_contact_id
    assert not await BooksSyncRecord.filter(account_id=account.id).exists()


async def test_a_deal_in_another_currency_than_its_customer_gets_no_document(linked):
    _, _, principal, account = linked
    deal = await new_deal(principal, account, currency="USD", amount="1000")
    assert await documents(deal) == []
    [(outcome, reason)] = await log_entries()
    assert outcome == "skipped" and "is in %(deal)s and its Books customer in %(customer)s" in reason
    assert not await BooksSyncRecord.exists()  # the customer synced on the spot went with the savepoint


async def test_when_books_refuses_the_document_the_deal_still_saves_and_the_log_has_the_error(linked):
    _, _, principal, account = linked
    deal = await new_deal(principal, account, amount="1000000000000000")  # too large for a Books line
    assert (await Deal.get(id=deal.id)).amount == Decimal("1000000000000000")
    assert await documents(deal) == [] and not await Transaction.exists()
    [(outcome, _)] = await log_entries()
    assert outcome == "error"
    # Fixed, the next change of stage makes it.
    await deals.update(principal, deal.id, {"amount": "1000"})
    await move(principal, deal, WON)
    assert (await the_document(deal)).status == Status.ACCEPTED


async def test_a_refused_deal_save_leaves_no_document(linked):
    _, _, principal, account = linked
    with pytest.raises(Exception):
        await new_deal(principal, account, amount="-1")
    assert not await Transaction.exists() and not await DealDocument.exists()


async def test_two_saves_at_once_make_one_document(linked):
    _, _, principal, account = linked
    await rule(Automation.INVOICE)
    deal = await new_deal(principal, account, WON)
    await DealDocument.all().delete()
    await Transaction.all().delete()

    async def save() -> None:
        async with in_transaction():
            await books_automation.deal_saved(principal, deal, created=True, previous_stage_id=None)

    await asyncio.gather(save(), save())
    assert len(await documents(deal)) == 1
    assert await DealDocument.filter(deal_id=deal.id).count() == 1
