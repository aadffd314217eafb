"""Create/edit forms: inline validation (422 with the message beside its field), success by
HX-Location or 303, the deal contact editor, events in the user's time zone, delete."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from app.models import Contact, Deal, DealContact, Event, EventAttendee, RelatedType, Task
from tests import factories as f
from tests.views.conftest import post


def error_beside(html: str, field: str) -> str:
    """The message rendered right after the field's input, in the same field block."""
    block = re.search(rf'<div class="field[^"]*invalid">\s*<label for="{field}".*?</div>', html, re.S)
    assert block, f"no invalid field block for {field}"
    message = re.search(rf'<p class="field-error" id="error-{field}"[^>]*>([^<]+)</p>', block.group(0))
    assert message, f"no message beside {field}"
    return message.group(1)


async def test_create_contact_with_error_then_fix(signed_in, client):
    me = await signed_in("Sales")
    account = await f.make_account(me, name="Sakura")
    form = await client.get("/contacts/new")
    for name in ("first_name", "last_name", "email", "account_id", "birthday", "mailing_street"):
        assert f'id="{name}" name="{name}"' in form.text
    bad = await post(client, "/contacts", {"first_name": "Hanako", "email": "not-an-address"}, htmx=True)
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith('<form id="record-form"')  # the fragment, not a page
    assert error_beside(bad.text, "last_name") == "This field is required."
    assert error_beside(bad.text, "email") == "Enter a valid e-mail address."
    assert 'value="Hanako"' in bad.text  # nothing typed is lost
    assert await Contact.all().count() == 0

    good = await post(client, "/contacts", {"first_name": "Hanako", "last_name": "Yamada",
                                            "email": "hanako@example.jp", "account_id": str(account.id),
                                            "birthday": "1990-04-01"}, htmx=True)
    contact = await Contact.get(last_name="Yamada")
    assert good.status_code == 200 and good.headers["HX-Location"] == f"/contacts/{contact.id}"
    assert contact.account_id == account.id and str(contact.birthday) == "1990-04-01"
    page = await client.get(f"/contacts/{contact.id}")
    assert "<h1>Yamada Hanako</h1>" in page.text
    assert f'<a href="/accounts/{account.id}">Sakura</a>' in page.text


async def test_plain_form_post_errors_render_page_and_success_redirects(signed_in, client):
    await signed_in("Sales")
    bad = await post(client, "/accounts", {"name": ""})
    assert bad.status_code == 422 and "<html" in bad.text
    assert error_beside(bad.text, "name") == "This field is required."
    good = await post(client, "/accounts", {"name": "Kizuna KK"})
    assert good.status_code == 303 and good.headers["location"].startswith("/accounts/")


async def test_account_select_offers_only_visible_accounts(signed_in, client):
    other = await f.make_user("Sales")
    await f.make_account(other, name="Not mine")
    me = await signed_in("Sales")
    await f.make_account(me, name="Mine")
    form = (await client.get("/contacts/new")).text
    assert "Mine" in form and "Not mine" not in form


async def test_deal_form_with_contacts_and_roles(signed_in, client):
    me = await signed_in("Sales")
    a, b = await f.make_contact(me), await f.make_contact(me)
    stage = await f.stage()
    data = {"name": "Big deal", "stage_id": str(stage.id), "currency": "JPY", "amount": "10.5",
            "contacts-0-contact_id": str(a.id), "contacts-0-role": "Decision maker",
            "contacts-1-contact_id": "", "contacts-1-role": "",
            "contacts-2-contact_id": str(b.id), "contacts-2-role": "Evaluator"}
    bad = await post(client, "/deals", data, htmx=True)
    assert bad.status_code == 422
    assert error_beside(bad.text, "amount") == "JPY amounts allow 0 decimal places."
    data["amount"] = "1,000,000"
    ok = await post(client, "/deals", data, htmx=True)
    deal = await Deal.get(name="Big deal")
    assert ok.headers["HX-Location"] == f"/deals/{deal.id}"
    roles = dict(await DealContact.filter(deal_id=deal.id).values_list("contact_id", "role"))
    assert roles == {a.id: "Decision maker", b.id: "Evaluator"}
    edit = (await client.get(f"/deals/{deal.id}/edit")).text
    assert 'value="1000000"' in edit and 'value="Evaluator"' in edit
    assert "¥1,000,000" in (await client.get(f"/deals/{deal.id}")).text


async def test_event_times_are_in_the_users_time_zone(signed_in, client):
    me = await signed_in("Sales", timezone="America/New_York")
    contact = await f.make_contact(me)
    data = {"subject": "Demo", "start_at": "2030-01-15T09:00", "end_at": "2030-01-15T08:00",
            "attendee_contacts": str(contact.id), "attendee_emails": "guest@example.com"}
    bad = await post(client, "/events", data, htmx=True)
    assert error_beside(bad.text, "end_at") == "The end cannot be before the start."
    assert 'value="2030-01-15T09:00"' in bad.text
    data["end_at"] = "2030-01-15T10:00"
    ok = await post(client, "/events", data, htmx=True)
    assert ok.status_code == 200
    event = await Event.get(subject="Demo")
    assert event.start_at == datetime(2030, 1, 15, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    attendees = await EventAttendee.filter(event_id=event.id).values_list("contact_id", "email")
    assert sorted(attendees, key=str) == sorted([(contact.id, ""), (None, "guest@example.com")], key=str)
    lead = await f.make_lead(me)
    await EventAttendee.create(event_id=event.id, lead_id=lead.id)  # added through the API
    edit = (await client.get(f"/events/{event.id}/edit")).text
    assert 'value="2030-01-15T09:00"' in edit and f'name="attendee_leads" value="{lead.id}"' in edit
    resaved = await post(client, f"/events/{event.id}/edit", {
        **data, "attendee_leads": str(lead.id), "location": "Room 3"}, htmx=True)
    assert resaved.headers["HX-Location"] == f"/events/{event.id}"
    assert await EventAttendee.filter(event_id=event.id, lead_id=lead.id).exists()
    assert "Jan 15, 2030, 9:00\u202fAM" in (await client.get(f"/events/{event.id}")).text  # babel, en
    people = (await client.get(f"/events/{event.id}/related/attendees", headers={"HX-Request": "true"})).text
    assert contact.last_name in people and "guest@example.com" in people and lead.last_name in people


async def test_task_related_record_select(signed_in, client):
    me = await signed_in("Sales")
    deal = await f.make_deal(me, name="Renewal")
    form = (await client.get(f"/tasks/new?related_type=deal&related_id={deal.id}")).text
    assert f'name="related_id" value="{deal.id}"' in form and 'id="related-chosen">Renewal</span>' in form
    found = (await client.get("/pickers/related?related_q=renew", headers={"HX-Request": "true"})).text
    assert f'value="deal:{deal.id}"' in found and "Renewal" in found
    ok = await post(client, "/tasks", {"subject": "Send quote", "status": "not_started",
                                       "priority": "high", "related_type": "deal",
                                       "related_id": str(deal.id)})
    task = await Task.get(subject="Send quote")
    assert ok.status_code == 303 and task.related_type == RelatedType.DEAL and task.related_id == deal.id
    page = (await client.get(f"/tasks/{task.id}")).text
    assert f'<a href="/deals/{deal.id}">Renewal</a>' in page
    deal_tasks = (await client.get(f"/deals/{deal.id}/related/tasks")).text
    assert "Send quote" in deal_tasks


async def test_delete_with_confirmation(signed_in, client):
    me = await signed_in("Manager")
    account = await f.make_account(me, name="Gone soon")
    page = (await client.get(f"/accounts/{account.id}")).text
    assert f'href="/accounts/{account.id}/delete" id="delete-record"' in page
    confirm = await client.get(f"/accounts/{account.id}/delete")
    assert confirm.status_code == 200 and "Gone soon" in confirm.text
    response = await post(client, f"/accounts/{account.id}/delete", htmx=True)
    assert response.headers["HX-Location"] == "/accounts"
    assert (await client.get(f"/accounts/{account.id}")).status_code == 404
    other = await f.make_account(me)
    plain = await post(client, f"/accounts/{other.id}/delete")
    assert plain.status_code == 303 and plain.headers["location"] == "/accounts"


async def test_sales_may_not_delete(signed_in, client):
    me = await signed_in("Sales")
    account = await f.make_account(me)
    assert 'id="delete-record"' not in (await client.get(f"/accounts/{account.id}")).text
    refused = await post(client, f"/accounts/{account.id}/delete")
    assert refused.status_code == 403
