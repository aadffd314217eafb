"""Settings > PIM sync, Import, exports and sync reports, as a user sees them: personal settings
per kind with their validation, an app password for DAV clients (and the scope of every token),
held changes, the reports of one's own runs only, with ignored records, their reasons and the
values to fix inline; imports from a file and exports of the lists."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from app.models import (
    ApiToken,
    Contact,
    PimCollection,
    PimHeld,
    PimHeldReason,
    PimIgnored,
    PimIgnoreReason,
    PimKind,
    PimResource,
    PimRun,
    PimRunSource,
    PimSetting,
)
from app.pim.items import Item
from tests import factories as f
from tests.views.conftest import csrf_of, login, post, text_of


def row_text(html: str, element_id: str) -> str:
    """The text of the table row (list item, table) with this id, tags dropped."""
    match = re.search(rf'<(tr|li|table)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no row #{element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


async def run_of(user, *, source=PimRunSource.IMPORT, file_name="contacts.csv", counts=None, **kw) -> PimRun:
    return await PimRun.create(user=user, source=source, file_name=file_name, counts=counts or {},
                               finished_at=datetime.now(UTC), **kw)


def long_department(n: int = 61) -> Item:
    return Item(PimKind.CONTACTS, {"last_name": "山田", "first_name": "太郎", "department": "営" * n}, source="line 2")


async def ignore(run: PimRun, item: Item, *, reason=PimIgnoreReason.LIMIT, field="department") -> PimIgnored:
    params = {"max": 50, "length": len(item.values.get(field, ""))} if reason is PimIgnoreReason.LIMIT else {}
    message = "Must be at most %(max)d characters (now %(length)d)." if reason is PimIgnoreReason.LIMIT else ""
    return await PimIgnored.create(run=run, user_id=run.user_id, kind=item.kind, reason=reason, field=field,
                                   message=message, params=params, label=item.label, values=item.to_json())


# ---- the settings page -------------------------------------------------------------------------


async def test_every_user_has_the_pim_page_linked_from_settings(signed_in, client):
    user = await signed_in("Sales")
    account = await client.get("/settings/account")
    assert 'href="/settings/pim"' in account.text and 'href="/settings/pim/import"' in account.text
    page = await client.get("/settings/pim")
    assert page.status_code == 200
    for kind in ("contacts", "tasks", "events"):
        assert f'id="form-{kind}"' in page.text
    assert text_of(page.text, "dav-username") == user.email
    assert text_of(page.text, "dav-url").endswith("/dav/")
    # Defaults: both ways, automatic, every item, 20 % before deletions are held.
    assert re.search(r'<option value="both" selected', page.text)
    assert 'id="contacts-delete_threshold" value="20"' in page.text


async def test_anonymous_is_sent_to_log_in(client, db):
    response = await client.get("/settings/pim")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_saving_a_kinds_settings(signed_in, client):
    user = await signed_in("Sales")
    response = await post(client, "/settings/pim/tasks", {
        "direction": "to_kizuna", "category_only": "on", "category_name": " 仕事 ", "delete_threshold": "35"})
    assert response.status_code == 303
    saved = await PimSetting.get(user_id=user.id, kind=PimKind.TASKS)
    assert (saved.direction.value, saved.automatic, saved.category_only, saved.category_name,
            saved.delete_threshold) == ("to_kizuna", False, True, "仕事", 35)
    page = (await client.get("/settings/pim")).text
    assert 'id="tasks-delete_threshold" value="35"' in page
    assert await PimSetting.filter(user_id=user.id).count() == 1  # the other kinds stay defaults


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"direction": "sideways"}, "direction", "Choose one of the offered values."),
    ({"delete_threshold": "0"}, "delete_threshold", "from 1 to 100"),
    ({"delete_threshold": "101"}, "delete_threshold", "from 1 to 100"),
    ({"delete_threshold": "abc"}, "delete_threshold", "whole number"),
    ({"category_only": "on", "category_name": "  "}, "category_name", "Name the category"),
    ({"category_only": "on", "category_name": "長" * 51}, "category_name", "at most 50 characters (now 51)"),
])
async def test_settings_are_checked(signed_in, client, data, field, message):
    user = await signed_in("Sales")
    form = {"direction": "both", "delete_threshold": "20", **data}
    response = await post(client, "/settings/pim/contacts", form)
    assert response.status_code == 422
    assert message in text_of(response.text, f"error-{field}")
    assert not await PimSetting.exists(user_id=user.id)


async def test_an_unknown_kind_is_not_found(signed_in, client):
    await signed_in("Sales")
    assert (await post(client, "/settings/pim/deals", {"direction": "both"})).status_code == 404


# ---- app passwords and token scopes ---------------------------------------------------------------


async def test_app_password_is_a_dav_token_shown_once(signed_in, client):
    user = await signed_in("Sales")
    response = await post(client, "/settings/pim/app-password", {"name": "Outlook on PC-1"})
    assert response.status_code == 200
    secret = text_of(response.text, "app-password-secret")
    token = await ApiToken.get(user_id=user.id)
    assert (token.name, token.scopes) == ("Outlook on PC-1", "dav")
    assert secret.startswith(token.prefix)
    assert secret not in (await client.get("/settings/pim")).text
    account = (await client.get("/settings/account")).text
    assert "App password (CalDAV/CardDAV)" in row_text(account, f"token-{token.id}")


async def test_app_password_without_a_name_is_named_by_date(signed_in, client):
    user = await signed_in("Sales")
    assert (await post(client, "/settings/pim/app-password", {})).status_code == 200
    assert (await ApiToken.get(user_id=user.id)).name.startswith("App password")


async def test_token_form_chooses_the_scope(signed_in, client):
    user = await signed_in("Sales")
    assert (await post(client, "/settings/account/tokens", {"name": "Script", "scope": "api"})).status_code == 200
    assert (await post(client, "/settings/account/tokens", {"name": "iPhone", "scope": "dav"})).status_code == 200
    refused = await post(client, "/settings/account/tokens", {"name": "Root", "scope": "admin"})
    assert refused.status_code == 422 and "Choose what the token may open." in refused.text
    assert sorted(await ApiToken.filter(user_id=user.id).values_list("name", "scopes")) == [
        ("Script", "api"), ("iPhone", "dav")]


# ---- held changes ------------------------------------------------------------------------------------


async def test_a_mass_deletion_is_listed_as_held(signed_in, client):
    user = await signed_in("Sales")
    collection = await PimCollection.create(user=user, name="contacts")
    # Held deletes leave the client's view at once: their items are tombstones meanwhile.
    resources = [await PimResource.create(collection=collection, href=f"c{i}.vcf", record_type="contact",
                                          record_id=i + 1, deleted=i < 4) for i in range(5)]
    for r in resources[:4]:
        await PimHeld.create(collection=collection, resource=r, kind=PimKind.CONTACTS, action="delete",
                             reason=PimHeldReason.MASS_DELETE, device="Outlook on PC-1")
    page = await client.get("/settings/pim")
    assert "Outlook on PC-1 deleted 4 of 5 items (Contacts): held until you confirm." in page.text
    other = await f.make_user("Sales")
    await login(client, other)
    assert 'id="held"' not in (await client.get("/settings/pim")).text


async def test_confirming_held_changes_applies_them(signed_in, client):
    user = await signed_in("Sales")
    collection = await PimCollection.create(user=user, name="contacts")
    contact = await f.make_contact(user)
    resource = await PimResource.create(collection=collection, href="a.vcf", record_type="contact",
                                        record_id=contact.id)
    held = await PimHeld.create(collection=collection, resource=resource, kind=PimKind.CONTACTS, action="delete",
                                reason=PimHeldReason.MASS_DELETE, device="PC-1")
    response = await post(client, "/settings/pim/held", {
        "action": "discard", "collection_id": collection.id, "kind": "contacts", "device": "PC-1",
        "reason": "mass_delete", "last_id": held.id})
    assert response.status_code == 303
    assert await Contact.exists(id=contact.id) and not await PimHeld.exists(id=held.id)


async def test_confirming_a_mass_deletion_applies_it_and_reports_it(signed_in, client):
    user = await signed_in("Manager")  # may delete contacts (Sales may not: theirs would be ignored)
    collection = await PimCollection.create(user=user, name="contacts")
    contact = await f.make_contact(user)
    resource = await PimResource.create(collection=collection, href="a.vcf", record_type="contact",
                                        record_id=contact.id)
    held = await PimHeld.create(collection=collection, resource=resource, kind=PimKind.CONTACTS, action="delete",
                                reason=PimHeldReason.MASS_DELETE, device="PC-1")
    response = await post(client, "/settings/pim/held", {
        "action": "confirm", "collection_id": collection.id, "kind": "contacts", "device": "PC-1",
        "reason": "mass_delete", "last_id": held.id})
    assert response.status_code == 303 and re.fullmatch(r"/settings/pim/runs/\d+", response.headers["location"])
    assert not await Contact.exists(id=contact.id)
    report = await client.get(response.headers["location"])
    assert row_text(report.text, "count-contacts").split()[-2] == "1"  # deleted


async def test_sync_now_applies_held_changes_and_shows_the_report(signed_in, client):
    await signed_in("Sales")
    assert 'id="sync-now-contacts"' in (await client.get("/settings/pim")).text
    response = await post(client, "/settings/pim/contacts/sync-now")
    assert response.status_code == 303 and re.fullmatch(r"/settings/pim/runs/\d+", response.headers["location"])
    assert (await client.get(response.headers["location"])).status_code == 200


# ---- reports --------------------------------------------------------------------------------------


async def test_runs_are_listed_newest_first_and_only_ones_own(signed_in, client):
    user = await signed_in("Sales")
    old = await run_of(user, file_name="old.csv", counts={"contacts": {"added": 3, "updated": 1, "deleted": 0,
                                                                        "ignored": 1}})
    new = await run_of(user, source=PimRunSource.DEVICE, device="iPhone", file_name="",
                       counts={"events": {"added": 0, "updated": 2, "deleted": 1, "ignored": 0}})
    other = await run_of(await f.make_user("Sales"), file_name="secret.csv")
    page = (await client.get("/settings/pim/runs")).text
    assert page.index(f'id="run-{new.id}"') < page.index(f'id="run-{old.id}"')
    assert "iPhone" in page and "Added 3, Updated 1, Deleted 0, Ignored 1" in page
    assert "secret.csv" not in page
    assert (await client.get(f"/settings/pim/runs/{other.id}")).status_code == 404
    assert (await client.get("/settings/pim/runs/99999999999")).status_code == 404


async def test_a_report_lists_ignored_records_with_the_reason(signed_in, client):
    user = await signed_in("Sales")
    run = await run_of(user, counts={"contacts": {"added": 1, "updated": 0, "deleted": 0, "ignored": 2}})
    over = await ignore(run, long_department())
    dup = await ignore(run, Item(PimKind.CONTACTS, {"last_name": "佐藤"}), reason=PimIgnoreReason.DUPLICATE,
                       field="")
    page = (await client.get(f"/settings/pim/runs/{run.id}")).text
    assert row_text(page, "count-contacts").split() == ["Contacts", "1", "0", "0", "2"]
    row = row_text(page, f"ignored-{over.id}")
    assert "山田 太郎" in row and "Over a limit" in row and "Department" in row
    assert "Must be at most 50 characters (now 61)." in row
    assert "Duplicate" in row_text(page, f"ignored-{dup.id}")
    assert f'name="fix-{over.id}"' in page and "61 / 50" in page
    assert f'name="fix-{dup.id}"' not in page and f'value="{dup.id}"' in page  # picked, not fixed


async def test_a_report_in_japanese_translates_the_reason(signed_in, client):
    user = await signed_in("Sales", language="ja")
    run = await run_of(user)
    over = await ignore(run, long_department())
    page = (await client.get(f"/settings/pim/runs/{run.id}")).text
    row = row_text(page, f"ignored-{over.id}")
    assert "50" in row and "61" in row and "Must be at most" not in row


async def test_the_next_report_lists_what_was_ignored_before(signed_in, client):
    user = await signed_in("Sales")
    first = await run_of(user)
    over = await ignore(first, long_department())
    second = await run_of(user, file_name="again.csv")
    page = (await client.get(f"/settings/pim/runs/{second.id}")).text
    assert "山田 太郎" in row_text(page, f"pending-{over.id}")
    assert 'id="none-ignored"' in page
    over.resolved_at = datetime.now(UTC)
    await over.save()
    assert 'id="none-pending"' in (await client.get(f"/settings/pim/runs/{second.id}")).text


async def test_dismissing_takes_records_off_the_waiting_list(signed_in, client):
    user = await signed_in("Sales")
    over = await ignore(await run_of(user), long_department())
    later = await run_of(user)
    stranger = await ignore(await run_of(await f.make_user("Sales")), long_department())
    response = await post(client, f"/settings/pim/runs/{later.id}/resync",
                          {"action": "dismiss", "ignored": [str(over.id), str(stranger.id)]})
    assert response.status_code == 303
    page = (await client.get(response.headers["location"])).text
    assert "no longer listed as waiting" in page and 'id="none-pending"' in page
    assert (await PimIgnored.get(id=over.id)).resolved_at is not None
    assert (await PimIgnored.get(id=stranger.id)).resolved_at is None


async def test_resync_refuses_others_records_and_nothing_picked(signed_in, client):
    user = await signed_in("Sales")
    mine = await run_of(user)
    stranger = await f.make_user("Sales")
    theirs = await ignore(await run_of(stranger), long_department())
    response = await post(client, f"/settings/pim/runs/{mine.id}/resync", {"ignored": str(theirs.id)})
    assert response.status_code in (409, 422)
    assert (await PimIgnored.get(id=theirs.id)).resolved_at is None
    other_run = await run_of(stranger)
    assert (await post(client, f"/settings/pim/runs/{other_run.id}/resync", {})).status_code == 404


async def test_fixing_an_ignored_value_inline_and_syncing_it(signed_in, client):
    user = await signed_in("Sales")
    run = await run_of(user)
    over = await ignore(run, long_department())
    too_long = await post(client, f"/settings/pim/runs/{run.id}/resync",
                          {"ignored": str(over.id), f"fix-{over.id}": "x" * 51})
    assert too_long.status_code == 422 and "now 51" in too_long.text
    response = await post(client, f"/settings/pim/runs/{run.id}/resync",
                          {"ignored": str(over.id), f"fix-{over.id}": "営業部"})
    assert response.status_code == 303
    contact = await Contact.get(last_name="山田")
    assert contact.department == "営業部"
    report = (await client.get(response.headers["location"])).text
    assert row_text(report, "count-contacts").split()[:2] == ["Contacts", "1"]
    assert 'id="none-pending"' in report


# ---- import -------------------------------------------------------------------------------------


async def upload(client, name: str, data: bytes, kind: str = ""):
    page = await client.get("/settings/pim/import")
    fields = {"csrf_token": csrf_of(page.text), **({"kind": kind} if kind else {})}
    return await client.post("/settings/pim/import", data=fields, files={"file": (name, data, "text/plain")})


async def test_lists_link_to_import_and_export(signed_in, client):
    await signed_in("Sales")
    for kind, fmt in (("contacts", "vcf"), ("tasks", "ics"), ("events", "ics")):
        page = (await client.get(f"/{kind}")).text
        assert f'href="/settings/pim/import?kind={kind}"' in page
        assert f"/settings/pim/export/{kind}?format={fmt}" in page
        assert f"/settings/pim/export/{kind}?format=csv&amp;language=ja" in page
    assert "/settings/pim/import" not in (await client.get("/accounts")).text


async def test_import_page_keeps_the_kind_from_the_list(signed_in, client):
    await signed_in("Sales")
    page = (await client.get("/settings/pim/import?kind=tasks")).text
    assert "Import: Tasks" in page and 'name="kind" value="tasks"' in page


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.csv", b"", "The file is empty."),
    ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "Choose an Outlook CSV"),
])
async def test_an_unreadable_upload_is_refused_on_the_form(signed_in, client, name, data, message):
    await signed_in("Sales")
    response = await upload(client, name, data)
    assert response.status_code == 422 and message in text_of(response.text, "error-file")
    assert not await PimRun.exists()


async def test_an_upload_over_the_limit_is_refused(signed_in, client, monkeypatch):
    from app import settings

    await signed_in("Sales")
    monkeypatch.setattr(settings, "PIM_IMPORT_MAX_BYTES", 1024)
    response = await upload(client, "big.csv", b"Name,E-mail\n" + b"a,b@example.com\n" * 200)
    assert response.status_code == 422 and "too large" in text_of(response.text, "error-file")


async def test_a_mapping_step_of_an_expired_or_foreign_upload(signed_in, client):
    await signed_in("Sales")
    response = await client.get("/settings/pim/import/" + "A" * 32)
    assert response.status_code == 422 and "Upload it again" in text_of(response.text, "error-file")


CSV = ("First Name,Last Name,Company,Department,E-mail Address\r\n"
       "太郎,山田,さくら商事,営業部,taro@example.jp\r\n"
       "花子,鈴木,さくら商事," + "営" * 61 + ",hanako@example.jp\r\n").encode("utf-8-sig")


async def test_a_csv_that_cannot_be_read_is_refused_at_once(signed_in, client):
    await signed_in("Sales")
    response = await upload(client, "contacts.csv", b"\x00\x01\x02,\xff\xfe\xfd" * 10)
    assert response.status_code == 422 and text_of(response.text, "error-file")


async def test_a_csv_upload_goes_to_its_mapping_step(signed_in, client):
    await signed_in("Sales")
    response = await upload(client, "contacts.csv", CSV, kind="contacts")
    assert response.status_code == 303
    url = response.headers["location"]
    assert url.startswith("/settings/pim/import/")
    page = (await client.get(url)).text
    assert 'id="col-0"' in page and 'id="col-4"' in page
    assert "taro@example.jp" in row_text(page, "preview-table")
    # Another user cannot reach the upload by its address.
    await login(client, await f.make_user("Sales"))
    assert (await client.get(url)).status_code == 422


async def test_the_mapping_step_takes_another_kind_and_refuses_unknown_targets(signed_in, client):
    await signed_in("Sales")
    url = (await upload(client, "contacts.csv", CSV)).headers["location"].split("?")[0]
    as_tasks = await post(client, url, {"kind": "tasks", "mapped_kind": "contacts", "col-0": "first_name",
                                        "action": "import"})
    assert as_tasks.status_code == 200  # another kind: its own guess shown first, nothing imported
    assert '<option value="due_date"' in as_tasks.text and '<option value="first_name"' not in as_tasks.text
    refused = await post(client, url, {"kind": "contacts", "mapped_kind": "contacts", "col-1": "password_hash",
                                       "action": "import"})
    assert refused.status_code == 422 and "Choose one of the offered values." in text_of(refused.text, "error-col-1")
    assert not await PimRun.exists()


async def test_importing_a_csv_reports_the_ignored_contact(signed_in, client):
    await signed_in("Sales")
    url = (await upload(client, "contacts.csv", CSV, kind="contacts")).headers["location"]
    page = (await client.get(url)).text
    form = dict(re.findall(r'<select name="(col-\d+)"[^>]*>.*?<option value="([^"]*)" selected', page, re.S))
    form.update({"kind": "contacts", "mapped_kind": "contacts", "action": "import"})
    response = await post(client, url.split("?")[0], form)
    assert response.status_code == 303
    report = (await client.get(response.headers["location"])).text
    assert row_text(report, "count-contacts").split() == ["Contacts", "1", "0", "0", "1"]
    assert "鈴木 花子" in report and "Must be at most 50 characters (now 61)." in report
    assert await Contact.filter(last_name="山田").count() == 1
    assert (await client.get(url)).status_code == 422  # imported: the kept file is gone


VCARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:山田;太郎;;;\r\nFN:山田 太郎\r\nEMAIL:taro@example.jp\r\n"
         "END:VCARD\r\n").encode()
ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
       "BEGIN:VEVENT\r\nUID:e1@example.jp\r\nSUMMARY:打ち合わせ\r\nDTSTART:20300131T010000Z\r\n"
       "DTEND:20300131T020000Z\r\nEND:VEVENT\r\n"
       "BEGIN:VTODO\r\nUID:t1@example.jp\r\nSUMMARY:見積書を送る\r\nDUE;VALUE=DATE:20300131\r\nEND:VTODO\r\n"
       "END:VCALENDAR\r\n").encode()


async def test_a_vcard_is_imported_at_once(signed_in, client):
    await signed_in("Sales")
    response = await upload(client, "taro.vcf", VCARD)
    assert response.status_code == 303 and re.fullmatch(r"/settings/pim/runs/\d+", response.headers["location"])
    report = (await client.get(response.headers["location"])).text
    assert row_text(report, "count-contacts").split() == ["Contacts", "1", "0", "0", "0"]
    assert "taro.vcf" in text_of(report, "run-file")
    assert await Contact.filter(last_name="山田", email="taro@example.jp").count() == 1


async def test_a_calendar_imports_its_events_and_tasks(signed_in, client):
    await signed_in("Sales")
    response = await upload(client, "calendar.ics", ICS, kind="events")
    report = (await client.get(response.headers["location"])).text
    assert row_text(report, "count-tasks").split()[1] == "1"
    assert row_text(report, "count-events").split()[1] == "1"


# ---- export --------------------------------------------------------------------------------------


async def test_export_refuses_a_format_the_kind_has_not(signed_in, client):
    await signed_in("Sales")
    assert (await client.get("/settings/pim/export/contacts?format=ics")).status_code == 400
    assert (await client.get("/settings/pim/export/tasks?format=exe")).status_code == 400


async def test_export_needs_the_modules_view_grant(signed_in, client):
    await signed_in("Accountant")  # reads contacts, not tasks
    assert (await client.get("/settings/pim/export/tasks?format=ics")).status_code == 403
    page = (await client.get("/settings/pim")).text
    assert 'id="export-contacts"' in page and 'id="export-tasks"' not in page
    assert 'id="import-contacts"' not in page  # reads contacts only: nothing to import into


async def test_export_holds_only_the_records_one_may_see(signed_in, client):
    user = await signed_in("Sales")
    await f.make_contact(user, last_name="山田", first_name="太郎")
    await f.make_contact(await f.make_user("Sales"), last_name="秘密")
    response = await client.get("/settings/pim/export/contacts?format=vcf")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    assert "山田" in response.text and "秘密" not in response.text


@pytest.mark.parametrize("language", ["en", "ja"])
async def test_export_as_outlook_csv_reads_back(signed_in, client, language):
    from app.pim import outlook_csv

    user = await signed_in("Sales")
    await f.make_task(user, subject="見積書を送る")
    response = await client.get(f"/settings/pim/export/tasks?format=csv&language={language}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    table = outlook_csv.read(response.content)
    assert outlook_csv.guess_kind(table.headers) is PimKind.TASKS
    assert [i.values["subject"] for i in outlook_csv.items(
        PimKind.TASKS, table, outlook_csv.guess_mapping(PimKind.TASKS, table.headers))] == ["見積書を送る"]


async def test_export_of_events_as_icalendar(signed_in, client, monkeypatch):
    from app import settings

    user = await signed_in("Sales")
    await f.make_event(user, subject="打ち合わせ")
    response = await client.get("/settings/pim/export/events?format=ics")
    assert response.status_code == 200 and "BEGIN:VEVENT" in response.text and "打ち合わせ" in response.text
    await f.make_event(user, subject="もう一つ")
    monkeypatch.setattr(settings, "PIM_EXPORT_MAX", 1)
    refused = await client.get("/settings/pim/export/events?format=ics")
    assert refused.status_code == 409 and "more than 1 records" in refused.text
