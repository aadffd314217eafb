"""Re-saving a form unchanged keeps the links the editor cannot see (issue 10, section 4).

Two Sales users: sales2's records are hidden from sales1, whose records (or sales2's, shared
read-write) link to them. The forms are submitted exactly as a browser would send them."""

from __future__ import annotations

from app.models import Access, Case, Contact, Deal, DealContact, Event, EventAttendee, RelatedType, Task
from tests import factories as f
from tests.views.conftest import HX, login, token
from tests.views.forms import form_data


async def resave(client, url: str, changes: dict | None = None):
    """Open the edit form and submit it, changing only `changes`."""
    page = await client.get(f"{url}/edit")
    assert page.status_code == 200
    data: dict[str, list[str]] = {}
    for name, value in form_data(page.text, f"{url}/edit"):
        data.setdefault(name, []).append(value)
    data.update({k: [v] for k, v in (changes or {}).items()})
    response = await client.post(f"{url}/edit", data=data, headers=HX)
    assert response.status_code == 200 and "HX-Location" in response.headers, response.text
    return response


async def test_resaving_a_deal_keeps_hidden_account_and_contacts(client):
    sales1, sales2 = await f.make_user("Sales"), await f.make_user("Sales")
    hidden_account, hidden_contact = await f.make_account(sales2), await f.make_contact(sales2)
    mine = await f.make_contact(sales1)
    deal = await f.make_deal(sales1, [hidden_contact, mine], account=hidden_account)
    await login(client, sales1)
    await resave(client, f"/deals/{deal.id}", {"name": "Renamed"})
    saved = await Deal.get(id=deal.id)
    assert (saved.name, saved.account_id) == ("Renamed", hidden_account.id)
    assert set(await DealContact.filter(deal_id=deal.id).values_list("contact_id", flat=True)) == {
        hidden_contact.id, mine.id}


async def test_read_write_share_and_a_reposted_hidden_id(client):
    sales1, sales2 = await f.make_user("Sales"), await f.make_user("Sales")
    await f.share("deals", Access.READ_WRITE, owner=sales2, grantee=sales1)
    account, contact = await f.make_account(sales2), await f.make_contact(sales2)
    deal = await f.make_deal(sales2, [contact], account=account)
    await login(client, sales1)
    await resave(client, f"/deals/{deal.id}")
    # A form (or a script) that posts the hidden ids back is not refused either.
    await resave(client, f"/deals/{deal.id}", {"account_id": str(account.id),
                                               "contacts-0-contact_id": str(contact.id)})
    assert (await Deal.get(id=deal.id)).account_id == account.id
    assert await DealContact.filter(deal_id=deal.id).values_list("contact_id", "role") == [
        (contact.id, "Decision maker")]


async def test_resaving_contact_case_task_and_event(client):
    sales1, sales2 = await f.make_user("Sales"), await f.make_user("Sales")
    account, hidden_contact = await f.make_account(sales2), await f.make_contact(sales2)
    hidden_deal, hidden_lead = await f.make_deal(sales2), await f.make_lead(sales2)
    contact = await f.make_contact(sales1, account=account)
    case = await f.make_case(sales1, contact=hidden_contact)
    task = await f.make_task(sales1, related_type=RelatedType.DEAL, related_id=hidden_deal.id)
    event = await f.make_event(sales1, related_type=RelatedType.DEAL, related_id=hidden_deal.id)
    await EventAttendee.create(event=event, contact=hidden_contact)
    await EventAttendee.create(event=event, lead=hidden_lead)
    await login(client, sales1)

    await resave(client, f"/contacts/{contact.id}")
    assert (await Contact.get(id=contact.id)).account_id == account.id
    await resave(client, f"/cases/{case.id}")
    assert (await Case.get(id=case.id)).contact_id == hidden_contact.id
    await resave(client, f"/tasks/{task.id}", {"subject": "Call back"})
    saved = await Task.get(id=task.id)
    assert (saved.subject, saved.related_type, saved.related_id) == ("Call back", RelatedType.DEAL, hidden_deal.id)
    await resave(client, f"/events/{event.id}", {"subject": "Visit"})
    saved = await Event.get(id=event.id)
    assert (saved.subject, saved.related_id) == ("Visit", hidden_deal.id)
    assert await EventAttendee.filter(event_id=event.id).order_by("id").values_list("contact_id", "lead_id") == [
        (hidden_contact.id, None), (None, hidden_lead.id)]


async def test_the_form_shows_a_hidden_link_as_hidden_and_a_far_one_by_name(client, monkeypatch):
    sales1, sales2 = await f.make_user("Sales"), await f.make_user("Sales")
    hidden_account, hidden_contact = await f.make_account(sales2), await f.make_contact(sales2)
    deal = await f.make_deal(sales1, [hidden_contact], account=hidden_account)
    await login(client, sales1)
    page = (await client.get(f"/deals/{deal.id}/edit")).text
    assert f'<option value="{hidden_account.id}" selected>(hidden)</option>' in page
    assert f'<option value="{hidden_contact.id}" selected>(hidden)</option>' in page
    assert hidden_account.name not in page and hidden_contact.last_name not in page

    # A select offers at most OPTION_LIMIT records: the one linked now is offered all the same.
    monkeypatch.setattr("views.choices.OPTION_LIMIT", 2)
    accounts = [await f.make_account(sales1, name=f"Account {n:02d}") for n in range(3)]
    contact = await f.make_contact(sales1, account=accounts[-1])
    page = (await client.get(f"/contacts/{contact.id}/edit")).text
    assert f'<option value="{accounts[-1].id}" selected>Account 02</option>' in page
    await resave(client, f"/contacts/{contact.id}")
    assert (await Contact.get(id=contact.id)).account_id == accounts[-1].id


async def test_a_user_who_left_still_attends_after_a_resave(client):
    sales1 = await f.make_user("Sales")
    gone = await f.make_user("Sales", name="Former Colleague", is_active=False)
    event = await f.make_event(sales1)
    await EventAttendee.create(event=event, user=gone)
    await login(client, sales1)
    page = (await client.get(f"/events/{event.id}/edit")).text
    assert f'name="attendee_users" value="{gone.id}"' in page and "Former Colleague" in page
    await resave(client, f"/events/{event.id}", {"subject": "Review"})
    assert await EventAttendee.filter(event_id=event.id).values_list("user_id", flat=True) == [gone.id]
    # ... but cannot be invited to another event
    other = await f.make_event(sales1)
    response = await client.post(f"/events/{other.id}/edit", headers=HX, data={
        "subject": "New", "start_at": "2030-01-01T10:00", "end_at": "2030-01-01T11:00",
        "attendee_users": str(gone.id), "csrf_token": await token(client)})
    assert response.status_code == 422 and "Choose a valid record." in response.text
