"""GraphQL: startBooksSync (administrators; queued on the job engine), booksSyncRuns and
booksSyncRun with their entries (reasons in the reader's language; entries of a page of runs in
one query), the record filter saved through updateBooksSyncSettings; nothing while the link is
disabled."""

from __future__ import annotations

import pytest

from app import books_tasks, jobs
from app.services import books_link
from tests import factories as f
from tests.querycount import count_queries

START = """mutation { startBooksSync { __typename ... on StartBooksSyncPayload { queued }
  ... on PermissionDenied { message } ... on NotFound { message } } }"""
RUNS = """{ booksSyncRuns(first: 5) { id trigger status added updated skipped conflicts errors deleted
  startedBy { name } entries { outcome side module label reason crmId } } }"""
RUN = """query($id: ID!) { booksSyncRun(id: $id) { added entries(first: 1) { label } } }"""
UPDATE = """mutation($input: BooksSyncSettingsInput!) { updateBooksSyncSettings(input: $input) { __typename
  ... on BooksLinkPayload { booksLink { settings { recordFilter { field op value } } } }
  ... on ValidationError { fields { path message } } } }"""
BASE = {"syncModule": "ACCOUNTS", "direction": "CRM_TO_BOOKS", "conflictPolicy": "SKIP",
        "productDirection": "TWO_WAY", "productConflictPolicy": "SKIP"}


@pytest.fixture(autouse=True)
def empty_queue():
    if jobs.in_memory():
        jobs.engine().connector.reset()
    yield


@pytest.fixture
async def admin(db):
    user = await f.make_user("Administrator", name="管理 太郎", email="gql-sync@example.jp")
    org = await f.make_org(user)
    await f.link_books(user, org)
    return user


async def test_sync_now_then_the_runs_and_their_entries(gql, admin):
    await f.make_account(admin, name="株式会社いろは")
    await f.make_account(admin, name="株式会社ほへと")
    assert (await gql(admin, START))["startBooksSync"] == {"__typename": "StartBooksSyncPayload", "queued": True}
    assert (await gql(admin, START))["startBooksSync"]["queued"] is False
    await jobs.run_pending(queues=[books_tasks.QUEUE])
    assert (await gql(admin, START))["startBooksSync"]["queued"] is True
    await jobs.run_pending(queues=[books_tasks.QUEUE])
    runs = (await gql(admin, RUNS, headers={"Accept-Language": "ja"}))["booksSyncRuns"]
    assert [(r["trigger"], r["status"], r["added"]) for r in runs] == [("MANUAL", "DONE", 0), ("MANUAL", "DONE", 2)]
    assert runs[1]["startedBy"] == {"name": "管理 太郎"} and runs[0]["entries"] == []
    entry = runs[1]["entries"][0]
    assert (entry["outcome"], entry["side"], entry["module"]) == ("ADDED", "BOOKS", "accounts")
    assert entry["reason"] == "会計に作成しました。"
    one = (await gql(admin, RUN, {"id": runs[1]["id"]}))["booksSyncRun"]
    assert one["added"] == 2 and len(one["entries"]) == 1


async def test_entries_of_a_page_of_runs_cost_one_query(gql, admin):
    from app.models import SyncTrigger
    from app.services import books_sync

    for n in range(3):
        await f.make_account(admin, name=f"株式会社{n}")
        await books_sync.run(await books_link.active_link(), SyncTrigger.MANUAL)
    await gql(admin, "{ booksSyncRuns(first: 1) { added } }")  # the API token, made on first use
    with count_queries() as counted:
        runs = (await gql(admin, "{ booksSyncRuns(first: 5) { entries { label } } }"))["booksSyncRuns"]
    assert [len(r["entries"]) for r in runs] == [1, 1, 1]
    with count_queries() as more:
        await gql(admin, "{ booksSyncRuns(first: 5) { added } }")
    assert len(counted) - len(more) == 1, counted.sql


async def test_the_record_filter_is_saved_or_refused(gql, admin):
    done = (await gql(admin, UPDATE, {"input": {**BASE, "recordFilter": [
        {"field": "billing_state", "op": "equals", "value": "東京都"}, {"field": "phone", "op": "not_empty"}]}}))
    assert done["updateBooksSyncSettings"]["booksLink"]["settings"]["recordFilter"] == [
        {"field": "billing_state", "op": "equals", "value": "東京都"}, {"field": "phone", "op": "not_empty", "value": ""}]
    kept = await gql(admin, UPDATE, {"input": BASE})  # no recordFilter: the stored one stays
    assert len(kept["updateBooksSyncSettings"]["booksLink"]["settings"]["recordFilter"]) == 2
    refused = (await gql(admin, UPDATE, {"input": {**BASE, "recordFilter": [
        {"field": "shoe_size", "op": "equals", "value": "1"}, {"field": "name", "op": "greater_than", "value": "1"}]}}))
    assert refused["updateBooksSyncSettings"] == {"__typename": "ValidationError", "fields": [
        {"path": "recordFilter.0", "message": "Choose one of the CRM fields offered."},
        {"path": "recordFilter.1", "message": "Choose one of the conditions offered."}]}


async def test_only_administrators_and_nothing_while_disabled(gql, admin):
    sales = await f.make_user("Sales")
    body = (await gql.post(sales, RUNS)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await gql(sales, START))["startBooksSync"]["__typename"] == "PermissionDenied"
    await books_link.set_enabled(await f.principal_for(admin), False)
    assert (await gql(admin, START))["startBooksSync"]["__typename"] == "NotFound"
    assert (await gql(admin, RUNS))["booksSyncRuns"] == []
