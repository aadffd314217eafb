"""What a user can do with an e-mail in CRM (seeds 003, 004): deal association by hand, adding it to
records, contact activity, leads, contacts and cases from it; each under mail visibility and the
records' own permissions."""

from __future__ import annotations

import pytest

from app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.mail import blobs
from app.models import (
    Access,
    Case,
    CaseAttachment,
    CaseStatus,
    ContactComment,
    Deal,
    DealContact,
    EmailAttachment,
    EmailDeal,
    EmailLink,
    Lead,
    MailBlob,
    MailboxSharing,
    StageCategory,
)
from app.permissions import Principal
from app.services import cases as case_services
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


PNG = b"\x89PNG\r\n\x1a\n...."


async def test_create_case_from_an_email():
    me, p = await _me()
    email = await _mail(me, subject="納期について", text="来週の納品は可能でしょうか。",
                        attachments=(("仕様書.pdf", "application/pdf", b"%PDF-1.4 x"),
                                     ("図面.png", "image/png", PNG)),
                        inline=(("logo@example.jp", "image/png", b"\x89PNG\r\n\x1a\nlogo"),))
    yamada = await f.make_contact(me, email="yamada@example.jp")
    case = await actions.create_case(p, email.id, CaseStatus.ESCALATED)
    assert (case.subject, case.status, case.email, case.contact_id) == (
        "納期について", CaseStatus.ESCALATED, "yamada@example.jp", yamada.id)
    assert case.description == "来週の納品は可能でしょうか。"
    assert not await CaseAttachment.exists(case_id=case.id)  # files only when asked for
    with pytest.raises(ValidationError) as refused:
        await actions.create_case(p, email.id, "no-such-status")
    assert refused.value.errors[0].field == "status"


async def test_a_case_keeps_the_emails_files_but_not_its_inline_images():
    me, p = await _me()
    await f.make_contact(me, email="yamada@example.jp")  # a case is for an existing contact
    email = await _mail(me, subject="図面の件", text="図面を添付します。",
                        attachments=(("仕様書.pdf", "application/pdf", b"%PDF-1.4 x"),
                                     ("図面.png", "image/png", PNG)),
                        inline=(("logo@example.jp", "image/png", b"\x89PNG\r\n\x1a\nlogo"),))
    parts = {a.content_id or a.filename: a for a in await EmailAttachment.filter(email_id=email.id)}
    assert len(parts) == 3 and parts["logo@example.jp"].inline  # the e-mail has the image, inline
    case = await actions.create_case(p, email.id, "new", include_attachments=True)
    assert case.description == "図面を添付します。"  # no list of names any more: the files are there
    files = await case_services.attachments_of(p, case)
    assert [(a.filename, a.content_type, a.size, a.email_id) for a in files] == [
        ("仕様書.pdf", "application/pdf", 10, email.id), ("図面.png", "image/png", len(PNG), email.id)]
    # the same blobs as the e-mail's: nothing copied
    assert [a.blob_id for a in files] == [parts["仕様書.pdf"].blob_id, parts["図面.png"].blob_id]
    assert await MailBlob.all().count() == 3


async def test_the_files_a_case_takes_are_bounded(monkeypatch):
    me, p = await _me()
    monkeypatch.setattr(actions, "ATTACHMENTS_MAX", 2)
    await f.make_contact(me, email="yamada@example.jp")  # a case is for an existing contact
    email = await _mail(me, attachments=tuple((f"{i}.txt", "text/plain", f"file {i}".encode()) for i in range(3)))
    case = await actions.create_case(p, email.id, include_attachments=True)
    assert [a.filename for a in await case_services.attachments_of(p, case)] == ["0.txt", "1.txt"]


async def test_a_case_and_its_files_are_written_together(monkeypatch):
    """A failure copying the files leaves no case behind."""
    me, p = await _me()
    await f.make_contact(me, email="yamada@example.jp")  # a case is for an existing contact
    email = await _mail(me, attachments=(("a.pdf", "application/pdf", b"%PDF-1.4 x"),))

    async def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(CaseAttachment, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        await actions.create_case(p, email.id, include_attachments=True)
    assert not await Case.exists()


async def test_removing_files_and_deleting_the_case_keep_the_emails_blobs():
    me, p = await _me("Manager")  # Sales may not delete cases
    reader = await f.make_user("Sales")
    await f.share("cases", Access.READ_ONLY, owner=me, grantee=reader)
    reader_p = await Principal.load(reader)
    await f.make_contact(me, email="yamada@example.jp")  # a case is for an existing contact
    email = await _mail(me, attachments=(("a.pdf", "application/pdf", b"%PDF-1.4 a"),
                                         ("b.pdf", "application/pdf", b"%PDF-1.4 b")))
    case = await actions.create_case(p, email.id, include_attachments=True)
    first, second = await case_services.attachments_of(p, case)
    assert (await case_services.get_attachment(reader_p, first.id)).blob.sha256  # may see: may download
    with pytest.raises(PermissionDenied):
        await case_services.remove_attachment(reader_p, first.id)
    stranger, stranger_p = await _me()
    for call in (case_services.get_attachment, case_services.remove_attachment):
        with pytest.raises(NotFound):
            await call(stranger_p, first.id)
    assert (await case_services.remove_attachment(p, first.id)).id == case.id
    assert [a.id for a in await case_services.attachments_of(p, case)] == [second.id]
    await case_services.cases.delete(p, case.id)
    assert not await CaseAttachment.exists()
    # the e-mail still has both files, their bytes still stored
    assert await EmailAttachment.filter(email_id=email.id).count() == 2 and await MailBlob.all().count() == 2
    for attachment in await EmailAttachment.filter(email_id=email.id).select_related("blob"):
        assert blobs.path(attachment.blob.sha256).is_file()


async def test_case_from_mail_without_subject_but_only_for_a_contact():
    """Seed 003: an e-mail becomes a case only for an existing contact."""
    me, p = await _me()
    email = await _mail(me, sender="nobody@example.jp", subject="", text="本文")
    with pytest.raises(ValidationError) as refused:
        await actions.create_case(p, email.id)
    assert refused.value.for_field("contact_id")
    assert not await Case.exists()
    nobody = await f.make_contact(me, email="Nobody@example.jp")
    case = await actions.create_case(p, email.id)
    assert (case.subject, case.contact_id, case.email) == ("本文", nobody.id, "nobody@example.jp")


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
