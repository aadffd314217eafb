"""A client's changes: PUT and DELETE with ETags and preconditions, the permission walk, the sync
settings (direction, manual mode, the category filter), mass deletes held for confirmation, and
the device's report."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.models import Access, Contact, PimIgnored, PimIgnoreReason, PimDirection, PimHeld, PimHeldReason, PimKind, PimRun, PimSetting, Task
from app.pim import collections, held
from app.services.contacts import contacts
from tests.dav.conftest import dav_user, request, sync_body
from tests.factories import make_contact, make_user, principal_for, share

D = "{DAV:}"
BOOK = "/dav/addressbooks/contacts/"
CAL = "/dav/calendars/calendar/"
UA = {"User_Agent": "DAVx5/4.4"}


def vcard(uid: str, last: str, first: str = "花子", email: str = "", categories: str = "") -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:{uid}", f"FN:{last} {first}", f"N:{last};{first};;;"]
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET:{email}")
    if categories:
        lines.append(f"CATEGORIES:{categories}")
    return "\r\n".join([*lines, "END:VCARD", ""])


def vtodo(uid: str, summary: str) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VTODO", f"UID:{uid}",
                        "DTSTAMP:20261101T000000Z", f"SUMMARY:{summary}", "DUE;VALUE=DATE:20261215",
                        "END:VTODO", "END:VCALENDAR", ""])


def message(response) -> str:
    return ET.fromstring(response.content).findtext("{urn:kizuna:dav}message") or ""


async def sync(client, who, url: str, token: str = "") -> tuple[list[str], list[str], str]:
    doc = ET.fromstring((await request(client, who, "REPORT", url, sync_body(token))).content)
    present, gone = [], []
    for r in doc.findall(f"{D}response"):
        (gone if (r.findtext(f"{D}status") or "").endswith("404 Not Found") else present).append(r.findtext(f"{D}href"))
    return present, gone, doc.findtext(f"{D}sync-token")


async def test_put_get_delete_with_etags(client, db):
    alice = await dav_user("Manager")
    # The only contact deleted is 100% of the address book: not held at this threshold.
    await PimSetting.create(user=alice.user, kind=PimKind.CONTACTS, delete_threshold=100)
    url = BOOK + "phone-1.vcf"
    created = await request(client, alice, "PUT", url, vcard("phone-1", "佐藤", email="sato@example.jp"),
                            If_None_Match="*", **UA)
    assert created.status_code == 201
    contact = await Contact.get(email="sato@example.jp")
    assert contact.last_name == "佐藤"
    got = await request(client, alice, "GET", url, **UA)
    assert "UID:phone-1" in got.text and "佐藤" in got.text
    etag = got.headers["etag"]

    again = await request(client, alice, "PUT", url, vcard("phone-1", "佐藤", email="sato@example.jp"),
                          If_None_Match="*", **UA)
    assert again.status_code == 412
    stale = await request(client, alice, "PUT", url, vcard("phone-1", "鈴木"), If_Match='"not-the-etag"', **UA)
    assert stale.status_code == 412
    updated = await request(client, alice, "PUT", url, vcard("phone-1", "鈴木", email="sato@example.jp"),
                            If_Match=etag, **UA)
    assert updated.status_code == 204
    await contact.refresh_from_db()
    assert contact.last_name == "鈴木"
    new_etag = (await request(client, alice, "GET", url, **UA)).headers["etag"]
    assert new_etag != etag

    assert (await request(client, alice, "DELETE", url, If_Match=etag, **UA)).status_code == 412
    assert (await request(client, alice, "DELETE", url, If_Match=new_etag, **UA)).status_code == 204
    assert not await Contact.filter(id=contact.id).exists()
    assert (await request(client, alice, "GET", url, **UA)).status_code == 404
    # The device's changes of the hour make one report, named after the token and the client.
    run = await PimRun.get(user_id=alice.user.id, source="device")
    assert run.device == "Phone (DAVx5/4.4)"
    assert run.counts["contacts"] == {"added": 1, "updated": 1, "deleted": 1}


async def test_the_permission_walk(client, db):
    accountant = await dav_user("Accountant")  # may view contacts, not edit them
    refused = await request(client, accountant, "PUT", BOOK + "a.vcf", vcard("a", "田中"))
    assert refused.status_code == 403
    assert "does not allow creating or editing" in message(refused)
    assert not await Contact.filter(last_name="田中").exists()

    sales = await dav_user("Sales")
    bob = await make_user("Sales")
    theirs = await make_contact(bob, last_name="山田", email="yamada@example.jp")
    await share("contacts", Access.READ_ONLY, owner=bob, grantee=sales.user)
    url = f"{BOOK}kizuna-contact-{theirs.id}.vcf"
    assert (await request(client, sales, "GET", url)).status_code == 200
    edit = await request(client, sales, "PUT", url, vcard(f"kizuna-contact-{theirs.id}", "山本",
                                                           email="yamada@example.jp"))
    assert edit.status_code == 403 and "read-only" in message(edit)
    await theirs.refresh_from_db()
    assert theirs.last_name == "山田"
    # The device's report keeps the refused item with its reason.
    ignored = await PimIgnored.get(user_id=sales.user.id)
    assert ignored.reason == PimIgnoreReason.PERMISSION and ignored.label.startswith("山本")
    # Deleting needs the role's delete grant (Sales has none), said in words.
    gone = await request(client, sales, "DELETE", url)
    assert gone.status_code == 403 and "does not allow deleting" in message(gone)
    assert await Contact.filter(id=theirs.id).exists()


async def test_a_value_over_its_limit_is_refused_naming_the_field(client, alice):
    response = await request(client, alice, "PUT", BOOK + "long.vcf", vcard("long", "長" * 300))
    assert response.status_code == 422
    assert message(response).startswith("last_name:")


async def test_kizuna_to_client_only_refuses_changes_in_the_users_language(client, alice):
    await PimSetting.create(user=alice.user, kind=PimKind.TASKS, direction=PimDirection.TO_CLIENT)
    response = await request(client, alice, "PUT", CAL + "t.ics", vtodo("t", "電話する"), Accept_Language="ja")
    assert response.status_code == 403
    assert "デバイス" in message(response)
    assert not await Task.exists()


async def test_manual_mode_holds_changes_until_sync_now(client, db):
    alice = await dav_user("Manager")
    await PimSetting.create(user=alice.user, kind=PimKind.CONTACTS, automatic=False)
    mine = await make_contact(alice.user, last_name="伊藤", email="ito@example.jp")
    url = f"{BOOK}kizuna-contact-{mine.id}.vcf"
    _, _, token = await sync(client, alice, BOOK)
    put = await request(client, alice, "PUT", url, vcard(f"kizuna-contact-{mine.id}", "伊東", email="ito@example.jp"))
    assert put.status_code == 204
    # Not applied yet, but the client sees its own change (and keeps its ETag).
    await mine.refresh_from_db()
    assert mine.last_name == "伊藤"
    got = await request(client, alice, "GET", url)
    assert "伊東" in got.text and got.headers["etag"] == put.headers["etag"]
    assert (await request(client, alice, "PUT", BOOK + "new.vcf", vcard("new", "新井"))).status_code == 201
    assert await PimHeld.filter(reason=PimHeldReason.MANUAL).count() == 2

    run = await collections.sync_now(await principal_for(alice.user), PimKind.CONTACTS)
    await mine.refresh_from_db()
    assert mine.last_name == "伊東"
    assert await Contact.filter(last_name="新井").exists()
    assert run.counts["contacts"] == {"added": 1, "updated": 1}
    assert not await PimHeld.exists()
    present, _, _ = await sync(client, alice, BOOK, token)
    assert set(present) == {url, BOOK + "new.vcf"}


async def test_the_category_filter(client, db):
    alice = await dav_user("Manager")
    await PimSetting.create(user=alice.user, kind=PimKind.CONTACTS, category_only=True, category_name="Kizuna")
    synced = await make_contact(alice.user, categories="Kizuna", email="in@example.jp")
    await make_contact(alice.user, categories="Private", email="out@example.jp")
    present, _, token = await sync(client, alice, BOOK)
    assert present == [f"{BOOK}kizuna-contact-{synced.id}.vcf"]

    # An item without the category stays the client's own; adding the category puts it in sync.
    url = BOOK + "own.vcf"
    assert (await request(client, alice, "PUT", url, vcard("own", "岡田", email="okada@example.jp"))).status_code == 201
    assert not await Contact.filter(email="okada@example.jp").exists()
    assert "岡田" in (await request(client, alice, "GET", url)).text
    assert (await request(client, alice, "PUT", url, vcard("own", "岡田", email="okada@example.jp",
                                                           categories="Kizuna"))).status_code == 204
    assert await Contact.filter(email="okada@example.jp", categories="Kizuna").exists()

    # Removing it takes the item out: Kizuna's record is left as it is, the client keeps its copy.
    synced_url = f"{BOOK}kizuna-contact-{synced.id}.vcf"
    out = await request(client, alice, "PUT", synced_url, vcard(f"kizuna-contact-{synced.id}", "外山",
                                                                email="in@example.jp"))
    assert out.status_code == 204
    await synced.refresh_from_db()
    assert synced.last_name != "外山" and synced.categories == "Kizuna"
    assert "外山" in (await request(client, alice, "GET", synced_url)).text
    _, gone, token = await sync(client, alice, BOOK, token)
    assert gone == []


async def test_mass_deletes_are_held_until_confirmed(client, db):
    alice = await dav_user("Manager")
    mine = [await make_contact(alice.user) for _ in range(10)]
    urls = [f"{BOOK}kizuna-contact-{c.id}.vcf" for c in mine]
    present, _, token = await sync(client, alice, BOOK)
    assert len(present) == 10
    # Threshold 20%: the first two deletes (20%) are applied, the third (30%) and later are held.
    for url in urls[:4]:
        assert (await request(client, alice, "DELETE", url)).status_code == 204
    assert await Contact.all().count() == 8
    held_rows = await PimHeld.filter(reason=PimHeldReason.MASS_DELETE).order_by("id")
    assert [h.values["href"] for h in held_rows] == [u.removeprefix(BOOK) for u in urls[2:4]]
    _, gone, token = await sync(client, alice, BOOK, token)
    assert sorted(gone) == sorted(urls[:4])  # held ones disappear from the client too

    principal = await principal_for(alice.user)
    assert await held.discard_held(principal, [held_rows[0].id]) == 1
    present, _, token = await sync(client, alice, BOOK, token)
    assert present == [urls[2]]  # it comes back
    run = await held.apply_held(principal, [held_rows[1].id])
    assert run.counts["contacts"] == {"deleted": 1}
    assert await Contact.all().count() == 7
    _, gone, _ = await sync(client, alice, BOOK, token)
    assert gone == []  # already gone from the client's view


async def test_changes_in_kizuna_reach_the_collection(client, db):
    alice = await dav_user("Manager")
    principal = await principal_for(alice.user)
    mine = await contacts.create(principal, {"last_name": "高橋", "email": "t@example.jp"})
    present, _, token = await sync(client, alice, BOOK)
    url = f"{BOOK}kizuna-contact-{mine.id}.vcf"
    assert present == [url]
    etag = (await request(client, alice, "GET", url)).headers["etag"]
    await contacts.update(principal, mine.id, {"first_name": "一郎"})
    present, _, token = await sync(client, alice, BOOK, token)
    assert present == [url]
    got = await request(client, alice, "GET", url)
    assert got.headers["etag"] != etag and "一郎" in got.text


async def test_client_to_kizuna_only_keeps_the_clients_own_items(client, db):
    alice = await dav_user("Manager")
    principal = await principal_for(alice.user)
    await make_contact(alice.user, last_name="既存")
    present, _, _ = await sync(client, alice, BOOK)
    assert len(present) == 1
    await PimSetting.create(user=alice.user, kind=PimKind.CONTACTS, direction=PimDirection.TO_KIZUNA)
    present, _, token = await sync(client, alice, BOOK)
    assert present == []  # Kizuna's own records are not sent
    url = BOOK + "mine.vcf"
    text = vcard("mine", "村上", email="murakami@example.jp")
    assert (await request(client, alice, "PUT", url, text)).status_code == 201
    made = await Contact.get(email="murakami@example.jp")
    await contacts.update(principal, made.id, {"title": "社長"})
    got = await request(client, alice, "GET", url)
    assert got.text == text  # what the client sent, not Kizuna's later edit
    present, _, _ = await sync(client, alice, BOOK, token)
    assert present == [url]


async def test_unreadable_items_are_refused(client, alice):
    garbage = await request(client, alice, "PUT", BOOK + "x.vcf", "this is not a vCard")
    assert garbage.status_code == 422 and message(garbage).startswith("body:")
    wrong_kind = await request(client, alice, "PUT", CAL + "x.ics", vcard("x", "山"))
    assert wrong_kind.status_code == 422
    assert (await request(client, alice, "PUT", BOOK, vcard("x", "山"))).status_code == 405
    assert (await request(client, alice, "DELETE", BOOK)).status_code == 403
    assert (await request(client, alice, "MKCALENDAR", "/dav/calendars/other/")).status_code == 404
    assert (await request(client, alice, "PUT", BOOK + "..%2F..%2Fx.vcf", vcard("x", "山"))).status_code == 404


async def test_a_renamed_account_reaches_its_contacts_vcards(client, db):
    from app.services.accounts import accounts
    from tests.factories import make_account

    alice = await dav_user("Manager")
    company = await make_account(alice.user, name="旧商事")
    person = await make_contact(alice.user, account=company)
    url = f"{BOOK}kizuna-contact-{person.id}.vcf"
    present, _, token = await sync(client, alice, BOOK)
    assert "旧商事" in (await request(client, alice, "GET", url)).text
    await accounts.update(await principal_for(alice.user), company.id, {"name": "新商事"})
    present, _, _ = await sync(client, alice, BOOK, token)
    assert present == [url]
    assert "新商事" in (await request(client, alice, "GET", url)).text


async def test_manual_deletes_and_discarded_changes(client, db):
    alice = await dav_user("Manager")
    await PimSetting.create(user=alice.user, kind=PimKind.CONTACTS, automatic=False, delete_threshold=100)
    kept, dropped = await make_contact(alice.user, last_name="残す"), await make_contact(alice.user, last_name="消す")
    kept_url, dropped_url = (f"{BOOK}kizuna-contact-{c.id}.vcf" for c in (kept, dropped))
    _, _, token = await sync(client, alice, BOOK)
    assert (await request(client, alice, "DELETE", dropped_url)).status_code == 204
    assert (await request(client, alice, "PUT", kept_url, vcard(f"kizuna-contact-{kept.id}", "変えた"))).status_code == 204
    assert await Contact.filter(id=dropped.id).exists()  # held
    _, gone, token = await sync(client, alice, BOOK, token)
    assert gone == [dropped_url]

    principal = await principal_for(alice.user)
    put = await PimHeld.get(action="put")
    assert await held.discard_held(principal, [put.id]) == 1
    present, _, token = await sync(client, alice, BOOK, token)
    assert present == [kept_url]
    assert "残す" in (await request(client, alice, "GET", kept_url)).text  # Kizuna's version again

    run = await collections.sync_now(principal, PimKind.CONTACTS)
    assert run.counts["contacts"] == {"deleted": 1}
    assert not await Contact.filter(id=dropped.id).exists()
    await kept.refresh_from_db()
    assert kept.last_name == "残す"
