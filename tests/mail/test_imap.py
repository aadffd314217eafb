"""app.mail.imap against real servers: pymap in-process for everything, Dovecot (when installed)
for the essential scenarios only (`any_imap_server`). The traps of issue 11 each have a test."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import threading

import pytest

from app.mail import imap as imap_module
from app.mail.imap import (
    FolderInfo,
    ImapError,
    ImapSession,
    Security,
    UidValidityChanged,
    read_fetch_reply,
    sent_folder,
    test_login,
    uid_sets,
)
from tests.imap import PASSWORD, sample_message
from tests.smtp import free_port

JAPANESE = (
    "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\n"
    "Subject: =?ISO-2022-JP?B?GyRCOC5ITBsoQg==?=\r\n"
    "Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n"
).encode() + b"\x1b$B$3$s$K$A$O\x1b(B\r\n"
EIGHT_BIT = "Subject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nこんにちは ①㈱髙\r\n".encode()


@pytest.fixture
def command_log(caplog):
    """The commands the client sent, as imapclient logs them (tags stripped, LOGIN redacted)."""
    caplog.set_level(logging.DEBUG, logger="imapclient")

    def commands() -> list[str]:
        found = []
        for record in caplog.records:
            match = re.match(r"> b?'?[A-Z]+\d+ (.*?)'?$", record.getMessage())
            if match:
                found.append(match.group(1))
        return found

    return commands


# -- connecting ---------------------------------------------------------------------------------


def test_login_refused_shows_the_servers_words(any_imap_server):
    wrong = any_imap_server.settings_for(Security.NONE, password="not-" + PASSWORD)
    with pytest.raises(ImapError) as refused:
        test_login(wrong)
    assert refused.value.kind == "auth"
    # What the server said, without imapclient's "login failed: " or bytes' b'...'
    said = {"pymap": "[AUTHENTICATIONFAILED] Invalid authentication credentials.",
            "dovecot": "[AUTHENTICATIONFAILED] Authentication failed."}[any_imap_server.name]
    assert refused.value.message == said
    assert PASSWORD not in str(refused.value)


def test_a_non_ascii_password_is_sent_as_utf8_not_crashed_on(imap_server):
    with pytest.raises(ImapError) as refused:
        test_login(imap_server.settings_for(Security.NONE, password="パスワード"))
    assert refused.value.kind == "auth"
    assert "パスワード" not in refused.value.message


def test_network_failures_are_imap_errors():
    with pytest.raises(ImapError) as closed:
        test_login(imap_module.ImapSettings("127.0.0.1", free_port(), Security.NONE, "u", "p"))
    assert closed.value.kind == "network"


def test_silence_times_out(silent_port):
    settings = imap_module.ImapSettings("127.0.0.1", silent_port, Security.NONE, "u", "p",
                                        timeout=0.3)
    with pytest.raises(ImapError) as silent:
        test_login(settings)
    assert silent.value.kind == "timeout"


async def test_callers_run_it_in_a_thread(imap_server):
    # The servers run in threads of their own, so the event loop is free while the client waits.
    folders = await asyncio.to_thread(test_login, imap_server.settings)
    assert sent_folder(folders) == "Sent"


def test_security_modes(any_imap_server):
    for security, encrypted in [(Security.TLS, True), (Security.STARTTLS, True),
                                (Security.NONE, False)]:  # NONE never upgrades, even if offered
        with ImapSession(any_imap_server.settings_for(security)) as imap:
            assert imap.encrypted is encrypted, security
            assert "INBOX" in [f.name for f in imap.folders()]


def test_tls_checks_the_certificate(imap_server):
    for security in (Security.TLS, Security.STARTTLS):
        untrusted = imap_server.settings_for(security, cafile=None)
        with pytest.raises(ImapError) as refused:
            test_login(untrusted)
        assert refused.value.kind == "tls"
        assert "certificate" in refused.value.message.lower()
        # verify_tls=False: encrypted all the same, the certificate unchecked
        assert test_login(imap_server.settings_for(security, cafile=None, verify_tls=False))


# -- folders ------------------------------------------------------------------------------------


def test_folders_listed_with_sent_detected_and_append_to_sent(any_imap_server):
    folders = test_login(any_imap_server.settings)
    by_name = {f.name: f for f in folders}
    assert {"INBOX", "Sent"} <= by_name.keys()
    assert by_name["INBOX"].special_use == "\\Inbox"
    if any_imap_server.name == "dovecot":  # pymap has no SPECIAL-USE: found by name there
        assert by_name["Sent"].special_use == "\\Sent"
    sent = sent_folder(folders)
    assert sent == "Sent"

    raw = sample_message(7, subject="Sent from Kizuna")
    with ImapSession(any_imap_server.settings) as imap:
        uid = imap.append(sent, raw)
        assert imap.roundtrips == 1
    assert uid in any_imap_server.uids("Sent")
    assert "\\Seen" in any_imap_server.flags("Sent")[uid]
    with ImapSession(any_imap_server.settings) as imap:
        [fetched] = imap.fetch([uid], folder=sent)
    assert fetched.raw == raw


def test_sent_folder_prefers_special_use_then_names():
    def folder(name, special=None, selectable=True, delimiter="/"):
        return FolderInfo(name, (), special, selectable, delimiter)

    assert sent_folder([folder("Sent"), folder("Outbox copies", "\\Sent")]) == "Outbox copies"
    assert sent_folder([folder("Sent", "\\Sent", selectable=False), folder("Sent Items")]) == "Sent Items"
    assert sent_folder([folder("INBOX"), folder("INBOX.送信済みアイテム", delimiter=".")]) == "INBOX.送信済みアイテム"
    assert sent_folder([folder("[Gmail]/Sent Mail")]) == "[Gmail]/Sent Mail"
    assert sent_folder([folder("INBOX"), folder("Drafts", "\\Drafts")]) is None


# -- polling ------------------------------------------------------------------------------------


def test_status_is_one_round_trip(imap_server, command_log):
    first = imap_server.append("INBOX", sample_message(1))
    with ImapSession(imap_server.settings) as imap:
        sent_before = len(command_log())
        state = imap.status("INBOX")
        assert imap.roundtrips == 1
        assert command_log()[sent_before:] == ['STATUS "INBOX" (UIDVALIDITY UIDNEXT MESSAGES)']
        assert state.uidnext == first + 1 and state.messages == 1 and state.uidvalidity > 0
        # nothing new: UIDNEXT has not moved, so a poll stops here
        assert imap.status("INBOX").uidnext == first + 1
        imap_server.append("INBOX", sample_message(2))
        assert imap.status("INBOX").uidnext == first + 2
        assert imap.roundtrips == 3


def test_new_uids_after_the_last_uid_is_empty(any_imap_server, command_log):
    uids = [any_imap_server.append("INBOX", sample_message(n)) for n in range(3)]
    with ImapSession(any_imap_server.settings) as imap:
        assert imap.new_uids("INBOX", 0) == uids
        assert imap.new_uids("INBOX", -5) == uids
        assert imap.new_uids("INBOX", uids[0]) == uids[1:]
        assert imap.roundtrips == 6  # SELECT (read-only) and UID SEARCH each time
        # "UID SEARCH UID n:*" answers the last message even when n is past it: filtered out
        assert imap.new_uids("INBOX", uids[-1]) == []
        assert imap.new_uids("INBOX", uids[-1] + 1000) == []
    searches = [c for c in command_log() if "SEARCH" in c]
    assert searches and all(re.fullmatch(r"UID SEARCH UID [1-9]\d*:\*", c) for c in searches)
    assert not any(" 0:" in c for c in command_log())


def test_new_uids_searches_in_windows(imap_server, monkeypatch):
    uids = [imap_server.append("INBOX", sample_message(n)) for n in range(5)]
    monkeypatch.setattr(imap_module, "SEARCH_WINDOW", 40)
    with ImapSession(imap_server.settings) as imap:
        assert imap.new_uids("INBOX", 0) == uids  # pymap's UIDs start at 101
        # SELECT, then 1:40, 41:80, 81:* : bounded answers even for a huge mailbox
        assert imap.roundtrips == 1 + 3
        assert imap.new_uids("INBOX", uids[1]) == uids[2:]
        assert imap.roundtrips == 4 + 2  # 104:*: within the last window


def test_new_uids_notices_a_uidvalidity_change(any_imap_server):
    any_imap_server.append("INBOX", sample_message(1))
    with ImapSession(any_imap_server.settings) as imap:
        before = imap.status("INBOX").uidvalidity
        assert imap.new_uids("INBOX", 0, uidvalidity=before)
    after = any_imap_server.uidvalidity_change("INBOX")
    with ImapSession(any_imap_server.settings) as imap:
        with pytest.raises(UidValidityChanged) as changed:
            imap.new_uids("INBOX", 0, uidvalidity=before)
        assert (changed.value.expected, changed.value.found) == (before, after)
        assert imap.new_uids("INBOX", 0, uidvalidity=after) == any_imap_server.uids("INBOX")


# -- fetching -----------------------------------------------------------------------------------


def test_fetch_in_batches_returns_every_message_once_intact_and_unseen(any_imap_server):
    messages = [sample_message(n, size=n * 300) for n in range(23)] + [JAPANESE, EIGHT_BIT]
    any_imap_server.append_many("INBOX", messages, chunk=10)
    with ImapSession(any_imap_server.settings) as imap:
        uids = imap.new_uids("INBOX", 0)
        imap.roundtrips = 0
        fetched = list(imap.fetch(uids + uids[:3], batch=7))
        assert imap.roundtrips == 1 + 4  # sizes, then 25 messages in batches of 7
        assert imap.skipped == []
    assert [f.uid for f in fetched] == uids
    assert [f.raw for f in fetched] == messages  # byte for byte, 8-bit and JIS included
    assert all(f.size == len(f.raw) and not f.truncated for f in fetched)
    assert all(f.internaldate and f.internaldate.utcoffset().total_seconds() == 0 for f in fetched)
    assert not [uid for uid, flags in any_imap_server.flags("INBOX").items() if "\\Seen" in flags]


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_the_wire_log_is_made_only_when_its_logger_asks(imap_server, caplog, monkeypatch, level):
    """imaplib formats every reply for imapclient's wire log (half the CPU of a fetch), written or
    not: Kizuna turns that off unless the "imapclient.imaplib" logger's DEBUG is on."""
    from imapclient.imapclient import IMAPlibLoggerAdapter

    made = []
    original = IMAPlibLoggerAdapter.debug
    monkeypatch.setattr(IMAPlibLoggerAdapter, "debug", lambda self, msg, *a, **k: (made.append(msg),
                                                                                   original(self, msg, *a, **k)))
    imap_server.append_many("INBOX", [sample_message(1)])
    caplog.set_level(level, logger="imapclient.imaplib")
    with ImapSession(imap_server.settings) as imap:
        made.clear()  # the greeting and LOGIN come before Kizuna can say anything
        fetched = list(imap.fetch(imap.new_uids("INBOX", 0)))
    assert fetched[0].raw == sample_message(1)
    if level == logging.DEBUG:
        assert any("FETCH" in line for line in made)
        assert any("FETCH" in r.getMessage() for r in caplog.records if r.name == "imapclient.imaplib")
    else:
        assert made == []


def test_fetch_keeps_batches_within_the_memory_budget(imap_server):
    uids = [imap_server.append("INBOX", sample_message(n, size=4_000)) for n in range(6)]
    with ImapSession(imap_server.settings) as imap:
        imap.select("INBOX")
        imap.roundtrips = 0
        fetched = list(imap.fetch(uids, batch=100, max_batch_bytes=9_000))
        assert imap.roundtrips == 1 + 3  # two messages of ~4 KB per batch
    assert [f.uid for f in fetched] == uids


def test_fetch_cuts_a_message_bigger_than_max_bytes(imap_server):
    raw = sample_message(1, size=5_000)
    uid = imap_server.append("INBOX", raw)
    with ImapSession(imap_server.settings) as imap:
        [fetched] = imap.fetch([uid], folder="INBOX", max_bytes=1_000)
    assert fetched.truncated and fetched.size == len(raw) and fetched.raw == raw[:1_000]


def test_fetch_skips_expunged_uids(imap_server):
    uid = imap_server.append("INBOX", sample_message(1))
    with ImapSession(imap_server.settings) as imap:
        fetched = list(imap.fetch([uid, uid + 50], folder="INBOX"))
        assert [f.uid for f in fetched] == [uid] and imap.skipped == [uid + 50]


def test_fetch_needs_a_folder(imap_server):
    with ImapSession(imap_server.settings) as imap:
        with pytest.raises(ImapError):
            list(imap.fetch([1]))


def test_uid_sets_are_ranges_split_by_length():
    assert uid_sets([5, 1, 2, 3, 3, 0, -1, 9, 10]) == [("1:3,5,9:10", [1, 2, 3, 5, 9, 10])]
    assert uid_sets([]) == []
    sets = uid_sets(range(1, 20_000, 2), max_chars=100)
    assert all(len(text) <= 100 for text, _ in sets)
    assert [u for _, members in sets for u in members] == list(range(1, 20_000, 2))
    assert uid_sets(range(1, 100_001)) == [("1:100000", list(range(1, 100_001)))]


def test_a_fetch_reply_without_uid_is_skipped_never_misattributed(caplog):
    # imaplib's FETCH data. Message 3 comes without its UID: imapclient's own fetch() would file
    # it under "3" -- here a wanted UID, so another message's body would be stored as UID 3.
    data = [
        (b'1 (UID 101 INTERNALDATE "02-Nov-2026 09:00:00 +0900" BODY[]<0> {5}', b"hello"), b")",
        b"2 (FLAGS (\\Seen))",  # an unsolicited flag update
        (b"3 (BODY[]<0> {5}", b"wrong"), b")",
        (b"4 (UID 3 BODY[]<0> {5}", b"three"), b")",
        b"5 (UID 999 FLAGS ())",  # a UID nobody asked for
    ]
    got = read_fetch_reply(data, {101, 3})
    assert set(got) == {101, 3}
    assert got[101][b"BODY[]<0>"] == b"hello" and got[3][b"BODY[]<0>"] == b"three"
    assert got[101][b"INTERNALDATE"].utcoffset().total_seconds() == 9 * 3600
    assert "without UID" in caplog.text


def test_a_fetch_reply_without_uid_does_not_stop_the_run(fake_imap):
    fake_imap.bodies = {10: b"hello", 11: b"world", 12: b"third"}
    fake_imap.broken = {11: "no uid", 12: "garbage"}
    with ImapSession(fake_imap.settings) as imap:
        fetched = list(imap.fetch([10, 11, 12], folder="INBOX"))
        assert [(f.uid, f.raw) for f in fetched] == [(10, b"hello")]
        assert imap.skipped == [11, 12]
    # the garbage spoilt the parse of the whole batch; asking again in halves kept UID 10
    assert fake_imap.fetches == ["10:12", "10", "11:12", "11", "12"]


class FakeImap:
    """A scripted IMAP server for replies no real server gives on demand: `bodies` {uid: raw},
    `broken` {uid: "no uid" | "garbage"} spoils that message's body reply. Records the UID
    sets of the body fetches in `fetches`."""

    def __init__(self) -> None:
        self.bodies: dict[int, bytes] = {}
        self.broken: dict[int, str] = {}
        self.fetches: list[str] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def settings(self) -> imap_module.ImapSettings:
        return imap_module.ImapSettings("127.0.0.1", self.sock.getsockname()[1], Security.NONE,
                                        "user", "password", timeout=5)

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as lines:
                self.talk(lines, conn.sendall)

    def talk(self, lines, send) -> None:
        send(b"* OK [CAPABILITY IMAP4rev1] fake ready\r\n")
        for line in lines:
            tag, _, command = line.decode().strip().partition(" ")
            verb = command.upper()
            if verb.startswith("CAPABILITY"):
                send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n".encode())
            elif verb.startswith("LOGIN"):
                send(f"{tag} OK [CAPABILITY IMAP4rev1] logged in\r\n".encode())
            elif verb.startswith(("EXAMINE", "SELECT")):
                send(f"* {len(self.bodies)} EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n"
                     f"* OK [UIDNEXT 13] ok\r\n{tag} OK [READ-ONLY] done\r\n".encode())
            elif verb.startswith("UID FETCH"):
                uid_set = command.split()[2]
                send(self.fetch(uid_set, "BODY" in verb) + f"{tag} OK done\r\n".encode())
            elif verb.startswith("LOGOUT"):
                send(f"* BYE bye\r\n{tag} OK done\r\n".encode())
                return
            else:
                send(f"{tag} BAD not here\r\n".encode())

    def fetch(self, uid_set: str, body: bool) -> bytes:
        wanted = set()
        for part in uid_set.split(","):
            low, _, high = part.partition(":")
            wanted.update(range(int(low), int(high or low) + 1))
        if body:
            self.fetches.append(uid_set)
        out = b""
        for seq, uid in enumerate(sorted(self.bodies), 1):
            raw = self.bodies[uid]
            if uid not in wanted:
                continue
            if not body:
                out += b"* %d FETCH (UID %d RFC822.SIZE %d)\r\n" % (seq, uid, len(raw))
            elif self.broken.get(uid) == "no uid":
                out += b"* %d FETCH (BODY[]<0> {%d}\r\n%s)\r\n" % (seq, len(raw), raw)
            elif self.broken.get(uid) == "garbage":
                out += b"* %d FETCH (UID %d BODY[]<0>)\r\n" % (seq, uid)
            else:
                out += (b'* %d FETCH (UID %d INTERNALDATE "02-Nov-2026 09:00:00 +0900" '
                        b"BODY[]<0> {%d}\r\n%s)\r\n" % (seq, uid, len(raw), raw))
        return out


@pytest.fixture
def fake_imap():
    server = FakeImap()
    yield server
    server.sock.shutdown(socket.SHUT_RDWR)  # wakes accept(); close() alone would not
    server.sock.close()
    server.thread.join(5)
