"""Imported files are decoded the way they were written: a BOM decides, then UTF-8, then cp932 (as
Windows writes Shift_JIS); anything else is refused with a message, never read as mojibake."""

from __future__ import annotations

import codecs

import pytest

from app.pim.text import FormatError, Undecodable, decode, decode_report

JAPANESE = "髙橋 ①商事 ～ 﨑山 ㈱"  # IBM extensions, NEC row 13 and the wave dash cp932 maps its own way


@pytest.mark.parametrize(("data", "encoding"), [
    (codecs.BOM_UTF8 + JAPANESE.encode("utf-8"), "utf-8-sig"),
    (JAPANESE.encode("utf-8"), "utf-8"),
    (JAPANESE.encode("utf-16"), "utf-16"),
    (codecs.BOM_UTF16_BE + JAPANESE.encode("utf-16-be"), "utf-16"),
    (JAPANESE.encode("cp932"), "cp932"),
])
def test_every_encoding_a_japanese_file_comes_in(data, encoding):
    assert decode_report(data) == (JAPANESE, encoding)
    assert decode(data) == JAPANESE


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # an image
    bytes(range(256)),
    b"caf\xe9 cr\xe8me br\xfbl\xe9e",  # Latin-1: neither UTF-8 nor cp932
    "text with a NUL\x00 inside".encode("utf-8"),
])
def test_binary_or_unknown_encodings_are_refused_with_a_message(data):
    with pytest.raises(Undecodable) as raised:
        decode(data)
    assert isinstance(raised.value, FormatError) and isinstance(raised.value, ValueError)
    assert raised.value.msgid == "The file is not text in UTF-8, UTF-16 or Shift_JIS."


def test_format_errors_carry_a_message_id_and_its_parameters():
    error = FormatError("The file has too many rows (at most %(max)d).", max=20_000)
    assert error.msgid == "The file has too many rows (at most %(max)d)."
    assert error.params == {"max": 20_000}
    assert str(error) == "The file has too many rows (at most 20000)."


def test_damaged_utf8_is_refused_rather_than_read_as_mojibake():
    data = "髙橋太郎、株式会社①商事、東京都千代田区".encode("utf-8")
    damaged = data[:9] + b"\xff" + data[9:]
    with pytest.raises(Undecodable) as raised:
        decode(damaged)
    assert raised.value.params == {"position": 10}  # counted from 1
    assert str(raised.value) == "The file is UTF-8 with a damaged byte at position 10."
