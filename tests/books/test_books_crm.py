"""Books inside the CRM, the service (app.services.books_crm): who sees the integration and
which kinds, the documents and receivables of accounts, contacts and deals (an account's
contacts' customers when the sync module is contacts, only the contacts the user may see),
payment status, and the rules of a document reached from a record."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.errors import NotFound, PermissionDenied, ValidationError
from app.models import BooksLink, DealDocument, Kind, SyncModule
from app.services import books_crm, books_link, books_mapping, payments
from app.services.books_fields import Side
from tests import factories as f
from tests.books_crm_world import WALK, World, link_record, make_crm_user, make_world, switch


@pytest.fixture
async def world(db) -> World:
    return await make_world()


async def principal(grants, **kw):
    return await f.principal_for(await make_crm_user(grants, **kw))


async def test_access_follows_the_grants_the_link_and_the_edition(world):
    assert await books_crm.access(await principal(WALK["none"])) is None
    viewer = await principal(WALK["view"])
    acc = await books_crm.access(viewer)
    assert acc.viewable == (Kind.ESTIMATE, Kind.SALES_ORDER, Kind.INVOICE)
    assert acc.creatable == () and acc.emailable == () and acc.receivables
    assert acc.acting.organization_ids == {world.sakura.id} and viewer.organization_ids == frozenset()
    # invoices.view is the door: estimates alone do not open it
    assert await books_crm.access(await principal({("estimates", "view")})) is None
    world.sakura.edition = "invoice"
    await world.sakura.save()
    seller = await principal(WALK["create_edit"])
    acc = await books_crm.access(seller)
    assert Kind.SALES_ORDER not in acc.viewable and Kind.SALES_ORDER not in acc.creatable
    await books_link.set_enabled(world.crm_admin, False)
    assert await books_crm.access(seller) is None


async def test_an_accounts_contacts_customers_count_when_the_sync_module_is_contacts(world):
    seller = await make_crm_user(WALK["view"])
    me = await f.principal_for(seller)
    other = await make_crm_user(WALK["view"])
    account = await f.make_account(seller)
    mine = await f.make_contact(seller, account=account)
    hidden = await f.make_contact(other, account=account)  # on my account, but not mine to see
    books = world.keeper_principal
    own, of_mine, of_hidden = [await f.make_customer(world.sakura) for _ in range(3)]
    await link_record(world.sakura, account, own)
    await link_record(world.sakura, mine, of_mine)
    await link_record(world.sakura, hidden, of_hidden)
    docs = {c.id: await f.make_sent_invoice(books, c) for c in (own, of_mine, of_hidden)}
    found = await books_crm.for_record(me, "accounts", account.id)
    assert [d.txn.id for d in found.documents] == [docs[own.id].id]
    await BooksLink.filter(slot=1).update(sync_module=SyncModule.CONTACTS)
    found = await books_crm.for_record(me, "accounts", account.id)
    assert {d.txn.id for d in found.documents} == {docs[own.id].id, docs[of_mine.id].id}
    assert {r.contact_id for r in found.receivables} == {own.id, of_mine.id}
    assert (await books_crm.for_record(me, "contacts", mine.id)).documents[0].txn.id == docs[of_mine.id].id
    with pytest.raises(NotFound):
        await books_crm.for_record(me, "contacts", hidden.id)


async def test_payment_status_of_invoices(world):
    seller = await make_crm_user(WALK["view"])
    me = await f.principal_for(seller)
    account = await f.make_account(seller)
    customer = await f.make_customer(world.sakura)
    await link_record(world.sakura, account, customer)
    books = world.keeper_principal
    today = date.today()
    draft = await f.make_transaction(books, "invoice", customer)
    unpaid = await f.make_sent_invoice(books, customer)
    late = await f.make_sent_invoice(books, customer, issue_date=(today - timedelta(days=60)).isoformat(),
                                     due_date=(today - timedelta(days=30)).isoformat())
    part = await f.make_sent_invoice(books, customer)
    await payments.record_payment(books, part.id, {"amount": "1000", "date": today.isoformat(), "mode": "cash"})
    paid = await f.make_sent_invoice(books, customer)
    await payments.record_payment(books, paid.id, {"amount": str(paid.total), "date": today.isoformat(), "mode": "cash"})
    estimate = await f.make_transaction(books, "estimate", customer)
    status = {d.txn.id: d.payment_status for d in (await books_crm.for_record(me, "accounts", account.id)).documents}
    assert status == {draft.id: None, unpaid.id: "unpaid", late.id: "overdue", part.id: "partially_paid",
                      paid.id: "paid", estimate.id: None}
    owed = (await books_crm.for_record(me, "accounts", account.id)).receivables[0]
    assert owed.overdue == late.total and owed.outstanding == unpaid.total + late.total + part.total - Decimal(1000)


async def test_a_document_is_reached_only_from_its_own_record(world):
    seller = await make_crm_user(WALK["create_edit"] | WALK["view"])
    me = await f.principal_for(seller)
    account, other_account = await f.make_account(seller), await f.make_account(seller)
    deal = await f.make_deal(seller, account=account)
    customer = await f.make_customer(world.sakura)
    await link_record(world.sakura, account, customer)
    invoice = await f.make_sent_invoice(world.keeper_principal, customer)
    _, _, txn = await books_crm.document(me, "accounts", account.id, Kind.INVOICE, invoice.id)
    assert txn.id == invoice.id
    for module, record_id, kind in (("accounts", other_account.id, Kind.INVOICE), ("deals", deal.id, Kind.INVOICE),
                                    ("accounts", account.id, Kind.ESTIMATE), ("leads", account.id, Kind.INVOICE)):
        with pytest.raises(NotFound):
            await books_crm.document(me, module, record_id, kind, invoice.id)
    await DealDocument.create(deal=deal, organization=world.sakura, kind="invoice", txn=invoice)
    assert (await books_crm.document(me, "deals", deal.id, Kind.INVOICE, invoice.id))[2].id == invoice.id
    with pytest.raises(PermissionDenied):  # no email grant
        await books_crm.document(me, "accounts", account.id, Kind.INVOICE, invoice.id, "email")
    await switch(world, world.tsubaki)
    with pytest.raises(NotFound):
        await books_crm.document(me, "accounts", account.id, Kind.INVOICE, invoice.id)
    with pytest.raises(NotFound):
        await books_crm.document(me, "deals", deal.id, Kind.INVOICE, invoice.id)


async def test_creating_from_a_record_keeps_to_its_customer_and_the_links_organization(world):
    seller = await make_crm_user(WALK["create_edit"])
    me = await f.principal_for(seller)
    account = await f.make_account(seller, name="株式会社みどり")
    deal = await f.make_deal(seller, account=account)
    _, _, customer = await books_crm.customer_of_record(me, "accounts", account.id, Kind.INVOICE)
    assert customer.organization_id == world.sakura.id and customer.display_name == "株式会社みどり"
    link = await books_link.active_link()
    assert await books_mapping.customer_ids(link, Side.ACCOUNTS, [account.id]) == {account.id: customer.id}
    data = {"contact_id": customer.id, "lines": f.lines(("作業", 1, 5000, 10))}
    txn = await books_crm.create(me, "accounts", account.id, Kind.INVOICE, data)
    assert txn.organization_id == world.sakura.id and txn.contact_id == customer.id
    stranger = await f.make_customer(world.sakura)
    with pytest.raises(ValidationError):
        await books_crm.create(me, "accounts", account.id, Kind.INVOICE, {**data, "contact_id": stranger.id})
    with pytest.raises(NotFound):
        await books_crm.customer_of_record(me, "deals", deal.id, Kind.INVOICE)
    viewer = await principal(WALK["view"], sees_all=True)
    with pytest.raises(PermissionDenied):
        await books_crm.customer_of_record(viewer, "accounts", account.id, Kind.INVOICE)
