"""The body of a message: its MIME tree walked for the text, the HTML and the attachments.

The tree comes from the standard library's parser with the compat32 policy (raw header values,
no eager decoding), each part's header fields cut at PART_FIELD_MAX as they are read. The walk
is a loop over a stack, to MAX_DEPTH and MAX_PARTS. The body text is the inline text/plain parts
(the first of each alternative), else the HTML's text; the HTML is sanitized; every other part is
an attachment, an inline cid image marked inline=True. Damage is repaired where it can be (wrong
boundary, truncated base64, missing final boundary) and always reported.
"""

from __future__ import annotations

import binascii
import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import Compat32

from app.mail import charsets
from app.mail import fields as hf
from app.mail import html as mailhtml

MAX_DEPTH = 30
MAX_PARTS = 1000
MAX_TEXT_CHARS = 2_000_000
PART_FIELD_MAX = 16 * 1024


@dataclass(frozen=True)
class Part:
    filename: str
    content_type: str
    data: bytes = field(repr=False)
    sha256: str
    content_id: str | None
    inline: bool


class _BoundedCompat32(Compat32):
    """compat32, with each header field of a MIME part cut at PART_FIELD_MAX as it is read
    (the documented `header_source_parse` hook): hostile part headers cost their bound."""

    def header_source_parse(self, sourcelines):  # noqa: ANN001, ANN201 - stdlib signature
        name, value = super().header_source_parse(sourcelines)
        return name, value[:PART_FIELD_MAX]


POLICY = _BoundedCompat32()
_CONTENT_TYPE_FIELD = re.compile(rb"(?im)^content-type[ \t]*:.*(?:\r\n[ \t].*)*\r\n")

_DEFECT_TEXT = {
    "StartBoundaryNotFoundDefect": "multipart boundary not found",
    "CloseBoundaryNotFoundDefect": "multipart not closed (final boundary missing)",
    "MultipartInvariantViolationDefect": "multipart without parts",
    "NoBoundaryInMultipartDefect": "multipart without a boundary",
    "MissingHeaderBodySeparatorDefect": "part without a blank line after its header",
    "InvalidMultipartContentTransferEncodingDefect": "multipart with an invalid transfer encoding",
}


@dataclass
class Body:
    text: str
    html: str
    attachments: list[Part]


def read_body(header: bytes, body: bytes, defects: list[str]) -> Body:
    """The body of a message whose (bounded, cleaned) header block is `header`; problems are
    appended to `defects`."""
    try:
        message = BytesParser(policy=POLICY).parsebytes(b"".join([header, b"\r\n", body]))
    except RecursionError:  # the stdlib parser recurses once per nested multipart
        defects.append("MIME parts nested too deep: the body read as text")
        message = BytesParser(policy=POLICY).parsebytes(_CONTENT_TYPE_FIELD.sub(b"", header) + b"\r\n" + body)
    walker = _Walker(defects)
    walker.walk(message)
    return Body(walker.text(), walker.html(), walker.attachments)


class _Walker:
    def __init__(self, defects: list[str]) -> None:
        self.defects = defects
        self.plain: list[str] = []
        self.htmls: list[str] = []
        self.attachments: list[Part] = []
        self._alternatives: set[tuple[int, str]] = set()

    def walk(self, message: Message) -> None:
        stack: list[tuple[Message, int, int]] = [(message, 0, 0)]  # part, depth, alternative id
        count = 0
        while stack:
            part, depth, group = stack.pop()
            count += 1
            if count > MAX_PARTS:
                self.defects.append(f"more than {MAX_PARTS} MIME parts: the rest ignored")
                return
            for defect in part.defects:
                name = type(defect).__name__
                self.defects.append(_DEFECT_TEXT.get(name, re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()))
            if part.get_content_maintype() == "multipart":
                payload = part.get_payload()
                if not isinstance(payload, list):  # wrong or missing boundary
                    payload = _recover_parts(part)
                    if payload is None:
                        self._broken_multipart(part)
                        continue
                    self.defects.append("multipart boundary wrong: parts found by their delimiter lines")
                if depth >= MAX_DEPTH:
                    self.defects.append(f"MIME parts nested deeper than {MAX_DEPTH}: the rest ignored")
                    continue
                if part.get_content_subtype() == "alternative":
                    group = count
                stack.extend((child, depth + 1, group) for child in reversed(payload))
                continue
            self._leaf(part, group)

    def _broken_multipart(self, part: Message) -> None:
        """A multipart whose parts cannot be found: its text is all there is to read."""
        data = self._payload(part)
        self.plain.append(charsets.decode(data, _param(part, "charset") or None).replace("\r\n", "\n"))

    def _leaf(self, part: Message, group: int) -> None:
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = _filename(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            kind = ctype.split("/")[1]
            if group and (group, kind) in self._alternatives:
                return  # a second variant of the same type: the first one is the body
            self._alternatives.add((group, kind))
            data = self._payload(part)
            label = _param(part, "charset")
            if kind == "html" and not label:
                meta = _META_CHARSET.search(data[:4096])
                label = meta.group(1).decode("ascii") if meta else ""
            report = charsets.decode_report(data, label or None)
            if not report.clean:
                self.defects.append(f"text with bytes unreadable as {report.codec}")
            text = report.text.replace("\r\n", "\n")
            if kind == "plain":
                if _param(part, "format").lower() == "flowed":
                    text = unflow(text, delsp=_param(part, "delsp").lower() == "yes")
                self.plain.append(text)
            else:
                self.htmls.append(text)
            return
        data = self._payload(part)
        content_id = _content_id(part)
        if not filename:
            stem = "image" if content_id else "attachment"
            filename = f"{stem}-{len(self.attachments) + 1}{_extension(ctype)}"
        self.attachments.append(Part(
            filename=filename, content_type=ctype, data=data, sha256=hashlib.sha256(data).hexdigest(),
            content_id=content_id, inline=bool(content_id) and disposition != "attachment",
        ))

    def _payload(self, part: Message) -> bytes:
        if part.is_multipart():  # message/rfc822, message/delivery-status: the parsed blocks
            chunks = []
            for sub in part.get_payload():
                try:
                    chunks.append(sub.as_bytes() if isinstance(sub, Message) else str(sub).encode())
                except Exception:  # noqa: BLE001 - a sub-message the generator cannot write
                    self.defects.append("attached message unreadable")
            return b"\n".join(chunks)
        cte = (_header(part, "content-transfer-encoding") or "").strip().strip('"').lower()
        if cte == "base64":
            decoded, clean = _base64(_original_bytes(part))
            if not clean:
                self.defects.append("damaged base64 (decoded what was there)")
            return decoded
        if cte == "quoted-printable":
            return binascii.a2b_qp(_original_bytes(part))
        if cte in ("x-uuencode", "uuencode", "uue", "x-uue"):
            return part.get_payload(decode=True) or b""
        return _original_bytes(part)  # 7bit, 8bit, binary, unknown: the bytes as sent

    def text(self) -> str:
        text = "\n".join(self.plain) if self.plain else mailhtml.to_text("\n".join(self.htmls))
        return self._bounded(text.strip("\n"), "text")

    def html(self) -> str:
        return mailhtml.sanitize(self._bounded("\n".join(self.htmls), "HTML")) if self.htmls else ""

    def _bounded(self, text: str, what: str) -> str:
        limit = MAX_TEXT_CHARS * (2 if what == "HTML" else 1)
        if len(text) > limit:
            self.defects.append(f"{what} body over {limit} characters: cut")
            return text[:limit]
        return text


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_WHITESPACE = b" \t\r\n\v\f"
_NOT_BASE64 = bytes(b for b in range(256) if not (chr(b).isascii() and (chr(b).isalnum() or chr(b) in "+/")))


def _base64(data: bytes) -> tuple[bytes, bool]:
    compact = data.translate(None, _WHITESPACE)
    try:
        return binascii.a2b_base64(compact, strict_mode=True), True
    except binascii.Error:
        pass
    letters = compact.translate(None, _NOT_BASE64)  # junk and misplaced padding out
    if len(letters) % 4 == 1:
        letters = letters[:-1]  # truncated: a lone 6-bit group holds no whole byte
    return binascii.a2b_base64(letters + b"=" * (-len(letters) % 4)), False


def _original_bytes(part: Message) -> bytes:
    """The part's body bytes as they were in the message. get_payload() would decode 8-bit text
    with the part's charset (and raise on a hostile charset name); get_payload(decode=True)
    returns the bytes as they are when no transfer encoding is named, so it is asked without one."""
    cte = part.get("content-transfer-encoding")
    if cte is None:
        return part.get_payload(decode=True) or b""
    del part["content-transfer-encoding"]
    try:
        return part.get_payload(decode=True) or b""
    finally:
        part["Content-Transfer-Encoding"] = cte


def _header(part: Message, name: str) -> str | None:
    """A part's header field as text. Read raw (compat32 turns 8-bit bytes into U+FFFD): raw
    Shift_JIS or UTF-8 file names are common in Japanese mail, and go through the charset layer."""
    for key, value in part.raw_items():
        if key.lower() == name:
            value = str(value)
            if value.isascii():
                return value
            return charsets.decode(value.encode("utf-8", "surrogateescape"), None)
    return None


def _get_param(part: Message, param: str, header: str = "content-type") -> str | tuple | None:
    """Message.get_param on the field as _header reads it; None when absent or unreadable."""
    value = _header(part, header)
    if value is None:
        return None
    scratch = Message()
    scratch[header] = value
    try:
        return scratch.get_param(param, header=header)
    except Exception:  # noqa: BLE001 - a parameter list the stdlib chokes on
        return None


def _param(part: Message, name: str) -> str:
    """A Content-Type parameter as plain text ("" when absent)."""
    value = _get_param(part, name)
    if isinstance(value, tuple):
        value = value[2]
    return value.strip() if isinstance(value, str) else ""


_DELIMITER = re.compile(rb"^--([^\s]{1,70}?)\s*$", re.MULTILINE)


def _recover_parts(part: Message) -> list[Message] | None:
    """The parts of a multipart whose declared boundary is wrong or missing, split at the first
    line that looks like a delimiter ("--something"); None if there is none."""
    if part.is_multipart():
        return None
    data = _original_bytes(part)
    found = _DELIMITER.search(data)
    if found is None or b'"' in found.group(1):
        return None
    boundary = found.group(1)
    header = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
    recovered = BytesParser(policy=POLICY).parsebytes(header + data)
    children = recovered.get_payload()
    return children if isinstance(children, list) and children else None


def _filename(part: Message) -> str:
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        value = _get_param(part, param, header)
        if not value:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded latin-1 text)
            charset, _, text = value
            name = charsets.decode(text.encode("latin-1", "replace"), charset or None)
            name = hf.decode_words(name)[0]
        else:
            name = hf.decode_words(value)[0]  # RFC 2047 in a parameter: wrong, and common
        name = _safe_filename(name)
        if name:
            return name
    return ""


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"*:<>?|]+")


def _safe_filename(name: str) -> str:
    """NFC (Macs send decomposed kana), no directories, no characters a file system refuses,
    at most 200 characters with the extension kept."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:190] + dot + extension[:9]) if dot and len(extension) < 10 else name[:200]
    return name


def _content_id(part: Message) -> str | None:
    value = _header(part, "content-id")
    if not value:
        return None
    cid = hf.normalize_id(value)
    return cid[:250] or None


_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "application/pdf": ".pdf",
               "text/plain": ".txt", "text/html": ".html", "message/rfc822": ".eml", "text/calendar": ".ics"}


def _extension(ctype: str) -> str:
    return _EXTENSIONS.get(ctype) or mimetypes.guess_extension(ctype, strict=False) or ".bin"


def unflow(text: str, *, delsp: bool = False) -> str:
    """RFC 3676 format=flowed: soft-broken lines (ending in a space) joined back into
    paragraphs, quote depth kept, space-stuffing removed, "-- " left alone."""
    out: list[str] = []
    buffer: str | None = None
    buffer_depth = 0

    def flush() -> None:
        nonlocal buffer
        if buffer is not None:
            out.append((">" * buffer_depth + " " if buffer_depth else "") + buffer)
            buffer = None

    for line in text.split("\n"):
        stripped = line.lstrip(">")
        depth = len(line) - len(stripped)
        content = stripped[1:] if stripped.startswith(" ") else stripped
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if buffer is not None and depth != buffer_depth:
            flush()
        buffer = content if buffer is None else buffer + content
        buffer_depth = depth
        if not flowed:
            flush()
    flush()
    return "\n".join(out)
