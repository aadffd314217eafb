"""Reads a mailbox over IMAP with imapclient (blocking: callers run it in a thread).

    with ImapSession(settings) as imap:                  # connect, (STARTTLS), login
        state = imap.status("INBOX")                     # one round trip: nothing new if
        if state.uidnext > cursor + 1:                   # UIDNEXT has not moved
            for msg in imap.fetch(imap.new_uids("INBOX", cursor)):
                ...                                      # store, then advance the cursor

Every failure is an ImapError: `message` is what the server or the network said (the password is
never in it), `kind` says which step failed ("auth", "tls", "timeout", "network", "protocol",
"uidvalidity") so the caller can pick a translated phrase.

Traps handled here (issue 11): `UID SEARCH n:*` answers the last message even when nothing is
new, so results are filtered to uid > n; `UID 0:*` is never sent; mail is read with BODY.PEEK[]
from a folder opened read-only, so nothing is marked \\Seen; a FETCH reply without a UID (or one
the parser cannot read) is skipped and reported in `skipped`, never fatal; UID sets are sent as
ranges and split, so a long list never exceeds a server's line limit; message sizes are read
first so a batch stays within a memory budget and a huge message is cut at `max_bytes`.

imapclient internals (canary in tests/unit/test_canary.py; imapclient is pinned exactly): the
`IMAPClient._imap` imaplib object, to count commands (`_new_tag`) and to run `UID FETCH` through
imaplib's public `uid()` so replies can be parsed with `uid_is_key=False`: imapclient's own
fetch() keys a reply without UID by its sequence number, which can collide with a wanted UID.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from app.mail.imap_wire import (
    as_int,
    as_text,
    as_utc,
    batches,
    body_of,
    clean_error,
    read_fetch_reply,
    read_sizes,
    uid_sets,
)

log = logging.getLogger(__name__)

SEARCH_WINDOW = 100_000  # UIDs per UID SEARCH: the answer stays under imaplib's 1 MB line limit
SIZE_CHUNK = 5_000  # UIDs per size query
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a bigger message is cut here (Fetched.truncated)
MAX_BATCH_BYTES = 32 * 1024 * 1024  # what one UID FETCH may bring into memory
MAX_FOLDERS = 5_000
MAX_UID = 2**32 - 1

SPECIAL_USE = ("\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash")
# What clients name the Sent folder when the server does not say \Sent (casefolded, last level).
SENT_NAMES = ("sent", "sent items", "sent messages", "sent mail", "送信済みアイテム", "送信済み",
              "送信済みメール", "送信済みメッセージ", "送信箱", "送信トレイ", "gesendet",
              "gesendete elemente", "éléments envoyés", "envoyés", "enviados", "posta inviata")


class Security(StrEnum):
    TLS = "tls"
    STARTTLS = "starttls"
    NONE = "none"


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: Security
    username: str
    password: str = field(repr=False)
    timeout: float = 30.0
    verify_tls: bool = True
    cafile: str | None = None  # trust this certificate (tests, private CAs) instead of the system's


class ImapError(Exception):
    def __init__(self, message: str, kind: str = "protocol") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


class UidValidityChanged(ImapError):
    """The folder's UIDs were renumbered: the cursor means nothing any more (resync)."""

    def __init__(self, folder: str, expected: int, found: int) -> None:
        super().__init__(f"UIDVALIDITY of {folder} changed from {expected} to {found}", "uidvalidity")
        self.folder, self.expected, self.found = folder, expected, found


@dataclass(frozen=True)
class FolderInfo:
    name: str
    flags: tuple[str, ...]
    special_use: str | None  # "\\Sent", "\\Inbox", ... or None
    selectable: bool
    delimiter: str = "/"


@dataclass(frozen=True)
class FolderState:
    name: str
    uidvalidity: int
    uidnext: int  # 0: the server did not say (then only new_uids can tell what is new)
    messages: int


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes = field(repr=False)
    internaldate: datetime | None  # aware, UTC
    size: int = 0  # RFC822.SIZE as the server reported it
    truncated: bool = False  # raw holds only the first max_bytes of a bigger message


def quiet_wire_log(client: IMAPClient) -> None:
    """imapclient sets imaplib's debug level to 5 so that its wire log goes to the
    "imapclient.imaplib" logger, and imaplib then formats every reply (each message's bytes with
    `%r`, and each command's whole reply once more) whether that logger writes or not: half the
    CPU of fetching mail. The wire log is kept for whoever turns that logger's DEBUG on."""
    if not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
        client._imap.debug = 0


class ImapSession:
    """One logged-in connection. Not thread-safe: one thread uses it at a time."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self.roundtrips = 0  # commands sent after login (each waits for the server's answer)
        self.skipped: list[int] = []  # UIDs asked for by fetch() that came back without a message
        self.selected: FolderState | None = None
        self._client: IMAPClient | None = None

    # -- connection ------------------------------------------------------------------------------

    def __enter__(self) -> ImapSession:
        s = self.settings
        try:
            with self._errors():
                context = tls_context(s) if s.security != Security.NONE else None
                self._client = client = IMAPClient(
                    s.host, s.port, ssl=s.security == Security.TLS, ssl_context=context,
                    timeout=s.timeout)
                client.normalise_times = False  # aware datetimes, not naive local time
                quiet_wire_log(client)
                if s.security == Security.STARTTLS:
                    try:
                        client.starttls(context)
                    except (IMAPClientError, ssl.SSLError, ssl.CertificateError) as exc:
                        raise ImapError(clean_error(str(exc), s.password), "tls") from exc
                if (s.username + s.password).isascii():
                    client.login(s.username, s.password)
                else:  # LOGIN's quoted strings are ASCII; SASL PLAIN carries UTF-8
                    client.plain_login(s.username, s.password)
                # Cache what LOGIN answered now: imaplib forgets it at the first SELECT, and
                # imapclient would then ask (CAPABILITY) in the middle of a search.
                client.capabilities()
                _count_commands(client, self)
        except BaseException:
            self._close(politely=False)  # no LOGOUT: the connection may be what failed
            raise
        self.roundtrips = 0
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._close(politely=True)

    def _close(self, politely: bool) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if politely:
                client.logout()
                return
        except Exception:  # the connection may already be gone; nothing to tell anyone
            pass
        try:
            client.shutdown()
        except Exception:
            pass

    @property
    def client(self) -> IMAPClient:
        if self._client is None:
            raise ImapError("not connected", "network")
        return self._client

    @property
    def encrypted(self) -> bool:
        return isinstance(self.client.socket(), ssl.SSLSocket)

    # -- folders ---------------------------------------------------------------------------------

    def folders(self) -> list[FolderInfo]:
        with self._errors():
            listed = self.client.list_folders()
        found = []
        for flags, delimiter, name in listed[:MAX_FOLDERS]:
            names = tuple(as_text(f) for f in flags)
            folded = {f.casefold() for f in names}
            special = next((u for u in SPECIAL_USE if u.casefold() in folded), None)
            name = as_text(name)
            if special is None and name.upper() == "INBOX":
                special = "\\Inbox"
            found.append(FolderInfo(
                name=name, flags=names, special_use=special,
                selectable=not folded & {"\\noselect", "\\nonexistent"},
                delimiter=as_text(delimiter) if delimiter else "/",
            ))
        return found

    def status(self, folder: str) -> FolderState:
        with self._errors():
            got = self.client.folder_status(folder, ["UIDVALIDITY", "UIDNEXT", "MESSAGES"])
        return FolderState(folder, as_int(got.get(b"UIDVALIDITY")), as_int(got.get(b"UIDNEXT")),
                           as_int(got.get(b"MESSAGES")))

    def select(self, folder: str) -> FolderState:
        """Opens `folder` read-only (EXAMINE): nothing done here can change a flag."""
        with self._errors():
            got = self.client.select_folder(folder, readonly=True)
        self.selected = FolderState(folder, as_int(got.get(b"UIDVALIDITY")),
                                    as_int(got.get(b"UIDNEXT")), as_int(got.get(b"EXISTS")))
        return self.selected

    # -- messages --------------------------------------------------------------------------------

    def new_uids(self, folder: str, after_uid: int, *, uidvalidity: int | None = None) -> list[int]:
        """UIDs in `folder` greater than `after_uid`, ascending. Selects the folder (read-only).
        With `uidvalidity`, raises UidValidityChanged if the folder's differs."""
        after = max(0, int(after_uid))
        state = self.select(folder)
        if uidvalidity is not None and state.uidvalidity != uidvalidity:
            raise UidValidityChanged(folder, uidvalidity, state.uidvalidity)
        if after >= MAX_UID:  # a UID is 32 bits: nothing can come after this one
            return []
        found: set[int] = set()
        low = after + 1  # never 0: "0:*" is not a valid UID set
        while True:
            high = low + SEARCH_WINDOW - 1
            last = not state.uidnext or high >= state.uidnext - 1
            with self._errors():
                uids = self.client.search(["UID", f"{low}:*" if last else f"{low}:{high}"])
            found.update(u for u in uids if u > after)  # "n:*" always answers the last message
            if last:
                return sorted(found)
            low = high + 1

    def fetch(self, uids: Iterable[int], batch: int = 200, *, folder: str | None = None,
              max_bytes: int = MAX_MESSAGE_BYTES,
              max_batch_bytes: int = MAX_BATCH_BYTES) -> Iterator[Fetched]:
        """The messages with these UIDs in the selected folder (or `folder`, opened read-only),
        in batches of at most `batch` messages and `max_batch_bytes`. Each UID comes at most
        once; those that do not come (expunged meanwhile, unreadable reply) are in `skipped`."""
        if folder is not None and (self.selected is None or self.selected.name != folder):
            self.select(folder)
        if self.selected is None:
            raise ImapError("no folder selected", "protocol")
        self.skipped = []
        wanted = sorted({int(u) for u in uids if int(u) > 0})
        sizes: dict[int, int] = {}
        for start in range(0, len(wanted), SIZE_CHUNK):
            sizes.update(self._sizes(wanted[start:start + SIZE_CHUNK]))
        self.skipped = [u for u in wanted if u not in sizes]
        for group in batches([u for u in wanted if u in sizes], sizes, max(1, batch),
                              max_bytes, max_batch_bytes):
            got = self._uid_fetch(group, f"(UID INTERNALDATE BODY.PEEK[]<0.{max_bytes}>)")
            for uid in group:
                raw = body_of(got.get(uid, {}))
                if raw is None:
                    self.skipped.append(uid)
                    continue
                size = sizes[uid]
                yield Fetched(uid, raw, as_utc(got[uid].get(b"INTERNALDATE")), size,
                              truncated=size > len(raw) and len(raw) >= max_bytes)

    def append(self, folder: str, raw: bytes, flags: Sequence[str] = (r"\Seen",),
               when: datetime | None = None) -> int | None:
        """Stores `raw` in `folder`; returns its UID when the server says (UIDPLUS)."""
        with self._errors():
            answer = self.client.append(folder, raw, flags=tuple(flags), msg_time=when)
        found = re.search(rb"\[APPENDUID \d+ (\d+)\]", answer if isinstance(answer, bytes) else b"")
        return int(found.group(1)) if found else None

    # -- inside ----------------------------------------------------------------------------------

    def _sizes(self, uids: list[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for uid_set, members in uid_sets(uids):
            with self._errors():
                typ, data = self.client._imap.uid("FETCH", uid_set, "(UID RFC822.SIZE)")
            if typ != "OK":
                raise ImapError(clean_error(as_text(data[0] if data else typ), self.settings.password))
            found.update(read_sizes(data, set(members)))
        return found

    def _uid_fetch(self, uids: list[int], items: str) -> dict[int, dict[bytes, Any]]:
        """UID FETCH `items` for `uids` -> {uid: data}. A reply without a UID, for a UID not
        asked for, or one imapclient's parser refuses, is left out (and logged)."""
        found: dict[int, dict[bytes, Any]] = {}
        for uid_set, members in uid_sets(uids):
            with self._errors():
                typ, data = self.client._imap.uid("FETCH", uid_set, items)
            if typ != "OK":
                raise ImapError(clean_error(as_text(data[0] if data else typ), self.settings.password))
            try:
                found.update(read_fetch_reply(data, set(members)))
            except (IMAPClientError, ValueError, TypeError) as exc:
                if len(members) == 1:
                    log.warning("IMAP: unreadable FETCH reply for UID %s skipped: %s", uid_set, exc)
                    continue
                # One bad reply spoils the parse of the whole set: ask again in halves to find it.
                half = len(members) // 2
                found.update(self._uid_fetch(members[:half], items))
                found.update(self._uid_fetch(members[half:], items))
        return found

    def _errors(self) -> AbstractContextManager[None]:
        return _errors(self.settings.password)


@contextmanager
def _errors(password: str) -> Iterator[None]:
    """Turns whatever imapclient, imaplib, ssl or the socket raise into an ImapError."""
    try:
        yield
    except ImapError:
        raise
    except Exception as exc:
        raise ImapError(clean_error(str(exc) or type(exc).__name__, password), _kind_of(exc)) from exc


def _kind_of(exc: BaseException) -> str:
    if isinstance(exc, LoginError):
        return "auth"
    if isinstance(exc, (ssl.SSLError, ssl.CertificateError)):
        return "tls"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timeout"
    if isinstance(exc, (OSError, IMAPClientAbortError)):
        return "network"
    return "protocol"


def _count_commands(client: IMAPClient, session: ImapSession) -> None:
    # imaplib draws a new tag for every command it or imapclient sends.
    imap = client._imap
    new_tag = imap._new_tag

    def counting_new_tag() -> bytes:
        session.roundtrips += 1
        return new_tag()

    imap._new_tag = counting_new_tag


def tls_context(settings: ImapSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=settings.cafile)
    if not settings.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def test_login(settings: ImapSettings) -> list[FolderInfo]:
    """Connects, logs in and lists the folders; raises ImapError with the server's words."""
    with ImapSession(settings) as imap:
        return imap.folders()


test_login.__test__ = False  # type: ignore[attr-defined]  # pytest: not a test


def sent_folder(folders: Iterable[FolderInfo]) -> str | None:
    """The folder the server marks \\Sent, else the first with a usual Sent name."""
    folders = [f for f in folders if f.selectable]
    for folder in folders:
        if folder.special_use == "\\Sent":
            return folder.name
    for folder in folders:
        last = folder.name.rsplit(folder.delimiter, 1)[-1] if folder.delimiter else folder.name
        if last.strip().casefold() in SENT_NAMES:
            return folder.name
    return None
