"""One honorific per addressee, addresses in their country's order (app.addressing: the rule
PDFs, the portal and e-mails share)."""

from __future__ import annotations

import pytest

from app.addressing import address_lines, addressee, entry_order


@pytest.mark.parametrize("args,expected", [
    (("株式会社さくら商事", True, "佐藤 健一"), ("株式会社さくら商事", "佐藤 健一 様")),
    (("株式会社さくら商事", True, ""), ("株式会社さくら商事 御中", "")),
    (("山本 一郎", False, ""), ("山本 一郎 様", "")),
    (("株式会社さくら商事", True, "経理部 佐藤様"), ("株式会社さくら商事", "経理部 佐藤様")),  # typed with it
    (("株式会社さくら商事 御中", True, ""), ("株式会社さくら商事 御中", "")),
])
def test_japanese_addressee_has_one_honorific(args, expected):
    name, is_company, person = args
    assert addressee("ja", name, is_company=is_company, contact_name=person) == expected


def test_english_addressee_has_none():
    assert addressee("en", "Acme Inc.", is_company=True, contact_name="Jane Doe") == ("Acme Inc.", "Jane Doe")
    assert addressee("en", "Acme Inc.", is_company=True) == ("Acme Inc.", "Acme Inc.")


US = dict(code="98052", state="WA", city="Redmond", street="1 Microsoft Way", country="United States")
JP = dict(code="530-0001", state="大阪府", city="大阪市北区", street="梅田2-4-9", country="")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_foreign_address_in_its_countrys_order(lang):
    assert address_lines(**US, lang=lang) == ("1 Microsoft Way", "Redmond, WA 98052", "United States")


@pytest.mark.parametrize("country", ["", "日本", "Japan", "JP", "ＪＰ", "japan "])
def test_japanese_address_in_japanese_order(country):
    assert address_lines(**{**JP, "country": country}, lang="ja") == ("〒530-0001", "大阪府大阪市北区梅田2-4-9")


def test_japanese_address_has_its_building_on_a_line_of_its_own():
    lines = address_lines(**JP, building="梅田ビル5階", lang="ja")
    assert lines == ("〒530-0001", "大阪府大阪市北区梅田2-4-9", "梅田ビル5階")


def test_japanese_address_in_japanese_script_keeps_its_order_in_english():
    # the country is said to readers abroad
    lines = address_lines(**{**JP, "country": "Japan"}, building="梅田ビル5階", lang="en")
    assert lines == ("〒530-0001", "大阪府大阪市北区梅田2-4-9", "梅田ビル5階", "Japan")


def test_romanised_japanese_address_in_english_is_in_the_western_order():
    lines = address_lines(code="530-0001", state="Osaka", city="Osaka", street="2-4-9 Umeda, Kita-ku",
                          building="Umeda Bldg. 5F", country="Japan", lang="en")
    assert lines == ("2-4-9 Umeda, Kita-ku", "Umeda Bldg. 5F", "Osaka, Osaka 530-0001", "Japan")


@pytest.mark.parametrize("country,lang,first", [
    ("", "ja", "code"), ("日本", "en", "code"), ("Japan", "ja", "code"),
    ("", "en", "street"), ("United States", "ja", "street"), ("France", "en", "street"),
])
def test_address_forms_follow_the_same_rule(country, lang, first):
    assert entry_order(country, lang)[0] == first
