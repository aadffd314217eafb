"""Related lists load lazily into record pages, can be refreshed, and show only what the user
may see."""

from __future__ import annotations

from app.models import Access, RelatedType
from tests import factories as f

HX = {"HX-Request": "true"}


async def test_contact_page_loads_its_deals_lazily_and_refreshes(signed_in, client):
    me = await signed_in("Sales")
    contact = await f.make_contact(me)
    page = await client.get(f"/contacts/{contact.id}")
    url = f"/contacts/{contact.id}/related/deals"
    assert 'id="related-deals"' in page.text
    assert f'hx-get="{url}" hx-trigger="load"' in page.text
    assert f'<button type="button" class="small" hx-get="{url}"' in page.text  # the refresh button
    assert "None yet." in (await client.get(url, headers=HX)).text
    await f.make_deal(me, contacts=[contact], name="Annual maintenance")
    refreshed = await client.get(url, headers=HX)
    assert "Annual maintenance" in refreshed.text and "<html" not in refreshed.text


async def test_related_lists_hide_records_the_user_may_not_see(signed_in, client):
    other = await f.make_user("Sales")
    me = await signed_in("Sales")
    account = await f.make_account(me)
    contact = await f.make_contact(me, account=account)
    await f.make_contact(other, account=account, last_name="Secretive")
    await f.make_deal(me, account=account, contacts=[contact], name="Visible deal")
    await f.make_deal(other, account=account, contacts=[contact], name="Hidden deal")
    await f.make_task(me, subject="My call", related_type=RelatedType.CONTACT, related_id=contact.id)
    await f.make_task(other, subject="Their call", related_type=RelatedType.CONTACT, related_id=contact.id)

    contacts = (await client.get(f"/accounts/{account.id}/related/contacts", headers=HX)).text
    assert contact.last_name in contacts and "Secretive" not in contacts
    for url in (f"/accounts/{account.id}/related/deals", f"/contacts/{contact.id}/related/deals"):
        deals = (await client.get(url, headers=HX)).text
        assert "Visible deal" in deals and "Hidden deal" not in deals
    tasks = (await client.get(f"/contacts/{contact.id}/related/tasks", headers=HX)).text
    assert "My call" in tasks and "Their call" not in tasks


async def test_deal_contacts_with_roles(signed_in, client):
    other = await f.make_user("Sales")
    me = await signed_in("Sales")
    mine = await f.make_contact(me, last_name="Visible")
    theirs = await f.make_contact(other, last_name="Invisible")
    deal = await f.make_deal(me, contacts=[mine, theirs])
    panel = (await client.get(f"/deals/{deal.id}/related/contacts", headers=HX)).text
    assert "Visible" in panel and "Decision maker" in panel and "Invisible" not in panel


async def test_related_list_of_a_record_out_of_reach_is_not_found(signed_in, client):
    other = await f.make_user("Sales")
    contact = await f.make_contact(other)
    await signed_in("Sales")
    assert (await client.get(f"/contacts/{contact.id}/related/deals", headers=HX)).status_code == 404


async def test_related_module_without_grant_is_not_offered(signed_in, client):
    """Accountants see accounts and deals but not tasks: no task panel, and no way to load it."""
    me = await signed_in("Accountant")
    contact = await f.make_contact(me)
    page = (await client.get(f"/contacts/{contact.id}")).text
    assert 'id="related-deals"' in page and 'id="related-tasks"' not in page
    assert (await client.get(f"/contacts/{contact.id}/related/tasks", headers=HX)).status_code == 404


async def test_read_only_shared_contact_shows_related_deals(signed_in, client):
    owner = await f.make_user("Sales")
    contact = await f.make_contact(owner)
    await f.make_deal(owner, contacts=[contact], name="Shared deal")
    me = await signed_in("Sales")
    await f.share("contacts", Access.READ_ONLY, owner=owner, grantee=me)
    deals = (await client.get(f"/contacts/{contact.id}/related/deals", headers=HX)).text
    assert "Shared deal" not in deals  # the deal itself is not shared with me
    await f.share("deals", Access.READ_ONLY, owner=owner, grantee=me)
    assert "Shared deal" in (await client.get(f"/contacts/{contact.id}/related/deals", headers=HX)).text
