"""Lists and related lists read only the values they show (views.list_rows): the same rows, names
and links as whole records gave, references shown only where the user may see them."""

from __future__ import annotations

import re
from decimal import Decimal

from app.models import Access
from tests import factories as f
from tests.views.conftest import login


def _row(page: str, row_id: int) -> str:
    found = re.search(rf'<tr id="row-{row_id}">(.*?)</tr>', page, re.S)
    assert found, f"row {row_id} not on the page"
    return found.group(1)


async def test_a_contact_row_names_its_account_only_when_the_user_may_see_it(client):
    sales1, sales2 = await f.make_user("Sales", name="Suzuki"), await f.make_user("Sales")
    await f.share("contacts", Access.READ_ONLY, owner=sales2, grantee=sales1)
    mine = await f.make_account(sales1, name="見える商事")
    hidden = await f.make_account(sales2, name="見えない商事")
    seen = await f.make_contact(sales1, last_name="山田", first_name="花子", account=mine, work_phone="03-1111-2222")
    shared = await f.make_contact(sales2, last_name="佐藤", first_name="一郎", account=hidden)
    await login(client, sales1)
    page = (await client.get("/contacts")).text
    row = _row(page, seen.id)
    assert f'<a href="/contacts/{seen.id}">山田 花子</a>' in row
    assert f'<a href="/accounts/{mine.id}">見える商事</a>' in row
    assert "03-1111-2222" in row and "Suzuki" in row
    assert 'aria-label="Select: 山田 花子"' in row
    other = _row(page, shared.id)
    assert f'<a href="/contacts/{shared.id}">佐藤 一郎</a>' in other
    assert "見えない商事" not in page and f"/accounts/{hidden.id}" not in page


async def test_a_deal_row_and_an_account_page_show_stage_amount_and_related_rows(signed_in, client):
    me = await signed_in("Sales")
    account = await f.make_account(me, name="取引先A")
    contact = await f.make_contact(me, last_name="Tanaka", first_name="Ken", account=account, title="部長")
    deal = await f.make_deal(me, [contact], account=account, name="大型案件", amount=Decimal("1200000"))
    page = (await client.get("/deals")).text
    row = _row(page, deal.id)
    assert f'<a href="/deals/{deal.id}">大型案件</a>' in row and f'<a href="/accounts/{account.id}">取引先A</a>' in row
    assert "¥1,200,000" in row and (await deal.stage).name in row
    detail = (await client.get(f"/accounts/{account.id}")).text
    contacts = detail[detail.index('id="related-contacts-list"'):]
    assert f'<a href="/contacts/{contact.id}">Tanaka Ken</a>' in contacts and "部長" in contacts
    deals = detail[detail.index('id="related-deals-list"'):]
    assert f'<a href="/deals/{deal.id}">大型案件</a>' in deals and "¥1,200,000" in deals
    deal_page = (await client.get(f"/deals/{deal.id}")).text
    people = deal_page[deal_page.index('id="related-contacts-list"'):]
    assert f'<a href="/contacts/{contact.id}">Tanaka Ken</a>' in people and "Decision maker" in people
