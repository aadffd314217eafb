"""E-mail files into the CRM in a real Chromium (issue 14): an .eml chosen in a contact's Mail panel
and one dropped on it (a drop event carrying a DataTransfer, as a file dragged from the desktop)
both show in the contact's mail list; an Outlook .msg uploaded on the Mail page opens the stored
e-mail, whose actions make a lead from its sender. No page on the way reports a console error or
a Content-Security-Policy violation (the drop handling is static/js/mail_upload.js)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import factories as f
from tests.browser.test_csp import RECORD_VIOLATIONS, sign_in, violations, watch_console
from tests.mail.test_uploads import eml

pytestmark = pytest.mark.browser
FILES = Path(__file__).parent.parent / "mail" / "files"

DROP = """([name, text]) => {
  const data = new DataTransfer();
  data.items.add(new File([text], name, {type: "message/rfc822"}));
  const target = document.querySelector("#mail-list");  // anywhere on the Mail panel
  for (const type of ["dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
  }
}"""


async def test_upload_and_drop_on_a_contact_then_a_msg_on_the_mail_page(live_server, live_db, browser_page, tmp_path):
    page = browser_page
    user = await f.make_user("Manager", email="eigyo@kizuna.example.jp", name="営業 一郎")
    # Not the sender's address: the e-mail shows because it was added to this contact.
    contact = await f.make_contact(user, last_name="山田", first_name="花子", email="hanako@example.jp")
    chosen = tmp_path / "見積.eml"
    chosen.write_bytes(eml(subject="お見積りの件", message_id="<chosen@example.jp>"))

    await page.context.add_init_script(RECORD_VIOLATIONS)
    console = watch_console(page)
    await sign_in(page, live_server, user.email)

    # Chosen in the file input of the contact's Mail panel.
    await page.goto(f"{live_server}/contacts/{contact.id}")
    await page.locator("#mail-upload-files").scroll_into_view_if_needed()
    await page.locator("#mail-list li.mail-row, #mail-empty").first.wait_for()
    await page.set_input_files("#mail-upload-files", str(chosen))
    await page.click("#mail-upload-button")
    await page.locator("#mail-upload-status", has_text="1 e-mail added.").wait_for()
    row = page.locator("#mail-list li.mail-row", has_text="お見積りの件")
    await row.wait_for()  # the list reloaded by itself

    # Dropped on the panel.
    dropped = eml(subject="納期のご相談", message_id="<dropped@example.jp>", attachments=()).decode("ascii")
    await page.evaluate(DROP, ["納期.eml", dropped])
    await page.locator("#mail-list li.mail-row", has_text="納期のご相談").wait_for()
    assert await page.locator("#mail-list li.mail-row").count() == 2

    # The Mail page: an Outlook file lands on its e-mail, with the actions.
    await page.goto(f"{live_server}/mail")
    await page.set_input_files("#mail-upload-files", str(FILES / "EmailWithAttachments.msg"))
    await page.click("#mail-upload-button")
    await page.wait_for_url(re.compile(r".*/mail/emails/\d+$"))
    assert await page.inner_text("#email-subject") == "This is the subject"
    await page.locator(".page-head details.mail-actions > summary").click()
    await page.locator("form[id^=mail-lead-] button").click()
    await page.locator("[id^=mail-done-]", has_text="Lead").wait_for()
    # Hostile: random bytes named .msg are refused with a message naming the file.
    await page.goto(f"{live_server}/mail")
    junk = tmp_path / "junk.msg"
    junk.write_bytes(bytes(range(256)) * 8)
    await page.set_input_files("#mail-upload-files", str(junk))
    await page.click("#mail-upload-button")
    await page.locator("#mail-upload-errors", has_text="“junk.msg” is not an e-mail").wait_for()

    assert await violations(page) == []
    # The browser logs the refusal's status (422) as a failed resource: that answer is expected.
    assert [m for m in console if "status of 422" not in m] == []
