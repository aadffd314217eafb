"""Readings (フリガナ) of names: generated when left empty and marked so, entered ones kept, lists
sorted and searched by them, and existing records given theirs on migrating."""

from __future__ import annotations

import uuid

import pytest
from tortoise.context import TortoiseContext

from app import cli, readings
from app.db import tortoise_config
from app.models import Account, Contact, Lead
from app.errors import ValidationError
from app.permissions import Principal
from app.search import list_search
from app.services.accounts import accounts
from app.services.contacts import contacts
from app.services.leads import leads
from tests import factories as f
from tests.conftest import PG_URL, sqlite_suite_only, _pg_parts


@pytest.fixture
async def sales(db):
    return await Principal.load(await f.make_user("Sales"))


@pytest.mark.parametrize("name,reading", [
    ("山田", "ヤマダ"), ("太郎", "タロウ"), ("山田太郎", "ヤマダタロウ"), ("渡邉", "ワタナベ"),
    ("やまだ", "ヤマダ"), ("ｲﾉｳｴ", "イノウエ"), ("Smith", ""), ("", ""),
])
def test_reading_of_a_name(name, reading):
    assert readings.read(name) == reading


def test_a_company_is_read_without_its_legal_form():
    assert readings.read("株式会社みらい", company=True) == "ミライ"
    assert readings.read("東京商事株式会社", company=True) == "トウキョウショウジ"
    assert readings.read("㈱東京商事", company=True) == "トウキョウショウジ"
    assert readings.read("Acme Inc.", company=True) == ""


def test_entered_readings_are_written_in_full_width_katakana():
    assert readings.katakana(" やまだ ") == "ヤマダ"
    assert readings.katakana("ﾔﾏﾀﾞ") == "ヤマダ"


async def test_empty_readings_are_generated_and_marked(sales):
    contact = await contacts.create(sales, {"last_name": "山田", "first_name": "太郎", "last_name_kana": "",
                                            "first_name_kana": ""})
    assert (contact.last_name_kana, contact.first_name_kana, contact.reading_generated) == ("ヤマダ", "タロウ", True)
    lead = await leads.create(sales, {"last_name": "佐藤", "first_name": "花子"})
    assert (lead.last_name_kana, lead.first_name_kana, lead.reading_generated) == ("サトウ", "ハナコ", True)
    account = await accounts.create(sales, {"name": "株式会社みらい"})
    assert (account.name_kana, account.reading_generated) == ("ミライ", True)


async def test_an_entered_reading_wins_and_stays_when_the_name_changes(sales):
    # 東海林 is mostly ショウジ (what is generated), this one is トウカイリン
    contact = await contacts.create(sales, {"last_name": "東海林", "first_name": "太郎",
                                            "last_name_kana": "とうかいりん", "first_name_kana": "たろう"})
    assert (contact.last_name_kana, contact.first_name_kana, contact.reading_generated) == ("トウカイリン", "タロウ", False)
    contact = await contacts.update(sales, contact.id, {"first_name": "一郎"})
    assert (contact.last_name_kana, contact.first_name_kana) == ("トウカイリン", "タロウ")
    # cleared: generated again
    contact = await contacts.update(sales, contact.id, {"last_name_kana": "", "first_name_kana": ""})
    assert (contact.last_name_kana, contact.first_name_kana, contact.reading_generated) == ("ショウジ", "イチロウ", True)


async def test_a_generated_reading_follows_the_name(sales):
    contact = await contacts.create(sales, {"last_name": "山田", "first_name": "太郎"})
    # a form sends back the generated readings it showed, with the new name
    contact = await contacts.update(sales, contact.id, {"last_name": "佐藤", "first_name": "太郎",
                                                        "last_name_kana": "ヤマダ", "first_name_kana": "タロウ"})
    assert (contact.last_name_kana, contact.reading_generated) == ("サトウ", True)
    contact = await contacts.update(sales, contact.id, {"last_name": "高橋"})  # an API client leaves them out
    assert (contact.last_name_kana, contact.first_name_kana, contact.reading_generated) == ("タカハシ", "タロウ", True)
    # an edit of a reading is an entry: it stays, the other (generated) one follows its name
    contact = await contacts.update(sales, contact.id, {"last_name_kana": "タカバシ"})
    contact = await contacts.update(sales, contact.id, {"last_name": "高橋", "first_name": "一郎"})
    assert (contact.last_name_kana, contact.first_name_kana, contact.reading_generated) == ("タカバシ", "イチロウ", True)
    # both entered: nothing is generated any more
    contact = await contacts.update(sales, contact.id, {"first_name_kana": "いちお"})
    assert (contact.last_name_kana, contact.first_name_kana, contact.reading_generated) == ("タカバシ", "イチオ", False)
    # one cleared: that one is generated again
    contact = await contacts.update(sales, contact.id, {"last_name_kana": "タカバシ", "first_name_kana": ""})
    assert (contact.last_name_kana, contact.first_name_kana, contact.reading_generated) == ("タカバシ", "イチロウ", True)
    assert readings.PERSON.generated_fields(contact) == {"first_name_kana"}


async def test_latin_names_have_no_reading(sales):
    contact = await contacts.create(sales, {"last_name": "Walker", "first_name": "Olivia"})
    assert (contact.last_name_kana, contact.first_name_kana, contact.reading_generated) == ("", "", False)
    contact = await contacts.update(sales, contact.id, {"last_name": "山田"})  # no reading yet: one is made
    assert (contact.last_name_kana, contact.reading_generated) == ("ヤマダ", True)


async def test_lists_sort_by_reading_then_name(sales):
    for last, first in (("渡辺", "健"), ("安藤", "真"), ("Brown", "Amy"), ("伊藤", "愛")):
        await contacts.create(sales, {"last_name": last, "first_name": first})
        await leads.create(sales, {"last_name": last, "first_name": first})
    for name in ("株式会社わかば", "Acme", "青木商店"):
        await accounts.create(sales, {"name": name})
    # Latin names have no reading: first, by name; then アンドウ, イトウ, ワタナベ (not by kanji code).
    expected = ["Brown", "安藤", "伊藤", "渡辺"]
    assert [c.last_name for c in await contacts.query(sales)] == expected
    assert [c.last_name for c in await leads.query(sales)] == expected
    assert [a.name for a in await accounts.query(sales)] == ["Acme", "青木商店", "株式会社わかば"]


async def test_searching_by_kana_finds_the_record(sales):
    contact = await contacts.create(sales, {"last_name": "山田", "first_name": "太郎"})
    account = await accounts.create(sales, {"name": "株式会社みらい"})
    lead = await leads.create(sales, {"last_name": "東海林", "first_name": "花子", "last_name_kana": "ショウジ"})
    for query in ("やまだ", "ヤマダタロウ", "たろう やまだ", "ﾔﾏﾀﾞ"):
        assert [c.id for c in await Contact.filter(list_search(Contact, query))] == [contact.id], query
    assert [a.id for a in await Account.filter(list_search(Account, "みらい"))] == [account.id]
    assert [x.id for x in await Lead.filter(list_search(Lead, "しょうじ"))] == [lead.id]


async def test_a_converted_lead_brings_its_entered_reading(sales):
    from app.services.lead_conversion import convert

    lead = await leads.create(sales, {"last_name": "東海林", "first_name": "花子", "last_name_kana": "ショウジ",
                                      "first_name_kana": "ハナコ"})
    done = await convert(sales, lead.id, {})
    assert (done.contact.last_name_kana, done.contact.reading_generated) == ("ショウジ", False)


async def _check_backfill(url: str) -> None:
    from tests.migrating import database_at

    async with database_at(url, "models.0027_booksux") as ctx:
        conn = ctx.connections.get("default")
        when = "'2026-01-01 00:00:00+00:00'"
        await conn.execute_query(
            "INSERT INTO roles (name, description, is_system, sees_all_records, created_at, modified_at)"
            f" VALUES ('Sales', '', true, false, {when}, {when})")
        await conn.execute_query(
            "INSERT INTO users (email, name, password_hash, role_id, is_active, timezone, session_version,"
            f" created_at, modified_at) VALUES ('a@example.jp', 'A', 'x', 1, true, 'Asia/Tokyo', 0, {when}, {when})")
        await conn.execute_query(
            "INSERT INTO contacts (first_name, last_name, email, secondary_email, title, department, work_phone,"
            " home_phone, other_phone, mobile, fax, assistant, assistant_phone, reports_to, description,"
            " mailing_street, mailing_city, mailing_state, mailing_code, mailing_country, other_street,"
            " other_city, other_state, other_code, other_country, owner_id, created_at, modified_at)"
            " VALUES ('太郎', '山田', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '',"
            f" '', '', '', '', '', '', 1, {when}, {when})")
        await conn.execute_query(
            "INSERT INTO accounts (name, phone, fax, website, billing_street, billing_city, billing_state,"
            " billing_code, billing_country, shipping_street, shipping_city, shipping_state, shipping_code,"
            f" shipping_country, description, owner_id, created_at, modified_at) VALUES ('株式会社みらい', '', '',"
            f" '', '', '', '', '', '', '', '', '', '', '', '', 1, {when}, {when})")
    await cli.migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        contact = await Contact.get(last_name="山田")
        assert (contact.last_name_kana, contact.first_name_kana, contact.reading_generated) == ("ヤマダ", "タロウ", True)
        assert contact.mailing_building == ""
        account = await Account.get(name="株式会社みらい")
        assert (account.name_kana, account.reading_generated) == ("ミライ", True)
        assert await Contact.filter(list_search(Contact, "やまだたろう")).exists()


@sqlite_suite_only
async def test_migrating_gives_existing_records_readings_on_sqlite(tmp_path):
    await _check_backfill(f"sqlite://{tmp_path / 'old.sqlite3'}")


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL run only (KIZUNA_TEST_DATABASE_URL)")
async def test_migrating_gives_existing_records_readings_on_postgres():
    import asyncpg

    base, admin_db = _pg_parts(PG_URL)
    name = f"kizuna_readings_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(f"{base.replace('postgres://', 'postgresql://')}/{admin_db}")
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        await _check_backfill(f"{base}/{name}")
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def test_an_entered_reading_is_held_to_its_column(sales):
    """Normalising never lengthens a reading past what its length check saw (NFKC would: ㍿)."""
    contact = await contacts.create(sales, {"last_name": "山田", "last_name_kana": "㍿" * 100})
    assert contact.last_name_kana == "㍿" * 100
    with pytest.raises(ValidationError) as err:
        await contacts.create(sales, {"last_name": "山田", "last_name_kana": "ア" * 101})
    assert [e.field for e in err.value.errors] == ["last_name_kana"]
    contact = await contacts.create(sales, {"last_name": "山" * 80})  # a reading too long to keep: none
    assert (contact.last_name_kana, contact.reading_generated) == ("", False)
