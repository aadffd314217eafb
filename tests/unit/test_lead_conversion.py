"""Lead conversion (app.services.lead_conversion): what the page offers, what a conversion makes
and moves, and what it refuses without leaving anything half-written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.errors import Conflict, PermissionDenied, ValidationError
from app.models import (
    Access,
    Account,
    BooksContact,
    Contact,
    Deal,
    DealContact,
    EmailLink,
    Event,
    EventAttendee,
    Grant,
    Lead,
    RelatedType,
    Role,
    Task,
)
from app.permissions import Principal
from app.services import lead_conversion as conversion
from app.services.leads import leads
from app.services.mail import mail_of
from tests import factories as f


@pytest.fixture
async def user(db):
    return await f.make_user("Sales")


@pytest.fixture
async def sales(user):
    return await Principal.load(user)


async def _role(name: str, grants: set[tuple[str, str]]):
    role = await Role.create(name=name)
    await Grant.bulk_create([Grant(role=role, module=m, action=a) for m, a in grants])
    return await Principal.load(await f.make_user(name))


async def test_offer_matches_the_account_by_company_name_width_normalised(sales, user):
    other = await f.make_user("Sales")
    mine = await f.make_account(user, name="ＡＢＣ 商事")  # full-width, with a space
    await f.make_account(other, name="ABC商事")  # not visible to the user
    await f.make_account(user, name="ABC商事株式会社")  # a longer name is another company
    lead = await f.make_lead(user, company="abc商事", email="Hanako@Example.jp")
    same = await f.make_contact(user, email="hanako@example.jp")
    second = await f.make_contact(user, email="x@example.jp", secondary_email="HANAKO@example.jp")
    await f.make_contact(other, email="hanako@example.jp")  # hidden: not offered

    offer = await conversion.offer(sales, lead.id)
    assert offer.account.id == mine.id
    assert [a.id for a in offer.same_name_accounts] == [mine.id]
    assert [c.id for c in offer.same_email_contacts] == [same.id, second.id]
    assert offer.account_name == "abc商事"
    assert offer.may_create_account and offer.may_create_deal

    nothing = await conversion.offer(sales, (await f.make_lead(user, company="新規会社")).id)
    assert nothing.account is None and nothing.same_name_accounts == [] and nothing.same_email_contacts == []


async def test_convert_creates_contact_account_and_deal_and_moves_what_the_lead_had(sales, user):
    lead = await f.make_lead(user, first_name="花子", last_name="山田", company="山田工業", email="hanako@yamada.jp",
                             phone="03-1234-5678", mobile="090-0000-0000", description="展示会で名刺交換")
    task = await f.make_task(user, related_type=RelatedType.LEAD, related_id=lead.id)
    event = await f.make_event(user, related_type=RelatedType.LEAD, related_id=lead.id)
    meeting = await f.make_event(user, subject="打ち合わせ")
    await EventAttendee.create(event=meeting, lead=lead)
    other_task = await f.make_task(user, related_type=RelatedType.LEAD, related_id=(await f.make_lead(user)).id)
    mailbox = await f.make_mailbox(user)
    by_address = await f.make_email(mailbox, sender="hanako@yamada.jp", subject="見積の件")
    by_hand = await f.make_email(mailbox, sender="someone@else.example", subject="転送")
    await EmailLink.create(email=by_hand, lead=lead)

    done = await conversion.convert(sales, lead.id, {
        "account_name": "山田工業",
        "deal": {"name": "山田工業 初回", "amount": "500000", "stage_id": (await f.stage()).id,
                 "closing_date": "2030-01-31"},
    })
    contact, account, deal = done.contact, done.account, done.deal
    assert done.contact_created and done.account_created
    assert (contact.last_name, contact.first_name, contact.email, contact.work_phone, contact.mobile) == (
        "山田", "花子", "hanako@yamada.jp", "03-1234-5678", "090-0000-0000")
    assert contact.description == "展示会で名刺交換"
    assert contact.account_id == account.id and account.name == "山田工業"
    assert deal.name == "山田工業 初回" and deal.amount == Decimal("500000") and deal.account_id == account.id
    assert await DealContact.filter(deal_id=deal.id, contact_id=contact.id).exists()

    lead = await Lead.get(id=lead.id)
    assert lead.converted_at is not None
    assert (lead.converted_contact_id, lead.converted_account_id, lead.converted_deal_id) == (
        contact.id, account.id, deal.id)
    to_contact = (RelatedType.CONTACT, contact.id)
    assert ((await Task.get(id=task.id)).related_type, (await Task.get(id=task.id)).related_id) == to_contact
    assert ((await Event.get(id=event.id)).related_type, (await Event.get(id=event.id)).related_id) == to_contact
    assert (await Task.get(id=other_task.id)).related_type == RelatedType.LEAD  # another lead's stays
    attendance = await EventAttendee.get(event_id=meeting.id)
    assert (attendance.contact_id, attendance.lead_id) == (contact.id, None)
    assert done.moved == {"tasks": 1, "events": 1, "attendances": 1, "mail": 1}
    # The contact's Mail: by its address, and what was added to the lead by hand.
    subjects = {e.subject for e in await (await mail_of(sales, contact))}
    assert subjects == {by_address.subject, by_hand.subject}


async def test_convert_into_existing_contact_and_account(sales, user):
    account = await f.make_account(user, name="既存商事")
    contact = await f.make_contact(user, email="dup@example.jp", description="古いメモ", mobile="")
    lead = await f.make_lead(user, email="dup@example.jp", mobile="080-1111-2222", description="新しいメモ",
                             company="既存商事")
    meeting = await f.make_event(user)
    await EventAttendee.create(event=meeting, contact=contact)
    await EventAttendee.create(event=meeting, lead=lead)  # both attend: one attendance stays
    mailbox = await f.make_mailbox(user)
    mail = await f.make_email(mailbox, sender="x@other.example")
    await EmailLink.create(email=mail, contact=contact)
    await EmailLink.create(email=mail, lead=lead)

    done = await conversion.convert(sales, lead.id, {"account_id": account.id, "contact_id": contact.id})
    assert not done.contact_created and not done.account_created and done.deal is None
    merged = await Contact.get(id=contact.id)
    assert merged.description == "古いメモ\n\n新しいメモ"
    assert merged.mobile == "080-1111-2222" and merged.account_id == account.id
    assert await Contact.all().count() == 1 and await Account.all().count() == 1
    assert await EventAttendee.filter(event_id=meeting.id).count() == 1
    assert await EmailLink.filter(email_id=mail.id).values_list("contact_id", "lead_id") == [(contact.id, None)]


async def test_converting_twice_is_refused_and_status_stays(sales, user):
    lead = await f.make_lead(user, company="一回だけ")
    await conversion.convert(sales, lead.id, {"account_name": "一回だけ"})
    with pytest.raises(Conflict) as err:
        await conversion.convert(sales, lead.id, {"account_name": "一回だけ"})
    assert err.value.message == "This lead has already been converted."
    with pytest.raises(Conflict):
        await conversion.offer(sales, lead.id)
    assert await Contact.all().count() == 1 and await Account.all().count() == 1
    assert not conversion.may_convert(sales, await Lead.get(id=lead.id))
    with pytest.raises(Conflict):
        await leads.update(sales, lead.id, {"status": "new"})
    await leads.update(sales, lead.id, {"description": "その後も連絡あり"})  # other fields may change


async def _nothing_written(lead: Lead) -> None:
    assert await Contact.all().count() == 0
    assert await Account.all().count() == 0
    assert await Deal.all().count() == 0
    assert (await Lead.get(id=lead.id)).converted_at is None
    assert (await Task.get(related_id=lead.id)).related_type == RelatedType.LEAD


@pytest.mark.parametrize("grants,data,message", [
    ({("leads", "view"), ("leads", "create_edit"), ("contacts", "view")}, {},
     "You may not create contacts, so this lead cannot be converted."),
    ({("leads", "view"), ("leads", "create_edit"), ("contacts", "view"), ("contacts", "create_edit"),
      ("accounts", "view")}, {"account_name": "新しい会社"},
     "You may not create accounts: choose an existing account."),
    ({("leads", "view"), ("leads", "create_edit"), ("contacts", "view"), ("contacts", "create_edit"),
      ("accounts", "view"), ("accounts", "create_edit"), ("deals", "view")},
     {"account_name": "新しい会社", "deal": {"name": "x"}}, "You may not create deals: convert without a deal."),
])
async def test_a_refused_part_refuses_the_whole_conversion(db, grants, data, message):
    principal = await _role("Partial", grants)
    lead = await f.make_lead(principal.user, company="新しい会社")
    await f.make_task(principal.user, related_type=RelatedType.LEAD, related_id=lead.id)
    with pytest.raises(PermissionDenied) as err:
        await conversion.convert(principal, lead.id, data)
    assert err.value.message == message
    await _nothing_written(lead)


async def test_an_invalid_deal_leaves_nothing_half_written(sales, user):
    lead = await f.make_lead(user, company="途中で失敗")
    await f.make_task(user, related_type=RelatedType.LEAD, related_id=lead.id)
    with pytest.raises(ValidationError) as err:
        await conversion.convert(sales, lead.id, {
            "account_name": "途中で失敗", "deal": {"name": "", "amount": "-5", "stage_id": (await f.stage()).id}})
    assert {e.field for e in err.value.errors} == {"deal.name", "deal.amount"}
    await _nothing_written(lead)
    assert await BooksContact.all().count() == 0


async def test_hidden_or_read_only_records_are_not_chosen(sales, user):
    other = await f.make_user("Sales")
    hidden_account = await f.make_account(other)
    read_only = await f.make_contact(other, email="ro@example.jp")
    await f.share("contacts", Access.READ_ONLY, owner=other, grantee=user)
    sales = await Principal.load(user)  # with the rule
    lead = await f.make_lead(user, email="ro@example.jp")
    with pytest.raises(ValidationError) as err:
        await conversion.convert(sales, lead.id, {"account_id": hidden_account.id})
    assert err.value.errors[0].field == "account_id"
    with pytest.raises(PermissionDenied):
        await conversion.convert(sales, lead.id, {"contact_id": read_only.id})
    with pytest.raises(ValidationError):
        await conversion.convert(sales, lead.id, {"bogus": 1})
    for garbage in ({"account_id": "abc"}, {"contact_id": "1e3"}, {"contact_id": 2**70}, {"deal": "x"}):
        with pytest.raises(ValidationError):
            await conversion.convert(sales, lead.id, garbage)
    assert (await Lead.get(id=lead.id)).converted_at is None
    assert await Contact.all().count() == 1


async def test_a_lead_shared_read_only_is_not_offered_for_conversion(sales, user):
    other = await f.make_user("Sales")
    lead = await f.make_lead(other)
    await f.share("leads", Access.READ_ONLY, owner=other, grantee=user)
    reader = await Principal.load(user)
    assert not conversion.may_convert(reader, lead)
    with pytest.raises(PermissionDenied):
        await conversion.convert(reader, lead.id, {})
    assert conversion.may_convert(await Principal.load(other), lead)
