"""What goes over the wire to an IMAP server and what comes back, for app.mail.imap: UID sets,
batches within a memory budget, FETCH replies read defensively, the server's words cleaned.
Pure functions: tested without a server."""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

from imapclient.response_parser import parse_fetch_response

log = logging.getLogger("app.mail.imap")

MAX_SET_CHARS = 4_000  # a UID set in one command; Dovecot's whole line limit is 64 KB
MAX_ERROR_CHARS = 500


def read_fetch_reply(data: list, wanted: set[int]) -> dict[int, dict[bytes, Any]]:
    """imaplib's FETCH lines -> {uid: data} for the wanted UIDs; replies without a UID skipped."""
    found: dict[int, dict[bytes, Any]] = {}
    for seq, item in parse_fetch_response(data, normalise_times=False, uid_is_key=False).items():
        uid = item.get(b"UID")
        if not isinstance(uid, int):
            log.warning("IMAP: a FETCH reply without UID (message %s) skipped", seq)
        elif uid in wanted:
            found.setdefault(uid, {}).update(item)
    return found


def uid_sets(uids: Iterable[int], max_chars: int = MAX_SET_CHARS) -> list[tuple[str, list[int]]]:
    """Positive UIDs as IMAP sets ("1:5,8,10:12"), each at most about `max_chars` long, with
    the UIDs each one holds. Ascending; never 0."""
    runs: list[list[int]] = []
    for uid in sorted({u for u in uids if u > 0}):
        if runs and uid == runs[-1][-1] + 1:
            runs[-1].append(uid)
        else:
            runs.append([uid])
    sets: list[tuple[str, list[int]]] = []
    text: list[str] = []
    members: list[int] = []
    length = 0
    for run in runs:
        part = str(run[0]) if len(run) == 1 else f"{run[0]}:{run[-1]}"
        if text and length + len(part) > max_chars:
            sets.append((",".join(text), members))
            text, members, length = [], [], 0
        text.append(part)
        members.extend(run)
        length += len(part) + 1
    if text:
        sets.append((",".join(text), members))
    return sets


def batches(uids: list[int], sizes: dict[int, int], count: int, max_bytes: int,
             budget: int) -> Iterator[list[int]]:
    group: list[int] = []
    total = 0
    for uid in uids:
        size = min(max(sizes.get(uid, 0), 0), max_bytes)
        if group and (len(group) >= count or total + size > budget):
            yield group
            group, total = [], 0
        group.append(uid)
        total += size
    if group:
        yield group


def body_of(item: dict[bytes, Any]) -> bytes | None:
    for key, value in item.items():
        if isinstance(key, bytes) and key.upper().startswith(b"BODY[]") and isinstance(value, bytes):
            return value
    return None


def as_utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def as_int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def as_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def clean_error(message: str, password: str) -> str:
    message = re.sub(r"^\w+ failed: ", "", message.strip())  # imapclient's "login failed: ..."
    if re.fullmatch(r"b(['\"]).*\1", message, re.DOTALL):  # imaplib's str(b"server's words")
        try:
            message = ast.literal_eval(message).decode("utf-8", "replace")
        except (ValueError, SyntaxError, AttributeError):
            pass
    if password:
        message = message.replace(password, "***")
    return message[:MAX_ERROR_CHARS]
