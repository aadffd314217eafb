"""vCard text as lines vobject can parse: app.pim.vcard reads cards through this.

vCard 2.1 (Outlook, Japanese phones) folds quoted-printable values with "=" soft line breaks,
runs base64 values to a blank line and labels bytes with a CHARSET that Python reads too
literally (SHIFT_JIS is written by Windows as cp932); 2.1 writers and careless 3.0 writers leave
commas bare. Here lines are unfolded, each quoted-printable value decoded with app.mail.charsets
and put back as a plain escaped value, and the file cut into cards, within bounds: vobject never
sees QP, a hostile file is refused before vobject parses anything, and a line vobject cannot
parse becomes a problem on its card instead of being skipped.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass, field

import vobject

from app.i18n import N_
from app.mail import charsets
from app.pim.items import Item, Problem
from app.pim.text import FormatError

MAX_BYTES = 20 * 1024 * 1024
MAX_CARDS = 20_000
MAX_PROPERTIES = 500  # per card; a real card has a few dozen
MAX_DEPTH = 2  # a 2.1 AGENT may nest one card; deeper is refused

TOO_MANY_CARDS = N_("The file holds too many cards (at most %(max)d).")
TOO_MANY_PROPERTIES = N_("The card at line %(line)d has too many lines (at most %(max)d).")
TOO_DEEP = N_("Cards are nested too deeply at line %(line)d.")
UNCLOSED = N_("A card at line %(line)d is not closed (END:VCARD is missing).")
BAD_LINE = N_("Line %(line)d cannot be read.")

# Not kept in Kizuna, and the bulk of a hostile file.
_DROPPED = {"PHOTO", "LOGO", "SOUND", "KEY"}


@dataclass
class Card:
    line: int  # where BEGIN:VCARD is, for the report
    # line number, name, params, value
    properties: list[tuple[int, str, list[str], str]] = field(default_factory=list)


_NAME = re.compile(r"(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)")


def _split(line: str) -> tuple[str, list[str], str] | None:
    """name (upper case, group dropped), raw params, value; None for a line with no colon."""
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            head, value = line[:i], line[i + 1:]
            break
    else:
        return None
    name, *params = head.split(";")
    m = _NAME.fullmatch(name.strip())
    return (m.group(1).upper() if m else name.strip().upper()), params, value


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Unfolded lines with their first line number: RFC folding (a leading space or tab),
    vCard 2.1's quoted-printable soft breaks (a QP value ending in "=") and 2.1's base64 values,
    which run to a blank line."""
    # Parts are joined once at the end: a hostile file folds one line millions of times.
    out: list[tuple[int, list[str]]] = []
    qp_open = base64_open = False
    head = ""
    for number, raw in enumerate(text.splitlines(), 1):
        if qp_open and out:
            parts = out[-1][1]
            parts[-1] = parts[-1][:-1]
            parts.append(raw)
        elif base64_open and out and raw.strip() and ":" not in raw:
            out[-1][1].append(raw.strip())  # 2.1 base64 lines, unindented by some phones
            continue
        elif raw[:1] in (" ", "\t") and out:
            out[-1][1].append(raw[1:])
        elif raw.strip():
            out.append((number, [raw]))
            head = raw.split(":", 1)[0].upper()
        else:
            qp_open = base64_open = False
            continue
        qp_open = out[-1][1][-1].endswith("=") and "QUOTED-PRINTABLE" in head
        base64_open = "BASE64" in head
    return [(number, "".join(parts)) for number, parts in out]


def _plain(name: str, params: list[str], value: str, legacy: bool) -> str:
    """A line as vobject reads it: a quoted-printable value decoded with its CHARSET (Shift_JIS
    read as cp932), ENCODING and CHARSET dropped; for vCard 2.1 (`legacy`), whose values are not
    escaped, backslashes escaped (but for an escaped semicolon). Bare commas are escaped in every
    version but in CATEGORIES: vobject keeps a NOTE or TITLE only up to its first bare comma, and
    2.1 writers and careless 3.0 writers (phones, web apps) leave them bare."""
    charset = None
    qp = False
    kept = []
    for param in params:
        key, _, val = param.partition("=")
        key_u, val_u = key.strip().upper(), val.strip().strip('"').upper()
        if key_u == "CHARSET":
            charset = val.strip().strip('"')
        elif "QUOTED-PRINTABLE" in (key_u, val_u):
            qp = True
        elif key_u == "8BIT" or (key_u == "ENCODING" and val_u == "8BIT"):
            continue
        else:
            kept.append(param)
    if qp:
        value = charsets.decode(quopri.decodestring(value.encode("utf-8")), charset)
    if legacy:
        value = re.sub(r"\\(?!;)", r"\\\\", value)
    if name != "CATEGORIES":
        value = _escape_commas(value)
    if qp or legacy:
        value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return ";".join([name, *kept]) + ":" + value


def _escape_commas(value: str) -> str:
    out = []
    escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            out.append("\\")
        out.append(char)
    return "".join(out)


def cards(text: str) -> list[Card]:
    cards: list[Card] = []
    depth = 0
    current: Card | None = None
    for number, line in _logical_lines(text):
        parts = _split(line)
        if parts is None:  # not a content line: reported on its card
            parts = ("", [], line)
        name, params, value = parts
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            depth += 1
            if depth > MAX_DEPTH:
                raise FormatError(TOO_DEEP, line=number)
            if depth == 1:
                if len(cards) >= MAX_CARDS:
                    raise FormatError(TOO_MANY_CARDS, max=MAX_CARDS)
                current = Card(number)
                cards.append(current)
            continue
        if name == "END" and value.strip().upper() == "VCARD":
            if depth == 1:
                current = None
            depth = max(depth - 1, 0)
            continue
        if current is None or depth != 1 or name in _DROPPED:
            continue
        if len(current.properties) >= MAX_PROPERTIES:
            raise FormatError(TOO_MANY_PROPERTIES, line=current.line, max=MAX_PROPERTIES)
        current.properties.append((number, name, params, value))
    if current is not None:
        raise FormatError(UNCLOSED, line=current.line)
    return cards


def text_of(card: Card, item: Item) -> str:
    """The card as vobject reads it; a line vobject cannot parse is left out with a problem."""
    version = next((value.strip() for _, name, _, value in card.properties if name == "VERSION"), "2.1")
    lines = []
    for number, name, params, value in card.properties:
        line = _plain(name, params, value, legacy=version == "2.1")
        try:
            if not name:
                raise ValueError(value)
            vobject.base.parseLine(line)
        except Exception:  # noqa: BLE001 - vobject's ParseError and whatever its regexes trip on
            item.problems.append(Problem("", BAD_LINE, {"line": number}))
            continue
        lines.append(line)
    return "BEGIN:VCARD\r\n" + "".join(line + "\r\n" for line in lines) + "END:VCARD\r\n"
