"""ISO-2022-JP and cp51932 (EUC-JP as Windows writes it), decoded the way Windows encodes them:
every JIS X 0208 pair read as cp932 reads its Shift_JIS code, so NEC row 13 (①, ㈱) and the
NEC-selected IBM rows 89-92 (髙, 﨑), which Python's iso2022_jp* and euc_jp codecs refuse, come
through. Most text takes one C call (Python's codecs); only the characters they refuse go through
a small error handler. Used by `charsets`; see its docstring for when.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

REPLACEMENT = "\ufffd"

# Where JIS X 0208 (as Python's euc_jp reads it) and cp932 map the same code to different
# characters; cp932's side wins, so one letter reads the same in every Japanese encoding.
CP932_FIXUPS = str.maketrans({
    "\u301c": "\uff5e", "\u2016": "\u2225", "\u2212": "\uff0d",
    "\u00a2": "\uffe0", "\u00a3": "\uffe1", "\u00ac": "\uffe2",
})
# 7-bit GL bytes to GR (0x21-0x7E -> 0xA1-0xFE): a JIS pair becomes an EUC pair.
_TO_GR = bytes(b | 0x80 if 0x21 <= b <= 0x7E else b for b in range(256))
# JIS X 0201 katakana (0x21-0x5F) to cp932's half-width katakana bytes.
_KANA_TO_CP932 = bytes(b + 0x80 if 0x21 <= b <= 0x5F else b for b in range(256))

# --- ISO-2022-JP ----------------------------------------------------------------------------

_ESCAPE = re.compile(rb"\x1b(\$\([@-Z]|\$\)[@-Z]|\$[@-Z]|\([@-Z]|\)[@-Z]|\.[@-Z]|[NO])|[\x0e\x0f]")
_ASCII, _DOUBLE, _KANA, _X0212, _X0213_1, _X0213_2, _GB, _KSC = range(8)
_DESIGNATIONS = {
    b"(B": _ASCII, b"(J": _ASCII, b"(H": _ASCII, b"(I": _KANA,
    b"$@": _DOUBLE, b"$B": _DOUBLE, b"$(@": _DOUBLE, b"$(B": _DOUBLE,
    b"$(D": _X0212, b"$(O": _X0213_1, b"$(Q": _X0213_1, b"$(P": _X0213_2,
    b"$A": _GB, b"$(A": _GB, b"$(C": _KSC,
}
_G2 = {b".A": "latin-1", b".F": "iso8859_7"}


def decode_jis(data: bytes) -> tuple[str, bool]:
    """ISO-2022-JP (and its -1/-2/-3/-2004/cp5022x variants) to text, JIS X 0208 read as
    cp932; (text, clean). Unknown escape sequences and broken pairs become U+FFFD."""
    if b"\x1b(J" not in data and b"\x1b(H" not in data and b"\x0e" not in data:
        try:  # the common case in C; it refuses row 13 and the IBM rows (and reads ESC ( J as
            # JIS-Roman, where ¥ replaces the backslash: Windows and this module read ASCII)
            return data.decode("iso2022_jp_ext").translate(CP932_FIXUPS), True
        except UnicodeDecodeError:
            pass
    if data.isascii():
        euc = _jis_to_euc(data)
        if euc is not None:
            return _euc_with_pairs(euc)
    out: list[str] = []
    clean = True
    mode, shifted, g2 = _ASCII, False, "latin-1"
    position = 0
    for match in _ESCAPE.finditer(data):
        if match.start() > position:
            text, ok = _jis_run(data[position:match.start()], _KANA if shifted else mode)
            out.append(text)
            clean &= ok
        position = match.end()
        token = match.group(0)
        if token == b"\x0e":      # SO: JIS X 0201 katakana until SI (cp50222)
            shifted = True
        elif token == b"\x0f":
            shifted = False
        elif token[1:] in _DESIGNATIONS:
            mode = _DESIGNATIONS[token[1:]]
        elif token[1:] in _G2:
            g2 = _G2[token[1:]]
        elif token == b"\x1bN" and position < len(data):  # single shift 2: one G2 character
            out.append(bytes([data[position] | 0x80]).decode(g2, "replace"))
            position += 1
        else:
            clean = False
    if position < len(data):
        text, ok = _jis_run(data[position:], _KANA if shifted else mode)
        out.append(text)
        clean &= ok
    return "".join(out), clean


_EUC_MODES = {b"\x1b(B": _ASCII, b"\x1b(J": _ASCII, b"\x1b(H": _ASCII, b"\x1b(I": _KANA,
              b"\x1b$@": _DOUBLE, b"\x1b$B": _DOUBLE, b"\x1b$(@": _DOUBLE, b"\x1b$(B": _DOUBLE}
_KANA_RUN = re.compile(rb"[\x21-\x5f]")


def _jis_to_euc(data: bytes) -> bytes | None:
    """7-bit JIS using only ASCII, JIS X 0208 and katakana as one EUC-JP string, decoded in one
    C call (a letter switches modes every few characters); None for the rarer designations."""
    chunks: list[bytes] = []
    mode, shifted, position = _ASCII, False, 0
    for match in _ESCAPE.finditer(data):
        chunks.append(_euc_run(data[position:match.start()], _KANA if shifted else mode))
        position = match.end()
        token = match.group(0)
        if token == b"\x0e" or token == b"\x0f":
            shifted = token == b"\x0e"
        elif token in _EUC_MODES:
            mode = _EUC_MODES[token]
        else:
            return None
    chunks.append(_euc_run(data[position:], _KANA if shifted else mode))
    return b"".join(chunks)


def _euc_run(run: bytes, mode: int) -> bytes:
    if mode == _DOUBLE:
        return run.translate(_TO_GR)
    if mode == _KANA:
        return _KANA_RUN.sub(lambda m: b"\x8e" + bytes((m.group(0)[0] + 0x80,)), run)
    return run


def _jis_run(run: bytes, mode: int) -> tuple[str, bool]:
    if mode == _ASCII:
        return run.decode("ascii", "replace"), run.isascii()
    if mode == _KANA:
        return run.translate(_KANA_TO_CP932).decode("cp932", "replace"), True
    if mode == _DOUBLE:
        return _euc_with_pairs(run.translate(_TO_GR))
    prefix = b"\x8f" if mode in (_X0212, _X0213_2) else b""
    codec = {_X0212: "euc_jp", _X0213_1: "euc_jis_2004", _X0213_2: "euc_jis_2004",
             _GB: "gb2312", _KSC: "euc_kr"}[mode]
    return _pairs(run, lambda a, b: (prefix + bytes((a | 0x80, b | 0x80))).decode(codec))


_CONTROL_RUNS = re.compile(rb"([\x00-\x20\x7f-\xff]+)")


def _pairs(run: bytes, read) -> tuple[str, bool]:
    """Two-byte characters one by one; control bytes (a line break where the sender forgot to
    switch back to ASCII) pass through and re-align the pairs."""
    out: list[str] = []
    clean = True
    for index, piece in enumerate(_CONTROL_RUNS.split(run)):
        if index % 2:
            out.append(piece.decode("latin-1") if piece.isascii() else REPLACEMENT * len(piece))
            clean &= piece.isascii()
            continue
        for i in range(0, len(piece) - 1, 2):
            try:
                out.append(read(piece[i], piece[i + 1]))
            except (UnicodeDecodeError, KeyError):
                out.append(REPLACEMENT)
                clean = False
        if len(piece) % 2:
            out.append(REPLACEMENT)
            clean = False
    return "".join(out), clean


@lru_cache(maxsize=None)
def _sjis_table() -> dict[int, str]:
    """JIS X 0208 row/cell (as one int) -> the character cp932 gives its Shift_JIS code."""
    table = {}
    for j1 in range(0x21, 0x7F):
        for j2 in range(0x21, 0x7F):
            try:
                table[j1 << 8 | j2] = _to_sjis(j1, j2).decode("cp932")
            except UnicodeDecodeError:
                pass
    return table


def _to_sjis(j1: int, j2: int) -> bytes:
    s1 = ((j1 + 1) >> 1) + (0x70 if j1 <= 0x5E else 0xB0)
    s2 = j2 + (0x1F if j1 & 1 else 0x7E)
    if j1 & 1 and s2 >= 0x7F:
        s2 += 1
    return bytes((s1, s2))


# --- cp51932: EUC-JP as Windows writes it ----------------------------------------------------

def decode_cp51932(data: bytes) -> tuple[str, bool]:
    """EUC-JP with NEC row 13 and the NEC-selected IBM rows, read as cp932 does; (text, clean)."""
    return _euc_with_pairs(data)


def _euc_with_pairs(data: bytes) -> tuple[str, bool]:
    """EUC-JP in C; the pairs euc_jp refuses (NEC row 13, IBM rows 89-92) through cp932 by the
    error handler below. U+FFFD cannot be written in EUC or JIS, so its presence means loss."""
    text = data.decode("euc_jp", _PAIRS_HANDLER).translate(CP932_FIXUPS)
    return text, REPLACEMENT not in text


def _cp932_pairs(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    data, i = error.object, error.start
    if i + 1 < len(data) and data[i] >= 0xA1 and data[i + 1] >= 0xA1:
        char = _sjis_table().get((data[i] & 0x7F) << 8 | (data[i + 1] & 0x7F))
        if char is not None:
            return char, i + 2
    return REPLACEMENT, i + 1


_PAIRS_HANDLER = "kizuna-cp932-pairs"
codecs.register_error(_PAIRS_HANDLER, _cp932_pairs)
