"""Pickers in record forms (views/pickers.py): the search endpoints answer fragments of what the
user may see, chips are added once and removed, and the forms post what they always posted."""

from __future__ import annotations

import re

from app.models import Event, EventAttendee, Grant, RelatedType, Role, Task
from tests import factories as f
from tests.views.conftest import HX, login, post
from tests.views.forms import form_data


def chips(html: str) -> list[tuple[str, str]]:
    """The (input name, value) pairs the chips of a picker carry."""
    return re.findall(r'<input type="hidden" name="(attendee_\w+)" value="([^"]*)">', html)


async def test_attendee_search_finds_what_the_user_may_see_labelled(client, signed_in):
    me = await signed_in("Sales")
    other = await f.make_user("Sales", name="Colleague Sato", email="sato@example.jp")
    account = await f.make_account(me, name="Sakura Trading")
    contact = await f.make_contact(me, last_name="Sato", first_name="Ken", account=account)
    lead = await f.make_lead(me, last_name="Sato", first_name="Yui", company="Fuji Works")
    await f.make_contact(other, last_name="Sato", first_name="Private")
    found = await client.get("/pickers/attendees", params={"attendee_q": "sato"}, headers=HX)
    assert found.status_code == 200 and "<html" not in found.text
    assert f'value="contact:{contact.id}"' in found.text and "Sato Ken (Sakura Trading)" in found.text
    assert f'value="lead:{lead.id}"' in found.text and "Sato Yui (Fuji Works)" in found.text
    assert f'value="user:{other.id}"' in found.text and "Colleague Sato" in found.text
    assert "Private" not in found.text
    nothing = await client.get("/pickers/attendees", params={"attendee_q": "x" * 5000}, headers=HX)
    assert nothing.status_code == 200 and "Nothing found." in nothing.text


async def test_the_search_needs_a_signed_in_user(client):
    response = await client.get("/pickers/related", params={"related_q": "a"}, headers=HX)
    assert response.status_code == 204 and "HX-Redirect" in response.headers


async def test_attendee_chips_are_added_once_and_removed(client, signed_in):
    me = await signed_in("Sales")
    contact = await f.make_contact(me, last_name="Ito")
    url = "/pickers/attendees/editor"
    added = await client.get(url, params={"add": f"contact:{contact.id}"}, headers=HX)
    assert chips(added.text) == [("attendee_contacts", str(contact.id))]
    again = await client.get(url, params={"attendee_contacts": str(contact.id), "add": f"contact:{contact.id}"},
                             headers=HX)
    assert chips(again.text) == [("attendee_contacts", str(contact.id))]
    email = await client.get(url, params={"attendee_contacts": str(contact.id), "attendee_q": " Guest@Example.com ",
                                          "add_email": "1"}, headers=HX)
    assert chips(email.text) == [("attendee_contacts", str(contact.id)), ("attendee_emails", "Guest@Example.com")]
    same = await client.get(url, params={"attendee_emails": "Guest@Example.com", "attendee_q": "guest@example.com",
                                         "add_email": "1"}, headers=HX)
    assert chips(same.text) == [("attendee_emails", "Guest@Example.com")]
    removed = await client.get(url, params={"attendee_contacts": str(contact.id), "attendee_emails": "a@b.jp",
                                            "remove": f"contact:{contact.id}"}, headers=HX)
    assert chips(removed.text) == [("attendee_emails", "a@b.jp")]
    bad = await client.get(url, params={"attendee_q": "not an address", "add_email": "1"}, headers=HX)
    assert "Enter a valid e-mail address." in bad.text and 'value="not an address"' in bad.text
    assert chips(bad.text) == []


async def test_a_record_the_user_may_not_see_cannot_be_picked(client, signed_in):
    await signed_in("Sales")
    other = await f.make_user("Sales")
    hidden_contact, hidden_deal = await f.make_contact(other), await f.make_deal(other)
    add = await client.get("/pickers/attendees/editor", params={"add": f"contact:{hidden_contact.id}"}, headers=HX)
    assert add.status_code == 404
    choose = await client.get("/pickers/related/choose", params={"pick": f"deal:{hidden_deal.id}"}, headers=HX)
    assert choose.status_code == 404
    gone = await f.make_user("Sales", is_active=False)
    left = await client.get("/pickers/attendees/editor", params={"add": f"user:{gone.id}"}, headers=HX)
    assert left.status_code == 404  # one who left is not invited (one already attending stays)
    for junk in ("deal:x", "user:1", "deal:99999999999999999999", "nonsense"):
        response = await client.get("/pickers/related/choose", params={"pick": junk}, headers=HX)
        assert response.status_code == 404, junk


async def test_related_search_shows_the_kind_and_choosing_fills_type_and_id(client, signed_in):
    me = await signed_in("Sales")
    account = await f.make_account(me, name="Renewal Partners")
    deal = await f.make_deal(me, name="Renewal 2027", account=account)
    found = (await client.get("/pickers/related", params={"related_q": "renewal"}, headers=HX)).text
    assert f'value="account:{account.id}"' in found and f'value="deal:{deal.id}"' in found
    assert re.search(r'<span class="chip-kind">Deal</span> Renewal 2027 \(Renewal Partners\)', found)
    chosen = (await client.get("/pickers/related/choose", params={"pick": f"deal:{deal.id}"}, headers=HX)).text
    assert 'name="related_type" value="deal"' in chosen and f'name="related_id" value="{deal.id}"' in chosen
    assert "Renewal 2027 (Renewal Partners)" in chosen
    cleared = (await client.get("/pickers/related/choose", headers=HX)).text
    assert 'name="related_type" value=""' in cleared and 'name="related_id" value=""' in cleared


async def test_event_form_posts_chips_as_before_and_shows_them_again(client, signed_in):
    me = await signed_in("Sales")
    colleague = await f.make_user("Sales", name="Colleague")
    contact = await f.make_contact(me, last_name="Mori")
    deal = await f.make_deal(me, name="Big deal")
    form = (await client.get("/events/new")).text
    assert '<label for="attendees">Attendees</label>' in form and 'id="attendees" name="attendee_q"' in form
    assert '<label for="related">Related to</label>' in form and 'id="related" name="related_q"' in form
    ok = await post(client, "/events", {
        "subject": "Kick-off", "start_at": "2030-02-01T10:00", "end_at": "2030-02-01T11:00",
        "related_type": "deal", "related_id": str(deal.id), "related_q": "", "attendee_q": "",
        "attendee_contacts": str(contact.id), "attendee_users": str(colleague.id),
        "attendee_emails": ["one@example.com", "two@example.com"]}, htmx=True)
    assert ok.status_code == 200 and "HX-Location" in ok.headers
    event = await Event.get(subject="Kick-off")
    assert (event.related_type, event.related_id) == (RelatedType.DEAL, deal.id)
    rows = await EventAttendee.filter(event_id=event.id).order_by("id").values_list("contact_id", "user_id", "email")
    assert rows == [(contact.id, None, ""), (None, colleague.id, ""), (None, None, "one@example.com"),
                    (None, None, "two@example.com")]
    edit = (await client.get(f"/events/{event.id}/edit")).text
    assert chips(edit) == [("attendee_contacts", str(contact.id)), ("attendee_users", str(colleague.id)),
                           ("attendee_emails", "one@example.com"), ("attendee_emails", "two@example.com")]
    assert 'id="related-chosen">Big deal</span>' in edit
    # Posted back unchanged, nothing changes.
    data: dict[str, list[str]] = {}
    for name, value in form_data(edit, f"/events/{event.id}/edit"):
        data.setdefault(name, []).append(value)
    again = await client.post(f"/events/{event.id}/edit", data=data, headers=HX)
    assert "HX-Location" in again.headers
    assert await EventAttendee.filter(event_id=event.id).order_by("id").values_list(
        "contact_id", "user_id", "email") == rows


async def test_a_task_related_through_the_picker(client, signed_in):
    me = await signed_in("Sales")
    lead = await f.make_lead(me, last_name="Kimura", company="Kimura Shoten")
    ok = await post(client, "/tasks", {"subject": "Call", "status": "not_started", "priority": "normal",
                                       "related_type": "lead", "related_id": str(lead.id), "related_q": "kim"})
    task = await Task.get(subject="Call")
    assert ok.status_code == 303 and (task.related_type, task.related_id) == (RelatedType.LEAD, lead.id)
    edit = (await client.get(f"/tasks/{task.id}/edit")).text
    assert 'id="related-chosen">Kimura (Kimura Shoten)</span>' in edit


async def test_deal_contacts_list_the_accounts_contacts_first(client, signed_in):
    me = await signed_in("Sales")
    account = await f.make_account(me, name="Sakura Trading")
    outsider = await f.make_contact(me, last_name="Abe")
    staff = await f.make_contact(me, last_name="Yoshida", account=account)
    editor = await client.get("/deals/contacts-editor", params={
        "account_id": str(account.id), "contacts-0-contact_id": str(outsider.id), "contacts-0-role": "Evaluator"},
        headers=HX)
    assert editor.status_code == 200 and 'id="deal-contacts"' in editor.text
    first_group, rest = editor.text.split('label="Other contacts"', 1)
    assert "Contacts of the account" in first_group and "Yoshida Taro (Sakura Trading)" in first_group
    assert f'<option value="{outsider.id}" selected>Abe Taro</option>' in rest
    assert 'value="Evaluator"' in editor.text
    deal = await f.make_deal(me, account=account)
    edit = (await client.get(f"/deals/{deal.id}/edit")).text.split('id="deal-contacts"', 1)[1]
    assert edit.index(f'<option value="{staff.id}"') < edit.index(f'<option value="{outsider.id}"')
    # No account: one list.
    plain = (await client.get("/deals/contacts-editor", headers=HX)).text
    assert "Other contacts" not in plain and "Abe Taro" in plain


async def test_a_cases_contact_select_tells_namesakes_apart(client, signed_in):
    me = await signed_in("Sales")
    a, b = await f.make_account(me, name="North"), await f.make_account(me, name="South")
    await f.make_contact(me, last_name="Ono", account=a)
    await f.make_contact(me, last_name="Ono", account=b)
    form = (await client.get("/cases/new")).text
    assert "Ono Taro (North)" in form and "Ono Taro (South)" in form


async def test_a_role_without_deals_or_contacts_finds_none_and_edits_no_deal(client):
    role = await Role.create(name="Leads only")
    await Grant.bulk_create([Grant(role=role, module="leads", action=a) for a in ("view", "create_edit")])
    user = await f.make_user("Leads only")
    owner = await f.make_user("Administrator")
    await f.make_contact(user, last_name="Hayashi")  # owned by the user, but contacts are not theirs to see
    lead = await f.make_lead(user, last_name="Hayashi")
    await f.make_deal(owner, name="Hayashi deal")
    await login(client, user)
    found = (await client.get("/pickers/related", params={"related_q": "hayashi"}, headers=HX)).text
    assert re.findall(r'value="(\w+:\d+)"', found) == [f"lead:{lead.id}"]
    assert (await client.get("/deals/contacts-editor", headers=HX)).status_code == 403
