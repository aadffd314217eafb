"""Quoted replies and signatures collapsed: the reply's own words stay visible."""

from __future__ import annotations

import time

import pytest

from app.mail.quotes import split

JA_OUTLOOK = """山田様

お世話になっております。
見積書を確認しました。

佐藤

________________________________
差出人: 山田 太郎 <t@x.example>
送信日時: 2024年1月2日 10:00
宛先: 佐藤 <s@y.example>
件名: 見積書

佐藤様
見積書を送ります。"""


def test_japanese_outlook_header_block():
    visible, quoted = split(JA_OUTLOOK)
    assert visible == "山田様\n\nお世話になっております。\n見積書を確認しました。\n\n佐藤"
    assert quoted.startswith("________________________________\n差出人: 山田 太郎")
    assert quoted.endswith("見積書を送ります。")


def test_japanese_outlook_block_without_the_rule_and_with_full_width_colons():
    visible, quoted = split("了解です。\n\n差出人：山田\n送信日時：2024/01/02\n件名：見積\n\n本文")
    assert visible == "了解です。" and quoted.startswith("差出人：山田")


def test_a_lone_sashidashinin_line_is_not_a_header_block():
    text = "差出人: の欄に会社名を入れてください。\nよろしくお願いします。"
    assert split(text) == (text, "")


@pytest.mark.parametrize("marker", ["-----Original Message-----", "----- Original Message -----", "-----元のメッセージ-----"])
def test_original_message_separator(marker):
    visible, quoted = split(f"確認しました。\n\n{marker}\nFrom: a\nSent: b\n\n古い本文")
    assert visible == "確認しました。" and quoted.startswith(marker)


def test_english_wrote_line_with_quote():
    visible, quoted = split("Thanks, looks good.\n\nOn Tue, Jan 2, 2024 at 10:00 AM Taro <t@x.example> wrote:\n> Here it is.\n> Taro")
    assert visible == "Thanks, looks good." and quoted.startswith("On Tue, Jan 2, 2024")


def test_gmail_japanese_attribution():
    visible, quoted = split("了解しました。\n\n2024年1月2日(火) 10:00 山田 太郎 <t@x.example>:\n> 見積書です。")
    assert visible == "了解しました。" and quoted.startswith("2024年1月2日(火)")


def test_thunderbird_japanese_attribution():
    visible, quoted = split("承知しました。\n\n山田 太郎 さんは書きました:\n> 明日伺います。\n>\n> 山田\n")
    assert visible == "承知しました。" and quoted.startswith("山田 太郎 さんは書きました:")


def test_library_finds_outlook_english_headers_without_quote_marks():
    text = "Sounds good.\n\nFrom: Taro Yamada <t@x.example>\nSent: Tuesday, January 2, 2024 10:00 AM\nTo: Sato\nSubject: Estimate\n\nOld text"
    visible, quoted = split(text)
    assert visible == "Sounds good." and quoted.startswith("From: Taro Yamada")


def test_library_finds_on_wrote_without_quote_marks():
    visible, quoted = split("Great.\n\nOn Tue, Jan 2, 2024 at 10:00 AM Taro Yamada <t@x.example> wrote:\n\nOld text here")
    assert visible == "Great." and "Old text here" in quoted


def test_signature_separator():
    visible, quoted = split("本文です。\n-- \n山田 太郎\n株式会社山田商事")
    assert visible == "本文です。" and quoted == "-- \n山田 太郎\n株式会社山田商事"


def test_inline_replies_stay_visible():
    text = "> 質問1\n回答1\n> 質問2\n回答2"
    assert split(text) == (text, "")


def test_indentation_of_the_visible_part_is_kept():
    visible, _ = split("　字下げした段落。\n    code\n\n-----Original Message-----\nold")
    assert visible == "　字下げした段落。\n    code"


def test_a_message_that_is_all_quote_stays_visible():
    assert split("> all quoted\n> text") == ("> all quoted\n> text", "")
    assert split("-----Original Message-----\nFrom: a\n\nforwarded text")[1] == ""


def test_empty_and_plain_texts():
    assert split("") == ("", "")
    assert split("ただの本文\n二行目\r\n") == ("ただの本文\n二行目", "")


def test_long_text_is_split_in_linear_time():
    text = "本文の行です。 " * 20 + "\n"
    started = time.perf_counter()
    visible, quoted = split(text * 20000 + "-----Original Message-----\nold")
    assert quoted.startswith("-----Original Message-----") and len(visible) > 100_000
    assert time.perf_counter() - started < 5  # generous: a backtracking pattern would take minutes
