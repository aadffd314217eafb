"""A raw message (bytes from IMAP) to what Kizuna stores and shows. Never raises: a malformed
message comes back with what could be read and `malformed` set, the reasons in `defects`.

- The header block is bounded and split by `fields` (linear, no modern header parser: its
  charset handling misses NEC/IBM characters and pathological headers make it slow), and decoded
  through `charsets`. `parse_headers()` stops there: what matching and threading need, several
  times faster than a full parse (the sync matches first, parses bodies in a worker thread).
- The body is read by `parts`: the standard library's MIME parser (compat32), text through
  `charsets`, HTML through `html.sanitize`, attachments and inline cid images with their SHA-256.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field, fields
from datetime import datetime

from app.mail import fields as hf
from app.mail import parts, threads
from app.mail.parts import Part, unflow

__all__ = ["Address", "HeaderInfo", "ParsedMessage", "Part", "parse", "parse_headers", "parse_in_thread", "unflow"]

log = logging.getLogger(__name__)

MAX_REFERENCES = 50
BULK_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}


@dataclass(frozen=True)
class Address:
    name: str
    address: str  # lower-cased, stripped


@dataclass
class HeaderInfo:
    message_id: str
    key: str
    in_reply_to: str
    references: list[str]
    subject: str
    normalized_subject: str
    date: datetime | None
    sender: Address | None
    to: list[Address]
    cc: list[Address]
    reply_to: list[Address]
    is_bulk: bool
    malformed: bool
    defects: list[str]
    size: int
    kizuna_token: str | None
    bulk_reason: str = ""   # which header made it bulk ("List-Id", "Auto-Submitted: auto-replied")
    fingerprint: str = ""   # date, sender and subject hashed: tells apart two messages sharing an id


@dataclass
class ParsedMessage(HeaderInfo):
    """The headers, and the bodies and parts decoded."""

    text: str = ""
    html: str = ""  # sanitized
    attachments: list[Part] = field(default_factory=list)


# A panic in a Rust extension (nh3) is a BaseException: "never raises" must cover it too.
_ANY_ERROR = BaseException


def _not_an_interrupt(error: BaseException) -> None:
    if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise error


def parse_headers(raw: bytes, *, max_header_bytes: int = 64 * 1024) -> HeaderInfo:
    """The header fields matching and threading need; never raises."""
    try:
        return _header_info(raw, hf.split_header(raw, max_header_bytes))
    except _ANY_ERROR as error:  # noqa: BLE001 - hostile input must not stop a sync
        _not_an_interrupt(error)
        log.exception("unreadable message headers")
        return _unreadable(raw, error)


def parse(raw: bytes, *, max_header_bytes: int = 64 * 1024) -> ParsedMessage:
    """The whole message; never raises."""
    try:
        return _parse(raw, max_header_bytes)
    except _ANY_ERROR as error:  # noqa: BLE001
        _not_an_interrupt(error)
        log.warning("unreadable message body", exc_info=not isinstance(error, RecursionError))
        info = parse_headers(raw, max_header_bytes=max_header_bytes)
        info.defects.append(f"body unreadable: {type(error).__name__}")
        info.malformed = True
        return ParsedMessage(**_header_values(info), text="", html="", attachments=[])


async def parse_in_thread(raw: bytes, **options: int) -> ParsedMessage:
    """parse() off the event loop (a 20 MB message takes a while)."""
    return await asyncio.to_thread(parse, raw, **options)


def _unreadable(raw: bytes, error: BaseException) -> HeaderInfo:
    return HeaderInfo(
        message_id="", key=_content_key(raw), in_reply_to="", references=[], subject="",
        normalized_subject="", date=None, sender=None, to=[], cc=[], reply_to=[], is_bulk=False,
        malformed=True, defects=[f"unreadable: {type(error).__name__}"], size=len(raw), kizuna_token=None,
    )


def _content_key(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _header_values(info: HeaderInfo) -> dict:
    return {f.name: getattr(info, f.name) for f in fields(HeaderInfo)}


def _header_info(raw: bytes, block: hf.HeaderBlock) -> HeaderInfo:
    defects = list(block.defects)
    subject, clean = hf.header_text(block.first("subject"))
    if not clean:
        defects.append("Subject not properly encoded (raw 8-bit bytes or broken encoded words)")
    ids = hf.message_ids(block.first("message-id"))
    message_id = ids[0] if ids else ""
    in_reply_to = next(iter(hf.message_ids(block.first("in-reply-to"))), "")
    references = [i for i in hf.message_ids(b" ".join(block.all("references"))) if i != message_id]
    if len(references) > MAX_REFERENCES:  # the root and the nearest parents thread best
        references = references[:1] + references[-(MAX_REFERENCES - 1):]
    date, clean = hf.parse_date(block.first("date"))
    if not clean:
        defects.append("Date unreadable")
    people = {}
    for name in ("from", "to", "cc", "reply-to"):
        found, complete = hf.addresses(b", ".join(block.all(name)))
        if not complete:
            defects.append(f"more than {hf.MAX_ADDRESSES} addresses in {name.title()}: the rest ignored")
        people[name] = [Address(n, a) for n, a in found]
    bulk_reason = _bulk_reason(block)
    token = threads.valid_token(subject) or threads.valid_token(
        hf.header_text(block.first(threads.TOKEN_HEADER.lower()))[0])
    normalized = threads.normalize_subject(subject)
    sender = people["from"][0] if people["from"] else None
    stamp = date.isoformat() if date else (block.first("date") or b"").decode("ascii", "replace")
    fingerprint = hashlib.sha256(
        "\x00".join([stamp, sender.address if sender else "", normalized]).encode()).hexdigest()[:32]
    return HeaderInfo(
        message_id=message_id,
        key=message_id or _content_key(raw),
        in_reply_to=in_reply_to,
        references=references,
        subject=subject,
        normalized_subject=normalized,
        date=date,
        sender=sender,
        to=people["to"], cc=people["cc"], reply_to=people["reply-to"],
        is_bulk=bool(bulk_reason),
        malformed=bool(defects),
        defects=defects,
        size=len(raw),
        kizuna_token=token,
        bulk_reason=bulk_reason,
        fingerprint=fingerprint,
    )


def _bulk_reason(block: hf.HeaderBlock) -> str:
    """Why this is bulk or automatic mail (never creates records, never auto-associated), or ""."""
    if block.first("list-id") is not None:
        return "List-Id"
    if block.first("list-unsubscribe") is not None:
        return "List-Unsubscribe"
    auto = (block.first("auto-submitted") or b"").split(b";")[0].strip().lower()
    if auto and auto != b"no":
        return "Auto-Submitted: " + auto.decode("ascii", "replace")[:40]
    precedence = (block.first("precedence") or b"").strip().lower().decode("ascii", "replace")
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if block.first("x-autoreply") is not None or block.first("x-autorespond") is not None:
        return "X-Autoreply"
    if (block.first("return-path") or b"").strip() == b"<>":
        return "null Return-Path (a bounce)"
    if (block.first("content-type") or b"").lower().startswith(b"multipart/report"):
        return "delivery or read report"
    return ""


def _parse(raw: bytes, max_header_bytes: int) -> ParsedMessage:
    block = hf.split_header(raw, max_header_bytes)
    info = _header_info(raw, block)
    defects = info.defects
    body = parts.read_body(block.header_bytes, block.body_prefix + raw[block.body_start:], defects)
    defects[:] = list(dict.fromkeys(defects))  # the parser repeats some per part
    info.malformed = bool(defects)
    return ParsedMessage(**_header_values(info), text=body.text, html=body.html, attachments=body.attachments)

