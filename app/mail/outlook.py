"""An Outlook .msg file (an OLE compound file of MAPI properties, [MS-OXMSG]) as the RFC 5322
message Kizuna stores, so an uploaded .msg goes through the same parsing as mail fetched over
IMAP. No database, no HTTP; blocking (call from a worker thread).

Read with olefile directly, not msg_parser (the BSD-licensed reader on olefile that was meant
for this): msg_parser drops every NUL byte of binary properties (attachments: a PDF or an image
comes out corrupt), decodes 8-bit string properties (type 001E, written by older Outlooks and
by any in a Japanese ANSI code page) as UTF-16, which turns them into nonsense, never reads the
message's code page, keeps no recipient type (To or Cc) and no fixed-size properties (dates).
The streams needed are few and their layout is simple, so reading them here costs less than
working around it. (extract-msg, the usual choice, is GPL and cannot ship in Kizuna.)

- Received mail keeps its original internet headers (PR_TRANSPORT_MESSAGE_HEADERS): they are
  used as they are (From, To, Date, Message-ID, References, List-Id...), only the MIME
  structure is rebuilt. Mail without them (sent items, drafts) gets headers made from the
  properties: sender, recipients, date, subject, Message-ID.
- Bodies: plain text (PR_BODY) and HTML (PR_HTML, in the message's internet code page). A body
  kept only as compressed RTF is not decoded (Outlook writes PR_BODY next to it).
- Attachments by value, with their names, types and Content-IDs; an attached Outlook item
  (an embedded message) is skipped. Counts are bounded; sizes are bounded by the file's.
"""

from __future__ import annotations

import codecs
import email.utils
import io
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email import encoders, policy

import olefile

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file
RECIPIENTS_MAX = 500
ATTACHMENTS_MAX = 100
STRING_MAX = 2_000_000  # characters of one string property (a body); the rest is dropped
HEADERS_MAX = 256 * 1024

# Property types ([MS-OXCDATA] 2.11.1)
PT_LONG, PT_BOOLEAN, PT_SYSTIME = 0x0003, 0x000B, 0x0040
PT_STRING8, PT_UNICODE, PT_BINARY = 0x001E, 0x001F, 0x0102

# Property ids
SUBJECT, TRANSPORT_HEADERS, CLIENT_SUBMIT_TIME, MESSAGE_CLASS = 0x0037, 0x007D, 0x0039, 0x001A
SENT_REPRESENTING_NAME, SENT_REPRESENTING_EMAIL = 0x0042, 0x0065
SENDER_NAME, SENDER_ADDRTYPE, SENDER_EMAIL = 0x0C1A, 0x0C1E, 0x0C1F
SENDER_SMTP, SENT_REPRESENTING_SMTP = 0x5D01, 0x5D02
DELIVERY_TIME, BODY, HTML, INTERNET_MESSAGE_ID = 0x0E06, 0x1000, 0x1013, 0x1035
IN_REPLY_TO, REFERENCES = 0x1042, 0x1039
INTERNET_CPID, MESSAGE_CODEPAGE = 0x3FDE, 0x3FFD
RECIPIENT_TYPE, DISPLAY_NAME, ADDRTYPE, EMAIL_ADDRESS, SMTP_ADDRESS = 0x0C15, 0x3001, 0x3002, 0x3003, 0x39FE
ATTACH_DATA, ATTACH_FILENAME, ATTACH_METHOD, ATTACH_LONG_FILENAME = 0x3701, 0x3704, 0x3705, 0x3707
ATTACH_MIME_TAG, ATTACH_CONTENT_ID, ATTACH_HIDDEN = 0x370E, 0x3712, 0x7FFE
ATTACH_BY_VALUE = 1

# Code pages a .msg names, as Python codecs (the rest are cpNNN).
CODE_PAGES = {65001: "utf-8", 20127: "ascii", 28591: "latin-1", 50220: "iso2022_jp", 50221: "iso2022_jp",
              50222: "iso2022_jp", 51932: "euc_jp", 932: "cp932", 1200: "utf-16-le"}
_MIME_HEADERS = {"content-type", "content-transfer-encoding", "mime-version", "content-disposition"}


class NotAnOutlookMessage(ValueError):
    """The bytes are no readable Outlook e-mail: `reason` says why (for the log, not the user)."""

    def __init__(self, reason: str, *, not_mail: bool = False, not_outlook: bool = False) -> None:
        super().__init__(reason)
        self.not_mail = not_mail  # an Outlook item, but a contact, an appointment...
        self.not_outlook = not_outlook  # another compound file (an old Word or Excel document)


def is_ole(data: bytes) -> bool:
    return data[:8] == MAGIC


@dataclass
class Recipient:
    name: str
    address: str
    kind: int  # 1 To, 2 Cc, 3 Bcc


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""


@dataclass
class OutlookMessage:
    """What Kizuna keeps of a .msg, read from its properties."""

    subject: str = ""
    sender_name: str = ""
    sender_address: str = ""
    date: datetime | None = None
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    text: str = ""
    html: str = ""
    transport_headers: str = ""
    recipients: list[Recipient] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


# ---- reading the compound file ------------------------------------------------------------------


def _codec(code_page: int | None, default: str = "cp1252") -> str:
    if not code_page:
        return default
    name = CODE_PAGES.get(code_page, f"cp{code_page}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return default


class _Storage:
    """The properties of one storage: the message, a recipient or an attachment."""

    def __init__(self, ole: olefile.OleFileIO, prefix: list[str], header_size: int, codepage: int | None = None):
        self.ole, self.prefix = ole, prefix
        self.fixed: dict[int, tuple[int, bytes]] = {}
        path = [*prefix, "__properties_version1.0"]
        if ole.exists("/".join(path)):
            raw = ole.openstream(path).read(1024 * 1024)
            for offset in range(header_size, len(raw) - 15, 16):
                tag, _flags = struct.unpack_from("<II", raw, offset)
                self.fixed[tag >> 16] = (tag & 0xFFFF, raw[offset + 8:offset + 16])
        self.codec = _codec(codepage or self.long(MESSAGE_CODEPAGE))

    def _stream(self, prop: int, kind: int, limit: int) -> bytes | None:
        path = [*self.prefix, f"__substg1.0_{prop:04X}{kind:04X}"]
        if not self.ole.exists("/".join(path)):
            return None
        with self.ole.openstream(path) as stream:
            return stream.read(limit)

    def string(self, prop: int, limit: int = STRING_MAX) -> str:
        raw = self._stream(prop, PT_UNICODE, limit * 2)
        if raw is not None:
            return raw.decode("utf-16-le", "replace").split("\x00", 1)[0]
        raw = self._stream(prop, PT_STRING8, limit)
        if raw is not None:
            return raw.decode(self.codec, "replace").split("\x00", 1)[0]
        return ""

    def binary(self, prop: int, limit: int) -> bytes | None:
        return self._stream(prop, PT_BINARY, limit)

    def long(self, prop: int) -> int | None:
        kind, value = self.fixed.get(prop, (0, b""))
        return struct.unpack("<i", value[:4])[0] if kind in (PT_LONG, PT_BOOLEAN) else None

    def time(self, prop: int) -> datetime | None:
        kind, value = self.fixed.get(prop, (0, b""))
        if kind != PT_SYSTIME:
            return None
        ticks = struct.unpack("<Q", value)[0]  # 100 ns since 1601-01-01
        try:
            return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=ticks // 10)
        except OverflowError:
            return None

    def children(self, name: str, limit: int) -> list[list[str]]:
        found = {tuple(entry[:len(self.prefix) + 1]) for entry in self.ole.listdir(streams=True, storages=True)
                 if len(entry) > len(self.prefix) and entry[:len(self.prefix)] == self.prefix
                 and entry[len(self.prefix)].startswith(name)}
        return [list(p) for p in sorted(found)[:limit]]


def _address(storage: _Storage, smtp: int, address: int, addrtype: int | None = None) -> str:
    """The SMTP address: its own property, else the address if it is one (not an Exchange DN)."""
    found = storage.string(smtp, 320).strip()
    if "@" in found:
        return found
    value = storage.string(address, 320).strip()
    if "@" in value and (addrtype is None or storage.string(addrtype, 20).upper() in ("", "SMTP")):
        return value
    return ""


def read(data: bytes) -> OutlookMessage:
    """The message kept in a .msg file; NotAnOutlookMessage when it is none."""
    if not is_ole(data):
        raise NotAnOutlookMessage("not an OLE compound file")
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return _read(ole)
    except NotAnOutlookMessage:
        raise
    except Exception as error:  # noqa: BLE001 - olefile raises many kinds on a corrupt file
        raise NotAnOutlookMessage(f"unreadable compound file: {type(error).__name__}") from None


def _read(ole: olefile.OleFileIO) -> OutlookMessage:
    if not ole.exists("__properties_version1.0") and not any(
            e[0].startswith("__substg1.0_") for e in ole.listdir()):
        raise NotAnOutlookMessage("no MAPI properties", not_outlook=True)
    top = _Storage(ole, [], 32)
    kind = top.string(MESSAGE_CLASS, 255)
    if kind and not kind.upper().startswith(("IPM.NOTE", "IPM.SCHEDULE.MEETING", "REPORT.IPM.NOTE")):
        raise NotAnOutlookMessage(f"message class {kind[:40]}", not_mail=True)
    message = OutlookMessage(
        subject=top.string(SUBJECT, 10_000),
        sender_name=top.string(SENDER_NAME, 255) or top.string(SENT_REPRESENTING_NAME, 255),
        sender_address=(_address(top, SENDER_SMTP, SENDER_EMAIL, SENDER_ADDRTYPE)
                        or _address(top, SENT_REPRESENTING_SMTP, SENT_REPRESENTING_EMAIL)),
        date=top.time(CLIENT_SUBMIT_TIME) or top.time(DELIVERY_TIME),
        message_id=top.string(INTERNET_MESSAGE_ID, 1000).strip(),
        in_reply_to=top.string(IN_REPLY_TO, 1000).strip(),
        references=top.string(REFERENCES, 20_000).strip(),
        text=top.string(BODY),
        transport_headers=top.string(TRANSPORT_HEADERS, HEADERS_MAX),
    )
    html = top.binary(HTML, STRING_MAX * 4)
    if html is not None:
        message.html = html.decode(_codec(top.long(INTERNET_CPID), "utf-8"), "replace")
    else:
        message.html = top.string(HTML)
    for prefix in top.children("__recip_version1.0_", RECIPIENTS_MAX):
        recipient = _Storage(ole, prefix, 8, top.long(MESSAGE_CODEPAGE))
        address = _address(recipient, SMTP_ADDRESS, EMAIL_ADDRESS, ADDRTYPE)
        name = recipient.string(DISPLAY_NAME, 255)
        if address:
            message.recipients.append(Recipient("" if name == address else name, address,
                                                recipient.long(RECIPIENT_TYPE) or 1))
    for prefix in top.children("__attach_version1.0_", ATTACHMENTS_MAX):
        part = _Storage(ole, prefix, 8, top.long(MESSAGE_CODEPAGE))
        data = part.binary(ATTACH_DATA, 1 << 31)
        if data is None or (part.long(ATTACH_METHOD) or ATTACH_BY_VALUE) != ATTACH_BY_VALUE:
            continue  # an attached Outlook item or a link: nothing to keep as a file
        filename = part.string(ATTACH_LONG_FILENAME, 255) or part.string(ATTACH_FILENAME, 255) or part.string(
            DISPLAY_NAME, 255)
        content_type = part.string(ATTACH_MIME_TAG, 100).strip().lower()
        if "/" not in content_type:
            content_type = "application/octet-stream"
        message.attachments.append(Attachment(filename, content_type, data, part.string(ATTACH_CONTENT_ID, 255)))
    return message


# ---- writing the RFC 5322 message ------------------------------------------------------------------


def _text(value: str) -> MIMEText:
    return MIMEText(value, "plain", "utf-8")


def _body(message: OutlookMessage) -> MIMEBase:
    """The MIME structure: text and HTML as alternatives, the files around them (inline images
    with a Content-ID next to the HTML)."""
    bodies: list[MIMEBase] = []
    if message.text or not message.html:
        bodies.append(_text(message.text))
    if message.html:
        bodies.append(MIMEText(message.html, "html", "utf-8"))
    body = bodies[0] if len(bodies) == 1 else MIMEMultipart("alternative", _subparts=bodies)
    inline = [a for a in message.attachments if a.content_id and message.html and a.content_id in message.html]
    files = [a for a in message.attachments if all(a is not b for b in inline)]
    if inline:
        body = MIMEMultipart("related", _subparts=[body, *(_part(a, inline=True) for a in inline)])
    if files:
        body = MIMEMultipart("mixed", _subparts=[body, *(_part(a) for a in files)])
    return body


def _part(attachment: Attachment, inline: bool = False) -> MIMEBase:
    main, _, sub = attachment.content_type.partition("/")
    part = MIMEBase(main, sub)
    part.set_payload(attachment.data)
    encoders.encode_base64(part)
    disposition = "inline" if inline else "attachment"
    if attachment.filename:
        # RFC 2231 for names that are not ASCII (Japanese file names), as mail clients write them.
        part.add_header("Content-Disposition", disposition, filename=("utf-8", "", attachment.filename))
    else:
        part.add_header("Content-Disposition", disposition)
    if attachment.content_id:
        part["Content-ID"] = f"<{attachment.content_id.strip('<>')}>"
    return part


def _mailbox(name: str, address: str) -> str:
    return email.utils.formataddr((name, address), charset="utf-8") if name else address


def _headers(message: OutlookMessage) -> list[tuple[str, str]]:
    """Headers made from the properties, for mail that kept no internet headers."""
    found: list[tuple[str, str]] = []
    if message.sender_address or message.sender_name:
        found.append(("From", _mailbox(message.sender_name, message.sender_address)))
    for kind, name in ((1, "To"), (2, "Cc")):
        people = [_mailbox(r.name, r.address) for r in message.recipients if r.kind == kind]
        if people:
            found.append((name, ", ".join(people)))
    if message.date:
        found.append(("Date", email.utils.format_datetime(message.date)))
    if message.subject:
        found.append(("Subject", Header(message.subject, "utf-8").encode()))
    for name, value in (("Message-ID", message.message_id), ("In-Reply-To", message.in_reply_to),
                        ("References", message.references)):
        if value:
            found.append((name, value.replace("\r", " ").replace("\n", " ")))
    return found


def _transport_headers(message: OutlookMessage) -> bytes:
    """The original header block without its MIME fields (the structure is rebuilt), as bytes
    with CRLF; text that is not ASCII is kept as UTF-8 (read as such by app.mail.charsets)."""
    lines, keep = [], True
    for line in message.transport_headers.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            break  # the end of the block (a second block, of an embedded message, is not ours)
        if line[0] in " \t":
            if keep and lines:
                lines.append(line)
            continue
        name = line.split(":", 1)[0].strip().lower()
        keep = ":" in line and name not in _MIME_HEADERS
        if keep:
            lines.append(line)
    return "\r\n".join(lines).encode("utf-8", "replace") + b"\r\n" if lines else b""


def to_rfc5322(message: OutlookMessage) -> bytes:
    body = _body(message)
    block = _transport_headers(message)
    if not block or b"\nfrom:" not in b"\n" + block.lower():
        block = "".join(f"{name}: {value}\r\n" for name, value in _headers(message)).encode("utf-8", "replace")
    body["MIME-Version"] = "1.0"
    return block + body.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))


def convert(data: bytes) -> bytes:
    """A .msg file's message as RFC 5322 bytes; NotAnOutlookMessage when it holds none."""
    return to_rfc5322(read(data))
