"""The rules every way into PIM sync obeys (seed 003): de-duplication, attendees, limits,
permissions, categories, and the report with its ignored records synced again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.models import (
    Access,
    Account,
    Contact,
    Event,
    EventAttendee,
    PimIgnored,
    PimIgnoreReason,
    PimKind,
    PimRunSource,
    PimSetting,
    Task,
    TaskPriority,
)
from app.pim import apply as engine
from app.pim import runs
from app.pim.items import Attendee, Item, Problem
from app.pim.records import items_of
from tests import factories as f

C, T, E = PimKind.CONTACTS, PimKind.TASKS, PimKind.EVENTS


def contact(**values) -> Item:
    return Item(C, values=values, source="test")


async def _run(user, source=PimRunSource.IMPORT):
    return await runs.start(user, source, file_name="test.csv")


async def test_contacts_are_the_same_by_address_case_insensitive_else_by_width_normalised_name(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    by_mail = await f.make_contact(me, last_name="山田", first_name="太郎", email="Taro@Example.jp")
    by_name = await f.make_contact(me, last_name="ヤマダ", first_name="ハナコ", email="")
    run = await _run(me)
    out = await engine.apply(p, [
        contact(last_name="山田", first_name="太郎", email="taro@EXAMPLE.jp", title="部長"),
        # half-width kana and an ideographic space: the same full name
        contact(last_name="ﾔﾏﾀﾞ\u3000", first_name="ﾊﾅｺ", department="営業"),
        # the same name but its own address: a different person
        contact(last_name="ヤマダ", first_name="ハナコ", email="hanako2@example.jp"),
    ], run)
    assert [o.action for o in out] == ["updated", "updated", "added"]
    assert out[0].record_id == by_mail.id and out[1].record_id == by_name.id
    assert (await Contact.get(id=by_mail.id)).title == "部長"
    assert (await Contact.get(id=by_name.id)).department == "営業"
    assert await Contact.all().count() == 3
    await run.refresh_from_db()
    assert run.counts == {"contacts": {"updated": 2, "added": 1}}
    # Nothing changed: unchanged, and not counted again.
    again = await engine.apply(p, [contact(last_name="山田", first_name="太郎", email="taro@EXAMPLE.jp", title="部長")], run)
    assert again[0].action == "unchanged"


async def test_duplicates_within_one_sync_are_ignored_with_the_rule(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    run = await _run(me)
    out = await engine.apply(p, [
        contact(last_name="佐藤", email="sato@example.jp"),
        contact(last_name="Sato", email="SATO@example.jp"),
        contact(last_name="鈴木", first_name="一郎"),
        contact(last_name="鈴木", first_name="一郎"),
    ], run)
    assert [o.action for o in out] == ["added", "ignored", "added", "ignored"]
    assert out[1].ignored.reason == PimIgnoreReason.DUPLICATE
    assert "same e-mail address" in out[1].ignored.message
    assert "same full name" in out[3].ignored.message
    assert await Contact.all().count() == 2


async def test_a_value_over_its_limit_is_never_cut_but_ignored_with_field_and_reason(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    run = await _run(me)
    long_department = "営" * 51
    out = await engine.apply(p, [contact(last_name="高橋", department=long_department),
                                 contact(last_name="伊藤", account_name="株" * 201)], run)
    assert [o.action for o in out] == ["ignored", "ignored"]
    first = out[0].ignored
    assert (first.reason, first.field, first.params) == (PimIgnoreReason.LIMIT, "department", {"max": 50, "length": 51})
    assert out[1].ignored.field == "account_name" and out[1].ignored.params["max"] == 200
    assert await Contact.all().count() == 0 and await Account.all().count() == 0
    stored = await PimIgnored.get(id=first.id)
    assert Item.from_json(stored.values).values["department"] == long_department  # kept whole


async def test_the_company_is_matched_to_an_account_by_name_else_created(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    acme = await f.make_account(me, name="ＡＣＭＥ商事")  # full-width letters
    run = await _run(me)
    out = await engine.apply(p, [contact(last_name="中村", account_name="ACME商事"),
                                 contact(last_name="小林", account_name="新しい会社"),
                                 contact(last_name="加藤", account_name="新しい会社")], run)
    assert [o.action for o in out] == ["added"] * 3
    records = {c.last_name: c for c in await Contact.all()}
    assert records["中村"].account_id == acme.id
    created = await Account.get(name="新しい会社")
    assert records["小林"].account_id == records["加藤"].account_id == created.id
    assert created.owner_id == me.id and "新しい会社" in created.search_text


async def test_permissions_no_grant_and_read_only_matches_are_refused_with_the_reason(db):
    owner = await f.make_user()
    reader = await f.make_user()
    shared = await f.make_contact(owner, last_name="共有", email="shared@example.jp")
    await f.share("contacts", Access.READ_ONLY, owner=owner, grantee=reader)
    p = await f.principal_for(reader)
    run = await _run(reader)
    out = await engine.apply(p, [contact(last_name="共有", email="shared@example.jp", title="社長"),
                                 contact(last_name="自分", email="mine@example.jp")], run)
    assert out[0].action == "ignored" and out[0].ignored.reason == PimIgnoreReason.PERMISSION
    assert "read-only" in out[0].ignored.message
    assert out[1].action == "added"
    assert (await Contact.get(id=shared.id)).title == ""
    accountant = await f.make_user(role="Accountant")
    refused = await engine.apply(await f.principal_for(accountant), [contact(last_name="経理")], await _run(accountant))
    assert refused[0].ignored.reason == PimIgnoreReason.PERMISSION
    assert "does not allow" in refused[0].ignored.message


async def test_a_hidden_record_is_not_matched(db):
    """De-duplication looks at what the user can see: another user's private contact is neither
    updated nor revealed."""
    other = await f.make_user()
    me = await f.make_user()
    theirs = await f.make_contact(other, last_name="秘密", email="secret@example.jp")
    out = await engine.apply(await f.principal_for(me), [contact(last_name="秘密", email="secret@example.jp")],
                             await _run(me))
    assert out[0].action == "added" and out[0].record_id != theirs.id


async def test_tasks_match_by_subject_and_due_date_events_by_subject_start_and_end(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    task = await f.make_task(me, subject="見積送付", due_date=date(2026, 12, 1))
    start = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    event = await f.make_event(me, subject="定例", start_at=start, end_at=start + timedelta(hours=1))
    run = await _run(me)
    out = await engine.apply(p, [
        Item(T, values={"subject": "見積送付", "due_date": date(2026, 12, 1), "priority": TaskPriority.HIGH}),
        Item(T, values={"subject": "見積送付", "due_date": date(2026, 12, 8)}),
        Item(E, values={"subject": "定例", "start_at": start, "end_at": start + timedelta(hours=1), "location": "本社"}),
        Item(E, values={"subject": "定例", "start_at": start, "end_at": start + timedelta(hours=2)}),
    ], run)
    assert [o.action for o in out] == ["updated", "added", "updated", "added"]
    assert (await Task.get(id=task.id)).priority == TaskPriority.HIGH
    assert (await Event.get(id=event.id)).location == "本社"


async def test_attendees_contact_before_lead_before_user_first_created_contact_else_bare(db):
    me = await f.make_user(email="organiser@example.com")
    colleague = await f.make_user(email="colleague@example.com")
    first = await f.make_contact(me, last_name="先", email="twin@example.jp")
    await f.make_contact(me, last_name="後", email="Twin@example.jp")
    lead = await f.make_lead(me, email="lead@example.jp")
    await f.make_lead(me, email="twin@example.jp")  # a contact wins over a lead
    p = await f.principal_for(me)
    start = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    out = await engine.apply(p, [Item(E, values={"subject": "商談", "start_at": start, "end_at": start + timedelta(hours=1)},
                                      attendees=[Attendee("TWIN@example.jp"), Attendee("lead@example.jp"),
                                                 Attendee("colleague@example.com"), Attendee("nobody@example.org")])],
                             await _run(me))
    rows = await EventAttendee.filter(event_id=out[0].record_id).values_list("contact_id", "lead_id", "user_id", "email")
    assert sorted(rows, key=str) == sorted([(first.id, None, None, ""), (None, lead.id, None, ""),
                                            (None, None, colleague.id, ""), (None, None, None, "nobody@example.org")],
                                           key=str)
    items = await items_of(E, [await Event.get(id=out[0].record_id)])
    assert {a.email.lower() for a in items[0].attendees} == {"twin@example.jp", "lead@example.jp",
                                                           "colleague@example.com", "nobody@example.org"}


async def test_the_record_rules_of_the_forms_apply(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    start = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    out = await engine.apply(p, [
        contact(last_name="未来", birthday=date(2999, 1, 1)),
        contact(first_name="名だけ", email="only@example.jp"),
        contact(last_name="メール", email="not an address"),
        Item(E, values={"subject": "逆", "start_at": start, "end_at": start - timedelta(hours=1)}),
        Item(T, values={"subject": "悪い", "priority": "urgent"}),
        Item(C, values={"last_name": "読めない"}, problems=[Problem("birthday", "Enter a valid date (YYYY-MM-DD).")]),
    ], await _run(me))
    assert all(o.action == "ignored" and o.ignored.reason == PimIgnoreReason.INVALID for o in out)
    assert [o.ignored.field for o in out] == ["birthday", "last_name", "email", "end_at", "priority", "birthday"]


async def test_a_whole_representation_empties_what_it_leaves_out(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    record = await f.make_contact(me, last_name="全体", email="whole@example.jp", title="課長", department="総務")
    out = await engine.apply(p, [contact(last_name="全体", email="whole@example.jp", title="部長")], await _run(me),
                             targets={0: record.id})
    assert out[0].action == "updated"
    again = await Contact.get(id=record.id)
    assert (again.title, again.department) == ("部長", "")


async def test_sync_runs_take_only_the_category_when_the_setting_says_so(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    await PimSetting.create(user=me, kind=C, category_only=True, category_name="Kizuna")
    run = await runs.device_run(me, "Outlook on PC-1")
    out = await engine.apply(p, [Item(C, values={"last_name": "外"}, categories=["Private"]),
                                 Item(C, values={"last_name": "内"}, categories=["ｋｉｚｕｎａ", "Private"])], run)
    assert [o.action for o in out] == ["outside", "added"]
    assert (await Contact.get(id=out[1].record_id)).categories == "ｋｉｚｕｎａ,Private"
    # A file import takes what the user chose to import.
    assert (await engine.apply(p, [Item(C, values={"last_name": "外"})], await _run(me)))[0].action == "added"


async def test_ignored_records_are_listed_next_time_and_synced_once_fixed(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    first = await _run(me)
    out = await engine.apply(p, [contact(last_name="長い", department="部" * 60), contact(last_name="短い")], first)
    await runs.finish(first)
    later = await _run(me)
    pending = await runs.pending_ignored(me, exclude_run=later)
    assert [i.id for i in pending] == [out[0].ignored.id]
    fixed = await runs.resync(p, [out[0].ignored.id], {out[0].ignored.id: {"department": "営業部"}})
    assert fixed.counts == {"contacts": {"added": 1}}
    assert (await Contact.get(last_name="長い")).department == "営業部"
    assert await runs.pending_ignored(me) == []
    other = await f.make_user()
    with pytest.raises(Exception):
        await runs.get_run(other, fixed.id)


async def test_deleting_follows_permissions(db):
    me = await f.make_user()
    manager = await f.make_user(role="Manager")
    mine = await f.make_contact(me)
    out = await engine.delete(await f.principal_for(me), C, [mine.id], await _run(me))
    assert out[0].action == "ignored" and out[0].ignored.reason == PimIgnoreReason.PERMISSION  # Sales cannot delete
    run = await _run(manager)
    out = await engine.delete(await f.principal_for(manager), C, [mine.id], run)
    assert out[0].action == "deleted" and not await Contact.filter(id=mine.id).exists()
    assert run.counts == {"contacts": {"deleted": 1}}


async def test_a_big_batch_finds_the_same_matches(db):
    """Past a few items the engine reads every visible contact's keys at once: same rules."""
    me = await f.make_user()
    p = await f.principal_for(me)
    by_mail = await f.make_contact(me, last_name="大量", email="Bulk@Example.jp")
    by_name = await f.make_contact(me, last_name="ヤマダ", first_name="ハナコ", email="")
    items = [contact(last_name="大量", email="bulk@example.JP", title="部長"),
             contact(last_name="ﾔﾏﾀﾞ", first_name="ﾊﾅｺ", title="課長"),
             *(contact(last_name=f"新規{i}", email=f"new{i}@example.jp") for i in range(engine._FEW + 5))]
    out = await engine.apply(p, items, await _run(me))
    assert [o.record_id for o in out[:2]] == [by_mail.id, by_name.id]
    assert [o.action for o in out] == ["updated", "updated"] + ["added"] * (engine._FEW + 5)
