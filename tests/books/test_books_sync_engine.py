"""The Books sync engine (issue 12), through the service on the real database: a first run pushes
what is in scope, a second changes nothing; changes flow as the direction says; matching records
and records changed on both sides follow the conflict policy; every run logs what it did."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.models import (
    Account,
    BooksContact,
    BooksLink,
    BooksSyncLogEntry,
    BooksSyncRecord,
    BooksSyncRun,
    Contact,
    Item,
    Product,
    SyncRunStatus,
    SyncTrigger,
)
from app.services import books_link, books_mapping, books_sync
from tests import factories as f

IP = "192.0.2.20"
SETTINGS = {"sync_module": "accounts", "direction": "two_way", "conflict_policy": "skip",
            "product_direction": "two_way", "product_conflict_policy": "skip"}


class Linked:
    """An administrator, the organization the CRM is linked to, and helpers."""

    def __init__(self, admin, principal, org, secret) -> None:
        self.admin, self.principal, self.org, self.secret = admin, principal, org, secret

    async def settings(self, **changes) -> BooksLink:
        return await books_link.save_settings(self.principal, {**SETTINGS, **changes})

    async def run(self, trigger=SyncTrigger.MANUAL) -> BooksSyncRun:
        result = await books_sync.run(await books_link.active_link(), trigger, self.admin)
        assert result is not None and result.status == SyncRunStatus.DONE, result and result.failure
        return result

    async def customers(self) -> dict[str, BooksContact]:
        return {c.display_name: c for c in await BooksContact.filter(organization_id=self.org.id)}


def counts(run: BooksSyncRun) -> dict[str, int]:
    return {k: getattr(run, k) for k in ("added", "updated", "skipped", "conflicts", "errors", "deleted")
            if getattr(run, k)}


async def outcomes(run: BooksSyncRun) -> list[tuple[str, str, str]]:
    return [(e.outcome.value, e.side.value, e.label) for e in await BooksSyncLogEntry.filter(run_id=run.id)]


@pytest.fixture
async def linked(db) -> Linked:
    admin = await f.make_user("Administrator", email="sync-admin@example.jp")
    org = await f.make_org(admin, name="株式会社さくら商事")
    principal = await f.principal_for(admin)
    secret = await f.link_books(admin, org)
    return Linked(admin, principal, org, secret)


async def test_a_first_run_pushes_every_account_and_a_second_changes_nothing(linked):
    await linked.settings(direction="crm_to_books")
    one = await f.make_account(linked.admin, name="株式会社いろは", phone="03-1111-2222", billing_city="港区")
    await f.make_account(linked.admin, name="有限会社ほへと")
    first = await linked.run()
    assert counts(first) == {"added": 2}
    assert sorted(await outcomes(first)) == [("added", "books", "有限会社ほへと"), ("added", "books", "株式会社いろは")]
    customers = await linked.customers()
    assert customers["株式会社いろは"].phone == "03-1111-2222" and customers["株式会社いろは"].billing_city == "港区"
    assert customers["株式会社いろは"].company_name == "株式会社いろは"
    assert "いろは" in customers["株式会社いろは"].search_text  # found by list searches
    assert (await books_mapping.customer_for(await books_link.active_link(), one)).id == customers["株式会社いろは"].id
    second = await linked.run()
    assert counts(second) == {} and await outcomes(second) == []
    assert await BooksContact.filter(organization_id=linked.org.id).count() == 2


async def test_a_crm_change_is_pushed_once(linked):
    account = await f.make_account(linked.admin, name="株式会社いろは")
    await linked.run()
    account.phone = "06-0000-1111"
    await account.save()
    run = await linked.run()
    assert counts(run) == {"updated": 1}
    assert (await linked.customers())["株式会社いろは"].phone == "06-0000-1111"
    assert counts(await linked.run()) == {}
    # A save that changes nothing mapped is no change.
    account.fax = "06-9999-9999"
    await account.save()
    assert counts(await linked.run()) == {}


async def test_two_way_brings_books_changes_and_customers_into_the_crm(linked):
    account = await f.make_account(linked.admin, name="株式会社いろは")
    await linked.run()
    customer = (await linked.customers())["株式会社いろは"]
    customer.phone = "045-123-4567"
    await customer.save()
    new = await f.make_customer(linked.org, display_name="合同会社ちりぬ", website="https://chirinu.example")
    run = await linked.run()
    assert counts(run) == {"updated": 1, "added": 1}
    assert sorted(await outcomes(run)) == [("added", "crm", "合同会社ちりぬ"), ("updated", "crm", "株式会社いろは")]
    await account.refresh_from_db()
    assert account.phone == "045-123-4567"
    created = await Account.get(name="合同会社ちりぬ")
    assert created.website == "https://chirinu.example" and created.owner_id == linked.admin.id
    assert "ちりぬ" in created.search_text
    assert await BooksSyncRecord.filter(account_id=created.id, books_contact_id=new.id).exists()
    assert counts(await linked.run()) == {}


async def test_one_way_ignores_books_changes_and_creates_nothing_in_the_crm(linked):
    await linked.settings(direction="crm_to_books")
    account = await f.make_account(linked.admin, name="株式会社いろは", phone="03-1")
    await linked.run()
    customer = (await linked.customers())["株式会社いろは"]
    customer.phone = "045-123-4567"
    await customer.save()
    await f.make_customer(linked.org, display_name="合同会社ちりぬ")
    assert counts(await linked.run()) == {}
    await account.refresh_from_db()
    assert account.phone == "03-1"
    assert not await Account.filter(name="合同会社ちりぬ").exists()


@pytest.mark.parametrize("direction", ["two_way", "crm_to_books"])
@pytest.mark.parametrize("policy", ["skip", "overwrite", "duplicate"])
async def test_a_record_changed_on_both_sides_follows_the_policy(linked, policy, direction):
    await linked.settings(conflict_policy=policy, direction=direction)
    account = await f.make_account(linked.admin, name="株式会社いろは", phone="03-0000")
    await linked.run()
    customer = (await linked.customers())["株式会社いろは"]
    customer.phone = "045-BOOKS"
    await customer.save()
    account.phone = "03-CRM"
    await account.save()
    run = await linked.run()
    assert counts(run) == {"conflicts": 1}
    entry = await BooksSyncLogEntry.get(run_id=run.id)
    assert entry.crm_id == account.id and "both sides" in entry.reason
    await customer.refresh_from_db()
    await account.refresh_from_db()
    phones = sorted(c.phone for c in await BooksContact.filter(organization_id=linked.org.id))
    linked_to = await BooksSyncRecord.get(account_id=account.id).values_list("books_contact_id", flat=True)
    if policy == "skip":
        assert (account.phone, phones, linked_to) == ("03-CRM", ["045-BOOKS"], customer.id)
    elif policy == "overwrite":
        assert (account.phone, phones, linked_to) == ("03-CRM", ["03-CRM"], customer.id)
    else:  # a new Books record from the CRM values, linked; the old one stays
        assert account.phone == "03-CRM" and phones == ["03-CRM", "045-BOOKS"] and linked_to != customer.id
    assert counts(await linked.run()) == {}  # settled: a run after it changes nothing


@pytest.mark.parametrize("policy", ["skip", "overwrite", "duplicate"])
async def test_an_existing_matching_customer_follows_the_policy(linked, policy):
    await linked.settings(conflict_policy=policy, direction="crm_to_books")
    existing = await f.make_customer(linked.org, display_name="株式会社 イロハ", phone="099")
    account = await f.make_account(linked.admin, name="株式会社いろは", phone="03-CRM")  # same name, normalised
    run = await linked.run()
    mapped = await BooksSyncRecord.filter(account_id=account.id).values_list("books_contact_id", flat=True)
    await existing.refresh_from_db()
    total = await BooksContact.filter(organization_id=linked.org.id).count()
    entry = await BooksSyncLogEntry.get(run_id=run.id)
    assert entry.params == {"books": "株式会社 イロハ"}
    if policy == "skip":
        assert counts(run) == {"skipped": 1} and mapped == [] and total == 1 and existing.phone == "099"
    elif policy == "overwrite":
        assert counts(run) == {"updated": 1} and mapped == [existing.id] and total == 1
        assert (existing.display_name, existing.phone) == ("株式会社いろは", "03-CRM")
    else:
        assert counts(run) == {"added": 1} and mapped != [existing.id] and total == 2 and existing.phone == "099"
    assert counts(await linked.run()) == {}


@pytest.mark.parametrize("direction", ["two_way", "crm_to_books"])
async def test_only_records_matching_the_filter_are_pushed(linked, direction):
    other = await f.make_user("Sales")
    await linked.settings(direction=direction, record_filter=[
        {"field": "billing_state", "op": "equals", "value": "東京都"},
        {"field": "owner", "op": "not_equals", "value": str(other.id)}])
    await f.make_account(linked.admin, name="東京の会社", billing_state="東京都")
    await f.make_account(linked.admin, name="大阪の会社", billing_state="大阪府")
    await f.make_account(other, name="他人の会社", billing_state="東京都")
    assert counts(await linked.run()) == {"added": 1}
    assert list(await linked.customers()) == ["東京の会社"]


@pytest.mark.parametrize("direction", ["two_way", "crm_to_books"])
async def test_contacts_sync_with_customers(linked, direction):
    await linked.settings(sync_module="contacts", direction=direction)
    contact = await f.make_contact(linked.admin, last_name="山田", first_name="太郎", email="yamada@example.jp")
    await f.make_account(linked.admin, name="株式会社いろは")  # accounts are not synced now
    assert counts(await linked.run()) == {"added": 1}
    customer = (await linked.customers())["山田"]
    assert customer.email == "yamada@example.jp"
    customer.email = "taro@example.jp"
    await customer.save()
    contact.mobile = "090-0000-0000"
    await contact.save()
    run = await linked.run()
    await contact.refresh_from_db()
    # changed on both sides, the policy is skip (one-way too: Books' change would be lost)
    assert counts(run) == {"conflicts": 1} and contact.email == "yamada@example.jp"
    customer.phone = "090-0000-0000"  # settled by hand in Books: the same values on both sides
    customer.email = "yamada@example.jp"
    await customer.save()
    assert counts(await linked.run()) == {}  # the mapping row catches up (two-way), nothing else
    customer.email = "taro@example.jp"
    await customer.save()
    run = await linked.run()
    await contact.refresh_from_db()
    if direction == "two_way":
        assert counts(run) == {"updated": 1} and contact.email == "taro@example.jp"
    else:
        assert counts(run) == {} and contact.email == "yamada@example.jp"


async def test_products_sync_with_items_under_their_own_settings(linked):
    await linked.settings(product_direction="crm_to_books", product_conflict_policy="overwrite",
                          conflict_policy="skip")
    existing = await f.make_item(linked.org, name="古い名前", sku="SKU-1", rate=Decimal(500))
    product = await f.make_product(linked.admin, name="コンサルティング", code="SKU-1", unit_price=Decimal("12000"))
    await f.make_product(linked.admin, name="保守", code="", unit_price=Decimal("3000.50"))
    run = await linked.run()
    assert counts(run) == {"updated": 1, "added": 1}
    await existing.refresh_from_db()
    assert (existing.name, existing.rate) == ("コンサルティング", Decimal("12000"))  # matched by SKU, overwritten
    assert (await Item.get(name="保守")).rate == Decimal("3000.50")
    assert counts(await linked.run()) == {}
    existing.rate = Decimal("13000")
    await existing.save()
    assert counts(await linked.run()) == {}  # one-way for products
    assert (await books_mapping.item_for(await books_link.active_link(), product)).id == existing.id


async def test_a_books_value_that_does_not_fit_the_crm_is_an_error_not_cut(linked):
    account = await f.make_account(linked.admin, name="株式会社いろは")
    await linked.run()
    customer = (await linked.customers())["株式会社いろは"]
    customer.billing_city = "市" * 40  # Books keeps 60, the CRM 30
    customer.phone = "011-222-3333"
    await customer.save()
    run = await linked.run()
    assert counts(run) == {"errors": 1, "updated": 1}
    entry = await BooksSyncLogEntry.get(run_id=run.id, outcome="error")
    assert entry.crm_id == account.id and entry.params == {"books": "billing_city", "crm": "billing_city"}
    await account.refresh_from_db()
    assert (account.billing_city, account.phone) == ("", "011-222-3333")  # the rest came, nothing was cut
    assert counts(await linked.run()) == {}


async def test_delete_previous_removes_what_the_old_settings_pushed(linked):
    await linked.settings(direction="crm_to_books")
    await f.make_account(linked.admin, name="東京の会社", billing_state="東京都")
    osaka = await f.make_account(linked.admin, name="大阪の会社", billing_state="大阪府")
    kyoto = await f.make_account(linked.admin, name="京都の会社", billing_state="京都府")
    await linked.run()
    invoiced = (await linked.customers())["京都の会社"]
    await f.make_transaction(await f.principal_for(linked.admin), "invoice", invoiced, [("作業", 1, 1000, 10)])
    await linked.settings(direction="crm_to_books", delete_previous=True,
                          record_filter=[{"field": "billing_state", "op": "equals", "value": "東京都"}])
    run = await linked.run()
    assert counts(run) == {"deleted": 1, "errors": 1}
    assert sorted(await linked.customers()) == ["京都の会社", "東京の会社"]
    assert not await BooksSyncRecord.filter(account_id__in=[osaka.id, kyoto.id]).exists()  # unlinked
    assert await BooksSyncRecord.filter(pushed=True, generation=(await BooksLink.get(slot=1)).generation).count() == 1
    assert counts(await linked.run()) == {}


async def test_a_new_organization_starts_fresh(linked):
    account = await f.make_account(linked.admin, name="株式会社いろは")
    await linked.run()
    second = await f.make_org(linked.admin, name="株式会社つばき")
    await books_link.connect(linked.principal, linked.admin.email, linked.secret, second.id, "none", IP)
    run = await linked.run()
    assert counts(run) == {"added": 1} and run.organization_id == second.id
    assert await BooksContact.filter(organization_id=second.id, display_name="株式会社いろは").exists()
    assert await BooksSyncRecord.filter(account_id=account.id).count() == 2  # one per organization
    # The previous organization keeps its customer; the CRM reads the new one's only.
    link = await books_link.active_link()
    found = await books_mapping.customer_for(link, account)
    assert found.organization_id == second.id


async def test_a_disabled_link_runs_nothing_and_enabling_again_goes_on(linked):
    account = await f.make_account(linked.admin, name="株式会社いろは")
    await linked.run()
    link = await books_link.active_link()
    await books_link.set_enabled(linked.principal, False)
    assert await books_link.active_link() is None
    account.phone = "03-0000"
    await account.save()
    await f.make_account(linked.admin, name="株式会社ほへと")
    assert await books_sync.run(link, SyncTrigger.MANUAL) is None
    assert await BooksSyncRun.all().count() == 1 and await BooksContact.all().count() == 1
    await books_link.set_enabled(linked.principal, True)
    run = await linked.run()  # the links are back: the change is an update, the new account an addition
    assert counts(run) == {"added": 1, "updated": 1}
    assert (await linked.customers())["株式会社いろは"].phone == "03-0000"


async def test_runs_of_one_link_never_overlap(linked):
    from app import jobs

    link = await books_link.active_link()
    async with jobs.one_at_a_time(books_sync.lock_key(link.organization_id)):
        assert await books_sync.run(link, SyncTrigger.SCHEDULED) is None
    assert await books_sync.run(link, SyncTrigger.SCHEDULED) is not None


async def test_on_the_spot_sync_concurrently_links_one_customer(linked):
    import asyncio

    account = await f.make_account(linked.admin, name="株式会社いろは")
    link = await books_link.active_link()
    found = await asyncio.gather(*(books_mapping.customer_for(link, account) for _ in range(4)))
    assert len({c.id for c in found}) == 1
    assert await BooksContact.filter(organization_id=linked.org.id).count() == 1
    run = await BooksSyncRun.filter(trigger=SyncTrigger.AUTOMATION).first()
    assert run is not None and run.added == 1
    assert counts(await linked.run()) == {}  # the regular run finds it linked, unchanged


async def test_a_new_mapping_applies_to_every_record_at_the_next_run(linked):
    await f.make_account(linked.admin, name="株式会社いろは", fax="03-FAX", phone="03-TEL")
    await f.make_account(linked.admin, name="株式会社ほへと", fax="", phone="")
    await linked.run()
    pairs = [["name", "display_name"], ["fax", "phone"]]
    await linked.settings(mapping={"accounts": pairs})
    run = await linked.run()
    assert counts(run) == {"updated": 1}  # the other one gives the same values through either mapping
    assert (await linked.customers())["株式会社いろは"].phone == "03-FAX"
    assert counts(await linked.run()) == {}


async def test_items_two_way_come_into_the_crm_as_products(linked):
    await linked.settings(product_direction="two_way")
    item = await f.make_item(linked.org, name="保守サポート", sku="SUP-1", rate=Decimal("60000"))
    odd = await f.make_item(linked.org, name="端数", sku="ODD", rate=Decimal("10.1234"))
    run = await linked.run()
    assert counts(run) == {"added": 2, "errors": 1}
    product = await Product.get(code="SUP-1")
    assert (product.name, product.unit_price, product.owner_id) == ("保守サポート", Decimal("60000"), linked.admin.id)
    error = await BooksSyncLogEntry.get(run_id=run.id, outcome="error")
    assert (error.books_id, error.params) == (odd.id, {"books": "rate", "crm": "unit_price"})
    assert (await Product.get(code="ODD")).unit_price == 0  # the rest came, the rate was not cut
    item.rate = Decimal("65000")
    await item.save()
    assert counts(await linked.run()) == {"updated": 1}
    await product.refresh_from_db()
    assert product.unit_price == Decimal("65000")
    product.unit_price = Decimal("70000")
    await product.save()
    assert counts(await linked.run()) == {"updated": 1}
    await item.refresh_from_db()
    assert item.rate == Decimal("70000")
    assert not await Contact.all().exists()


async def test_a_books_record_left_by_the_duplicate_policy_does_not_come_back_as_a_crm_record(linked):
    await linked.settings(conflict_policy="duplicate")
    existing = await f.make_customer(linked.org, display_name="株式会社いろは")
    account = await f.make_account(linked.admin, name="株式会社いろは")
    assert counts(await linked.run()) == {"added": 1}  # another customer, linked
    await linked.settings(conflict_policy="duplicate", record_filter=[{"field": "name", "op": "not_empty"}])
    run = await linked.run()  # a new generation: every record again
    assert counts(run) == {"skipped": 1}
    entry = await BooksSyncLogEntry.get(run_id=run.id)
    assert (entry.crm_id, entry.books_id) == (account.id, existing.id)
    assert await Account.all().count() == 1
