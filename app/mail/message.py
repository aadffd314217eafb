"""MIME messages for sending a transaction or an e-mail written in Kizuna: a text/plain UTF-8
body and optional attachments (a transaction's PDF, the files of an e-mail).

Headers stay 7-bit (RFC 2047 encoded-words for Japanese subjects and names, RFC 2231 for a
Japanese attachment name) and the body is base64 or quoted-printable, so any SMTP server relays
the message unchanged, with or without 8BITMIME/SMTPUTF8.
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from app.errors import FieldError, ValidationError
from app.i18n import N_

# cte_type 7bit: set_content then picks base64 or quoted-printable for non-ASCII text, never 8bit.
POLICY = email.policy.SMTP.clone(cte_type="7bit")

ADDRESS_MAX = 254
# RFC 5322 atoms, ASCII only: no quoted local parts, comments or spaces. Dots may repeat or end
# the local part: Japanese mobile carriers once issued addresses like taro..yamada@docomo.ne.jp,
# still in use and still delivered.
_ADDRESS = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
_LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+\s*")
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\"]')
_TOKEN = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}"
_CONTENT_TYPE = re.compile(rf"({_TOKEN})/({_TOKEN})")


@dataclass(frozen=True)
class Attachment:
    """A file of a message. `content_type` only labels it in the MIME header (anything that is
    not a plain type/subtype goes as application/octet-stream); the bytes go as they are."""

    filename: str
    content_type: str
    data: bytes


def is_valid_address(address: str) -> bool:
    """A plain addr-spec (no display name): ASCII, one @, a dotted domain, nothing that could
    add a recipient or a header (commas, spaces, CR/LF, angle brackets, quotes)."""
    return len(address) <= ADDRESS_MAX and bool(_ADDRESS.match(address))


def build_message(
    *,
    sender: str,
    sender_name: str = "",
    to: Sequence[str],
    cc: Sequence[str] = (),
    subject: str,
    body: str,
    attachment: bytes | None = None,
    attachment_name: str = "",
    attachments: Sequence[Attachment] = (),
    reply_to: str = "",
) -> EmailMessage:
    """The message, ready for smtp.send_message. Raises ValidationError on a bad address
    (fields "sender", "to", "cc", "reply_to") or when `to` is empty."""
    sender, reply_to = sender.strip(), reply_to.strip()
    to, cc = _recipients(to, cc)
    _check_addresses(sender=sender, to=to, cc=cc, reply_to=reply_to)

    message = EmailMessage(policy=POLICY)
    local, _, domain = sender.rpartition("@")
    # username/domain rather than addr_spec, which refuses the carriers' dotted local parts.
    message["From"] = Address(_one_line(sender_name), username=local, domain=domain)
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = _one_line(subject)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(
            attachment, maintype="application", subtype="pdf",
            filename=_safe_filename(attachment_name),
        )
    for item in attachments:
        maintype, subtype = _mime_type(item.content_type)
        # Base64 whatever the type: the bytes arrive exactly as they were (a text file keeps its
        # own charset and line ends); a non-ASCII name goes as RFC 2231 (filename*=utf-8'').
        message.add_attachment(item.data, maintype=maintype, subtype=subtype,
                               filename=_safe_filename(item.filename, "attachment"))
    return message


def _recipients(to: Sequence[str], cc: Sequence[str]) -> tuple[list[str], list[str]]:
    """Stripped and without repeats (case-insensitively): an address in To is dropped from Cc,
    so the server never gets the same RCPT twice."""
    seen: set[str] = set()

    def unique(addresses: Sequence[str]) -> list[str]:
        result = []
        for address in (a.strip() for a in addresses):
            if address and address.lower() not in seen:
                seen.add(address.lower())
                result.append(address)
        return result

    return unique(to), unique(cc)


def _check_addresses(*, sender: str, to: list[str], cc: list[str], reply_to: str) -> None:
    errors: list[FieldError] = []
    if not to:
        errors.append(FieldError("to", N_("Enter at least one recipient.")))
    fields = {"sender": [sender], "to": to, "cc": cc, "reply_to": [reply_to] if reply_to else []}
    for field, addresses in fields.items():
        errors += [
            FieldError(field, N_("%(address)s is not a valid e-mail address."), {"address": a})
            for a in addresses if not is_valid_address(a)
        ]
    if errors:
        raise ValidationError(errors)


def _one_line(text: str) -> str:
    # Values rendered into a subject (a customer's name, say) may hold line breaks; a header
    # must not, or it could start a header of its own.
    return _LINE_BREAKS.sub(" ", text).strip()


def _safe_filename(name: str, default: str = "document.pdf") -> str:
    # The client saves the file under this name: no directories, no hidden files.
    name = _UNSAFE_FILENAME.sub("_", name).strip(" .")
    return name or default


def _mime_type(content_type: str) -> tuple[str, str]:
    match = _CONTENT_TYPE.fullmatch(content_type.strip().lower())
    # message/* and multipart/* bytes would have to be well-formed MIME of their own (and may
    # not be base64-encoded): sent as opaque files.
    if match is None or match.group(1) in ("message", "multipart"):
        return "application", "octet-stream"
    return match.group(1), match.group(2)
