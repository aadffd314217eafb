"""Bytes of an imported file to text, and the one error every file reader raises.

Files come from Outlook, Excel, phones and other CRMs: UTF-8 (with or without a BOM), UTF-16
with a BOM (Excel's "Unicode text"), and Shift_JIS as Windows writes it (cp932: NEC row 13 and
the IBM extensions are common in Japanese address books). Anything else, or binary garbage, is
refused with a message the import page shows: a guess would import mojibake.

    FormatError          a file that cannot be read at all (msgid + params, translated where shown)
    └── Undecodable      not text in an encoding we read
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from app.i18n import N_
from app.mail.charsets import strict_cp932

# C0 controls other than tab, line feed, vertical tab, form feed, carriage return and the DOS
# end-of-file mark: text files do not hold them, binary files always do.
_BINARY = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f]")


class FormatError(ValueError):
    """A file (or a part of it) that cannot be read; `msgid` and `params` say why."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params


BROKEN_UTF8 = N_("The file is UTF-8 with a damaged byte at position %(position)d.")


class Undecodable(FormatError):
    def __init__(self, msgid: str = N_("The file is not text in UTF-8, UTF-16 or Shift_JIS."),
                 **params: Any) -> None:
        super().__init__(msgid, **params)


def decode(data: bytes) -> str:
    """The text of a file: a BOM (UTF-8, UTF-16) decides; else strict UTF-8, then cp932;
    Undecodable otherwise (for binary data, whatever it happens to decode as, and for UTF-8 with a
    damaged byte, which cp932 would read as mojibake)."""
    return decode_report(data)[0]


def decode_report(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read in: utf-8-sig, utf-16, utf-8 or cp932."""
    data = bytes(data)
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _try(data[3:], "utf-8"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = _try(data, "utf-16"), "utf-16"
    else:
        text, encoding = _try(data, "utf-8"), "utf-8"
        if text is None:
            if _mostly_utf8(data):  # a damaged UTF-8 file: read as cp932 it would be mojibake
                position = _utf8_error(data)
                raise Undecodable(BROKEN_UTF8, position=position)
            text, encoding = strict_cp932(data), "cp932"
    if text is None or _BINARY.search(text):
        raise Undecodable()
    return text, encoding


# UTF-8 multi-byte sequences; Shift_JIS text seldom forms them (under half of its 8-bit bytes),
# a UTF-8 file with a damaged byte is nearly all of them.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _mostly_utf8(data: bytes) -> bool:
    high = len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))
    return high >= 8 and sum(len(m) for m in _UTF8_SEQUENCE.findall(data)) > 0.9 * high


def _utf8_error(data: bytes) -> int:
    """Where the first damaged byte is, counted from 1 as people count."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start + 1
    return 0


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None
