"""The header block of a raw message, read without trusting it: bounded, split into fields,
and the fields Kizuna needs decoded (RFC 2047 words in Japanese charsets, addresses, ids, dates).

Every reader here is linear in its input (regex scans and counters, no recursion), so the traps
that make a full RFC 5322 parser slow or crash (thousands of encoded words, comments nested
thousands deep, a megabyte of Received lines) cost only their length. Sizes are bounded first:
a field is cut at FIELD_MAX bytes, and when the block passes the caller's limit the fields that
matter (IMPORTANT) are kept and the others (Received, DKIM, X-...) dropped, each with a defect.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from app.mail import charsets

FIELD_MAX = 16 * 1024
MAX_FIELDS = 1000
MAX_ADDRESSES = 500
ID_MAX = 500
# Kept first when the block is over the limit: what threading and matching need, then the
# recipient lists (long ones are cut anyway), then the rest in order.
ESSENTIAL = {
    "from", "sender", "reply-to", "subject", "date", "message-id", "in-reply-to", "references",
    "mime-version", "content-type", "content-transfer-encoding", "list-id", "list-unsubscribe",
    "auto-submitted", "precedence", "return-path", "x-kizuna-token", "x-autoreply", "x-autorespond",
}
IMPORTANT = ESSENTIAL | {"to", "cc", "content-disposition", "content-id"}

_FIELD_START = re.compile(rb"([!-9;-~]+)[ \t]*:")
_BLANK_LINE = re.compile(rb"\n\r?\n")
_LATE_IMPORTANT = re.compile(
    rb"^(?:" + b"|".join(re.escape(n.encode()) for n in sorted(IMPORTANT)) + rb")[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*",
    re.IGNORECASE | re.MULTILINE)
_UNFOLD = re.compile(rb"\r?\n(?=[ \t])")
_NEWLINES = re.compile(rb"[\r\n]+")
_LONE_CR = re.compile(rb"\r(?!\n)")


@dataclass
class HeaderBlock:
    fields: list[tuple[str, bytes]]   # (lower-cased name, raw value: unfolded, stripped)
    header_bytes: bytes               # the kept fields, CRLF-separated, for the MIME parser
    body_start: int                   # where the body starts in raw
    body_prefix: bytes = b""          # body lines found in the header block (no blank line)
    defects: list[str] = field(default_factory=list)

    def first(self, name: str) -> bytes | None:
        for key, value in self.fields:
            if key == name:
                return value
        return None

    def all(self, name: str) -> list[bytes]:
        return [value for key, value in self.fields if key == name]


def split_header(raw: bytes, max_header_bytes: int) -> HeaderBlock:
    """The bounded header block of `raw` (module docstring)."""
    defects: list[str] = []
    if raw.startswith((b"\n", b"\r\n")):
        return HeaderBlock([], b"", 2 if raw.startswith(b"\r\n") else 1, defects=["no header fields"])
    blank = _BLANK_LINE.search(raw)
    header_end, body_start = (blank.start() + 1, blank.end()) if blank else (len(raw), len(raw))
    scan_limit = max(max_header_bytes, 1024) * 4
    cut = header_end > scan_limit
    if cut:
        defects.append(f"header block of {header_end} bytes: read up to {scan_limit}")
    lines = raw[:min(header_end, scan_limit)].split(b"\n")
    if lines and not lines[-1]:
        lines.pop()  # after the last line break
    starts = [bool(_FIELD_START.match(line)) for line in lines]
    last_field = max((i for i, s in enumerate(starts) if s), default=-1)

    fields: list[list[bytes]] = []
    garbage = 0
    body_prefix = b""
    for i, line in enumerate(lines):
        line = line.removesuffix(b"\r")
        if starts[i]:
            fields.append([line])
        elif line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        elif i == 0 and line.startswith(b"From "):
            continue  # mbox envelope line
        elif i > last_field and not cut:
            # no field follows: the body started without the blank line (feedparser's reading)
            body_prefix = b"\n".join(lines[i:]) + (b"\n" if blank else b"")
            defects.append("no blank line between header and body")
            break
        elif line.strip():
            garbage += 1
    if garbage:
        defects.append(f"{garbage} header line(s) without a field name ignored")
    if cut:  # the fields that matter, wherever they are in the rest (a regex scan, in C)
        for match in _LATE_IMPORTANT.finditer(raw, scan_limit, header_end):
            fields.append([match.group(0)[:FIELD_MAX].rstrip(b"\r\n")])
    if len(fields) > MAX_FIELDS:
        defects.append(f"{len(fields)} header fields: the first {MAX_FIELDS} and those that matter read")
        fields = [f for i, f in enumerate(fields) if i < MAX_FIELDS or _name(f[0]) in IMPORTANT]

    # a lone CR would end the line for the MIME parser (a field of its own): a space here
    kept = _bound([_LONE_CR.sub(b" ", b"\r\n".join(f)) for f in fields], max_header_bytes, defects)
    parsed = []
    for data in kept:
        name, _, value = data.partition(b":")
        value = _NEWLINES.sub(b" ", _UNFOLD.sub(b"", value)).strip()
        parsed.append((name.strip().decode("ascii", "replace").lower(), value))
    return HeaderBlock(parsed, b"\r\n".join(kept) + b"\r\n", body_start, body_prefix, defects)


def _name(field: bytes) -> str:
    return field.split(b":", 1)[0].strip().lower().decode("ascii", "replace")


def _bound(fields: list[bytes], budget: int, defects: list[str]) -> list[bytes]:
    for i, data in enumerate(fields):
        if len(data) > FIELD_MAX:
            name = data.split(b":", 1)[0].decode("ascii", "replace")[:40]
            defects.append(f"header field {name} of {len(data)} bytes cut to {FIELD_MAX}")
            fields[i] = data[:FIELD_MAX].rstrip(b"\r\n")
    if sum(len(f) + 2 for f in fields) <= budget:
        return fields
    keep = [False] * len(fields)
    tiers = [2 if (n := _name(f)) in ESSENTIAL else 1 if n in IMPORTANT else 0 for f in fields]
    for tier in (2, 1, 0):
        for i, data in enumerate(fields):
            if tiers[i] == tier and budget >= len(data) + 2:
                keep[i] = True
                budget -= len(data) + 2
    dropped = keep.count(False)
    if dropped:
        defects.append(f"header block over the limit: {dropped} field(s) dropped")
    return [f for f, k in zip(fields, keep, strict=True) if k]


# --- RFC 2047 ---------------------------------------------------------------------------------

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?]*?)\?=")


def text_of(value: bytes) -> tuple[str, bool]:
    """A raw field value as text: 8-bit bytes through the charset layer (UTF-8 first, then the
    Japanese legacy codecs), no decoding of encoded words yet; (text, clean)."""
    if value.isascii():
        if b"\x1b" in value:  # raw JIS in a header, as old Japanese mailers wrote it
            report = charsets.decode_report(value, "iso-2022-jp")
            return report.text, report.clean
        return value.decode("ascii"), True
    report = charsets.decode_report(value, None)
    # RFC 6532 allows UTF-8 in headers; anything else is a defect, read as well as possible
    return report.text, report.clean and report.codec.startswith("utf-8")


def decode_words(text: str) -> tuple[str, bool]:
    """RFC 2047: encoded words decoded through the charset layer, adjacent words of one charset
    joined before decoding (a character split over two words, ISO-2022-JP's escapes), the space
    between two encoded words dropped; (text, clean)."""
    if "=?" not in text:
        return text, True
    out: list[str] = []
    clean = True
    pending: tuple[str, bytearray] | None = None
    position = 0

    def flush() -> None:
        nonlocal pending, clean
        if pending is not None:
            report = charsets.decode_report(bytes(pending[1]), pending[0])
            out.append(report.text)
            clean &= report.clean
            pending = None

    for match in _ENCODED_WORD.finditer(text):
        between = text[position:match.start()]
        position = match.end()
        if between and not (pending is not None and between.isspace()):
            flush()
            out.append(between)
        charset, kind, payload = match.group(1), match.group(2).lower(), match.group(3)
        data = _word_bytes(kind, payload)
        if data is None:
            flush()
            out.append(match.group(0))
            clean = False
            continue
        label = charset.split("*", 1)[0].lower()
        if pending is not None and pending[0] != label:
            flush()
        if pending is None:
            pending = (label, bytearray())
        pending[1].extend(data)
    flush()
    rest = text[position:]
    broken = rest.find("=?")
    if broken >= 0 and "?=" not in rest[broken:]:
        rest, clean = rest[:broken].rstrip(), False  # a word cut off where the field was bounded
    out.append(rest)
    return "".join(out), clean


def _word_bytes(kind: str, payload: str) -> bytes | None:
    data = payload.encode("utf-8")
    try:
        if kind == "q":
            return binascii.a2b_qp(data, header=True)
        data = data.strip()
        if len(data) % 4 == 1:
            data = data[:-1]  # one stray character cannot be part of a 4-character group
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return None


_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]+")
_WHITESPACE = re.compile(r"\s+")


def header_text(value: bytes | None, limit: int = 998) -> tuple[str, bool]:
    """A text field (Subject, a display name) fully decoded, control characters removed,
    whitespace collapsed, at most `limit` characters; (text, clean)."""
    if not value:
        return "", True
    text, clean = text_of(value)
    text, words_clean = decode_words(text)
    text = _WHITESPACE.sub(" ", _CONTROLS.sub(" ", text)).strip()
    return text[:limit], clean and words_clean


# --- addresses --------------------------------------------------------------------------------

# An encoded word is one token: broken Q-encoders leave specials (",", "<", "@") inside them.
_ADDRESS_TOKENS = re.compile(r'=\?[^?\s]{1,64}\?[bBqQ]\?[^?]*?\?=|"(?:[^"\\]|\\.)*"?|\\.?|[(),<>;:]|'
                             r'(?:[^"\\(),<>;:=]|=(?!\?))+|=', re.S)
_BARE_ADDRESS = re.compile(r"[^\s<>(),;:\"]+@[^\s<>(),;:\"]+")
_QUOTED_PAIR = re.compile(r"\\(.)", re.S)


@dataclass
class _Chunk:
    text: list[str] = field(default_factory=list)
    angle: list[str] | None = None
    comment: list[str] = field(default_factory=list)
    has_at: bool = False  # kept as tokens come: joining the text per token would be quadratic


def addresses(value: bytes | None) -> tuple[list[tuple[str, str]], bool]:
    """(name, address) pairs of an address field, at most MAX_ADDRESSES; names decoded,
    addresses lower-cased. Groups, comments, quoted names and route addresses are read, and an
    unquoted "Yamada, Taro <t@x.example>" is one address named "Yamada, Taro"; (pairs, complete)."""
    if not value:
        return [], True
    text, _ = text_of(value)
    chunks: list[_Chunk] = []
    chunk = _Chunk()
    depth = 0
    in_angle = False
    for token in _ADDRESS_TOKENS.findall(text):
        if depth:
            if token == "(":
                depth += 1
            elif token == ")":
                depth -= 1
            if depth:
                chunk.comment.append(token)
        elif in_angle:
            if token == ">":
                in_angle = False
            else:
                chunk.angle.append(token)  # type: ignore[union-attr]
        elif token == "(":
            depth = 1
        elif token == "<":
            in_angle, chunk.angle = True, []
        elif token in (",", ";"):
            chunks.append(chunk)
            chunk = _Chunk()
            if len(chunks) > MAX_ADDRESSES * 4:
                break
        elif token == ":" and chunk.angle is None and not chunk.has_at:
            chunk = _Chunk()  # "Group name:" - the group's members follow
        elif token not in (")", ">"):
            chunk.text.append(token)
            chunk.has_at = chunk.has_at or "@" in token
    chunks.append(chunk)

    found: list[tuple[str, str]] = []
    names_before: list[str] = []  # "Yamada" of "Yamada, Taro <...>": no address of its own
    for chunk in chunks:
        name, address = _read_chunk(chunk)
        if not address:
            if name:
                names_before.append(name)
            continue
        if names_before and chunk.angle is not None:
            name = ", ".join([*names_before, name] if name else names_before)
        names_before = []
        found.append((name, address))
    if not found:  # an unclosed comment or quote swallowed everything: take what looks like one
        found = [("", a) for a in map(_clean_address, _BARE_ADDRESS.findall(text[:FIELD_MAX])) if a]
    return found[:MAX_ADDRESSES], len(found) <= MAX_ADDRESSES


def _read_chunk(chunk: _Chunk) -> tuple[str, str]:
    raw_text = "".join(chunk.text)
    if chunk.angle is not None:
        address = "".join(chunk.angle).rsplit(":", 1)[-1]  # "<@route,@route:user@host>"
        name_source = raw_text
    else:
        bare = _BARE_ADDRESS.search(raw_text.replace('"', ""))
        address = bare.group(0) if bare else ""
        name_source = raw_text.replace(address, "", 1) if bare else raw_text
    address = _clean_address(address)
    name = _display_name(name_source) or _display_name("".join(chunk.comment))
    return name, address


def _display_name(source: str) -> str:
    parts = []
    for token in _ADDRESS_TOKENS.findall(source):
        if token.startswith('"'):
            token = _QUOTED_PAIR.sub(r"\1", token[1:-1] if token.endswith('"') and len(token) > 1 else token[1:])
        parts.append(token)
    name, _ = decode_words("".join(parts))
    name = _WHITESPACE.sub(" ", _CONTROLS.sub(" ", name)).strip().strip("'\"").strip()
    return name[:200]


def _clean_address(address: str) -> str:
    address = _WHITESPACE.sub("", address).strip("'\".").lower()
    address = address.removeprefix("mailto:")
    if "@" not in address or len(address) > 320:
        return ""
    return address


# --- ids and dates ----------------------------------------------------------------------------

_BRACKETED = re.compile(r"<([^<>]{1,2000})>")


def normalize_id(value: str) -> str:
    """"<Local@Host.Example>" -> "Local@host.example": brackets and whitespace gone, the host
    lower-cased (it is a domain), the local part kept as written; "" for nothing usable."""
    value = re.sub(r"[\s\x00-\x1f\x7f]+", "", value).strip("<>")
    if not value or len(value) > ID_MAX:
        return ""
    local, at, host = value.rpartition("@")
    return f"{local}@{host.lower()}" if at else value


def message_ids(value: bytes | None, limit: int | None = None) -> list[str]:
    """The ids in a Message-ID, In-Reply-To or References field, in order, without repeats."""
    if not value:
        return []
    text = value.decode("ascii", "replace")
    found = _BRACKETED.findall(text) or [t for t in text.split() if "@" in t] or text.split()[:1]
    ids: list[str] = []
    for item in found:
        normal = normalize_id(item)
        if normal and normal not in ids:
            ids.append(normal)
    if limit is not None and len(ids) > limit:
        ids = ids[:1] + ids[-(limit - 1):]  # the root and the nearest parents thread best
    return ids


def parse_date(value: bytes | None) -> tuple[datetime | None, bool]:
    """An aware UTC datetime; (None, True) without a Date, (None, False) for an unreadable one."""
    if not value:
        return None, True
    try:
        parsed = parsedate_to_datetime(value.decode("ascii", "replace")[:200])
    except (TypeError, ValueError, OverflowError, IndexError):
        return None, False
    if parsed.tzinfo is None:  # "-0000": the time is UTC, its zone unknown
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC), True
    except (OverflowError, ValueError):
        return None, False
