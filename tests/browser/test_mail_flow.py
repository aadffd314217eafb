"""Mail in a real Chromium (issue 11): open a contact's Mail panel, see a two-message thread
grouped, open the reply (its HTML body in the sandboxed frame), add it to the customer's invoice
with "Add e-mail to", and find it in the invoice's comments; write to a contact with a file chosen
in the browser, and open "Reply all". No page on the way reports a console error or a
Content-Security-Policy violation.

The data is made through factories and the real mail store (as a sync would store it); only the
clicks go through the browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.models import Comment
from app.permissions import Principal
from tests import factories as f
from tests.browser.test_csp import RECORD_VIOLATIONS, sign_in, violations, watch_console

pytestmark = pytest.mark.browser

CUSTOMER = "taro.yamada@sakura.example.jp"
FIRST_BODY = "お世話になっております。\n来月分の保守費用について、請求書の送付をお願いできますでしょうか。"
REPLY_TEXT = "山田です。\n請求書の件、金額は先日の見積りどおりで問題ございません。\nよろしくお願いいたします。"
REPLY_HTML = ("<p>山田です。</p><p><strong>請求書の件</strong>、金額は先日の見積りどおりで問題ございません。</p>"
              "<p>よろしくお願いいたします。</p><script>parent.document.title = 'pwned'</script>")


async def _thread(user, mailbox):
    """The customer writes, then writes again in reply to their own first message."""
    now = datetime.now(UTC).replace(microsecond=0)
    first = await f.make_email(
        mailbox, sender=f"山田 太郎 <{CUSTOMER}>", to=(user.email,), subject="保守費用のご請求について",
        text=FIRST_BODY, sent_at=now - timedelta(days=2), message_id="<first.1@sakura.example.jp>")
    reply = await f.make_email(
        mailbox, sender=f"山田 太郎 <{CUSTOMER}>", to=(user.email,), subject="Re: 保守費用のご請求について",
        text=REPLY_TEXT, html=REPLY_HTML, sent_at=now - timedelta(days=1),
        message_id="<reply.2@sakura.example.jp>",
        headers={"In-Reply-To": "<first.1@sakura.example.jp>", "References": "<first.1@sakura.example.jp>"})
    return first, reply


async def test_contact_mail_tab_thread_add_to_invoice(live_server, live_db, browser_page):
    page = browser_page
    user = await f.make_user("Manager", email="eigyo@kizuna.example.jp", name="営業 一郎")
    contact = await f.make_contact(user, last_name="山田", first_name="太郎", email=CUSTOMER)
    org = await f.make_org(user)
    customer = await f.make_customer(org, display_name="株式会社さくら商事",
                                     persons=[{"last_name": "山田", "first_name": "太郎", "email": CUSTOMER}])
    invoice = await f.make_sent_invoice(await Principal.load(user), customer)
    mailbox = await f.make_mailbox(user)
    first, reply = await _thread(user, mailbox)
    assert reply.thread_id is not None and reply.thread_id == (first.thread_id or first.id)

    await page.context.add_init_script(RECORD_VIOLATIONS)
    console = watch_console(page)
    await sign_in(page, live_server, user.email)

    # The contact's page: the Mail panel loads when it comes into view, the thread grouped.
    await page.goto(f"{live_server}/contacts/{contact.id}")
    panel = page.locator("#mail-list")
    await panel.scroll_into_view_if_needed()
    thread = panel.locator("li.mail-thread")
    await thread.first.wait_for()
    assert await thread.count() == 1
    assert await thread.get_attribute("data-count") == "2"
    assert "2 e-mails" in await thread.locator(".thread-head .badge").inner_text()
    rows = thread.locator("li.mail-row")
    assert [await rows.nth(i).get_attribute("id") for i in range(2)] == [f"email-{first.id}", f"email-{reply.id}"]
    assert await rows.nth(1).locator(".mail-from").inner_text() == "山田 太郎"
    assert await violations(page) == []

    # The reply's own page: the sanitized HTML in the sandboxed frame, the thread listed.
    await rows.nth(1).locator("a.mail-subject").click()
    await page.wait_for_url(f"{live_server}/mail/emails/{reply.id}")
    assert await page.inner_text("#email-subject") == "Re: 保守費用のご請求について"
    assert CUSTOMER in await page.inner_text("#people-from")
    frame_element = page.locator("#mail-frame")
    sandbox = await frame_element.get_attribute("sandbox")
    assert "allow-scripts" not in sandbox and "allow-same-origin" not in sandbox
    body = page.frame_locator("#mail-frame").locator("body")
    await body.get_by_text("請求書の件").wait_for()
    assert "金額は先日の見積りどおりで問題ございません" in await body.inner_text()
    assert "pwned" not in await page.title()
    assert await page.locator("#thread li.mail-row").count() == 2
    assert await page.locator(f"#thread-email-{reply.id} [aria-current=page]").count() == 1

    # "Add e-mail to": the menu loads when opened, offers the customer's invoice.
    await page.click(f"#mail-actions-{reply.id} > summary")
    target = page.locator(f"#mail-target-{reply.id}")
    await target.wait_for()
    option = target.locator(f"option[value='transaction:{invoice.id}']")
    assert invoice.number in await option.inner_text()
    await target.select_option(f"transaction:{invoice.id}")
    await page.locator(f"#mail-add-to-form-{reply.id} button[type=submit]").click()
    done = page.locator(f"#mail-done-{reply.id}")
    await done.wait_for()
    assert invoice.number in await done.inner_text()
    assert await Comment.filter(transaction_id=invoice.id, action="email").count() == 1
    assert await violations(page) == []

    # The invoice: the e-mail is one of its comments, with its sender, subject and plain body.
    await done.get_by_role("link").click()
    await page.wait_for_url(re.compile(rf".*/books/invoices/{invoice.id}#comments$"))
    comment = page.locator("#comment-list li.comment-email")
    assert await comment.count() == 1
    head = await comment.locator(".comment-email-head").inner_text()
    assert "山田 太郎" in head and CUSTOMER in head and "Re: 保守費用のご請求について" in head
    assert "金額は先日の見積りどおりで問題ございません" in await comment.locator(".comment-text").inner_text()
    assert "<p>" not in await comment.inner_text()  # the plain body, never the HTML
    await page.locator("#comment-list").get_by_text("added as a comment").wait_for()  # the history entry
    await page.wait_for_load_state("networkidle")
    assert await violations(page) == []
    assert console == []


async def test_write_with_files_and_reply_to_all(live_server, live_db, browser_page, smtp_server, tmp_path):
    """Files chosen in the browser go out through htmx's multipart post (the CSRF header with it)
    under their Japanese names; "Reply all" fills Cc with everyone but the user."""
    page = browser_page
    user = await f.make_user("Sales", email="eigyo@kizuna.example.jp", name="営業 一郎")
    contact = await f.make_contact(user, last_name="山田", first_name="太郎", email=CUSTOMER)
    mailbox = await f.make_mailbox(user, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_security="none",
                                   username="", smtp_username="")
    question = await f.make_email(mailbox, sender=CUSTOMER, to=(user.email, "keiri@sakura.example.jp"),
                                  cc=("EIGYO@kizuna.example.jp", "bucho@sakura.example.jp"), subject="ご相談")
    estimate = tmp_path / "お見積書（2026年4月）.pdf"
    estimate.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    await page.context.add_init_script(RECORD_VIOLATIONS)
    console = watch_console(page)
    await sign_in(page, live_server, user.email)

    await page.goto(f"{live_server}/contacts/{contact.id}")
    await page.locator("#mail-list").scroll_into_view_if_needed()
    await page.click("#write-email")
    await page.locator("#compose-form").wait_for()
    assert await page.input_value("#compose-to") == CUSTOMER
    await page.fill("#compose-subject", "お見積りの送付")
    await page.fill("#compose-body", "お見積書をお送りします。")
    await page.set_input_files("#compose-attachments", [str(estimate)])
    await page.click("#compose-send")
    await page.locator("#compose-form").wait_for(state="detached")
    [sent] = smtp_server.messages
    [attached] = list(sent.iter_attachments())
    assert attached.get_filename() == "お見積書（2026年4月）.pdf"
    assert attached.get_payload(decode=True) == estimate.read_bytes()

    await page.goto(f"{live_server}/mail/emails/{question.id}")
    await page.click("#reply-all-email")
    await page.locator("#compose-form").wait_for()
    assert await page.input_value("#compose-to") == CUSTOMER
    assert await page.input_value("#compose-cc") == "keiri@sakura.example.jp, bucho@sakura.example.jp"
    assert await violations(page) == []
    assert console == []
