"""The deal automation through the pages (issue 12): the deal form (create, edit, htmx or
plain) makes and moves the deal's Books document as the service does; administrators change the
rule on Settings > Services > Books (its own small form), others cannot."""

from __future__ import annotations

from app.models import (
    Automation,
    BooksLink,
    BooksSyncLogEntry,
    Deal,
    DealDocument,
    Kind,
    StageCategory,
    Status,
    Transaction,
)
from tests import factories as f
from tests.books.test_books_automation import link_books
from tests.views.conftest import login, post

OPEN, WON, LOST = StageCategory.OPEN, StageCategory.WON, StageCategory.LOST


async def deal_form(name: str, category: StageCategory, account=None, **kw) -> dict[str, str]:
    return {"name": name, "stage_id": str((await f.stage(category)).id), "amount": "300000", "currency": "JPY",
            "account_id": str(account.id) if account else "", **kw}


async def documents_of(name: str) -> list[Transaction]:
    deal = await Deal.get(name=name)
    ids = await DealDocument.filter(deal_id=deal.id).values_list("txn_id", flat=True)
    return list(await Transaction.filter(id__in=ids))


async def sign_in(client, role: str = "Sales"):
    user = await f.make_user(role)
    assert (await login(client, user)).status_code == 303
    return user


async def test_the_deal_form_drives_the_invoice_rule(db, client):
    await link_books(Automation.INVOICE)
    seller = await sign_in(client)
    account = await f.make_account(seller, name="株式会社つばき")
    created = await post(client, "/deals", await deal_form("年間保守", OPEN, account))
    assert created.status_code == 303
    assert await documents_of("年間保守") == []
    deal = await Deal.get(name="年間保守")
    edit = f"/deals/{deal.id}/edit"
    won = await post(client, edit, await deal_form("年間保守", WON, account), htmx=True)
    assert won.headers["HX-Location"] == f"/deals/{deal.id}"
    [invoice] = await documents_of("年間保守")
    assert (invoice.kind, invoice.status, invoice.created_by_id, invoice.total) == (
        Kind.INVOICE, Status.DRAFT, seller.id, 330000)
    await post(client, edit, await deal_form("年間保守", WON, account, description="再保存"))
    await post(client, edit, await deal_form("年間保守", OPEN, account))
    await post(client, edit, await deal_form("年間保守", WON, account))
    assert [t.id for t in await documents_of("年間保守")] == [invoice.id]
    assert (await post(client, edit, await deal_form("年間保守", LOST, account))).status_code == 303
    assert (await Transaction.get(id=invoice.id)).status == Status.VOID


async def test_the_deal_form_with_lines_makes_an_estimate_of_them(db, client):
    await link_books(Automation.ESTIMATE)
    seller = await sign_in(client)
    account = await f.make_account(seller)
    printer = await f.make_product(seller, name="業務用プリンター", unit_price=128000)
    data = await deal_form("プリンター導入", WON, account, **{
        "lines-0-product_id": str(printer.id), "lines-0-description": "", "lines-0-quantity": "2",
        "lines-0-unit_price": "128000", "lines-0-discount": "6000"})
    assert (await post(client, "/deals", data, htmx=True)).status_code == 200
    [estimate] = await documents_of("プリンター導入")
    assert (estimate.kind, estimate.status, estimate.subtotal) == (Kind.ESTIMATE, Status.ACCEPTED, 250000)
    assert (await Deal.get(name="プリンター導入")).amount == 250000


async def test_a_deal_saved_without_account_has_no_document_and_the_log_says_why(db, client):
    await link_books(Automation.ESTIMATE)
    await sign_in(client)
    assert (await post(client, "/deals", await deal_form("口頭の相談", OPEN))).status_code == 303
    assert await documents_of("口頭の相談") == []
    entry = await BooksSyncLogEntry.get(crm_module="deals")
    assert entry.reason == "The deal has no account: the automation made no document."


async def test_administrators_change_the_rule_on_the_settings_page(db, client):
    await link_books(Automation.NONE)
    await sign_in(client, "Administrator")
    page = (await client.get("/settings/services/books")).text
    assert 'id="automation-form"' in page and '<option value="none" selected>' in page
    saved = await post(client, "/settings/services/books/automation", {"automation": "invoice"}, htmx=True)
    assert saved.headers["HX-Location"] == "/settings/services/books?done=automation"
    assert (await BooksLink.get(slot=1)).automation == Automation.INVOICE
    page = (await client.get("/settings/services/books?done=automation")).text
    assert "The automation rule was saved." in page and '<option value="invoice" selected>' in page
    for bad in ("sometimes", "", "x" * 5000):
        refused = await post(client, "/settings/services/books/automation", {"automation": bad}, htmx=True)
        assert refused.status_code == 422 and 'id="automation-form"' in refused.text
        assert 'id="error-automation"' in refused.text
    plain = await post(client, "/settings/services/books/automation", {"automation": "bogus"})
    assert plain.status_code == 422 and 'id="link"' in plain.text  # the whole page, with the message
    assert (await BooksLink.get(slot=1)).automation == Automation.INVOICE
    assert (await post(client, "/settings/services/books/automation", {"automation": "none"})).status_code == 303
    assert (await BooksLink.get(slot=1)).automation == Automation.NONE


async def test_only_administrators_change_the_rule(db, client):
    await link_books(Automation.ESTIMATE)
    await sign_in(client, "Manager")
    refused = await post(client, "/settings/services/books/automation", {"automation": "none"}, htmx=True)
    assert refused.status_code == 403
    assert (await BooksLink.get(slot=1)).automation == Automation.ESTIMATE


async def test_without_a_link_there_is_no_rule_to_change(db, client):
    await sign_in(client, "Administrator")
    response = await post(client, "/settings/services/books/automation", {"automation": "invoice"})
    assert response.status_code == 303 and response.headers["location"] == "/settings/services/books"
    assert not await BooksLink.exists()
