"""GraphQL: pimSettings and updatePimSetting (personal, checked as on the page), pimRuns and pimRun
(your own runs only, reasons in the reader's language, the ignored records of a page of runs in
one query), resyncPimIgnored (your own ignored records, fixes checked against the limit)."""

from __future__ import annotations

import pytest

from app.models import PimIgnored, PimKind, PimRunSource, PimSetting
from tests import factories as f
from tests.graphql.conftest import gid
from tests.querycount import count_queries
from tests.views.test_pim_pages import ignore, long_department, run_of

SETTINGS = "{ pimSettings { kind direction automatic categoryOnly categoryName deleteThreshold } }"
UPDATE = """mutation($kind: PimKind!, $input: PimSettingInput!) { updatePimSetting(kind: $kind, input: $input) {
  __typename ... on PimSettingPayload { pimSetting { kind direction categoryOnly categoryName deleteThreshold } }
  ... on ValidationError { fields { path message } } } }"""
RUNS = """query($limit: Int, $offset: Int) { pimRuns(limit: $limit, offset: $offset) { id source fileName device
  counts { kind added updated deleted ignored } } }"""
RUN = """query($id: ID!) { pimRun(id: $id) { fileName ignored { id kind reason message label field value limit }
  pendingIgnored { id label } } }"""
RESYNC = """mutation($ids: [ID!]!, $fixes: [PimFixInput!]) { resyncPimIgnored(ids: $ids, fixes: $fixes) {
  __typename ... on ResyncPimIgnoredPayload { run { id counts { kind added } pendingIgnored { id } } }
  ... on ValidationError { fields { path message } } ... on Conflict { message } } }"""


@pytest.fixture
async def user(db):
    return await f.make_user("Sales", email="pim-gql@example.jp")


async def test_settings_read_as_defaults_then_saved(gql, user):
    found = (await gql(user, SETTINGS))["pimSettings"]
    assert [s["kind"] for s in found] == ["CONTACTS", "TASKS", "EVENTS"]
    assert found[0] == {"kind": "CONTACTS", "direction": "BOTH", "automatic": True, "categoryOnly": False,
                        "categoryName": "Kizuna", "deleteThreshold": 20}
    done = (await gql(user, UPDATE, {"kind": "EVENTS", "input": {
        "direction": "TO_CLIENT", "categoryOnly": True, "categoryName": "営業", "deleteThreshold": 50}}))
    assert done["updatePimSetting"]["pimSetting"] == {
        "kind": "EVENTS", "direction": "TO_CLIENT", "categoryOnly": True, "categoryName": "営業", "deleteThreshold": 50}
    # Fields left out keep their value.
    again = await gql(user, UPDATE, {"kind": "EVENTS", "input": {"deleteThreshold": 5}})
    assert again["updatePimSetting"]["pimSetting"]["categoryName"] == "営業"
    assert (await PimSetting.get(user_id=user.id, kind=PimKind.EVENTS)).delete_threshold == 5


@pytest.mark.parametrize(("input", "path"), [
    ({"deleteThreshold": 0}, "deleteThreshold"),
    ({"deleteThreshold": 100_000}, "deleteThreshold"),
    ({"categoryOnly": True, "categoryName": ""}, "categoryName"),
    ({"categoryName": "x" * 51}, "categoryName"),
    ({"categoryName": "a\x00b"}, "categoryName"),
])
async def test_settings_are_refused_field_by_field(gql, user, input, path):
    done = (await gql(user, UPDATE, {"kind": "CONTACTS", "input": input}))["updatePimSetting"]
    assert done["__typename"] == "ValidationError" and [e["path"] for e in done["fields"]] == [path]
    assert not await PimSetting.exists(user_id=user.id)


async def test_runs_are_ones_own_newest_first(gql, user):
    old = await run_of(user, file_name="old.csv", counts={"contacts": {"added": 2, "updated": 0, "deleted": 0,
                                                                        "ignored": 1}})
    new = await run_of(user, source=PimRunSource.DEVICE, device="iPhone", file_name="")
    theirs = await run_of(await f.make_user("Sales"), file_name="secret.csv")
    runs = (await gql(user, RUNS))["pimRuns"]
    assert [r["id"] for r in runs] == [gid("PimRun", new.id), gid("PimRun", old.id)]
    assert runs[1]["counts"] == [{"kind": "CONTACTS", "added": 2, "updated": 0, "deleted": 0, "ignored": 1}]
    assert (await gql(user, RUNS, {"limit": 1, "offset": 1}))["pimRuns"][0]["fileName"] == "old.csv"
    assert (await gql(user, RUN, {"id": gid("PimRun", theirs.id)}))["pimRun"] is None
    assert (await gql(user, RUN, {"id": gid("Contact", old.id)}))["pimRun"] is None


async def test_a_run_lists_ignored_records_with_the_reason_in_the_readers_language(gql, user):
    run = await run_of(user)
    over = await ignore(run, long_department())
    later = await run_of(user)
    found = (await gql(user, RUN, {"id": gid("PimRun", run.id)}))["pimRun"]
    assert found["ignored"] == [{"id": gid("PimIgnored", over.id), "kind": "CONTACTS", "reason": "LIMIT",
                                 "message": "Must be at most 50 characters (now 61).", "label": "山田 太郎",
                                 "field": "department", "value": "営" * 61, "limit": 50}]
    pending = (await gql(user, RUN, {"id": gid("PimRun", later.id)}))["pimRun"]["pendingIgnored"]
    assert pending == [{"id": gid("PimIgnored", over.id), "label": "山田 太郎"}]
    japanese = await gql(user, RUN, {"id": gid("PimRun", run.id)}, headers={"Accept-Language": "ja"})
    assert "Must be at most" not in japanese["pimRun"]["ignored"][0]["message"]


async def test_ignored_records_of_a_page_of_runs_in_one_query(gql, user):
    for _ in range(3):
        await ignore(await run_of(user), long_department())
    await gql(user, "{ pimRuns { id } }")  # signs in (the token is made) outside the count
    with count_queries() as counted:
        runs = (await gql(user, "{ pimRuns { ignored { label } } }"))["pimRuns"]
    assert [len(r["ignored"]) for r in runs] == [1, 1, 1]
    with count_queries() as more:
        await gql(user, "{ pimRuns { fileName } }")
    assert len(counted) - len(more) == 1, counted.sql


async def test_resync_refuses_others_records_and_bad_fixes(gql, user):
    theirs = await ignore(await run_of(await f.make_user("Sales")), long_department())
    mine = await ignore(await run_of(user), long_department())
    refused = (await gql(user, RESYNC, {"ids": [gid("PimIgnored", theirs.id)]}))["resyncPimIgnored"]
    assert refused["__typename"] == "ValidationError" and refused["fields"][0]["path"] == "ids"
    too_long = (await gql(user, RESYNC, {"ids": [gid("PimIgnored", mine.id)],
                                         "fixes": [{"id": gid("PimIgnored", mine.id), "value": "x" * 51}]}))
    assert too_long["resyncPimIgnored"]["fields"] == [
        {"path": f"fixes.{mine.id}", "message": "Must be at most 50 characters (now 51)."}]
    nothing = (await gql(user, RESYNC, {"ids": []}))["resyncPimIgnored"]
    assert nothing["__typename"] == "ValidationError"
    assert await PimIgnored.filter(resolved_at=None).count() == 2


async def test_resync_with_a_fix_adds_the_record(gql, user):
    from app.models import Contact

    over = await ignore(await run_of(user), long_department())
    done = (await gql(user, RESYNC, {"ids": [gid("PimIgnored", over.id)],
                                     "fixes": [{"id": gid("PimIgnored", over.id), "value": "営業部"}]}))
    run = done["resyncPimIgnored"]["run"]
    assert run["counts"][0] == {"kind": "CONTACTS", "added": 1} and run["pendingIgnored"] == []
    assert (await Contact.get(last_name="山田")).department == "営業部"


HELD = "{ pimHeld { kind reason device deletes puts total changeIds } }"
APPLY = """mutation($ids: [ID!]!) { applyPimHeld(ids: $ids) { __typename
  ... on PimSyncPayload { run { source counts { kind added } } } ... on ValidationError { fields { path message } } } }"""
DISCARD = """mutation($ids: [ID!]!) { discardPimHeld(ids: $ids) { __typename ... on DiscardPimHeldPayload { discarded } } }"""
SYNC_NOW = """mutation($kind: PimKind!) { syncPimNow(kind: $kind) { __typename
  ... on PimSyncPayload { run { source } } } }"""
TOKEN = """mutation($name: String!, $scopes: [ApiTokenScope!]) { createApiToken(name: $name, scopes: $scopes) {
  __typename ... on CreateApiTokenPayload { secret token { name scopes } } ... on ValidationError { fields { path } } } }"""


async def _held(user, last_name: str):
    from app.models import PimCollection, PimHeld, PimHeldReason

    collection, _ = await PimCollection.get_or_create(user=user, name="contacts")
    return await PimHeld.create(collection=collection, kind=PimKind.CONTACTS, action="put",
                                reason=PimHeldReason.MANUAL, device="iPhone",
                                values={"kind": "contacts", "values": {"last_name": last_name}})


async def test_held_changes_are_listed_applied_or_discarded_yours_only(gql, user):
    from app.models import Contact, PimHeld

    kept = await _held(user, "保留中")
    dropped = await _held(user, "取り消し")
    other = await f.make_user("Sales")
    theirs = await _held(other, "他人")
    groups = (await gql(user, HELD))["pimHeld"]
    assert [(g["kind"], g["reason"], g["device"], g["puts"]) for g in groups] == [("CONTACTS", "MANUAL", "iPhone", 2)]
    assert set(groups[0]["changeIds"]) == {gid("PimHeld", kept.id), gid("PimHeld", dropped.id)}
    done = (await gql(user, DISCARD, {"ids": [gid("PimHeld", dropped.id), gid("PimHeld", theirs.id)]}))
    assert done["discardPimHeld"]["discarded"] == 1  # another user's is never touched
    applied = (await gql(user, APPLY, {"ids": [gid("PimHeld", kept.id)]}))["applyPimHeld"]
    assert applied["run"] == {"source": "SYNC_NOW", "counts": [{"kind": "CONTACTS", "added": 1}]}
    assert await Contact.filter(last_name="保留中", owner_id=user.id).exists()
    assert not await Contact.filter(last_name="取り消し").exists()
    assert await PimHeld.filter(id=theirs.id).exists() and (await gql(user, HELD))["pimHeld"] == []
    assert (await gql(user, SYNC_NOW, {"kind": "CONTACTS"}))["syncPimNow"]["run"]["source"] == "SYNC_NOW"


async def test_an_app_password_for_dav_is_made_through_graphql(gql, user):
    from app import auth

    made = (await gql(user, TOKEN, {"name": "iPhone", "scopes": ["DAV"]}))["createApiToken"]
    assert made["token"] == {"name": "iPhone", "scopes": ["DAV"]}
    assert await auth.user_for_token(made["secret"], "dav") and not await auth.user_for_token(made["secret"])
    plain = (await gql(user, TOKEN, {"name": "Script"}))["createApiToken"]
    assert plain["token"]["scopes"] == ["API"]
    refused = (await gql(user, TOKEN, {"name": "None", "scopes": []}))["createApiToken"]
    assert refused["__typename"] == "ValidationError" and refused["fields"][0]["path"] == "scopes"
