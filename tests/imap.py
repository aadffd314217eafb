"""Real IMAP servers on 127.0.0.1 for the mail tests, as a pytest plugin (tests/conftest.py loads it).

- `imap_server`: pymap (its in-memory dict backend) in this process, in its own thread and event
  loop (the client under test is blocking and may run on the test's loop). A fresh server per
  test: user USERNAME / PASSWORD, folders INBOX and Sent; plain port (STARTTLS offered) and an
  implicit-TLS port, both with tests.smtp's TEST_CERT. pymap has no SPECIAL-USE: Sent is found
  by its name there.
- `dovecot_server`: Debian's Dovecot (skipped when /usr/sbin/dovecot is absent; .ci/run installs
  dovecot-imapd). One unprivileged instance per session with its own config under a scratch
  directory; each test gets a fresh user (so fresh mail), INBOX and Sent marked \\Sent.

Both offer the same helpers (ImapTestServer): `settings` / `settings_for(security)`,
`append(folder, raw)`, `append_many(folder, messages)` (the bench's 10,000 messages in one
connection), `flags(folder)`, `uids(folder)`, `uidvalidity(folder)`, `uidvalidity_change(folder)`.
Outside pytest (bench/): `with running_dovecot() as server:` or `running_pymap()`, and
`generate_messages(count)`. Loopback, 10,000 messages of ~2 KB: Dovecot takes ~1.3 s to append
them and ~0.9 s to fetch them; pymap (same process, same GIL) ~5.5 s and ~6.6 s.
"""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import re
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
from argparse import Namespace
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from imapclient import IMAPClient

from app.mail.imap import ImapSettings, Security
from tests.smtp import TEST_CERT, TEST_KEY, free_port

USERNAME = "kizuna"
PASSWORD = "imap-Pa55word"
DOVECOT = "/usr/sbin/dovecot"
READY_TIMEOUT = 20.0
MAX_DOVECOT_USERS = 1_000


class ImapTestServer:
    name = "imap"
    host = "127.0.0.1"

    def __init__(self, port: int, tls_port: int, cafile: str, username: str = USERNAME,
                 password: str = PASSWORD) -> None:
        self.port, self.tls_port, self.cafile = port, tls_port, cafile
        self.username, self.password = username, password

    @property
    def settings(self) -> ImapSettings:
        return self.settings_for(Security.NONE)

    def settings_for(self, security: Security, **changes) -> ImapSettings:
        values = dict(host=self.host, port=self.tls_port if security == Security.TLS else self.port,
                      security=security, username=self.username, password=self.password,
                      timeout=10.0, cafile=self.cafile)
        return ImapSettings(**{**values, **changes})

    @contextmanager
    def client(self) -> Iterator[IMAPClient]:
        """A separate, logged-in connection (never the one under test). Its timeout is generous:
        the set-up must not fail on a machine busy with other test workers."""
        with IMAPClient(self.host, self.port, ssl=False, timeout=60.0) as client:
            client.normalise_times = False
            client.login(self.username, self.password)
            yield client

    def append(self, folder: str, raw: bytes, flags: Iterable[str] = (),
               when: datetime | None = None) -> int | None:
        """APPEND one message; its UID (both servers say APPENDUID)."""
        with self.client() as client:
            answer = client.append(folder, raw, flags=tuple(flags), msg_time=when)
        found = re.search(rb"\[APPENDUID \d+ (\d+)\]", answer)
        return int(found.group(1)) if found else None

    def append_many(self, folder: str, messages: Iterable[bytes], chunk: int = 200) -> int:
        """APPENDs every message over one connection, `chunk` per MULTIAPPEND command (both
        servers have it): 10,000 messages take a few seconds. Returns how many."""
        count = 0
        with self.client() as client:
            pending: list[bytes] = []
            for raw in messages:
                pending.append(raw)
                if len(pending) >= chunk:
                    client.multiappend(folder, pending)
                    count, pending = count + len(pending), []
            if pending:
                client.multiappend(folder, pending)
                count += len(pending)
        return count

    def uids(self, folder: str) -> list[int]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            return sorted(client.search())

    def flags(self, folder: str) -> dict[int, tuple[str, ...]]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            uids = client.search()
            got = client.get_flags(uids) if uids else {}
        return {uid: tuple(f.decode() for f in flags) for uid, flags in got.items()}

    def uidvalidity(self, folder: str) -> int:
        with self.client() as client:
            return client.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"]

    def create_folder(self, name: str) -> None:
        with self.client() as client:
            client.create_folder(name)

    def uidvalidity_change(self, folder: str) -> int:
        """Renumbers `folder` as a server does when it rebuilds one: same messages (flags and
        dates kept), new UIDs, a new UIDVALIDITY (returned). Done over IMAP: RENAME it away
        (pymap then starts a fresh, empty INBOX), COPY the messages back, DELETE the copy."""
        before = self.uidvalidity(folder)
        for attempt in range(5):  # pymap's UIDVALIDITY is partly random: a repeat is possible
            aside = f"kizuna-aside-{attempt}"
            with self.client() as client:
                client.rename_folder(folder, aside)
                if folder.upper() != "INBOX":
                    client.create_folder(folder)
                client.select_folder(aside)
                uids = client.search()
                if uids:
                    client.copy(uids, folder)
                client.close_folder()
                client.delete_folder(aside)
            after = self.uidvalidity(folder)
            if after != before:
                return after
        raise RuntimeError(f"{self.name}: UIDVALIDITY of {folder} did not change")


# -- pymap, in-process --------------------------------------------------------------------------


class PymapServer(ImapTestServer):
    """pymap's dict backend served from its own thread and event loop."""

    name = "pymap"

    def __init__(self, cert_file: str, key_file: str) -> None:
        super().__init__(0, 0, cert_file)
        self.key_file = key_file
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="pymap", daemon=True)

    def start(self) -> PymapServer:
        self._thread.start()
        if not self._ready.wait(READY_TIMEOUT) or self._failed:
            raise RuntimeError("pymap did not start") from self._failed
        self.create_folder("Sent")
        return self

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(READY_TIMEOUT)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by start()
            self._failed = exc
            self._ready.set()

    async def _serve(self) -> None:
        from proxyprotocol.reader import ProxyProtocolReader
        from pymap.backend.dict import Config, DictBackend, Login
        from pymap.concurrent import Subsystem
        from pymap.imap import IMAPServer
        from pymap.user import UserMetadata
        from pysasl.hashing import Cleartext

        class TestConfig(Config):
            # The stock greeting asks DNS for this machine's name on every connection.
            greeting = property(lambda self: b"Kizuna test IMAP ready")

        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(self.cafile, self.key_file)
        args = Namespace(host=self.host, port=0, debug=False, cert=None, key=None, tls=True,
                         demo_data=False, demo_user=USERNAME, demo_password=PASSWORD,
                         passlib_cfg=None, proxy_protocol=None, inherited_sockets=None)
        config = TestConfig.from_args(
            args, ssl_context=tls, hash_context=Cleartext(), invalid_user_sleep=0.0,
            cpu_subsystem=Subsystem.for_asyncio(),  # no thread pool left behind per server
        )
        login = Login(config)
        await login.demo_user_identity.set(UserMetadata(config, USERNAME, password=PASSWORD))
        backend = DictBackend(login, config)
        serve = ProxyProtocolReader(config.proxy_protocol).get_callback(
            IMAPServer(backend.login, config))
        plain = await asyncio.start_server(serve, self.host, 0)
        implicit = await asyncio.start_server(serve, self.host, 0, ssl=tls)
        self.port = plain.sockets[0].getsockname()[1]
        self.tls_port = implicit.sockets[0].getsockname()[1]
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            for server in (plain, implicit):
                server.close()
        # asyncio.run cancels the connections still open (pymap answers them with BYE).


@contextmanager
def running_pymap() -> Iterator[PymapServer]:
    """A pymap server outside pytest (bench/): its certificate files in a scratch directory."""
    with tempfile.TemporaryDirectory(prefix="kizuna-pymap-") as scratch:
        (Path(scratch) / "cert.pem").write_text(TEST_CERT)
        (Path(scratch) / "key.pem").write_text(TEST_KEY)
        server = PymapServer(f"{scratch}/cert.pem", f"{scratch}/key.pem").start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def imap_cert_files(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("imap-tls")
    (folder / "cert.pem").write_text(TEST_CERT)
    (folder / "key.pem").write_text(TEST_KEY)
    return str(folder / "cert.pem"), str(folder / "key.pem")


@pytest.fixture
def imap_server(imap_cert_files) -> Iterator[PymapServer]:
    server = PymapServer(*imap_cert_files).start()
    try:
        yield server
    finally:
        server.stop()


# -- Dovecot, a subprocess ----------------------------------------------------------------------

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
# chroot needs root; without the penalty socket a refused login does not slow the next ones
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
"""


class DovecotInstance:
    """One Dovecot for the session, run as an unprivileged user (Dovecot refuses to run its
    login processes as root: as root we run it as the package's `dovecot` user)."""

    host = "127.0.0.1"

    def __init__(self, scratch: Path) -> None:
        self.cert_file = ""
        self.port, self.tls_port = free_port(), free_port()
        self._users = 0
        if os.geteuid() == 0:
            account = pwd.getpwnam("dovecot")
            # pytest's tmp dirs are private to root: the dovecot user could not enter them
            self.root = Path(tempfile.mkdtemp(prefix="kizuna-dovecot-"))
            self.root.chmod(0o755)
        else:
            account = pwd.getpwuid(os.getuid())
            self.root = scratch
        self.uid, self.gid = account.pw_uid, account.pw_gid
        self.user, self.group = account.pw_name, grp.getgrgid(self.gid).gr_name
        self.process: subprocess.Popen | None = None

    def start(self) -> DovecotInstance:
        (self.root / "cert.pem").write_text(TEST_CERT)
        (self.root / "key.pem").write_text(TEST_KEY)
        # Every user up front: Dovecot notices a changed passwd file only now and then.
        (self.root / "passwd").write_text("".join(
            f"{name}:{{PLAIN}}{PASSWORD}:::::\n" for name in ["probe", *self._names()]))
        (self.root / "dovecot.conf").write_text(DOVECOT_CONF.format(
            root=self.root, user=self.user, group=self.group, uid=self.uid, gid=self.gid,
            port=self.port, tls_port=self.tls_port))
        for name in ("run", "state", "mail", "home"):
            (self.root / name).mkdir(exist_ok=True)
        if os.geteuid() == 0:
            for path in [self.root, *self.root.rglob("*")]:
                os.chown(path, self.uid, self.gid)
        as_user = dict(user=self.uid, group=self.gid, extra_groups=[]) if os.geteuid() == 0 else {}
        self.cert_file = str(self.root / "cert.pem")
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(self.root / "stderr.log", "wb"), **as_user)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        # Ready means a whole LOGIN works: auth and anvil start after the listeners.
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            try:
                with IMAPClient(self.host, self.port, ssl=False, timeout=2) as client:
                    client.login("probe", PASSWORD)
                return
            except (OSError, IMAPClient.Error):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dovecot did not answer: {self.log()}") from None
                time.sleep(0.05)

    def log(self) -> str:
        return "\n".join(
            (self.root / name).read_text(errors="replace")[-3000:]
            for name in ("stderr.log", "dovecot.log") if (self.root / name).exists())

    def _names(self) -> list[str]:
        return [f"user{number}" for number in range(1, MAX_DOVECOT_USERS + 1)]

    def new_user(self) -> str:
        """A user of its own (and so empty mail) for one test."""
        self._users += 1
        if self._users > MAX_DOVECOT_USERS:
            raise RuntimeError("raise MAX_DOVECOT_USERS: more Dovecot tests than users")
        return f"user{self._users}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.root.name.startswith("kizuna-dovecot-"):
            shutil.rmtree(self.root, ignore_errors=True)


class DovecotServer(ImapTestServer):
    name = "dovecot"

    def __init__(self, instance: DovecotInstance) -> None:
        super().__init__(instance.port, instance.tls_port, instance.cert_file,
                         username=instance.new_user())
        self.instance = instance

    def uidvalidity_change(self, folder: str) -> int:
        """Dovecot refuses to rename INBOX: forget the folder's UID list and index instead, as
        after a rebuild. Dovecot numbers the messages anew under a new UIDVALIDITY."""
        before = self.uidvalidity(folder)
        maildir = self.instance.root / "mail" / self.username
        if folder.upper() != "INBOX":
            maildir = maildir / ("." + folder.replace("/", "."))
        for path in maildir.glob("dovecot*"):
            if path.is_file() and (path.name == "dovecot-uidlist" or path.name.startswith("dovecot.index")):
                path.unlink()
        after = self.uidvalidity(folder)
        if after == before:
            raise RuntimeError(f"dovecot: UIDVALIDITY of {folder} did not change")
        return after


@contextmanager
def running_dovecot() -> Iterator[DovecotServer]:
    """A Dovecot instance and a user outside pytest (bench/; ~10x faster than pymap for 10,000
    messages). Raises FileNotFoundError when Dovecot is not installed."""
    if not os.path.exists(DOVECOT):
        raise FileNotFoundError(DOVECOT)
    with tempfile.TemporaryDirectory(prefix="kizuna-dovecot-scratch-") as scratch:
        instance = DovecotInstance(Path(scratch))
        try:
            yield DovecotServer(instance.start())
        finally:
            instance.stop()


@pytest.fixture(scope="session")
def dovecot_instance(tmp_path_factory) -> Iterator[DovecotInstance]:
    if not os.path.exists(DOVECOT):
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    instance = DovecotInstance(tmp_path_factory.mktemp("dovecot"))
    try:
        yield instance.start()
    finally:
        instance.stop()


@pytest.fixture
def dovecot_server(dovecot_instance) -> DovecotServer:
    return DovecotServer(dovecot_instance)


@pytest.fixture(params=["pymap", "dovecot"])
def any_imap_server(request) -> ImapTestServer:
    """The same scenario against pymap and against Dovecot (keep such tests few: Dovecot is a
    real process)."""
    return request.getfixturevalue("imap_server" if request.param == "pymap" else "dovecot_server")


def sample_message(number: int, *, size: int = 0, subject: str | None = None) -> bytes:
    """A small well-formed message (`size` pads the body to about that many bytes)."""
    body = f"Message {number}.\r\n" + ("x" * 76 + "\r\n") * max(0, size // 78)
    return (
        f"From: Sender {number} <sender{number}@example.com>\r\n"
        f"To: kizuna@example.com\r\n"
        f"Subject: {subject or f'Test message {number}'}\r\n"
        f"Message-ID: <test-{number}@example.com>\r\n"
        f"Date: Mon, 02 Nov 2026 09:00:00 +0900\r\n"
        f"\r\n{body}"
    ).encode()


def generate_messages(count: int, size: int = 2_000) -> Iterator[bytes]:
    """`count` distinct messages for bulk loads (bench: append_many(folder, generate_messages(10_000)))."""
    for number in range(1, count + 1):
        yield sample_message(number, size=size)
