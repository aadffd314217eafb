"""vCard files (2.1, 3.0, 4.0, as Outlook, phones, Apple and Google write them) read into contact
items, and the vCards Kizuna writes read back to the same items (seed 003's mappings)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.models import PimKind
from app.pim import vcard
from app.pim.items import Item
from app.pim.text import FormatError

FILES = Path(__file__).parent / "files"


def _load(name: str) -> list[Item]:
    return vcard.loads((FILES / name).read_bytes())


def test_outlook_21_shift_jis_quoted_printable_with_soft_line_breaks():
    taro, john = _load("outlook_21_sjis_qp.vcf")
    assert taro.values == {
        "last_name": "髙橋", "first_name": "太郎", "account_name": "株式会社①商事", "department": "営業部",
        "title": "部長", "description": "展示会で名刺交換。\n次回：１２月、①見積。髙橋様、﨑山様",
        "birthday": date(1975, 3, 15), "email": "taro@shoji.example.jp", "secondary_email": "taro@home.example.jp",
        "work_phone": "03-1111-0000", "home_phone": "042-000-0000", "mobile": "090-1111-2222",
        "fax": "03-1111-0009", "mailing_street": "丸の内1-1-1", "mailing_city": "千代田区",
        "mailing_state": "東京都", "mailing_code": "100-0005", "mailing_country": "日本",
    }
    assert not taro.problems and taro.source == "line 1"
    # vCard 2.1 does not escape commas: the note and the title are kept whole.
    assert john.values["account_name"] == "Acme, Inc."
    assert john.values["title"] == "Manager, Sales"
    assert john.values["description"] == "Met at the fair, liked the demo."


def test_raw_shift_jis_bytes_are_read_as_cp932():
    [hanako] = _load("phone_21_cp932.vcf")
    assert hanako.values == {"last_name": "佐藤", "first_name": "花子", "description": "～ガラケーから～",
                             "mobile": "080-0000-1111"}


def test_apple_30_groups_types_and_addresses():
    anne, company = _load("apple_30.vcf")
    assert anne.uid == "0C2A1F4B-1111-2222-3333-444455556666"
    assert anne.categories == ["Kizuna", "Friends"]
    assert anne.values["email"] == "anne@example.com"
    assert anne.values["mobile"] == "+1 555 0100" and anne.values["work_phone"] == "+1 555 0101"
    assert anne.values["mailing_street"] == "1 Main St\nSuite 200"  # the WORK address
    assert anne.values["other_street"] == "9 Elm St"  # the HOME one, as the other address
    assert anne.values["description"] == "Line one\nLine two, with a comma; and a semicolon"
    assert anne.values["birthday"] == date(1980, 1, 15)
    assert "photo" not in str(anne.values).lower()
    # No N: the formatted name is the contact's name.
    assert company.values == {"last_name": "Just A Company Contact", "email": "info@company.example"}


def test_google_40_uris_preferences_and_a_birthday_without_a_year():
    [hanako] = _load("google_40.vcf")
    assert hanako.uid == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert hanako.values["work_phone"] == "+81-3-1234-5678"
    assert hanako.values["mobile"] == "+81-90-1234-5678"
    assert hanako.values["email"] == "hanako@example.jp"
    assert hanako.values["secondary_email"] == "hanako@home.example.jp"
    assert "birthday" not in hanako.values
    [problem] = hanako.problems
    assert (problem.field, problem.message, problem.params) == (
        "birthday", "The date “%(value)s” has no year.", {"value": "--0315"})


def test_a_line_that_cannot_be_parsed_is_a_problem_not_skipped_silently():
    [item] = vcard.loads(b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Anne;;;\r\nTEL;TY\"PE=WORK:1\r\nEND:VCARD\r\n")
    assert item.values == {"last_name": "Lee", "first_name": "Anne"}
    assert [(p.message, p.params) for p in item.problems] == [("Line %(line)d cannot be read.", {"line": 4})]


def test_values_over_their_limits_are_kept_whole_and_reported():
    long_name = "あ" * 41
    note = "x" * 32_001
    [item] = vcard.loads(f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:山田;{long_name};;;\r\nNOTE:{note}\r\nEND:VCARD\r\n")
    assert item.values["first_name"] == long_name and item.values["description"] == note
    assert {(p.field, p.params["max"]) for p in item.over_limits()} == {("first_name", 40), ("description", 32_000)}


FULL = Item(PimKind.CONTACTS, uid="kizuna-contact-1", categories=["Kizuna", "顧客"], values={
    "first_name": "太郎", "last_name": "山田", "email": "taro@example.jp", "secondary_email": "t@home.example.jp",
    "title": "部長, 営業", "account_name": "山田商事; 本社", "department": "営業部", "work_phone": "03-1234-5678",
    "home_phone": "042-000-0000", "other_phone": "06-0000-0000", "mobile": "090-1111-2222", "fax": "03-1234-5679",
    "assistant": "佐藤 花子", "assistant_phone": "03-1234-5670", "reports_to": "﨑山 部長",
    "mailing_street": "丸の内1-1-1, ビル2F\n3号室", "mailing_city": "千代田区", "mailing_state": "東京都",
    "mailing_code": "100-0005", "mailing_country": "日本", "other_street": "梅田3-3", "other_city": "大阪市北区",
    "other_state": "大阪府", "other_code": "530-0001", "other_country": "日本",
    "description": "一行目\n二行目; x, y = z \\ " + "長い" * 60, "birthday": date(1980, 1, 15),
})


@pytest.mark.parametrize("version", ["2.1", "3.0", "4.0"])
def test_round_trip(version):
    text = vcard.dumps(FULL, version=version)
    assert f"VERSION:{version}" in text
    [back] = vcard.loads(text.encode("utf-8"))
    back.source = ""
    assert back == FULL


@pytest.mark.parametrize("version", ["2.1", "3.0", "4.0"])
def test_round_trip_of_a_contact_with_only_another_address(version):
    item = Item(PimKind.CONTACTS, values={"last_name": "Lee", "other_city": "Osaka"})
    [back] = vcard.loads(vcard.dumps(item, version=version))
    back.source = ""
    assert back == item


def test_outlook_style_21_is_ascii_with_utf8_quoted_printable():
    text = vcard.dumps(FULL, version="2.1")
    assert text.isascii()
    assert "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:" in text
    assert all(len(line) <= 76 for line in text.split("\r\n"))


def test_an_unknown_version_is_a_programming_error():
    with pytest.raises(ValueError):
        vcard.dumps(FULL, version="5.0")


@pytest.mark.parametrize(("data", "msgid"), [
    (b"", "The file holds no vCard."),
    (b"hello, world", "The file holds no vCard."),
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:a;b;;;\r\n", "A card at line %(line)d is not closed (END:VCARD is missing)."),
    (b"BEGIN:VCARD\r\n" * 5, "Cards are nested too deeply at line %(line)d."),
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\n" + b"NOTE:x\r\n" * 100_000 + b"END:VCARD\r\n",
     "The card at line %(line)d has too many lines (at most %(max)d)."),
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:a\r\nEND:VCARD\r\n" * (vcard.MAX_CARDS + 1),
     "The file holds too many cards (at most %(max)d)."),
    (b"x" * (vcard.MAX_BYTES + 1), "The file is too large (at most %(max)s MB)."),
    (bytes(range(256)) * 4, "The file is not text in UTF-8, UTF-16 or Shift_JIS."),
])
def test_hostile_files_are_refused_with_a_message(data, msgid):
    with pytest.raises(FormatError) as raised:
        vcard.loads(data)
    assert raised.value.msgid == msgid


def test_unindented_21_base64_photo_runs_to_the_blank_line():
    [item] = vcard.loads(b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lee;Anne\r\nPHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQ\r\n"
                         b"SkZJRgABAQ\r\nAAAQABAAD\r\n\r\nTEL;CELL:090\r\nEND:VCARD\r\n")
    assert item.values == {"last_name": "Lee", "first_name": "Anne", "mobile": "090"}
    assert not item.problems


def test_text_given_as_str_may_start_with_a_bom():
    [item] = vcard.loads("\ufeff" + vcard.dumps(FULL))
    assert item.values == FULL.values
