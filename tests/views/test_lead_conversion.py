"""Lead conversion pages: the Convert action, the offer, the form's answers, the flash message on
the contact's page (once), and a converted lead's page."""

from __future__ import annotations

from app.models import Account, Contact, Deal, Grant, Lead, Role
from tests import factories as f
from tests.views.conftest import login, post


async def test_convert_a_lead_with_a_deal_and_land_on_the_contact(client, signed_in):
    user = await signed_in("Sales")
    matched = await f.make_account(user, name="ｽｽﾞｷ商店")  # half-width kana
    lead = await f.make_lead(user, last_name="鈴木", first_name="一郎", company="スズキ商店",
                             email="ichiro@suzuki.example")
    page = await client.get(f"/leads/{lead.id}")
    assert f'href="/leads/{lead.id}/convert"' in page.text

    offer = await client.get(f"/leads/{lead.id}/convert")
    assert offer.status_code == 200
    assert f'name="account" value="{matched.id}" checked' in offer.text
    assert "duplicate-contacts" not in offer.text

    stage = await f.stage()
    done = await post(client, f"/leads/{lead.id}/convert", {
        "account": str(matched.id), "contact": "new", "with_deal": "1", "deal_name": "鈴木商店 案件",
        "deal_amount": "120000", "deal_currency": "JPY", "deal_stage_id": str(stage.id),
        "deal_closing_date": "2030-03-31",
    })
    contact = await Contact.get(email="ichiro@suzuki.example")
    assert done.status_code == 303 and done.headers["location"] == f"/contacts/{contact.id}"
    landing = await client.get(done.headers["location"])
    assert "Lead converted: 鈴木 一郎" in landing.text and 'id="flash-message"' in landing.text
    again = await client.get(done.headers["location"])
    assert "Lead converted" not in again.text  # shown once

    deal = await Deal.get(name="鈴木商店 案件")
    converted = await client.get(f"/leads/{lead.id}")
    assert 'id="converted-notice"' in converted.text
    assert f'href="/contacts/{contact.id}"' in converted.text
    assert f'href="/accounts/{matched.id}"' in converted.text
    assert f'href="/deals/{deal.id}"' in converted.text
    assert f'href="/leads/{lead.id}/convert"' not in converted.text
    refused = await post(client, f"/leads/{lead.id}/convert", {"account": "none", "contact": "new"})
    assert refused.status_code == 409 and "already been converted" in refused.text
    assert await Contact.all().count() == 1


async def test_the_flash_message_is_in_the_users_language(client, signed_in):
    user = await signed_in("Sales", language="ja")
    lead = await f.make_lead(user, last_name="佐藤")
    done = await post(client, f"/leads/{lead.id}/convert", {"account": "none", "contact": "new"})
    landing = await client.get(done.headers["location"])
    assert "見込み客を変換しました: 佐藤" in landing.text


async def test_duplicates_are_offered_and_the_choice_is_kept(client, signed_in):
    user = await signed_in("Sales")
    existing = await f.make_contact(user, email="same@example.jp")
    lead = await f.make_lead(user, email="SAME@example.jp", company="")
    offer = await client.get(f"/leads/{lead.id}/convert")
    assert 'id="duplicate-contacts"' in offer.text
    assert f'name="contact" value="{existing.id}" checked' in offer.text
    # Create a new one anyway, with an invalid deal: 422 with the form, nothing written.
    bad = await post(client, f"/leads/{lead.id}/convert", {
        "account": "none", "contact": "new", "with_deal": "1", "deal_name": "", "deal_amount": "abc",
        "deal_currency": "JPY", "deal_stage_id": str((await f.stage()).id)}, htmx=True)
    assert bad.status_code == 422
    assert 'id="error-deal-name"' in bad.text and 'id="error-deal-amount"' in bad.text
    assert 'name="contact" value="new" id="contact-new" checked' in bad.text
    assert await Contact.all().count() == 1 and (await Lead.get(id=lead.id)).converted_at is None
    ok = await post(client, f"/leads/{lead.id}/convert", {"account": "none", "contact": "new"}, htmx=True)
    assert ok.status_code == 200 and ok.headers["HX-Location"].startswith("/contacts/")
    assert await Contact.all().count() == 2


async def test_refusals(client, signed_in):
    role = await Role.create(name="Leads only")
    await Grant.bulk_create([Grant(role=role, module=m, action=a) for m, a in (
        ("leads", "view"), ("leads", "create_edit"), ("contacts", "view"), ("contacts", "create_edit"),
        ("accounts", "view"))])
    user = await f.make_user("Leads only")
    await login(client, user)
    lead = await f.make_lead(user, company="新会社")
    offer = await client.get(f"/leads/{lead.id}/convert")
    assert 'id="account-new"' not in offer.text and 'id="convert-deal"' not in offer.text
    refused = await post(client, f"/leads/{lead.id}/convert", {"account": "new", "account_name": "新会社",
                                                               "contact": "new"})
    assert refused.status_code == 403 and "You may not create accounts" in refused.text
    assert await Account.all().count() == 0 and await Contact.all().count() == 0

    other = await f.make_lead(await f.make_user("Sales"))
    assert (await client.get(f"/leads/{other.id}/convert")).status_code == 404
    assert (await post(client, f"/leads/{other.id}/convert", {"contact": "new"})).status_code == 404


async def test_a_converted_leads_status_stays_the_form_says_so(client, signed_in):
    user = await signed_in("Sales")
    lead = await f.make_lead(user, last_name="変換済")
    await post(client, f"/leads/{lead.id}/convert", {"account": "none", "contact": "new"})
    refused = await post(client, f"/leads/{lead.id}/edit", {"last_name": "変換済", "status": "new"}, htmx=True)
    assert refused.status_code == 422
    assert "its status can no longer change" in refused.text and 'id="error-status"' in refused.text
    kept = await post(client, f"/leads/{lead.id}/edit", {"last_name": "変換済み", "status": "qualified"})
    assert kept.status_code == 303 and (await Lead.get(id=lead.id)).last_name == "変換済み"
