"""Edits through GraphQL keep the links the editor cannot see (issue 10, section 4).

Two Sales users: sales2's accounts, contacts, leads and deals are hidden from sales1, whose
records (or sales2's, shared read-write) link to them."""

from __future__ import annotations

from app.models import Access, Case, Contact, Deal, DealContact, EventAttendee, Task
from app.models import Event as EventModel
from app.models import RelatedType
from tests import factories as f
from tests.graphql.conftest import gid

RESULT = """__typename ... on ValidationError { fields { path message } }
  ... on PermissionDenied { message } ... on NotFound { message }"""
UPDATE_DEAL = f"""mutation($id: ID!, $input: DealInput!) {{ updateDeal(id: $id, input: $input) {{
  {RESULT} ... on DealPayload {{ deal {{ name account {{ id }} }} }} }} }}"""
UPDATE_CONTACT = f"""mutation($id: ID!, $input: ContactInput!) {{ updateContact(id: $id, input: $input) {{
  {RESULT} ... on ContactPayload {{ contact {{ lastName }} }} }} }}"""
UPDATE_CASE = f"""mutation($id: ID!, $input: CaseInput!) {{ updateCase(id: $id, input: $input) {{
  {RESULT} ... on CasePayload {{ case {{ subject }} }} }} }}"""
UPDATE_TASK = f"""mutation($id: ID!, $input: TaskInput!) {{ updateTask(id: $id, input: $input) {{
  {RESULT} ... on TaskPayload {{ task {{ subject }} }} }} }}"""
UPDATE_EVENT = f"""mutation($id: ID!, $input: EventInput!) {{ updateEvent(id: $id, input: $input) {{
  {RESULT} ... on EventPayload {{ event {{ subject }} }} }} }}"""


async def two_sales():
    return await f.make_user("Sales"), await f.make_user("Sales")


async def contact_links(deal: Deal) -> dict[int, str]:
    return dict(await DealContact.filter(deal_id=deal.id).values_list("contact_id", "role"))


async def test_update_deal_keeps_hidden_account_and_contacts(gql):
    sales1, sales2 = await two_sales()
    hidden_account = await f.make_account(sales2)
    hidden_contact = await f.make_contact(sales2)
    mine, other_mine = await f.make_contact(sales1), await f.make_contact(sales1)
    deal = await f.make_deal(sales1, [hidden_contact, mine], account=hidden_account)

    # Re-saving what sales1 sees: no account (null), the one contact they see, renamed.
    data = await gql(sales1, UPDATE_DEAL, {"id": gid("Deal", deal.id), "input": {
        "name": "Renamed", "accountId": None,
        "contacts": [{"contactId": gid("Contact", mine.id), "role": "Champion"}]}})
    assert data["updateDeal"] == {"__typename": "DealPayload", "deal": {"name": "Renamed", "account": None}}
    assert (await Deal.get(id=deal.id)).account_id == hidden_account.id
    assert await contact_links(deal) == {hidden_contact.id: "Decision maker", mine.id: "Champion"}

    # Replacing the visible contacts replaces only those; repeating the hidden id is no error.
    data = await gql(sales1, UPDATE_DEAL, {"id": gid("Deal", deal.id), "input": {
        "accountId": gid("Account", hidden_account.id),
        "contacts": [{"contactId": gid("Contact", hidden_contact.id), "role": "Changed?"},
                     {"contactId": gid("Contact", other_mine.id)}]}})
    assert data["updateDeal"]["__typename"] == "DealPayload"
    assert await contact_links(deal) == {hidden_contact.id: "Decision maker", other_mine.id: ""}
    assert (await Deal.get(id=deal.id)).account_id == hidden_account.id

    # An empty list clears what sales1 sees, nothing else.
    await gql(sales1, UPDATE_DEAL, {"id": gid("Deal", deal.id), "input": {"contacts": []}})
    assert await contact_links(deal) == {hidden_contact.id: "Decision maker"}

    # A hidden record not linked yet is still refused, and a visible account replaces the link.
    stranger = await f.make_contact(sales2)
    data = await gql(sales1, UPDATE_DEAL, {"id": gid("Deal", deal.id), "input": {
        "contacts": [{"contactId": gid("Contact", stranger.id)}]}})
    assert data["updateDeal"] == {"__typename": "ValidationError", "fields": [
        {"path": "contacts.0.contactId", "message": "Choose a valid record."}]}
    visible_account = await f.make_account(sales1)
    await gql(sales1, UPDATE_DEAL, {"id": gid("Deal", deal.id), "input": {
        "accountId": gid("Account", visible_account.id)}})
    assert (await Deal.get(id=deal.id)).account_id == visible_account.id


async def test_read_write_share_keeps_the_owners_hidden_links(gql):
    sales1, sales2 = await two_sales()
    await f.share("deals", Access.READ_WRITE, owner=sales2, grantee=sales1)
    account = await f.make_account(sales2)  # accounts and contacts are not shared
    contact = await f.make_contact(sales2)
    deal = await f.make_deal(sales2, [contact], account=account)
    data = await gql(sales1, UPDATE_DEAL, {"id": gid("Deal", deal.id), "input": {
        "name": "Edited by sales1", "accountId": None, "contacts": []}})
    assert data["updateDeal"]["__typename"] == "DealPayload"
    saved = await Deal.get(id=deal.id)
    assert (saved.name, saved.account_id) == ("Edited by sales1", account.id)
    assert await contact_links(deal) == {contact.id: "Decision maker"}


async def test_contact_account_and_case_contact_are_kept(gql):
    sales1, sales2 = await two_sales()
    account = await f.make_account(sales2)
    contact = await f.make_contact(sales1, account=account)
    data = await gql(sales1, UPDATE_CONTACT, {"id": gid("Contact", contact.id),
                                              "input": {"lastName": "Yamada", "accountId": None}})
    assert data["updateContact"]["__typename"] == "ContactPayload"
    assert (await Contact.get(id=contact.id)).account_id == account.id

    hidden_contact = await f.make_contact(sales2)
    case = await f.make_case(sales1, contact=hidden_contact)
    for given in (None, gid("Contact", hidden_contact.id)):
        data = await gql(sales1, UPDATE_CASE, {"id": gid("Case", case.id),
                                               "input": {"subject": "Still open", "contactId": given}})
        assert data["updateCase"] == {"__typename": "CasePayload", "case": {"subject": "Still open"}}
        assert (await Case.get(id=case.id)).contact_id == hidden_contact.id


async def test_task_and_event_with_a_hidden_related_record_can_be_saved(gql):
    sales1, sales2 = await two_sales()
    hidden_deal = await f.make_deal(sales2)
    task = await f.make_task(sales1, related_type=RelatedType.DEAL, related_id=hidden_deal.id)
    for given in ({}, {"relatedTo": gid("Deal", hidden_deal.id)}):
        data = await gql(sales1, UPDATE_TASK, {"id": gid("Task", task.id), "input": {"subject": "Call", **given}})
        assert data["updateTask"] == {"__typename": "TaskPayload", "task": {"subject": "Call"}}
        saved = await Task.get(id=task.id)
        assert (saved.related_type, saved.related_id) == (RelatedType.DEAL, hidden_deal.id)
    # null clears the link only when the editor can see it; a visible record replaces it.
    await gql(sales1, UPDATE_TASK, {"id": gid("Task", task.id), "input": {"relatedTo": None}})
    assert (await Task.get(id=task.id)).related_id == hidden_deal.id
    mine = await f.make_deal(sales1)
    await gql(sales1, UPDATE_TASK, {"id": gid("Task", task.id), "input": {"relatedTo": gid("Deal", mine.id)}})
    assert (await Task.get(id=task.id)).related_id == mine.id

    hidden_contact, hidden_lead = await f.make_contact(sales2), await f.make_lead(sales2)
    event = await f.make_event(sales1, related_type=RelatedType.DEAL, related_id=hidden_deal.id)
    await EventAttendee.create(event=event, contact=hidden_contact)
    await EventAttendee.create(event=event, lead=hidden_lead)
    data = await gql(sales1, UPDATE_EVENT, {"id": gid("Event", event.id), "input": {
        "subject": "Visit", "attendees": [{"leadId": gid("Lead", hidden_lead.id)}, {"email": "a@example.jp"}]}})
    assert data["updateEvent"] == {"__typename": "EventPayload", "event": {"subject": "Visit"}}
    saved = await EventModel.get(id=event.id)
    assert saved.related_id == hidden_deal.id
    kept = await EventAttendee.filter(event_id=event.id).order_by("id").values_list("contact_id", "lead_id", "email")
    assert kept == [(hidden_contact.id, None, ""), (None, hidden_lead.id, ""), (None, None, "a@example.jp")]
