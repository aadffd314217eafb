"""What a user can do with an e-mail in CRM (seeds 003, 004): deal association by hand, adding it to
records, contact activity, leads, contacts and cases from it; each under mail visibility and the
records' own permissions."""

from __future__ import annotations

import pytest

from app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.models import (
    Access,
    CaseStatus,
    ContactComment,
    Deal,
    DealContact,
    EmailDeal,
    EmailLink,
    Lead,
    MailboxSharing,
    StageCategory,
)
from app.permissions import Principal
from app.services import email_actions as actions
from app.services import mail
from tests import factories as f

pytestmark = pytest.mark.usefixtures("db")


async def _me(role: str = "Sales", **kw):
    user = await f.make_user(role, **kw)
    return user, await Principal.load(user)


async def _mail(owner, sender="山田 太郎 <Yamada@Example.jp>", **kw):
    box = await f.make_mailbox(owner)
    return await f.make_email(box, sender=sender, to=(owner.email,), **kw)


# ---- deal association -----------------------------------------------------------------------------


async def test_offered_deals_are_the_visible_deals_of_the_emails_contacts():
    me, p = await _me()
    other, _ = await _me()
    email = await _mail(me)  # before the deals: nothing is associated automatically
    yamada = await f.make_contact(me, email="yamada@example.jp")  # matched case-insensitively
    stranger = await f.make_contact(me, email="someone@example.jp")
    won = await f.make_deal(me, [yamada], name="Won", stage=await f.stage(StageCategory.WON))
    open_ = await f.make_deal(me, [yamada], name="Open")
    lost = await f.make_deal(me, [yamada], name="Lost", stage=await f.stage(StageCategory.LOST))
    await f.make_deal(me, [stranger], name="Not this contact's")
    await f.make_deal(other, [yamada], name="Hidden")  # another Sales user's: not visible
    offered = await actions.deals_offered(p, email)
    assert [d.name for d in offered] == [open_.name, won.name, lost.name]
    assert [c.id for c in await actions.contacts_offered(p, email)] == [yamada.id]


async def test_associate_change_and_dissociate_by_hand():
    me, p = await _me()
    email = await _mail(me)
    yamada = await f.make_contact(me, email="yamada@example.jp")
    first = await f.make_deal(me, [yamada])
    second = await f.make_deal(me, [yamada])
    elsewhere = await f.make_deal(me)  # a deal of none of the e-mail's contacts

    link = await actions.associate_with_deal(p, email.id, first.id)
    assert (link.deal_id, link.contact_id, link.automatic, link.created_by_id) == (first.id, yamada.id, False, me.id)
    with pytest.raises(ValidationError) as refused:
        await actions.associate_with_deal(p, email.id, elsewhere.id)
    assert refused.value.errors[0].field == "deal_id"
    await actions.change(p, email.id, second.id)
    assert await EmailDeal.filter(email_id=email.id).values_list("deal_id", flat=True) == [second.id]
    assert await actions.dissociate(p, email.id) == second.id
    assert not await EmailDeal.exists(email_id=email.id)
    assert await actions.dissociate(p, email.id) is None  # twice: nothing to do


async def test_an_association_with_a_deal_the_user_cannot_see_is_left_alone():
    owner, owner_p = await _me()
    me, p = await _me()
    yamada = await f.make_contact(owner, email="yamada@example.jp")
    await f.make_deal(owner, [yamada])  # associated automatically when the mail is stored
    box = await f.make_mailbox(me, sharing=MailboxSharing.ALL)
    email = await f.make_email(box, sender="yamada@example.jp", to=(me.email,))
    assert await EmailDeal.exists(email_id=email.id, automatic=True)
    mine = await f.make_contact(me, email="yamada@example.jp")
    my_deal = await f.make_deal(me, [mine])
    with pytest.raises(PermissionDenied):
        await actions.dissociate(p, email.id)
    with pytest.raises(PermissionDenied):
        await actions.associate_with_deal(p, email.id, my_deal.id)
    link, deal = await actions.association_of(p, email.id)
    assert link is not None and deal is None


async def test_associate_with_a_new_deal_created_on_the_spot():
    me, p = await _me()
    email = await _mail(me)
    account = await f.make_account(me)
    yamada = await f.make_contact(me, email="yamada@example.jp", account=account)
    deal = await actions.associate_with_new_deal(p, email.id, {"name": "新規案件", "amount": "50000"})
    assert await DealContact.filter(deal_id=deal.id).values_list("contact_id", flat=True) == [yamada.id]
    assert (deal.account_id, (await deal.stage).category) == (account.id, StageCategory.OPEN)
    link = await EmailDeal.get(email_id=email.id)
    assert (link.deal_id, link.automatic, link.created_by_id) == (deal.id, False, me.id)
    # The deal service's validation applies, and a refused deal leaves nothing behind.
    other = await _mail(me, sender="yamada@example.jp", subject="again")
    with pytest.raises(ValidationError) as refused:
        await actions.associate_with_new_deal(p, other.id, {"name": "", "amount": "-1"})
    assert {e.field for e in refused.value.errors} == {"name", "amount"}
    assert await Deal.all().count() == 1
    assert (await EmailDeal.get(email_id=other.id)).automatic  # the prediction's, untouched


async def test_a_new_deal_needs_one_of_the_emails_contacts():
    me, p = await _me()
    email = await _mail(me, sender="nobody@example.jp")
    with pytest.raises(ValidationError) as refused:
        await actions.associate_with_new_deal(p, email.id, {"name": "x"})
    assert refused.value.errors[0].field == "contact_id"
    other = await f.make_contact(me, email="other@example.jp")
    with pytest.raises(ValidationError):
        await actions.associate_with_new_deal(p, email.id, {"name": "x"}, contact_id=other.id)


# ---- visibility ----------------------------------------------------------------------------------


async def test_mail_the_user_may_not_see_is_not_found_for_every_action():
    owner, _ = await _me()
    email = await _mail(owner)  # a private mailbox
    admin, p = await _me("Administrator")  # sees every record, never private mail
    contact = await f.make_contact(admin, email="yamada@example.jp")
    deal = await f.make_deal(admin, [contact])
    calls = [
        actions.contacts_offered(p, email.id), actions.deals_offered(p, email.id),
        actions.association_of(p, email.id), actions.associate_with_deal(p, email.id, deal.id),
        actions.dissociate(p, email.id), actions.associate_with_new_deal(p, email.id, {"name": "x"}),
        actions.link_to_record(p, email.id, "contact", contact.id),
        actions.create_lead_from_sender(p, email.id), actions.create_contact_from_sender(p, email.id),
        actions.create_case(p, email.id), actions.add_to_contact_activity(p, email.id, contact.id),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            await call
    assert not await EmailLink.exists() and not await Lead.exists()


async def test_mail_shared_with_all_users_can_be_acted_on():
    owner, _ = await _me()
    box = await f.make_mailbox(owner, sharing=MailboxSharing.ALL)
    email = await f.make_email(box, sender="yamada@example.jp", to=(owner.email,))
    me, p = await _me()
    contact = await f.make_contact(me, email="yamada@example.jp")
    deal = await f.make_deal(me, [contact])
    assert (await actions.associate_with_deal(p, email.id, deal.id)).deal_id == deal.id


# ---- from an e-mail (seed 003) ------------------------------------------------------------------


async def test_link_to_a_contact_or_lead_found_by_search():
    me, p = await _me()
    email = await _mail(me, sender="unknown@example.jp")
    lead = await f.make_lead(me)
    contact = await f.make_contact(me, email="different@example.jp")
    assert await actions.link_to_record(p, email.id, "lead", lead.id) == lead
    assert await actions.link_to_record(p, email.id, "lead", lead.id) == lead  # twice: one link
    await actions.link_to_record(p, email.id, "contact", contact.id)
    assert await EmailLink.filter(email_id=email.id).count() == 2
    assert [e.id for e in await (await mail.mail_of(p, lead))] == [email.id]
    # The contact it was added to is one of its contacts now: its deals are offered.
    deal = await f.make_deal(me, [contact])
    assert [d.id for d in await actions.deals_offered(p, email.id)] == [deal.id]
    with pytest.raises(ValidationError):
        await actions.link_to_record(p, email.id, "account", lead.id)


async def test_link_to_any_deal_the_user_may_edit():
    me, p = await _me()
    other, _ = await _me()
    email = await _mail(me, sender="unknown@example.jp")
    deal = await f.make_deal(me)  # no contact of the e-mail's: still fine, found by search
    await actions.link_to_record(p, email.id, "deal", deal.id)
    link = await EmailDeal.get(email_id=email.id)
    assert (link.deal_id, link.contact_id, link.automatic) == (deal.id, None, False)
    read_only = await f.make_deal(other)
    await f.share("deals", Access.READ_ONLY, owner=other, grantee=me)
    p = await Principal.load(me)
    with pytest.raises(PermissionDenied):
        await actions.link_to_record(p, email.id, "deal", read_only.id)
    with pytest.raises(NotFound):
        await actions.link_to_record(p, email.id, "lead", (await f.make_lead(other)).id)


@pytest.mark.parametrize(("display", "last", "first"), [
    ("山田 太郎", "山田", "太郎"),
    ("山田\u3000太郎", "山田", "太郎"),
    ("山田太郎", "山田太郎", ""),
    ("Yamada, Taro", "Yamada", "Taro"),
    ("Taro Yamada", "Yamada", "Taro"),
    ('"Mary Ann Smith"', "Smith", "Mary Ann"),
    ("", "yamada.t", ""),
    ("yamada.t@example.jp", "yamada.t", ""),
])
def test_split_name(display, last, first):
    assert actions.split_name(display, "yamada.t@example.jp") == (last, first)


async def test_create_lead_and_contact_from_the_sender():
    me, p = await _me()
    email = await _mail(me)
    lead = await actions.create_lead_from_sender(p, email.id)
    assert (lead.last_name, lead.first_name, lead.email, lead.owner_id) == ("山田", "太郎", "yamada@example.jp", me.id)
    with pytest.raises(Conflict):
        await actions.create_lead_from_sender(p, email.id)
    contact = await actions.create_contact_from_sender(p, email.id)
    assert (contact.last_name, contact.first_name, contact.email) == ("山田", "太郎", "yamada@example.jp")
    with pytest.raises(Conflict):
        await actions.create_contact_from_sender(p, email.id)


async def test_from_sent_mail_the_person_is_the_recipient():
    me, p = await _me()
    box = await f.make_mailbox(me)
    email = await f.make_email(box, sender=f"Me <{me.email}>", to=("Suzuki Hanako <hanako@example.jp>",))
    lead = await actions.create_lead_from_sender(p, email.id)
    assert (lead.last_name, lead.first_name, lead.email) == ("Hanako", "Suzuki", "hanako@example.jp")


async def test_creating_from_the_sender_goes_through_the_services_rules():
    me, p = await _me("Accountant")  # may view contacts, not create them; no leads at all
    email = await _mail(me)
    with pytest.raises(PermissionDenied):
        await actions.create_contact_from_sender(p, email.id)
    with pytest.raises(PermissionDenied):
        await actions.create_lead_from_sender(p, email.id)


async def test_create_case_from_an_email():
    me, p = await _me()
    email = await _mail(me, subject="納期について", text="来週の納品は可能でしょうか。",
                        attachments=(("仕様書.pdf", "application/pdf", b"%PDF-1.4 x"),
                                     ("図面.png", "image/png", b"\x89PNG\r\n\x1a\n....")))
    yamada = await f.make_contact(me, email="yamada@example.jp")
    case = await actions.create_case(p, email.id, CaseStatus.ESCALATED)
    assert (case.subject, case.status, case.email, case.contact_id) == (
        "納期について", CaseStatus.ESCALATED, "yamada@example.jp", yamada.id)
    assert case.description == "来週の納品は可能でしょうか。"
    with_files = await actions.create_case(p, email.id, "new", include_attachments=True)
    assert "来週の納品は可能でしょうか。" in with_files.description
    assert "仕様書.pdf, 図面.png" in with_files.description.splitlines()[-1]
    with pytest.raises(ValidationError) as refused:
        await actions.create_case(p, email.id, "no-such-status")
    assert refused.value.errors[0].field == "status"


async def test_case_from_mail_without_subject_or_contact():
    me, p = await _me()
    email = await _mail(me, sender="nobody@example.jp", subject="", text="本文")
    case = await actions.create_case(p, email.id)
    assert (case.subject, case.contact_id, case.email) == ("本文", None, "nobody@example.jp")


async def test_add_to_contact_activity():
    me, p = await _me()
    email = await _mail(me, text="お世話になっております。")
    yamada = await f.make_contact(me, email="yamada@example.jp")
    comment = await actions.add_to_contact_activity(p, email.id, yamada.id)
    assert (comment.contact_id, comment.email_id, comment.text, comment.author_id) == (
        yamada.id, email.id, "お世話になっております。", me.id)
    with pytest.raises(Conflict):
        await actions.add_to_contact_activity(p, email.id, yamada.id)
    other = await f.make_contact(me, email="other@example.jp")
    with pytest.raises(ValidationError):
        await actions.add_to_contact_activity(p, email.id, other.id)
    assert await ContactComment.all().count() == 1


async def test_contact_activity_needs_the_right_to_edit_the_contact():
    me, p = await _me()
    other, _ = await _me()
    email = await _mail(me)
    theirs = await f.make_contact(other, email="yamada@example.jp")
    await f.share("contacts", Access.READ_ONLY, owner=other, grantee=me)
    p = await Principal.load(me)
    assert [c.id for c in await actions.contacts_offered(p, email.id)] == [theirs.id]
    with pytest.raises(PermissionDenied):
        await actions.add_to_contact_activity(p, email.id, theirs.id)


async def test_long_and_hostile_bodies_are_bounded_and_storable():
    me, p = await _me()
    email = await _mail(me, text="あ" * 40_000)
    yamada = await f.make_contact(me, email="yamada@example.jp")
    comment = await actions.add_to_contact_activity(p, email.id, yamada.id)
    assert len(comment.text) <= 32_000 and comment.text.endswith("…")
    email.text_body = "a\x00b\ud800c"
    assert actions.body_text(email) == "ab\ufffdc"


async def test_contacts_are_offered_in_participant_order():
    me, p = await _me()
    box = await f.make_mailbox(me)
    email = await f.make_email(box, sender="b@example.jp", to=(me.email, "a@example.jp"))
    a = await f.make_contact(me, email="a@example.jp")
    b = await f.make_contact(me, secondary_email="B@example.jp")
    assert [c.id for c in await actions.contacts_offered(p, email.id)] == [b.id, a.id]
