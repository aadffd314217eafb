"""Search pickers in a real Chromium, under the Content-Security-Policy: an event's attendees (a
contact found by typing, told from a namesake by the account, and a free address added with
Enter) and a task related to a deal found by search."""

from __future__ import annotations

import re

import pytest

from app.models import Event, EventAttendee, RelatedType, Task
from tests import factories as f
from tests.browser.test_csp import RECORD_VIOLATIONS, sign_in, violations

pytestmark = pytest.mark.browser


async def test_event_attendees_and_a_tasks_deal_picked_by_search(live_server, live_db, browser_page):
    page = browser_page
    user = await f.make_user("Sales", email="aoi@example.jp", name="Aoi Sato")
    sakura = await f.make_account(user, name="Sakura Trading")
    fuji = await f.make_account(user, name="Fuji Works")
    hanako = await f.make_contact(user, last_name="Yamada", first_name="Hanako", account=sakura)
    await f.make_contact(user, last_name="Yamada", first_name="Hanako", account=fuji)
    deal = await f.make_deal(user, name="Annual maintenance", account=sakura)
    await page.context.add_init_script(RECORD_VIOLATIONS)
    await sign_in(page, live_server, "aoi@example.jp")

    await page.goto(f"{live_server}/events/new")
    await page.fill("#subject", "Kick-off")
    await page.fill("#start_at", "2030-02-01T10:00")
    await page.fill("#end_at", "2030-02-01T11:00")
    search = page.get_by_label("Attendees", exact=True)
    await search.fill("yamada")
    results = page.locator("#attendee-results")
    await results.get_by_role("button", name="Yamada Hanako (Sakura Trading)").click()
    chips = page.locator("#attendee-chips")
    await chips.get_by_text("Yamada Hanako (Sakura Trading)").wait_for()
    assert await chips.locator("li").count() == 1

    search = page.get_by_label("Attendees", exact=True)  # the picker was drawn again
    await search.fill("guest@example.com")
    await search.press("Enter")  # adds the address; does not submit the form
    await chips.get_by_text("guest@example.com").wait_for()
    assert await chips.locator("li").count() == 2 and "/events/new" in page.url
    await page.click("#save")
    await page.wait_for_url(re.compile(r".*/events/\d+$"))
    event = await Event.get(subject="Kick-off")
    rows = await EventAttendee.filter(event_id=event.id).order_by("id").values_list("contact_id", "email")
    assert rows == [(hanako.id, ""), (None, "guest@example.com")]

    await page.goto(f"{live_server}/tasks/new")
    await page.fill("#subject", "Send the quote")
    related = page.get_by_label("Related to")
    await related.fill("annual")
    picked = page.locator("#related-results button.pick").first
    await picked.wait_for()
    assert "Deal" in await picked.inner_text() and "Annual maintenance (Sakura Trading)" in await picked.inner_text()
    await related.press("ArrowDown")  # to the first result, picked with Enter
    await page.keyboard.press("Enter")
    await page.locator("#related-chosen").get_by_text("Annual maintenance (Sakura Trading)").wait_for()
    await page.click("#save")
    await page.wait_for_url(re.compile(r".*/tasks/\d+$"))
    task = await Task.get(subject="Send the quote")
    assert (task.related_type, task.related_id) == (RelatedType.DEAL, deal.id)
    assert await violations(page) == []


async def test_the_deals_contact_picker_follows_the_account(live_server, live_db, browser_page):
    page = browser_page
    user = await f.make_user("Sales", email="aoi@example.jp", name="Aoi Sato")
    sakura = await f.make_account(user, name="Sakura Trading")
    await f.make_contact(user, last_name="Abe", first_name="Jun")
    await f.make_contact(user, last_name="Yoshida", first_name="Mei", account=sakura)
    await page.context.add_init_script(RECORD_VIOLATIONS)
    await sign_in(page, live_server, "aoi@example.jp")

    await page.goto(f"{live_server}/deals/new")
    first = page.locator("#contacts-0-contact_id")
    assert await first.locator("optgroup").count() == 0
    await page.select_option("#contacts-0-contact_id", label="Abe Jun")
    await page.fill("#contacts-0-role", "Evaluator")
    await page.select_option("#account_id", str(sakura.id))
    group = page.locator("#contacts-0-contact_id optgroup").first
    await group.wait_for(state="attached")
    assert await group.get_attribute("label") == "Contacts of the account"
    assert await group.locator("option").all_inner_texts() == ["Yoshida Mei (Sakura Trading)"]
    # What was chosen stays chosen.
    assert await page.locator("#contacts-0-contact_id option:checked").inner_text() == "Abe Jun"
    assert await page.input_value("#contacts-0-role") == "Evaluator"
    assert await violations(page) == []
