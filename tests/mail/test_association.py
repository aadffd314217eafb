"""Seed 004's deal association rules, through the real store: an e-mail stored for a contact goes
to the right deal, or to none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.models import Deal, EmailDeal, StageCategory
from app.permissions import Principal
from app.services import mail, mailboxes
from tests.factories import make_contact, make_deal, make_email, make_mailbox, make_user, stage

pytestmark = pytest.mark.usefixtures("db")

NOW = datetime.now(UTC)
CONNECTED = NOW - timedelta(days=30)  # the mailbox's first import
OLD = NOW - timedelta(days=200)  # mail older than that


@pytest.fixture(autouse=True)
def no_jobs(monkeypatch):
    async def nothing(mailbox_id):
        return None

    monkeypatch.setattr(mailboxes, "request_sync", nothing)


async def _deal_of(email) -> int | None:
    link = await EmailDeal.get_or_none(email_id=email.id)
    return link.deal_id if link else None


async def _modified(deal: Deal, when: datetime) -> None:
    await Deal.filter(id=deal.id).update(modified_at=when)


async def _created(deal: Deal, when: datetime) -> None:
    await Deal.filter(id=deal.id).update(created_at=when)


async def _setup():
    user = await make_user()
    box = await make_mailbox(user, connected_at=CONNECTED)
    contact = await make_contact(user, email="Taro.Yamada@Customer.example")
    return user, box, contact


async def test_one_open_deal_receives_the_mail():
    user, box, contact = await _setup()
    deal = await make_deal(user, [contact])
    email = await make_email(box, sender="taro.yamada@customer.example", to=(user.email,))
    assert await _deal_of(email) == deal.id


async def test_several_open_deals_the_most_recently_modified_wins():
    user, box, contact = await _setup()
    older = await make_deal(user, [contact])
    newer = await make_deal(user, [contact])
    await _modified(older, NOW - timedelta(days=1))
    await _modified(newer, NOW - timedelta(days=2))
    email = await make_email(box, sender=contact.email, to=(user.email,))
    assert await _deal_of(email) == older.id


async def test_lost_deals_never_receive_mail_which_stays_on_the_contact():
    user, box, contact = await _setup()
    await make_deal(user, [contact], stage=await stage(StageCategory.LOST))
    email = await make_email(box, sender=contact.email, to=(user.email,))
    assert await _deal_of(email) is None
    listed = await mail.page(await mail.mail_of(await Principal.load(user), contact))
    assert [e.id for e in listed] == [email.id]


async def test_won_deals_receive_mail_when_no_deal_is_open():
    user, box, contact = await _setup()
    won_old = await make_deal(user, [contact], stage=await stage(StageCategory.WON))
    won_new = await make_deal(user, [contact], stage=await stage(StageCategory.WON))
    await make_deal(user, [contact], stage=await stage(StageCategory.LOST))
    await _modified(won_old, NOW - timedelta(days=5))
    await _modified(won_new, NOW - timedelta(days=1))
    email = await make_email(box, sender=contact.email, to=(user.email,))
    assert await _deal_of(email) == won_new.id


async def test_an_open_deal_beats_a_more_recent_won_one():
    user, box, contact = await _setup()
    opened = await make_deal(user, [contact])
    won = await make_deal(user, [contact], stage=await stage(StageCategory.WON))
    await _modified(opened, NOW - timedelta(days=9))
    await _modified(won, NOW)
    email = await make_email(box, sender=contact.email, to=(user.email,))
    assert await _deal_of(email) == opened.id


async def test_old_mail_goes_to_the_only_deal_the_contact_had_then():
    user, box, contact = await _setup()
    deal = await make_deal(user, [contact])
    await _created(deal, OLD - timedelta(days=10))
    later = await make_deal(user, [contact])  # created after the mail: did not exist then
    email = await make_email(box, sender=contact.email, to=(user.email,), sent_at=OLD)
    assert await _deal_of(email) == deal.id
    assert later.id != deal.id


async def test_old_mail_with_several_deals_then_stays_unassociated():
    user, box, contact = await _setup()
    for _ in range(2):
        await _created(await make_deal(user, [contact]), OLD - timedelta(days=10))
    email = await make_email(box, sender=contact.email, to=(user.email,), sent_at=OLD)
    assert await _deal_of(email) is None


async def test_old_mail_before_any_deal_existed_stays_unassociated():
    user, box, contact = await _setup()
    await make_deal(user, [contact])  # created now, after the mail
    email = await make_email(box, sender=contact.email, to=(user.email,), sent_at=OLD)
    assert await _deal_of(email) is None


async def test_old_mail_never_goes_to_a_lost_deal():
    user, box, contact = await _setup()
    lost = await make_deal(user, [contact], stage=await stage(StageCategory.LOST))
    await _created(lost, OLD - timedelta(days=10))
    email = await make_email(box, sender=contact.email, to=(user.email,), sent_at=OLD)
    assert await _deal_of(email) is None


async def test_an_association_stays_when_deals_change_and_goes_with_its_deal():
    user, box, contact = await _setup()
    first = await make_deal(user, [contact])
    email = await make_email(box, sender=contact.email, to=(user.email,))
    second = await make_deal(user, [contact])  # now the most recently modified open deal
    first.stage = await stage(StageCategory.LOST)
    await first.save()
    assert await _deal_of(email) == first.id
    assert second.id != first.id
    await first.delete()
    assert await _deal_of(email) is None


async def test_outgoing_mail_goes_by_its_recipient():
    user, box, contact = await _setup()
    deal = await make_deal(user, [contact])
    email = await make_email(box, sender=user.email, to=(contact.email,))
    assert await _deal_of(email) == deal.id


async def test_bulk_and_automatic_mail_is_never_associated():
    user, box, contact = await _setup()
    await make_deal(user, [contact])
    for headers in ({"Precedence": "bulk"}, {"List-Id": "<news.customer.example>"},
                    {"Auto-Submitted": "auto-replied"}):
        email = await make_email(box, sender=contact.email, to=(user.email,), headers=headers)
        assert email.is_bulk
        assert await _deal_of(email) is None


async def test_disabling_a_mailbox_removes_its_associations_and_enabling_predicts_anew():
    user, box, contact = await _setup()
    deal = await make_deal(user, [contact])
    email = await make_email(box, sender=contact.email, to=(user.email,))
    old = await make_email(box, sender=contact.email, to=(user.email,), sent_at=OLD)
    assert await _deal_of(email) == deal.id
    assert await _deal_of(old) is None  # the deal did not exist then
    principal = await Principal.load(user)
    await mailboxes.set_enabled(principal, box.id, False)
    assert await EmailDeal.all().count() == 0
    # Meanwhile the deal's history changes: the prediction runs anew on enabling.
    await _created(deal, OLD - timedelta(days=1))
    await mailboxes.set_enabled(principal, box.id, True)
    assert await _deal_of(email) == deal.id
    assert await _deal_of(old) == deal.id


async def test_disabling_keeps_associations_of_mail_another_enabled_mailbox_holds():
    user, box, contact = await _setup()
    colleague = await make_user()
    other = await make_mailbox(colleague, connected_at=CONNECTED)
    deal = await make_deal(user, [contact])
    same = {"sender": contact.email, "to": (user.email, colleague.email), "message_id": "<same@x>", "sent_at": NOW}
    shared = await make_email(box, **same)
    again = await make_email(other, **same)
    assert again.id == shared.id  # stored once
    await mailboxes.set_enabled(await Principal.load(user), box.id, False)
    assert await _deal_of(shared) == deal.id
