"""Imported contacts get their readings as a form gives them (app.readings): read from the file
(Outlook's フリガナ columns, vCard's X-PHONETIC-*) and kept, or generated and marked so; a new
account gets its reading too."""

from __future__ import annotations

from app.models import Account, Contact, PimKind, PimRunSource
from app.pim import apply as engine
from app.pim import runs, vcard
from app.pim.items import Item
from app.pim.records import items_of
from tests import factories as f

FAMILIES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]


async def test_an_import_generates_the_readings_it_lacks_and_keeps_those_it_has(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    run = await runs.start(me, PimRunSource.IMPORT, file_name="contacts.csv")
    people = [(last, first) for first in ("太郎", "花子") for last in FAMILIES]  # more than a few: in a thread
    items = [Item(PimKind.CONTACTS, values={"last_name": last, "first_name": first, "email": f"{i}@example.jp",
                                            "account_name": "株式会社みらい"})
             for i, (last, first) in enumerate(people)]
    items += [Item(PimKind.CONTACTS, values={"last_name": "東海林", "first_name": "花子", "email": "x@example.jp",
                                             "last_name_kana": "とうかいりん", "first_name_kana": "ハナコ"})]
    items += [Item(PimKind.CONTACTS, values={"last_name": "Walker", "first_name": "Olivia", "email": "o@example.com"})]
    out = await engine.apply(p, items, run)
    assert [o.action for o in out].count("added") == 22
    sato = await Contact.get(email="0@example.jp")
    assert (sato.last_name_kana, sato.first_name_kana, sato.reading_generated) == ("サトウ", "タロウ", True)
    entered = await Contact.get(email="x@example.jp")
    assert (entered.last_name_kana, entered.first_name_kana, entered.reading_generated) == ("トウカイリン", "ハナコ", False)
    walker = await Contact.get(email="o@example.com")
    assert (walker.last_name_kana, walker.reading_generated) == ("", False)
    account = await Account.get(name="株式会社みらい")
    assert (account.name_kana, account.reading_generated) == ("ミライ", True)
    # the list order is the readings' (サトウ, スズキ, タカハシ ...), Latin names first
    names = [c.full_name for c in await Contact.all()]
    assert names[:4] == ["Walker Olivia", "伊藤 太郎", "伊藤 花子", "加藤 太郎"]
    # searching by kana finds them (their search texts hold the readings)
    assert await Contact.filter(search_text__contains="とうかいりん").count() == 1


async def test_an_update_from_a_device_follows_a_renamed_contacts_generated_reading(db):
    me = await f.make_user()
    p = await f.principal_for(me)
    run = await runs.start(me, PimRunSource.IMPORT, file_name="contacts.csv")
    await engine.apply(p, [Item(PimKind.CONTACTS, values={"last_name": "山田", "first_name": "太郎",
                                                          "email": "t@example.jp"})], run)
    await engine.apply(p, [Item(PimKind.CONTACTS, values={"last_name": "佐藤", "first_name": "太郎",
                                                          "email": "t@example.jp"})], run)
    contact = await Contact.get(email="t@example.jp")
    assert (contact.last_name_kana, contact.reading_generated) == ("サトウ", True)


async def test_vcard_readings_are_read_and_written():
    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:東海林;花子;;;\r\nFN:東海林 花子\r\n"
            "X-PHONETIC-LAST-NAME:トウカイリン\r\nX-PHONETIC-FIRST-NAME:ハナコ\r\nEND:VCARD\r\n")
    [item] = vcard.loads(card)
    assert item.values["last_name_kana"] == "トウカイリン" and item.values["first_name_kana"] == "ハナコ"
    for version in ("2.1", "3.0", "4.0"):
        [again] = vcard.loads(vcard.dumps(item, version=version))
        assert again.values["last_name_kana"] == "トウカイリン", version
