"""Bytes of a mail part or header to text, the way Japanese mail is really written.

Python's codecs read the labels literally, and Japanese mail does not: Shift_JIS mail is written
by Windows in cp932 (NEC row 13 ①, ㈱ and the IBM extensions 髙 﨑 are in every other business
letter); ISO-2022-JP mail is cp932 text put through JIS escape sequences (Outlook's cp50220), so
`iso2022_jp`, `iso2022_jp_ext` and `iso2022_jp_2` fail or give U+FFFD on the same characters;
EUC-JP from Windows is cp51932. So:

- ISO-2022-JP is decoded by `jis`, escape sequence by escape sequence: JIS X 0208 pairs read as cp932
  (row 13 and the NEC-selected IBM rows 89-92 included), JIS X 0201 katakana, JIS X 0212/0213,
  and the rare GB/KSC designations of ISO-2022-JP-2.
- Every Japanese decoder gives cp932's characters for the six code points where JIS and Microsoft
  disagree (〜/～, ‖/∥, −/－, ¢ £ ¬ full width), so the same letter reads the same whatever
  its encoding (search and de-duplication compare text).
- Labels lie: 8-bit bytes under an ISO-2022-JP label are UTF-8 (or Shift_JIS); a part without a
  label that holds ESC $ B is JIS; "us-ascii" with 8-bit bytes is sniffed; latin-1 is read as
  windows-1252 (as browsers do); unknown and non-text codec names are sniffed.

`decode()` never raises; `decode_report()` also says which codec was used and whether anything
had to be replaced (the parser flags the message as malformed then).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

from app.mail.jis import CP932_FIXUPS as _CP932_FIXUPS
from app.mail.jis import REPLACEMENT, decode_cp51932, decode_jis

# Sniffing decides on a prefix; the whole text is then decoded with the codec chosen.
SNIFF_BYTES = 256 * 1024

_JIS = "iso-2022-jp"       # pseudo codec names handled here, not by Python
_CP51932 = "cp51932"
_SNIFF = "sniff"

_LABELS: dict[str, str] = {}
for _codec, _names in {
    "cp932": "shift_jis shift-jis sjis x-sjis x_sjis s-jis s_jis shiftjis ms_kanji mskanji csshiftjis "
             "windows-31j cswindows31j cp932 ms932 ms-932 x-ms-cp932 ibm-943 ibm943 x-mac-japanese "
             "macjapanese shift_jisx0213 shift_jis_2004 shift-jisx0213",
    _JIS: "iso-2022-jp iso-2022-jp-1 iso-2022-jp-2 iso-2022-jp-3 iso-2022-jp-2004 iso-2022-jp-ms "
          "iso-2022-jp-ext iso2022jp iso2022-jp csiso2022jp csiso2022jp2 jis jis7 x-jis cp50220 "
          "cp50221 cp50222 iso-2022-jp-kddi iso-2022-jp-softbank",
    "euc_jp": "euc-jp euc_jp eucjp x-euc-jp x-eucjp x-euc cseucpkdfmtjapanese ujis euc-jis-2004 "
              "euc-jisx0213 cp51932 cp20932 eucjp-ms eucjp-open",
    "utf-8": "utf-8 utf8 unicode-1-1-utf-8 unicode-2-0-utf-8 x-unicode20utf8 utf-8-sig",
    "cp1252": "iso-8859-1 iso8859-1 iso_8859-1 latin1 latin-1 l1 cp819 ibm819 csisolatin1 windows-1252 "
              "cp1252 x-cp1252",
    "gb18030": "gb2312 gbk x-gbk cp936 gb18030 csgb2312 euc-cn x-euc-cn chinese",
    "cp949": "ks_c_5601-1987 ks_c_5601 euc-kr euckr cseuckr korean ksc5601 cp949 windows-949",
    "cp950": "big5 x-big5 csbig5 cp950",
    "cp874": "tis-620 iso-8859-11 windows-874 cp874",
    "iso8859_8": "iso-8859-8-i iso-8859-8-e",
    _SNIFF: "us-ascii ascii ansi_x3.4-1968 iso646-us us cp367 default unknown unknown-8bit x-unknown "
            "8bit 7bit binary none x-user-defined charset",
}.items():
    for _name in _names.split():
        _LABELS[_name] = _codec


@dataclass(frozen=True)
class Decoded:
    text: str
    codec: str     # what was used ("cp932", "iso-2022-jp", "utf-8 (labelled iso-2022-jp)" ...)
    clean: bool    # False when bytes had to be replaced by U+FFFD


@lru_cache(maxsize=256)  # labels are few in practice; hostile ones cannot grow the cache
def codec_for(label: str | None) -> str:
    """The codec a charset label means here: a Python text codec name, "iso-2022-jp" or
    "cp51932" (decoded by this module), or "sniff" when the label says nothing usable."""
    if not label:
        return _SNIFF
    name = label.strip().strip("\"'").lower()
    name = name.split("*", 1)[0].strip()  # RFC 2231 charset*language
    if name in _LABELS:
        return _LABELS[name]
    if not name or len(name) > 40 or not re.fullmatch(r"[a-z0-9._:+-]+", name):
        return _SNIFF
    try:
        info = codecs.lookup(name)
        b"a".decode(info.name)  # rejects base64, rot13, zlib ...: not text encodings
    except (LookupError, ValueError, TypeError):
        return _SNIFF
    return info.name


def decode(data: bytes, label: str | None = None) -> str:
    """The text of `data` labelled `label` (or unlabelled); never raises."""
    return decode_report(data, label).text


def decode_report(data: bytes, label: str | None = None) -> Decoded:
    try:
        return _decode(bytes(data), codec_for(label), label or "")
    except Exception:  # noqa: BLE001 - last resort: a codec bug must not stop a sync
        return Decoded(bytes(data).decode("utf-8", "replace"), "utf-8", False)


def _decode(data: bytes, codec: str, label: str) -> Decoded:
    if not data:
        return Decoded("", codec, True)
    high = _has_high(data)
    if codec == _JIS:
        if not high:
            text, clean = decode_jis(data)
            return Decoded(text, _JIS, clean)
        return _sniff(data, mislabelled=label or _JIS)
    if codec == _SNIFF:
        return _sniff(data)
    if codec == "cp932" and not high and b"\x1b$" in data:
        text, clean = decode_jis(data)  # JIS text under a Shift_JIS label
        return Decoded(text, _JIS, clean)
    if codec == "euc_jp":
        for attempt in (_strict_euc, _strict_cp51932, _strict_euc2004, _strict_utf8):
            found = attempt(data)
            if found is not None:
                return found
        text, clean = decode_cp51932(data)
        return Decoded(text, _CP51932, clean)
    if codec == "cp932":
        for attempt in (_strict_cp932, _strict_utf8, _strict_sjis2004):
            found = attempt(data)
            if found is not None:
                return found
        return Decoded(data.decode("cp932", "replace").translate(_CP932_FIXUPS), "cp932", False)
    if codec == "utf-8":
        data = data.removeprefix(b"\xef\xbb\xbf")
        found = _strict_utf8(data)
        if found is not None:
            return found
        found = _japanese(data)
        if found is not None:
            return Decoded(found.text, f"{found.codec} (labelled {label or 'utf-8'})", True)
        return Decoded(data.decode("utf-8", "replace"), "utf-8", False)
    if codec == "cp1252":
        try:
            return Decoded(data.decode("cp1252"), "cp1252", True)
        except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: latin-1 has them
            return Decoded(data.decode("latin-1"), "latin-1", True)
    try:
        return Decoded(data.decode(codec), codec, True)
    except UnicodeDecodeError:
        pass
    found = _strict_utf8(data)
    if found is not None:
        return Decoded(found.text, f"utf-8 (labelled {label or codec})", True)
    return Decoded(data.decode(codec, "replace"), codec, False)


def _has_high(data: bytes) -> bool:
    return not data.isascii()


def _strict_utf8(data: bytes) -> Decoded | None:
    try:
        return Decoded(data.decode("utf-8"), "utf-8", True)
    except UnicodeDecodeError:
        return None


# Python's cp932 gives these to the single bytes 0x80, 0xA0 and 0xFD-0xFF, which Windows never
# writes in text: seeing them means the bytes were not cp932.
_CP932_STRAYS = re.compile("[\u0080\u00a0\uf8f0-\uf8f3]")


def strict_cp932(data: bytes) -> str | None:
    """`data` as cp932 text (with the JIS/Microsoft differences read as cp932's), or None when the
    bytes are not cp932 as Windows writes it (PIM imports sniff with this)."""
    found = _strict_cp932(data)
    return None if found is None else found.text


def _strict_cp932(data: bytes) -> Decoded | None:
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        return None
    if _CP932_STRAYS.search(text):
        return None
    return Decoded(text.translate(_CP932_FIXUPS), "cp932", True)


def _strict_sjis2004(data: bytes) -> Decoded | None:
    try:  # JIS X 0213 (Mac, some mobile mail): characters cp932 lacks
        return Decoded(data.decode("shift_jis_2004").translate(_CP932_FIXUPS), "shift_jis_2004", True)
    except UnicodeDecodeError:
        return None


def _strict_euc(data: bytes) -> Decoded | None:
    try:
        return Decoded(data.decode("euc_jp").translate(_CP932_FIXUPS), "euc_jp", True)
    except UnicodeDecodeError:
        return None


def _strict_cp51932(data: bytes) -> Decoded | None:
    text, clean = decode_cp51932(data)
    return Decoded(text, _CP51932, True) if clean else None


def _strict_euc2004(data: bytes) -> Decoded | None:
    try:
        return Decoded(data.decode("euc_jis_2004").translate(_CP932_FIXUPS), "euc_jis_2004", True)
    except UnicodeDecodeError:
        return None


def _japanese(data: bytes) -> Decoded | None:
    """cp932 or EUC-JP, whichever reads `data` without error (both: the more Japanese-looking:
    EUC read as cp932 turns into half-width katakana, cp932 read as EUC rarely survives)."""
    sample = data[:SNIFF_BYTES]
    cp = _strict_cp932(sample)
    euc = _strict_euc(sample) or _strict_cp51932(sample)
    if cp and euc:
        chosen = "euc" if _score(euc.text) > _score(cp.text) else "cp932"
    elif cp or euc:
        chosen = "cp932" if cp else "euc"
    else:
        return None
    if len(sample) == len(data):
        return cp if chosen == "cp932" else euc
    if chosen == "cp932":
        return _strict_cp932(data) or Decoded(data.decode("cp932", "replace").translate(_CP932_FIXUPS), "cp932", False)
    return _strict_euc(data) or _strict_cp51932(data) or Decoded(decode_cp51932(data)[0], _CP51932, False)


def _score(text: str) -> int:
    kana = sum(1 for c in text if "\u3041" <= c <= "\u30ff")
    halfwidth = sum(1 for c in text if "\uff61" <= c <= "\uff9f")
    return kana - 2 * halfwidth


def _sniff(data: bytes, mislabelled: str = "") -> Decoded:
    """No usable label (or a 7-bit label on 8-bit bytes): ASCII, JIS, UTF-8, cp932/EUC-JP, and
    at last windows-1252, the first that reads the bytes cleanly."""
    suffix = f" (labelled {mislabelled})" if mislabelled else ""
    if not _has_high(data):
        if b"\x1b$" in data or b"\x1b(J" in data or b"\x1b(I" in data:
            text, clean = decode_jis(data)
            return Decoded(text, _JIS + suffix, clean)
        return Decoded(data.decode("ascii"), "ascii", True)
    for found in (_strict_utf8(data), _japanese(data)):
        if found is not None:
            return Decoded(found.text, found.codec + suffix, found.clean)
    if mislabelled:  # ISO-2022-JP with stray 8-bit bytes: keep the JIS text, lose the bytes
        text, _ = decode_jis(data)
        return Decoded(text, _JIS, False)
    # Mostly UTF-8 or mostly cp932 with a few broken bytes reads better than cp1252 mojibake.
    candidates = [(data.decode(c, "replace"), c) for c in ("utf-8", "cp932")]
    text, codec = min(candidates, key=lambda tc: tc[0].count(REPLACEMENT))
    if text.count(REPLACEMENT) * 20 < len(text):
        return Decoded(text.translate(_CP932_FIXUPS) if codec == "cp932" else text, codec, False)
    return _decode(data, "cp1252", "")
