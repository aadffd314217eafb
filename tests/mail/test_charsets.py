"""The charset layer: Japanese mail decoded the way its senders wrote it, and never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.mail.charsets import codec_for, decode, decode_jis, decode_report
from tests.mail.corpus import BODY, EXT, encode_cp51932, encode_jis

TEXT = "株式会社①㈱髙﨑 テスト ABC\n二行目 ～ ＼ ∥ －"


def test_python_loses_these_characters_which_is_why_this_layer_exists():
    jis = encode_jis(EXT)
    for codec in ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004"):
        assert jis.decode(codec, "replace") != EXT


@pytest.mark.parametrize("label", ["Shift_JIS", "shift-jis", "x-sjis", "SJIS", "windows-31j", "CP932", '"x-sjis"', "MS_Kanji"])
def test_shift_jis_labels_read_as_cp932(label):
    report = decode_report(TEXT.encode("cp932"), label)
    assert report.text == TEXT and report.clean and report.codec == "cp932"


@pytest.mark.parametrize("label", ["ISO-2022-JP", "iso-2022-jp", "csISO2022JP", "ISO-2022-JP-MS", "iso-2022-jp*ja"])
def test_iso_2022_jp_with_nec_row_13_and_ibm_extensions(label):
    report = decode_report(encode_jis(TEXT), label)
    assert report.text == TEXT and report.clean


def test_iso_2022_jp_without_special_characters_takes_the_fast_path_and_reads_the_same():
    plain = "見積書をお送りします。\r\nよろしくお願いいたします。"
    assert decode(encode_jis(plain), "iso-2022-jp") == plain


def test_the_same_letter_reads_the_same_in_every_japanese_encoding():
    # 〜 (JIS 0x2141): JIS tables say U+301C, cp932 U+FF5E; Kizuna always gives cp932's
    wave = "\uff5e"
    assert decode(encode_jis(wave), "iso-2022-jp") == wave
    assert decode(wave.encode("cp932"), "shift_jis") == wave
    assert decode(encode_cp51932(wave), "euc-jp") == wave
    assert decode("\u301c".encode("euc_jp"), "euc-jp") == wave


def test_jis_without_a_label_is_recognised():
    report = decode_report(encode_jis(BODY), None)
    assert report.text == BODY and report.codec == "iso-2022-jp"
    assert decode(encode_jis(BODY), "us-ascii") == BODY


def test_jis_under_a_shift_jis_label_is_recognised():
    assert decode(encode_jis(BODY), "shift_jis") == BODY


def test_utf8_mislabelled_as_iso_2022_jp():
    report = decode_report(TEXT.encode(), "iso-2022-jp")
    assert report.text == TEXT and report.clean and report.codec == "utf-8 (labelled iso-2022-jp)"


def test_shift_jis_mislabelled_as_iso_2022_jp_or_utf8():
    assert decode(BODY.encode("cp932"), "iso-2022-jp") == BODY
    assert decode(BODY.encode("cp932"), "utf-8") == BODY


@pytest.mark.parametrize("label", ["EUC-JP", "x-euc-jp", "eucJP", "cp51932"])
def test_euc_jp_plain_and_with_windows_characters(label):
    plain = "見積書をお送りします。"
    assert decode(plain.encode("euc_jp"), label) == plain
    report = decode_report(encode_cp51932(TEXT), label)  # ① ㈱ 髙 﨑: cp51932, which Python lacks
    assert report.text == TEXT and report.clean


def test_euc_jp_jis_x_0213_characters():
    text = "俱楽部の𩸽"  # JIS X 0213 plane 1 and 2: euc_jis_2004
    assert decode(text.encode("euc_jis_2004"), "euc-jp") == text
    assert decode(text.encode("utf-8"), "euc-jp") == text  # mislabelled UTF-8 falls through


def test_unlabelled_eight_bit_text_is_sniffed():
    assert decode(BODY.encode("utf-8"), None) == BODY
    assert decode(BODY.encode("cp932"), None) == BODY
    assert decode(encode_cp51932(BODY), None) == BODY
    assert decode("見積書をお送りします。".encode("euc_jp"), None) == "見積書をお送りします。"
    assert decode_report(BODY.encode("cp932"), "us-ascii").codec == "cp932"


def test_jis_variants_half_width_katakana_jis_roman_and_jis_x_0212():
    assert decode_jis(b"\x1b(I123\x1b(B") == ("ｱｲｳ", True)
    assert decode_jis(b"a\x0e45\x0fb") == ("aｴｵb", True)  # SO/SI katakana (cp50222)
    assert decode_jis(b"\x1b(Jyen\\ \x1b(B") == ("yen\\ ", True)  # JIS-Roman read as ASCII, as Windows does
    assert decode_jis(b"\x1b$(D\x30\x21\x1b(B") == ("丂", True)
    assert decode_jis(b"\x1b$B$\"\n$$\x1b(B") == ("あ\nい", True)  # a line break inside the kanji mode


def test_broken_jis_is_replaced_not_raised():
    text, clean = decode_jis(b"\x1b$B$\"$\x1b(Bok\x1b%Zx")  # odd byte, unknown escape
    assert text.startswith("あ") and "ok" in text and not clean


@pytest.mark.parametrize("label", ["base64", "rot13", "zlib", "hex", "no-such-charset", "x" * 500, "utf-8\x00", ""])
def test_unknown_and_non_text_labels_are_sniffed(label):
    assert codec_for(label) == "sniff"
    assert decode("テスト".encode(), label) == "テスト"


def test_latin1_label_reads_as_windows_1252():
    assert decode(b"\x80 caf\xe9", "iso-8859-1") == "€ café"
    assert decode(b"\x81", "latin1") == "\x81"  # undefined in cp1252: latin-1


def test_other_python_codecs_still_work():
    assert decode("Привет".encode("koi8_r"), "KOI8-R") == "Привет"
    assert decode("中文".encode("gbk"), "gb2312") == "中文"


def test_damage_is_reported():
    report = decode_report(b"ok \xff\xfe\xfd", "utf-8")
    assert "ok" in report.text and not report.clean


LABELS = st.sampled_from([None, "iso-2022-jp", "shift_jis", "euc-jp", "utf-8", "us-ascii", "latin1",
                          "base64", "utf-16", "gb2312", "nonsense", "cp51932"])


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300), label=LABELS)
def test_any_bytes_any_label_never_raise(data, label):
    assert isinstance(decode(data, label), str)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("あいう漢字①㈱髙﨑ABC \n～")), max_size=60))
def test_jis_round_trips(text):
    assert decode(encode_jis(text), "iso-2022-jp") == text
    assert decode(encode_cp51932(text), "euc-jp") == text
