"""How a message finds its thread.

1. Message-ID links: In-Reply-To and References name earlier messages (`thread_keys`).
2. Mail sent from Kizuna carries a subject token, "[KZ#<base32>]", naming the e-mail it was
   written as (`subject_token`). Replies keep the subject even when a client drops In-Reply-To
   and References, so `find_token` still threads them. The token is the e-mail's id with a short
   MAC keyed by the server's secret: a stranger cannot aim mail at someone else's thread by
   guessing ids. (A token from before a change of KIZUNA_SECRET_KEY no longer reads; those
   replies fall back to 1 and 3.) Kizuna's own sent copies also carry it in TOKEN_HEADER.
3. Last resort: the normalised subject with the same participants (`fallback_key`).

No database here: the caller looks these keys up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

TOKEN_HEADER = "X-Kizuna-Token"
_MAC_BYTES = 3
_TOKEN = re.compile(r"\[KZ#([A-Z2-7]{7,24})\]", re.IGNORECASE)
# "Re:", "RE :", "Fwd:", "FW:", "Re[2]:", "Re(3):", "Re^2:", "AW:", "WG:", "SV:", "VS:", "TR:",
# "RV:", "Réf.:", Japanese "返信:", "転送:", "回复:"... after NFKC (full-width "ＲＥ：" too).
_PREFIX = re.compile(
    r"^\s*(?:re|fwd?|aw|wg|sv|vs|tr|rv|ref|réf|antw|odp|res|enc|返信|転送|回复|回覆|答复|转发|轉寄)"
    r"\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*\.?\s*:\s*",
    re.IGNORECASE,
)
# A mailing-list tag that changes from message to message: "[users:01234]", "(ml 123)".
_LIST_TAG = re.compile(r"^\s*[\[(][\w.+-]{1,40}[: ]\d{1,10}[\])]\s*")
_SPACE = re.compile(r"\s+")


def _key(secret: bytes | None) -> bytes:
    if secret is not None:
        return secret
    return _server_key()


@lru_cache(maxsize=1)
def _server_key() -> bytes:
    from app import settings  # imported late: settings reads the environment once, at import

    return hmac.new(str(settings.SECRET_KEY).encode(), b"kizuna mail subject token", hashlib.sha256).digest()


def _mac(email_id: int, key: bytes) -> bytes:
    return hmac.new(key, email_id.to_bytes(8, "big"), hashlib.sha256).digest()[:_MAC_BYTES]


def subject_token(email_id: int, *, secret: bytes | None = None) -> str:
    """"[KZ#<base32>]" for the e-mail `email_id` (a positive id, up to 2**64)."""
    if not 0 < email_id < 2**64:
        raise ValueError("email_id out of range")
    raw = email_id.to_bytes((email_id.bit_length() + 7) // 8, "big")
    encoded = base64.b32encode(raw + _mac(email_id, _key(secret))).decode().rstrip("=")
    return f"[KZ#{encoded}]"


def find_token(subject: str | None, *, secret: bytes | None = None) -> int | None:
    """The e-mail id of the first valid token in `subject` (or in a TOKEN_HEADER value), None if
    there is none or only forged ones."""
    found = _first_valid(subject, secret)
    return found[1] if found else None


def valid_token(subject: str | None, *, secret: bytes | None = None) -> str | None:
    """The first valid token of `subject` as written there ("[KZ#...]"), or None."""
    found = _first_valid(subject, secret)
    return found[0] if found else None


def _first_valid(subject: str | None, secret: bytes | None) -> tuple[str, int] | None:
    if not subject or "[" not in subject:
        return None
    for match in _TOKEN.finditer(subject[:4096]):
        text = match.group(1).upper()
        try:
            raw = base64.b32decode(text + "=" * (-len(text) % 8))
        except ValueError:
            continue
        if not _MAC_BYTES < len(raw) <= _MAC_BYTES + 8:
            continue
        email_id = int.from_bytes(raw[:-_MAC_BYTES], "big")
        if email_id and hmac.compare_digest(raw[-_MAC_BYTES:], _mac(email_id, _key(secret))):
            return match.group(0), email_id
    return None


def strip_tokens(subject: str) -> str:
    return _TOKEN.sub(" ", subject)


def normalize_subject(subject: str) -> str:
    """The subject a thread shares: reply/forward prefixes (any language, any count, with list
    tags between them) and Kizuna's token gone, NFKC, whitespace collapsed, casefolded."""
    text = unicodedata.normalize("NFKC", strip_tokens(subject or ""))
    for _ in range(50):  # "Re: Fwd: [ml:12] RE: ..." ; bounded against hostile input
        stripped = _LIST_TAG.sub("", _PREFIX.sub("", text, count=1), count=1)
        if stripped == text:
            break
        text = stripped
    return _SPACE.sub(" ", text).strip().casefold()


class Threadable(Protocol):
    message_id: str
    in_reply_to: str
    references: list[str]


def thread_keys(parsed: Threadable) -> list[str]:
    """Message-IDs to look up, the nearest first: In-Reply-To, then References from the last
    (the parent) back to the first (the root); never the message's own id."""
    seen = {parsed.message_id} if parsed.message_id else set()
    keys = []
    for key in [parsed.in_reply_to, *reversed(parsed.references)]:
        if key and key not in seen:
            seen.add(key)
            keys.append(key)
    return keys


def fallback_key(normalized_subject: str, addresses: Iterable[str]) -> str | None:
    """"subject:<sha256>" of the normalised subject and the set of participants (From, To, Cc:
    the same set whichever way a reply goes); None for an empty subject, which says nothing."""
    if not normalized_subject:
        return None
    people = sorted({a.strip().lower() for a in addresses if a and a.strip()})
    digest = hashlib.sha256("\x00".join([normalized_subject, *people]).encode()).hexdigest()
    return f"subject:{digest}"
