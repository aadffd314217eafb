"""Pages of contacts, leads and accounts: readings beside the names (generated ones marked), lists
sorted and searched by reading, addresses entered and shown in their country's order, detail pages
that leave out what is empty and keep Edit in view with the other actions in a menu."""

from __future__ import annotations

import re

from app.models import Access, Account, Contact
from tests import factories as f
from tests.views.conftest import post
from tests.views.forms import form_data


def order_of(html: str, *ids: str) -> list[str]:
    """`ids` in the order their inputs appear in the page."""
    return sorted(ids, key=lambda i: html.index(f'id="{i}"'))


def value_of(html: str, field: str) -> str:
    found = re.search(rf'<dd class="[^"]*" id="value-{field}">(.*?)</dd>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


async def test_a_contact_left_without_readings_gets_them_marked_generated(signed_in, client):
    await signed_in("Sales")
    form = (await client.get("/contacts/new")).text
    # セイ/メイ right after the names
    assert order_of(form, "last_name", "first_name", "last_name_kana", "first_name_kana", "account_id") == [
        "last_name", "first_name", "last_name_kana", "first_name_kana", "account_id"]
    done = await post(client, "/contacts", {"last_name": "山田", "first_name": "太郎", "last_name_kana": "",
                                            "first_name_kana": ""}, htmx=True)
    assert done.status_code == 200
    contact = await Contact.get(last_name="山田")
    page = (await client.get(f"/contacts/{contact.id}")).text
    assert value_of(page, "last_name_kana") == "ヤマダ generated"
    assert value_of(page, "first_name_kana") == "タロウ generated"

    # the edit form shows the generated readings; renamed, the person's reading follows the name
    edit = (await client.get(f"/contacts/{contact.id}/edit")).text
    data = dict(form_data(edit, f"/contacts/{contact.id}/edit"))
    assert (data["last_name_kana"], data["first_name_kana"]) == ("ヤマダ", "タロウ")
    await post(client, f"/contacts/{contact.id}/edit", {**data, "last_name": "佐藤"}, htmx=True)
    await contact.refresh_from_db()
    assert (contact.last_name_kana, contact.reading_generated) == ("サトウ", True)

    # a reading typed in wins, and is no longer marked; the other one, sent back as shown, still is
    await post(client, f"/contacts/{contact.id}/edit", {**data, "last_name": "佐藤", "last_name_kana": "さどう",
                                                        "first_name_kana": "タロウ"}, htmx=True)
    page = (await client.get(f"/contacts/{contact.id}")).text
    assert value_of(page, "last_name_kana") == "サドウ" and value_of(page, "first_name_kana") == "タロウ generated"
    edit = (await client.get(f"/contacts/{contact.id}/edit")).text
    assert edit.count('class="hint reading-generated"') == 1  # beside メイ only


async def test_lists_are_sorted_and_searched_by_reading(signed_in, client):
    await signed_in("Sales")
    for last, first in (("渡辺", "健"), ("安藤", "真"), ("伊藤", "愛")):
        await post(client, "/contacts", {"last_name": last, "first_name": first}, htmx=True)
        await post(client, "/leads", {"last_name": last, "first_name": first, "status": "new"}, htmx=True)
    await client.get("/contacts")  # the last creation's message, shown once
    for module in ("contacts", "leads"):
        page = (await client.get(f"/{module}")).text
        # アンドウ, イトウ, ワタナベ: by reading, not by the kanji's code points (伊 < 安 < 渡)
        positions = [page.index(name) for name in ("安藤 真", "伊藤 愛", "渡辺 健")]
        assert positions == sorted(positions), module
        found = (await client.get(f"/{module}", params={"q": "わたなべ"})).text
        assert "渡辺 健" in found and "安藤 真" not in found, module


async def test_an_account_reading_without_its_legal_form(signed_in, client):
    await signed_in("Sales")
    for name in ("株式会社わかば", "青木商店"):
        await post(client, "/accounts", {"name": name, "name_kana": ""}, htmx=True)
    page = (await client.get("/accounts")).text
    assert page.index("青木商店") < page.index("株式会社わかば")  # アオキ before ワカバ
    account = await Account.get(name="株式会社わかば")
    assert (account.name_kana, account.reading_generated) == ("ワカバ", True)
    assert "株式会社わかば" in (await client.get("/accounts", params={"q": "ワカバ"})).text


async def test_address_forms_follow_the_country(signed_in, client):
    parts = ("billing_code", "billing_state", "billing_city", "billing_street", "billing_building", "billing_country")
    await signed_in("Sales", language="ja")
    form = (await client.get("/accounts/new")).text
    assert order_of(form, *parts) == list(parts)  # 〒, 都道府県, 市区町村, 番地, 建物
    me = await signed_in("Sales", language="en")
    form = (await client.get("/accounts/new")).text
    assert order_of(form, *parts) == ["billing_street", "billing_building", "billing_city", "billing_state",
                                      "billing_code", "billing_country"]
    japanese = await f.make_account(me, name="Sakura", billing_country="Japan")
    form = (await client.get(f"/accounts/{japanese.id}/edit")).text
    assert order_of(form, *parts)[0] == "billing_code"  # a Japanese address, in English too


async def test_detail_shows_addresses_as_lines_and_leaves_out_what_is_empty(signed_in, client):
    me = await signed_in("Sales", language="ja")
    account = await f.make_account(
        me, name="株式会社さくら商事", phone="", website="",
        billing_code="100-0005", billing_state="東京都", billing_city="千代田区", billing_street="丸の内1-1-1",
        billing_building="さくらビル12階", billing_country="日本")
    page = (await client.get(f"/accounts/{account.id}")).text
    card = re.search(r'<section class="card address-card" id="address-billing">.*?</section>', page, re.S).group(0)
    assert re.search(r"<address>(.*?)</address>", card, re.S).group(1) == (
        "〒100-0005<br>東京都千代田区丸の内1-1-1<br>さくらビル12階")
    assert 'id="address-shipping"' not in page  # an empty address has no card
    assert 'id="value-phone"' not in page and 'id="value-website"' not in page  # nor empty fields
    assert 'id="value-name"' in page

    abroad = await f.make_account(me, name="Pacific Rim", billing_street="500 Harbor Blvd",
                                  billing_building="Suite 300", billing_city="Long Beach", billing_state="CA", billing_code="90802",
                                  billing_country="United States")
    page = (await client.get(f"/accounts/{abroad.id}")).text
    assert "500 Harbor Blvd<br>Suite 300<br>Long Beach, CA 90802<br>United States" in page


async def test_the_action_bar_keeps_edit_in_view_and_the_rest_in_a_menu(signed_in, client):
    me = await signed_in("Manager")
    lead = await f.make_lead(me, last_name="山田")
    page = (await client.get(f"/leads/{lead.id}")).text
    bar = re.search(r'<div class="actions">(.*?)</div>\s*</div>', page, re.S).group(1)
    menu = re.search(r'<details class="menu" id="more-actions">(.*?)</details>', bar, re.S).group(1)
    assert 'id="edit-record"' in bar and 'id="edit-record"' not in menu
    assert 'id="delete-record"' in menu and 'id="convert-lead"' in menu
    assert "<script" not in bar and "onclick" not in bar  # a <details>, no script (CSP)

    # shared read-only: neither Edit nor a menu of what the viewer may not do
    viewer = await signed_in("Sales")
    await f.share("leads", Access.READ_ONLY, owner=me, grantee=viewer)
    page = (await client.get(f"/leads/{lead.id}")).text
    assert 'id="read-only-notice"' in page
    assert 'id="edit-record"' not in page and 'id="more-actions"' not in page
