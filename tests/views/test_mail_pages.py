"""Mail on pages: the Mail panels of contacts, leads, accounts, deals and Books contacts, an
e-mail's page, its body frame, inline images and files. Walks anonymous -> another user ->
the owner: private mail is a 404 for everyone else, shared mail shows, script never reaches a
page, and the panel's queries do not grow with its rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from app.mail.store import Incoming, store_batch
from app.models import Email, EmailAttachment, MailboxShare, MailboxSharing, MailFolder
from tests import factories as f
from tests.querycount import count_queries
from tests.views.conftest import HX, login

CUSTOMER = "customer@example.com"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
_uid = iter(range(10_000, 10**9))


async def store_raw(mailbox, msg: EmailMessage) -> Email:
    """Store a message built here (HTML, inline images...) through the real store."""
    if "Date" not in msg:
        msg["Date"] = format_datetime(datetime.now(UTC))
    folder = await MailFolder.filter(mailbox_id=mailbox.id).order_by("id").first()
    await store_batch(mailbox, folder, [Incoming(next(_uid), msg.as_bytes())])
    return await Email.get(message_id=msg["Message-ID"].strip("<>"))


def html_message(html: str, *, sender: str = CUSTOMER, to: str = "me@example.com", subject: str = "HTML",
                 inline: tuple[str, bytes] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = make_msgid(domain="example.com")
    msg.set_content("Plain version")
    msg.add_alternative(html, subtype="html")
    if inline:
        cid, data = inline
        msg.get_payload()[1].add_related(data, maintype="image", subtype="png", cid=f"<{cid}>")
    return msg


@pytest.fixture
async def world(db):
    """An owner with a contact and a private mailbox holding mail from the contact, and an
    administrator who may see every record (but not private mail)."""
    owner = await f.make_user("Sales", name="持ち主 一郎")
    admin = await f.make_user("Administrator", name="管理 花子")
    contact = await f.make_contact(owner, email="Customer@Example.com", last_name="顧客")
    mailbox = await f.make_mailbox(owner)
    email = await f.make_email(mailbox, sender=CUSTOMER, to=(owner.email,), subject="見積のご依頼",
                               attachments=(("見積.pdf", "application/pdf", b"%PDF-1.4 test"),))
    return owner, admin, contact, mailbox, email


async def _status(client, url: str, **kw) -> int:
    return (await client.get(url, **kw)).status_code


async def test_private_mail_walk_anonymous_other_owner(client, world):
    owner, admin, contact, mailbox, email = world
    attachment = await EmailAttachment.get(email_id=email.id)
    urls = [f"/mail/emails/{email.id}", f"/mail/attachments/{attachment.id}"]
    # anonymous: sent to sign in
    for url in (*urls, f"/contacts/{contact.id}/mail"):
        response = await client.get(url)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    partial = await client.get(f"/contacts/{contact.id}/mail", headers=HX)
    assert partial.status_code == 204 and partial.headers["hx-redirect"].startswith("/login")
    # another user who sees the contact, not the private mailbox: nothing, everywhere
    await login(client, admin)
    for url in urls:
        assert await _status(client, url) == 404, url
    tab = await client.get(f"/contacts/{contact.id}/mail", headers=HX)
    assert tab.status_code == 200 and "見積のご依頼" not in tab.text and 'id="mail-empty"' in tab.text
    # the owner sees it all
    await login(client, owner)
    for url in urls:
        assert await _status(client, url) == 200, url
    tab = await client.get(f"/contacts/{contact.id}/mail", headers=HX)
    assert f'href="/mail/emails/{email.id}"' in tab.text and "見積のご依頼" in tab.text
    assert 'class="mail-files"' in tab.text


async def test_record_page_loads_the_panel_after_the_page(client, world):
    owner, _, contact, _, email = world
    await login(client, owner)
    page = (await client.get(f"/contacts/{contact.id}")).text
    # once the page has loaded, and again after files are uploaded onto the record (views/mail/uploads.py)
    assert f'hx-get="/contacts/{contact.id}/mail" hx-trigger="load, mail-uploaded from:body"' in page
    assert "見積のご依頼" not in page  # not with the page itself: its own request
    full = await client.get(f"/contacts/{contact.id}/mail")  # without htmx: a page of its own
    assert "<html" in full.text and f'href="/mail/emails/{email.id}"' in full.text


@pytest.mark.parametrize("sharing", ["all", "chosen", "chosen-other"])
async def test_shared_mail_is_visible_to_whom_it_is_shared(client, world, sharing):
    owner, admin, contact, mailbox, email = world
    mailbox.sharing = MailboxSharing.ALL if sharing == "all" else MailboxSharing.CHOSEN
    await mailbox.save()
    someone = await f.make_user("Sales")
    if sharing != "all":
        await MailboxShare.create(mailbox_id=mailbox.id, user_id=(admin if sharing == "chosen" else someone).id)
    await login(client, admin)
    visible = sharing != "chosen-other"
    assert await _status(client, f"/mail/emails/{email.id}") == (200 if visible else 404)
    tab = (await client.get(f"/contacts/{contact.id}/mail", headers=HX)).text
    assert ("見積のご依頼" in tab) is visible
    if visible:  # shown with its owner's name
        assert "持ち主 一郎" in (await client.get(f"/mail/emails/{email.id}")).text


async def test_mail_panels_of_leads_accounts_and_deals(client, world):
    owner, _, contact, mailbox, email = world
    account = await f.make_account(owner)
    contact.account_id = account.id
    await contact.save()
    lead = await f.make_lead(owner, email="lead@example.org")
    from_lead = await f.make_email(mailbox, sender="Lead@example.org", to=(owner.email,), subject="Lead asks")
    await login(client, owner)
    lead_tab = (await client.get(f"/leads/{lead.id}/mail", headers=HX)).text
    assert "Lead asks" in lead_tab and "見積のご依頼" not in lead_tab
    account_tab = (await client.get(f"/accounts/{account.id}/mail", headers=HX)).text
    assert "見積のご依頼" in account_tab and "Lead asks" not in account_tab
    for module, pk in (("leads", lead.id), ("accounts", account.id)):
        assert 'id="mail"' in (await client.get(f"/{module}/{pk}")).text
    detail = (await client.get(f"/mail/emails/{from_lead.id}")).text
    assert f'href="/leads/{lead.id}"' in detail


async def test_threads_are_grouped(client, world):
    owner, _, contact, mailbox, first = world
    reply = await f.make_email(mailbox, sender=owner.email, to=(CUSTOMER,), subject="Re: 見積のご依頼",
                               headers={"In-Reply-To": f"<{first.message_id}>"})
    other = await f.make_email(mailbox, sender=CUSTOMER, to=(owner.email,), subject="別件")
    await login(client, owner)
    tab = (await client.get(f"/contacts/{contact.id}/mail", headers=HX)).text
    threads = re.findall(r'<li class="mail-thread" id="thread-(\d+)" data-count="(\d+)"', tab)
    assert sorted(threads) == sorted([(str(first.id), "2"), (str(other.id), "1")])
    block = tab[tab.index(f'id="thread-{first.id}"'):]
    block = block[:block.index("</ul>")]
    assert block.index(f'id="email-{first.id}"') < block.index(f'id="email-{reply.id}"')  # oldest first
    detail = (await client.get(f"/mail/emails/{reply.id}")).text
    assert f'href="/mail/emails/{first.id}"' in detail and 'id="thread"' in detail


async def test_deal_dropdown_and_source_filter(client, world):
    owner, admin, contact, mailbox, before = world  # stored before the deal: not associated
    deal = await f.make_deal(owner, contacts=[contact], name="大型案件")
    associated = await f.make_email(mailbox, sender=CUSTOMER, to=(owner.email,), subject="案件の件")
    from_kizuna = await f.make_email(mailbox, sender=owner.email, to=(CUSTOMER,), subject="Kizunaから",
                                     sent_from_kizuna=True)
    colleague = await f.make_user("Sales", name="同僚")
    shared = await f.make_mailbox(colleague, sharing=MailboxSharing.ALL)
    theirs = await f.make_email(shared, sender=CUSTOMER, to=(colleague.email,), subject="同僚宛て")
    await login(client, owner)
    url = f"/deals/{deal.id}/mail"

    async def subjects(query: str = "") -> set[str]:
        text = (await client.get(f"{url}?{query}", headers=HX)).text
        return set(re.findall(r'class="mail-subject" href="/mail/emails/\d+">([^<]+)<', text))

    default = await client.get(url, headers=HX)
    assert 'id="mail-mode"' in default.text and 'value="associated" selected' in default.text
    assert "案件の件" in await subjects() and "見積のご依頼" not in await subjects()
    assert f'id="deal-icon-{associated.id}" href="/deals/{deal.id}"' in default.text
    everything = await subjects("mode=contacts")
    assert {"案件の件", "見積のご依頼", "Kizunaから", "同僚宛て"} <= everything
    assert await subjects("mode=contacts&source=kizuna") == {"Kizunaから"}
    assert await subjects(f"mode=contacts&source=user:{colleague.id}") == {"同僚宛て"}
    assert f'value="user:{colleague.id}"' in default.text and "同僚" in default.text
    # the contact's panel shows the association icon too
    tab = (await client.get(f"/contacts/{contact.id}/mail", headers=HX)).text
    assert f'id="deal-icon-{associated.id}"' in tab and f'id="deal-icon-{before.id}"' not in tab
    assert theirs.id and from_kizuna.id


async def test_deal_name_hidden_from_who_may_not_see_the_deal(client, world):
    owner, _, contact, mailbox, _ = world
    await f.make_deal(owner, contacts=[contact], name="秘密の案件")
    associated = await f.make_email(mailbox, sender=CUSTOMER, to=(owner.email,), subject="案件の件")
    mailbox.sharing = MailboxSharing.ALL
    await mailbox.save()
    colleague = await f.make_user("Sales")  # sees the shared mail, not the owner's deal
    await login(client, colleague)
    detail = (await client.get(f"/mail/emails/{associated.id}")).text
    assert "秘密の案件" not in detail and 'id="email-deal"' in detail


async def test_script_never_reaches_a_page(client, world):
    owner, _, contact, mailbox, _ = world
    evil = "<script>alert(1)</script>"
    msg = html_message(f'<p onclick="x()">Hi</p>{evil}<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">l</a>'
                       f'<form action="https://evil.example"><input name="p"></form>',
                       subject=f"件名{evil}")
    msg.replace_header("From", f'"{evil}" <{CUSTOMER}>')
    email = await store_raw(mailbox, msg)
    plain = await f.make_email(mailbox, sender=CUSTOMER, to=(owner.email,), subject="text", text=f"本文{evil}")
    await login(client, owner)
    pages = [await client.get(f"/mail/emails/{email.id}"), await client.get(f"/mail/emails/{plain.id}"),
             await client.get(f"/contacts/{contact.id}/mail", headers=HX)]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    body = await client.get(f"/mail/emails/{email.id}/body")
    assert body.status_code == 200
    for bad in ("<script", "onclick", "onerror", "javascript:", "<form", "<input"):
        assert bad not in body.text.lower(), bad


async def test_body_frame_has_its_own_strict_policy(client, world):
    owner, _, _, mailbox, _ = world
    email = await store_raw(mailbox, html_message("<p>こんにちは</p>"))
    await login(client, owner)
    page = (await client.get(f"/mail/emails/{email.id}")).text
    frame = re.search(r"<iframe[^>]*>", page).group(0)
    assert 'sandbox="' in frame and "allow-scripts" not in frame and "allow-same-origin" not in frame
    assert f'src="/mail/emails/{email.id}/body"' in frame
    body = await client.get(f"/mail/emails/{email.id}/body")
    csp = body.headers["content-security-policy"]
    assert "script-src 'none'" in csp and "default-src 'none'" in csp and "sandbox" in csp
    assert "frame-ancestors 'self'" in csp and body.headers["x-frame-options"] == "SAMEORIGIN"
    assert "こんにちは" in body.text and body.headers["content-type"].startswith("text/html")
    # the page itself keeps the site's policy
    assert "script-src 'self'" in (await client.get(f"/mail/emails/{email.id}")).headers["content-security-policy"]


async def test_remote_images_blocked_until_asked(client, world):
    owner, _, _, mailbox, _ = world
    email = await store_raw(mailbox, html_message('<p>News</p><img src="https://tracker.example/p.gif" width="1">'))
    await login(client, owner)
    page = (await client.get(f"/mail/emails/{email.id}")).text
    assert 'id="images-blocked"' in page and f'href="/mail/emails/{email.id}?images=1#body"' in page
    body = await client.get(f"/mail/emails/{email.id}/body")
    assert ' src="https://tracker.example/p.gif"' not in body.text
    assert ' data-src="https://tracker.example/p.gif"' in body.text  # held back, kept for later
    assert "https:" not in body.headers["content-security-policy"]
    asked = (await client.get(f"/mail/emails/{email.id}?images=1")).text
    assert 'id="images-blocked"' not in asked and f'src="/mail/emails/{email.id}/body?images=1"' in asked
    shown = await client.get(f"/mail/emails/{email.id}/body?images=1")
    assert ' src="https://tracker.example/p.gif"' in shown.text
    assert "https:" in shown.headers["content-security-policy"]


async def test_inline_images_come_from_the_email(client, world):
    owner, admin, _, mailbox, _ = world
    email = await store_raw(mailbox, html_message('<p>Logo</p><img src="cid:logo@example.com">',
                                                  inline=("logo@example.com", PNG)))
    await login(client, owner)
    body = (await client.get(f"/mail/emails/{email.id}/body")).text
    assert 'src="data:image/png;base64,' in body and "cid:" not in body
    image = await client.get(f"/mail/emails/{email.id}/cid/logo@example.com")
    assert image.status_code == 200 and image.content == PNG
    assert image.headers["content-type"] == "image/png" and image.headers["x-content-type-options"] == "nosniff"
    assert await _status(client, f"/mail/emails/{email.id}/cid/nothing@example.com") == 404
    page = (await client.get(f"/mail/emails/{email.id}")).text
    assert 'id="attachments"' not in page  # an inline image is part of the body, not a file
    await login(client, admin)
    for url in (f"/mail/emails/{email.id}/cid/logo@example.com", f"/mail/emails/{email.id}/body"):
        assert await _status(client, url) == 404


async def test_attachments_are_downloads_never_rendered(client, world):
    owner, _, _, mailbox, email = world
    page_mail = await f.make_email(mailbox, sender=CUSTOMER, to=(owner.email,), subject="files",
                                   attachments=(("evil.html", "text/html", b"<script>alert(1)</script>"),))
    await login(client, owner)
    pdf = await EmailAttachment.get(email_id=email.id)
    response = await client.get(f"/mail/attachments/{pdf.id}")
    assert response.content == b"%PDF-1.4 test" and response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''%E8%A6%8B%E7%A9%8D.pdf" in disposition
    assert response.headers["x-content-type-options"] == "nosniff"
    html = await EmailAttachment.get(email_id=page_mail.id)
    response = await client.get(f"/mail/attachments/{html.id}")
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["content-security-policy"]
    detail = (await client.get(f"/mail/emails/{email.id}")).text
    assert f'href="/mail/attachments/{pdf.id}"' in detail and "見積.pdf" in detail
    assert await _status(client, "/mail/attachments/99999999") == 404


async def test_email_page_shows_people_date_holders_and_quotes(client, world):
    owner, _, contact, mailbox, _ = world
    owner.timezone = "Asia/Tokyo"
    owner.language = "ja"
    await owner.save()
    other_box = await f.make_mailbox(owner, email="second@example.com", username="second@example.com")
    text = "ご確認ください。\n\n> 以前のメール\n> 引用です"
    when = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    email = await f.make_email(mailbox, sender=CUSTOMER, to=(owner.email,), cc=("nobody@example.net",),
                               subject="確認", text=text, sent_at=when, message_id="<same@example.com>")
    await f.make_email(other_box, sender=CUSTOMER, to=(owner.email,), subject="確認", text=text, sent_at=when,
                       message_id="<same@example.com>")
    await login(client, owner)
    page = (await client.get(f"/mail/emails/{email.id}")).text
    assert f'<a href="/contacts/{contact.id}"' in page  # the sender is a known contact
    assert "nobody@example.net" in page and 'id="people-cc"' in page
    assert "2026年3月1日" in page and "10:30" in page  # babel, in the user's zone
    holders = page[page.index('id="email-mailboxes"'):]
    assert f"({mailbox.email})" in holders and "(second@example.com)" in holders  # one e-mail, two copies
    visible = page[page.index('id="mail-text"'):page.index('id="mail-quoted"')]
    assert "ご確認ください。" in visible and "引用です" not in visible
    assert "引用です" in page[page.index('id="mail-quoted"'):]


async def test_malformed_flag_is_shown(client, world):
    owner, _, _, _, email = world
    email.malformed = True
    email.defects = ["broken header"]
    await email.save()
    await login(client, owner)
    page = (await client.get(f"/mail/emails/{email.id}")).text
    assert 'id="malformed"' in page and "broken header" in page


async def test_books_contact_mail_panel_and_connect_offer(client, db):
    accountant = await f.make_user("Accountant")
    org = await f.make_org(accountant)
    customer = await f.make_customer(org, email="keiri@customer.jp")
    await login(client, accountant)
    empty = (await client.get(f"/books/contacts/{customer.id}/mail", headers=HX)).text
    assert 'id="connect-mailbox"' in empty and 'href="/books/settings/mailboxes"' in empty
    assert 'id="mail"' in (await client.get(f"/books/contacts/{customer.id}")).text
    colleague = await f.make_user("Accountant")
    box = await f.make_mailbox(colleague, organization_id=org.id, sharing=MailboxSharing.ALL)
    await f.make_email(box, sender="keiri@customer.jp", to=(colleague.email,), subject="請求書について")
    tab = (await client.get(f"/books/contacts/{customer.id}/mail", headers=HX)).text
    assert "請求書について" in tab and 'id="connect-mailbox"' not in tab


async def test_failing_mailbox_notice(client, world):
    owner, admin, _, mailbox, _ = world
    await login(client, owner)
    assert 'id="mail-failing-notice"' not in (await client.get("/contacts")).text
    mailbox.failing_since = datetime.now(UTC) - timedelta(hours=3)
    mailbox.last_error = "Connection refused"
    await mailbox.save()
    assert 'id="mail-failing-notice"' not in (await client.get("/contacts")).text  # not yet a day
    mailbox.failing_since = datetime.now(UTC) - timedelta(days=2)
    await mailbox.save()
    page = (await client.get("/contacts")).text
    assert 'id="mail-failing-notice"' in page and 'href="/settings/mail"' in page
    await login(client, admin)  # someone else's mailbox is not their concern
    assert 'id="mail-failing-notice"' not in (await client.get("/contacts")).text
    await login(client, owner)
    mailbox.enabled = False
    await mailbox.save()
    assert 'id="mail-failing-notice"' not in (await client.get("/contacts")).text


async def _queries(client, url: str) -> int:
    with count_queries() as queries:
        response = await client.get(url, headers=HX)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("kind", ["contacts", "deals"])
async def test_mail_panel_queries_do_not_grow_with_rows(client, world, kind):
    owner, _, contact, mailbox, _ = world
    deal = await f.make_deal(owner, contacts=[contact])
    url = f"/contacts/{contact.id}/mail" if kind == "contacts" else f"/deals/{deal.id}/mail?mode=contacts"
    for i in range(2):
        await f.make_email(mailbox, sender=CUSTOMER, to=(owner.email,), subject=f"few {i}",
                           attachments=(("a.txt", "text/plain", b"a"),))
    await login(client, owner)
    await _queries(client, url)  # what the user may reach is read once, then kept
    few = await _queries(client, url)
    for i in range(10):
        await f.make_email(mailbox, sender=CUSTOMER, to=(owner.email,), subject=f"many {i}",
                           attachments=(("a.txt", "text/plain", b"a"),))
    assert await _queries(client, url) == few
    # session, the record, the rows, their deal links, the deals shown, which carry files; a deal
    # also reads its contacts' addresses and the owners of the mailboxes the user sees
    assert few <= {"contacts": 6, "deals": 8}[kind]


async def test_a_password_the_keys_cannot_read_breaks_nothing_but_its_own_use(client, world):
    """A key dropped too soon: the pages that show the mailbox still work; the sync, sending and
    saving without the password say what is wrong, in words, and nothing is lost."""
    from cryptography.fernet import Fernet

    from app import crypto
    from app.errors import ValidationError
    from app.mail import sync
    from app.models import Mailbox
    from app.services import mail_compose, mailboxes

    owner, _, _, mailbox, email = world
    foreign = Fernet(Fernet.generate_key()).encrypt(b"lost-Passw0rd").decode()
    await Mailbox.filter(id=mailbox.id).update(password=crypto.Undecryptable(foreign))
    await login(client, owner)
    page = await client.get(f"/mail/emails/{email.id}")
    assert page.status_code == 200 and f"({mailbox.email})" in page.text
    assert (await client.get("/settings/mail")).status_code == 200
    outcome = await sync.sync_mailbox(mailbox.id)
    assert "KIZUNA_ENCRYPTION_KEYS" in outcome.error
    assert "KIZUNA_ENCRYPTION_KEYS" in (await Mailbox.get(id=mailbox.id)).last_error
    principal = await f.principal_for(owner)
    with pytest.raises(ValidationError) as refused:
        await mail_compose.send(principal, mailbox_id=mailbox.id, to="customer@example.com", subject="件名",
                                body="本文")
    assert refused.value.errors[0].field == "mailbox_id" and "enter it again" in refused.value.errors[0].message
    assert not await Email.filter(subject="件名").exists()  # nothing half-sent is kept
    with pytest.raises(ValidationError) as refused:
        await mailboxes.update(principal, mailbox.id, {"email": mailbox.email, "imap_host": mailbox.imap_host,
                                                       "username": mailbox.username})
    assert refused.value.errors[0].field == "password"
    assert await Mailbox.filter(id=mailbox.id).values_list("password", flat=True) == [foreign]  # kept as it was
