"""Validation rules of the record services: lengths, required fields, formats, money, relations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.errors import ValidationError
from app.models import Contact, Deal, DealContact, Event, EventAttendee, StageCategory, Task
from app.permissions import Principal
from app.services.accounts import accounts
from app.services.activities import events, tasks
from app.services.contacts import contacts
from app.services.deals import deals
from tests import factories as f

CONTACT_LIMITS = {
    "first_name": 40, "last_name": 80, "title": 100, "department": 50, "work_phone": 50,
    "home_phone": 30, "other_phone": 30, "mobile": 30, "fax": 30, "assistant": 50,
    "assistant_phone": 30, "reports_to": 50, "mailing_street": 250, "mailing_city": 30,
    "mailing_state": 30, "mailing_code": 30, "mailing_country": 30, "other_street": 250,
    "other_country": 30, "description": 32_000,
}


@pytest.fixture
async def sales(db):
    return await Principal.load(await f.make_user("Sales"))


@pytest.mark.parametrize("field,limit", sorted(CONTACT_LIMITS.items()))
async def test_contact_lengths_enforced_with_clear_errors(sales, field, limit):
    data = {"last_name": "山田", field: "あ" * limit}
    ok = await contacts.create(sales, data)
    assert getattr(ok, field) == "あ" * limit
    data[field] = "あ" * (limit + 1)
    with pytest.raises(ValidationError) as err:
        await contacts.create(sales, data)
    [e] = err.value.errors
    assert e.field == field
    assert e.message == f"Must be at most {limit} characters (now {limit + 1})."
    assert await Contact.all().count() == 1  # nothing half-written


async def test_required_email_and_date_formats(sales):
    with pytest.raises(ValidationError) as err:
        await contacts.create(sales, {"first_name": "Taro", "email": "not-an-address", "birthday": "1990-13-01"})
    by_field = {e.field: e.message for e in err.value.errors}
    assert by_field == {
        "last_name": "This field is required.",
        "email": "Enter a valid e-mail address.",
        "birthday": "Enter a valid date (YYYY-MM-DD).",
    }
    with pytest.raises(ValidationError) as err:
        await contacts.create(sales, {"last_name": "X", "nickname": "x"})
    assert err.value.errors[0].field == "nickname"


async def test_update_keeps_unsent_fields_and_checks_required(sales):
    c = await contacts.create(sales, {"last_name": "佐藤", "first_name": "花子", "email": "hanako@example.jp"})
    c = await contacts.update(sales, c.id, {"title": "部長"})
    assert (c.last_name, c.email, c.title) == ("佐藤", "hanako@example.jp", "部長")
    with pytest.raises(ValidationError):
        await contacts.update(sales, c.id, {"last_name": "  "})
    assert (await Contact.get(id=c.id)).last_name == "佐藤"


async def test_account_requires_name_within_200(sales):
    with pytest.raises(ValidationError):
        await accounts.create(sales, {"name": "x" * 201})
    acc = await accounts.create(sales, {"name": "株式会社さくら商事", "billing_city": "東京都"})
    assert acc.owner_id == sales.user.id


async def test_deal_amounts_follow_the_currency_minor_unit(sales):
    stage = await f.stage(StageCategory.OPEN)
    with pytest.raises(ValidationError) as err:
        await deals.create(sales, {"name": "D", "stage_id": stage.id, "amount": "1000.5"})
    assert err.value.errors[0].message == "JPY amounts allow 0 decimal places."
    deal = await deals.create(sales, {"name": "D", "stage_id": stage.id, "amount": "1,200,000"})
    assert deal.amount == Decimal("1200000") and deal.currency == "JPY"
    usd = await deals.create(sales, {"name": "U", "stage_id": stage.id, "amount": "10.25", "currency": "usd"})
    assert usd.currency == "USD"
    with pytest.raises(ValidationError) as err:
        await deals.create(sales, {"name": "N", "stage_id": stage.id, "amount": "-1"})
    assert err.value.errors[0].field == "amount"
    with pytest.raises(ValidationError) as err:
        await deals.create(sales, {"name": "C", "stage_id": stage.id, "currency": "XXX"})
    assert err.value.errors[0].field == "currency"


async def test_deal_contacts_with_roles_replaced_atomically(sales):
    stage = await f.stage()
    c1 = await f.make_contact(sales.user)
    c2 = await f.make_contact(sales.user)
    hidden = await f.make_contact(await f.make_user("Sales"))
    deal = await deals.create(sales, {
        "name": "Big deal", "stage_id": stage.id,
        "contacts": [{"contact_id": c1.id, "role": "決裁者"}, {"contact_id": c2.id, "role": ""}],
    })
    links = await DealContact.filter(deal_id=deal.id).order_by("contact_id").values_list("contact_id", "role")
    assert links == [(c1.id, "決裁者"), (c2.id, "")]
    with pytest.raises(ValidationError) as err:
        await deals.update(sales, deal.id, {"name": "Renamed", "contacts": [{"contact_id": hidden.id}]})
    assert err.value.errors[0].field == "contacts.0.contact_id"
    assert (await Deal.get(id=deal.id)).name == "Big deal"
    assert await DealContact.filter(deal_id=deal.id).count() == 2


async def test_task_dates_and_related_record(sales):
    acc = await f.make_account(sales.user)
    with pytest.raises(ValidationError) as err:
        await tasks.create(sales, {"subject": "Call", "start_date": "2026-12-10", "due_date": "2026-12-01"})
    assert err.value.errors[0].field == "due_date"
    with pytest.raises(ValidationError) as err:
        await tasks.create(sales, {"subject": "Call", "related_type": "account"})
    assert err.value.errors[0].field == "related_id"
    t = await tasks.create(sales, {"subject": "Call", "related_type": "account", "related_id": acc.id,
                                    "priority": "high"})
    assert (t.related_type, t.related_id) == ("account", acc.id)
    with pytest.raises(ValidationError) as err:
        await tasks.create(sales, {"subject": "x", "priority": "urgent"})
    assert err.value.errors[0].message == "Choose one of the offered values."
    await accounts.delete(await Principal.load(await f.make_user("Manager")), acc.id)
    assert not await Task.exists(id=t.id)


async def test_event_times_are_the_users_wall_clock_and_attendees_checked(sales):
    contact = await f.make_contact(sales.user)
    other = await f.make_user("Sales")
    ev = await events.create(sales, {
        "subject": "打ち合わせ", "start_at": "2026-12-01T10:00", "end_at": "2026-12-01T11:00",
        "attendees": [{"contact_id": contact.id}, {"user_id": other.id}, {"email": "guest@example.com"}],
    })
    stored = await Event.get(id=ev.id)
    assert stored.start_at == datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert stored.start_at.utcoffset() is not None
    assert await EventAttendee.filter(event_id=ev.id).count() == 3
    with pytest.raises(ValidationError) as err:
        await events.create(sales, {
            "subject": "x", "start_at": "2026-12-01T10:00", "end_at": "2026-12-01T09:00",
            "attendees": [{"email": "nope"}, {"contact_id": contact.id, "email": "a@b.cd"}],
        })
    fields = {e.field for e in err.value.errors}
    assert fields == {"end_at", "attendees.0.email", "attendees.1"}
    assert await Event.all().count() == 1
