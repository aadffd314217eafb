"""Writing through GraphQL: results are unions of a payload and typed errors; rules stay in services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.models import Access, Contact, Deal, DealContact, EventAttendee, Task
from tests import factories as f
from tests.graphql.conftest import gid

CREATE_CONTACT = """mutation($input: ContactInput!) { createContact(input: $input) {
  __typename
  ... on ContactPayload { contact { id firstName lastName account { name } owner { id } } }
  ... on ValidationError { message fields { path message } }
  ... on PermissionDenied { message }
} }"""
UPDATE_CONTACT = """mutation($id: ID!, $input: ContactInput!) { updateContact(id: $id, input: $input) {
  __typename
  ... on ContactPayload { contact { lastName email } }
  ... on ValidationError { fields { path message } }
  ... on NotFound { message }
  ... on PermissionDenied { message }
} }"""


async def test_create_update_delete_contact(gql):
    user = await f.make_user("Sales")
    manager = await f.make_user("Manager")
    acme = await f.make_account(user, name="Acme")
    data = await gql(user, CREATE_CONTACT, {"input": {
        "firstName": "Taro", "lastName": "Yamada", "accountId": gid("Account", acme.id)}})
    result = data["createContact"]
    assert result["__typename"] == "ContactPayload"
    contact = result["contact"]
    assert contact["account"] == {"name": "Acme"} and contact["owner"] == {"id": gid("User", user.id)}
    pk = int((await Contact.get(last_name="Yamada")).id)
    assert contact["id"] == gid("Contact", pk)

    # Omitted fields keep their value.
    data = await gql(user, UPDATE_CONTACT, {"id": contact["id"], "input": {"email": "taro@acme.jp"}})
    assert data["updateContact"] == {"__typename": "ContactPayload",
                                      "contact": {"lastName": "Yamada", "email": "taro@acme.jp"}}

    delete = "mutation($id: ID!) { deleteContact(id: $id) { __typename ... on DeletePayload { deletedId } ... on PermissionDenied { message } } }"
    # Sales has no delete grant: the service says so.
    data = await gql(user, delete, {"id": contact["id"]})
    assert data["deleteContact"] == {"__typename": "PermissionDenied", "message": "You do not have permission to do this."}
    data = await gql(manager, delete, {"id": contact["id"]})
    assert data["deleteContact"] == {"__typename": "DeletePayload", "deletedId": contact["id"]}
    assert not await Contact.exists(id=pk)


async def test_validation_errors_have_camel_case_paths(gql):
    user = await f.make_user("Sales")
    data = await gql(user, CREATE_CONTACT, {"input": {
        "firstName": "Taro", "email": "not-an-address", "accountId": "garbage"}})
    result = data["createContact"]
    assert result["__typename"] == "ValidationError"
    assert {e["path"] for e in result["fields"]} == {"accountId"}  # bad ids are caught first
    data = await gql(user, CREATE_CONTACT, {"input": {"firstName": "Taro", "email": "not-an-address"}})
    fields = {e["path"]: e["message"] for e in data["createContact"]["fields"]}
    assert fields == {"lastName": "This field is required.", "email": "Enter a valid e-mail address."}
    assert await Contact.all().count() == 0


async def test_messages_follow_the_request_language(gql):
    """Messages come from app/locale's catalog in the request's negotiated language."""
    user = await f.make_user("Sales")
    data = await gql(user, CREATE_CONTACT, {"input": {}}, headers={"Accept-Language": "ja,en;q=0.5"})
    assert data["createContact"]["fields"] == [{"path": "lastName", "message": "この項目は必須です。"}]
    data = await gql(user, CREATE_CONTACT, {"input": {}}, headers={"Accept-Language": "en-GB,ja;q=0.5"})
    assert data["createContact"]["fields"] == [{"path": "lastName", "message": "This field is required."}]


async def test_deal_with_contacts_and_roles(gql):
    user = await f.make_user("Sales")
    other = await f.make_user("Sales")
    mine = await f.make_contact(user)
    hidden = await f.make_contact(other)
    stage = await f.stage()
    mutation = """mutation($input: DealInput!) { createDeal(input: $input) {
        __typename
        ... on DealPayload { deal { name amount currency stage { name } contacts { role contact { id } } } }
        ... on ValidationError { fields { path message } } } }"""
    base = {"name": "Big", "stageId": gid("Stage", stage.id), "amount": "1200000", "currency": "JPY"}
    data = await gql(user, mutation, {"input": {**base, "contacts": [
        {"contactId": gid("Contact", mine.id), "role": "Decision maker"},
        {"contactId": gid("Contact", hidden.id), "role": "Evaluator"}]}})
    # Contacts the user may not see are refused, with the position of the bad entry.
    assert data["createDeal"] == {"__typename": "ValidationError", "fields": [
        {"path": "contacts.1.contactId", "message": "Choose a valid record."}]}
    data = await gql(user, mutation, {"input": {**base, "amount": "10.5", "contacts": [
        {"contactId": gid("Contact", mine.id), "role": "Decision maker"}]}})
    assert data["createDeal"]["fields"] == [{"path": "amount", "message": "JPY amounts allow 0 decimal places."}]
    data = await gql(user, mutation, {"input": {**base, "contacts": [
        {"contactId": gid("Contact", mine.id), "role": "Decision maker"}]}})
    deal = data["createDeal"]["deal"]
    assert Decimal(deal["amount"]) == Decimal("1200000") and deal["currency"] == "JPY"
    assert deal["contacts"] == [{"role": "Decision maker", "contact": {"id": gid("Contact", mine.id)}}]
    assert await DealContact.filter(deal_id=(await Deal.get(name="Big")).id).count() == 1


async def test_event_attendees_and_task_related_to(gql):
    user = await f.make_user("Sales")
    colleague = await f.make_user("Sales")
    contact = await f.make_contact(user)
    lead = await f.make_lead(user)
    mutation = """mutation($input: EventInput!) { createEvent(input: $input) {
        __typename
        ... on EventPayload { event { relatedTo { __typename } attendees { contact { id } lead { id } user { id } email } } }
        ... on ValidationError { fields { path message } } } }"""
    event = {"subject": "Kick-off", "startAt": "2026-04-01T10:00:00+09:00", "endAt": "2026-04-01T11:00:00+09:00",
             "relatedTo": gid("Contact", contact.id)}
    data = await gql(user, mutation, {"input": {**event, "attendees": [
        {"contactId": gid("Contact", contact.id)}, {"leadId": gid("Lead", lead.id)},
        {"userId": gid("User", colleague.id)}, {"email": "guest@example.jp"}]}})
    result = data["createEvent"]["event"]
    assert result["relatedTo"] == {"__typename": "Contact"}
    assert [a for a in result["attendees"]] == [
        {"contact": {"id": gid("Contact", contact.id)}, "lead": None, "user": None, "email": None},
        {"contact": None, "lead": {"id": gid("Lead", lead.id)}, "user": None, "email": None},
        {"contact": None, "lead": None, "user": {"id": gid("User", colleague.id)}, "email": None},
        {"contact": None, "lead": None, "user": None, "email": "guest@example.jp"},
    ]
    assert await EventAttendee.all().count() == 4
    data = await gql(user, mutation, {"input": {**event, "attendees": [
        {"contactId": gid("Contact", contact.id), "email": "both@example.jp"}, {"email": "bad"}]}})
    assert data["createEvent"]["fields"] == [
        {"path": "attendees.0", "message": "Give exactly one of a contact, a lead, a user or an e-mail address."},
        {"path": "attendees.1.email", "message": "Enter a valid e-mail address."},
    ]

    task = """mutation($input: TaskInput!) { createTask(input: $input) {
        __typename ... on TaskPayload { task { status priority relatedTo { __typename } } }
        ... on ValidationError { fields { path message } } } }"""
    data = await gql(user, task, {"input": {"subject": "Call", "status": "IN_PROGRESS", "relatedTo": gid("Lead", lead.id)}})
    assert data["createTask"]["task"] == {"status": "IN_PROGRESS", "priority": "NORMAL", "relatedTo": {"__typename": "Lead"}}
    data = await gql(user, task, {"input": {"subject": "Call", "relatedTo": gid("User", user.id)}})
    assert data["createTask"]["fields"] == [{"path": "relatedTo", "message": "Choose a valid record."}]
    data = await gql(user, task, {"input": {"subject": "Call", "startDate": "2026-05-02", "dueDate": "2026-05-01"}})
    assert data["createTask"]["fields"] == [{"path": "dueDate", "message": "The due date cannot be before the start date."}]
    assert await Task.all().count() == 1


async def test_read_only_share_update_is_refused_with_its_reason(gql):
    owner = await f.make_user("Sales")
    reader = await f.make_user("Sales")
    contact = await f.make_contact(owner, last_name="Original")
    await f.share("contacts", Access.READ_ONLY, owner=owner, grantee=reader)
    data = await gql(reader, UPDATE_CONTACT, {"id": gid("Contact", contact.id), "input": {"lastName": "Changed"}})
    assert data["updateContact"] == {"__typename": "PermissionDenied",
                                      "message": "This record is shared with you read-only."}
    assert (await Contact.get(id=contact.id)).last_name == "Original"


@pytest.mark.parametrize("bad_id", ["garbage", "QWNjb3VudDox"])  # the second names an Account
async def test_update_with_a_bad_id_is_not_found(gql, bad_id):
    user = await f.make_user("Sales")
    data = await gql(user, UPDATE_CONTACT, {"id": bad_id, "input": {"lastName": "X"}})
    assert data["updateContact"]["__typename"] == "NotFound"
