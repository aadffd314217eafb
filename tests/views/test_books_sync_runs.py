"""Settings > Services > Books: "Sync now" queues a run, the last runs show with their counts, a
run's entries open in place (reasons in the reader's language), the record-filter editor adds,
redraws and saves conditions (refusals answered 422 with the form, nothing saved); others 403."""

from __future__ import annotations

import pytest

from app import books_tasks, jobs
from app.models import BooksLink, BooksSyncRun
from tests import factories as f
from tests.views.conftest import login, post

PAGE = "/settings/services/books"
BASE = {"sync_module": "accounts", "direction": "crm_to_books", "conflict_policy": "skip",
        "product_direction": "two_way", "product_conflict_policy": "skip"}


@pytest.fixture(autouse=True)
def empty_queue():
    if jobs.in_memory():
        jobs.engine().connector.reset()
    yield


@pytest.fixture
async def admin(client, db):
    user = await f.make_user("Administrator", email="page-sync@example.jp")
    org = await f.make_org(user)
    await f.link_books(user, org)
    await login(client, user)
    return user


async def test_sync_now_then_the_run_and_its_entries(client, admin):
    await f.make_account(admin, name="株式会社いろは")
    page = await client.get(PAGE)
    assert 'id="sync-now"' in page.text and 'id="no-runs"' in page.text
    response = await post(client, f"{PAGE}/sync-now")
    assert response.status_code == 303 and response.headers["location"].endswith("done=queued")
    assert (await post(client, f"{PAGE}/sync-now")).headers["location"].endswith("done=waiting")
    await jobs.run_pending(queues=[books_tasks.QUEUE])
    run = await BooksSyncRun.get()
    page = await client.get(PAGE, headers={"Accept-Language": "ja"})
    assert f'id="run-{run.id}"' in page.text
    row = page.text.split(f'id="run-{run.id}"')[1].split("</tr>")[0]
    assert "<td>1</td>" in row and "手動" in row
    fragment = await client.get(f"{PAGE}/runs/{run.id}", headers={"HX-Request": "true", "Accept-Language": "ja"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "株式会社いろは" in fragment.text and "会計に作成しました。" in fragment.text
    full = await client.get(f"{PAGE}/runs/{run.id}")
    assert full.status_code == 200 and "Created in Books." in full.text and "<html" in full.text
    assert (await client.get(f"{PAGE}/runs/{run.id + 100}")).status_code == 404


async def test_the_record_filter_editor(client, admin):
    redrawn = await post(client, f"{PAGE}/sync", {**BASE, "action": "add:filter"}, htmx=True)
    assert redrawn.status_code == 200 and redrawn.text.count('name="filter_field"') == 1
    owner = await post(client, f"{PAGE}/sync", {**BASE, "action": "redraw", "filter_field": "owner",
                                                 "filter_op": "equals", "filter_value": ""}, htmx=True)
    assert 'select name="filter_value"' in owner.text and "page-sync@example.jp" not in owner.text
    refused = await post(client, f"{PAGE}/sync", {**BASE, "filter_field": "billing_state", "filter_op": "greater_than",
                                                  "filter_value": "1"}, htmx=True)
    assert refused.status_code == 422 and "Choose one of the conditions offered." in refused.text
    assert (await BooksLink.get(slot=1)).record_filter == []
    saved = await post(client, f"{PAGE}/sync", {**BASE, "filter_field": ["billing_state", "owner"],
                                                "filter_op": ["equals", "equals"],
                                                "filter_value": ["東京都", str(admin.id)]}, htmx=True)
    assert saved.status_code == 200 and saved.headers["hx-location"].endswith("done=synced")
    assert (await BooksLink.get(slot=1)).record_filter == [
        {"field": "billing_state", "op": "equals", "value": "東京都"},
        {"field": "owner", "op": "equals", "value": str(admin.id)}]
    page = await client.get(PAGE)
    assert page.text.count('name="filter_field"') == 2 and 'value="東京都"' in page.text
    removed = await post(client, f"{PAGE}/sync", {**BASE, "action": "remove:filter:0",
                                                  "filter_field": ["billing_state", "owner"],
                                                  "filter_op": ["equals", "equals"],
                                                  "filter_value": ["東京都", str(admin.id)]}, htmx=True)
    assert removed.text.count('name="filter_field"') == 1


async def test_others_may_not(client, admin):
    run = await BooksSyncRun.create(organization_id=(await BooksLink.get(slot=1)).organization_id, trigger="manual")
    await login(client, await f.make_user("Sales"))
    assert (await post(client, f"{PAGE}/sync-now")).status_code == 403
    assert (await client.get(f"{PAGE}/runs/{run.id}")).status_code == 403
    assert await BooksSyncRun.all().count() == 1
