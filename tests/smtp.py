"""Real SMTP servers (aiosmtpd, in their own thread) on 127.0.0.1 for the e-mail tests.

A pytest plugin (tests/conftest.py loads it), so every test package can ask for these fixtures;
import the helpers (running, RecordingHandler, free_port) from here.

send_message returns only once the server has accepted DATA, and the handler stores the envelope
before answering, so tests read `.messages` straight away: no sleeping.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

USERNAME = "kizuna"
PASSWORD = "s3cret-Pa55word"
REFUSED = "nobody@example.com"

# A self-signed certificate (localhost, 127.0.0.1; valid until 2126) for the TLS tests, made with
#   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
#     -subj "/CN=Kizuna test SMTP" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
# Test-only: the key protects nothing.
TEST_CERT = """-----BEGIN CERTIFICATE-----
MIIBqjCCAU+gAwIBAgIUC6IqdHMsmE6xIzVIvvVhvt/xcZIwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQS2l6dW5hIHRlc3QgU01UUDAgFw0yNjExMjMwMzI0MDNaGA8y
MTI2MTAzMDAzMjQwM1owGzEZMBcGA1UEAwwQS2l6dW5hIHRlc3QgU01UUDBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABGbaO1OKlRFm+i3oDpadzQglLbkqIkWt8f0D
Cnsv8+TGx82X7SRNRx81zEW+91MNRsQpfBcAYZLkmfNquV1Cm0qjbzBtMB0GA1Ud
DgQWBBR3c73ZXIJOJbuypnf+2o4yBOTbGzAfBgNVHSMEGDAWgBR3c73ZXIJOJbuy
pnf+2o4yBOTbGzAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGCCWxvY2FsaG9z
dIcEfwAAATAKBggqhkjOPQQDAgNJADBGAiEA6ZxbX5EFc6AKt5n0C4UOyK0ZYPxc
sC0YYRxE5iy+XFMCIQCZx02O4Oy0+u0kFWh9wvT478wiL3mlqH9vtNi9ww4SQQ==
-----END CERTIFICATE-----
"""
TEST_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgm0NXMzm86uzA5ZTZ
c5joqmCrNNrjQulzeh8/iNBakeihRANCAARm2jtTipURZvot6A6Wnc0IJS25KiJF
rfH9Awp7L/PkxsfNl+0kTUcfNcxFvvdTDUbEKXwXAGGS5JnzarldQptK
-----END PRIVATE KEY-----
"""


class RecordingHandler:
    """Stores every accepted envelope; refuses the addresses in `refuse` at RCPT."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.refuse = refuse
        self.envelopes: list[Envelope] = []
        self.encrypted: list[bool] = []  # per envelope: was the session under TLS?

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.encrypted.append(server.transport.get_extra_info("sslcontext") is not None)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int, handler: RecordingHandler) -> None:
        self.port = port
        self.handler = handler

    @property
    def envelopes(self) -> list[Envelope]:
        return self.handler.envelopes

    @property
    def encrypted(self) -> list[bool]:
        return self.handler.encrypted

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.content, policy=email.policy.default)
            for e in self.envelopes
        ]


def free_port() -> int:
    # Controller cannot be given port 0 (it connects to the port it was given to check it is up).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_password(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USERNAME.encode()
        and auth_data.password == PASSWORD.encode()
    )
    # handled=False: aiosmtpd then answers 235 or 535 itself.
    return AuthResult(success=ok, handled=False)


@contextmanager
def running(handler: RecordingHandler, **smtp_options) -> Iterator[SmtpServer]:
    port = free_port()
    # server_hostname: the default asks DNS for this machine's name, slow in some sandboxes.
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, server_hostname="mx.test", **smtp_options
    )
    controller.start()
    try:
        yield SmtpServer(port, handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running(RecordingHandler()) as server:
        yield server


@pytest.fixture
def smtp_server_auth() -> Iterator[SmtpServer]:
    """Requires AUTH (over plain text: there is no TLS in these tests)."""
    with running(
        RecordingHandler(), authenticator=check_password, auth_required=True,
        auth_require_tls=False,
    ) as server:
        yield server


@pytest.fixture
def smtp_server_refusing() -> Iterator[SmtpServer]:
    """Refuses the recipient REFUSED with a 550, accepts the others."""
    with running(RecordingHandler(refuse=(REFUSED,))) as server:
        yield server


@pytest.fixture(scope="session")
def test_cert_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("tls") / "cert.pem"
    path.write_text(TEST_CERT)
    return str(path)


@pytest.fixture
def server_tls_context(test_cert_file, tmp_path) -> ssl.SSLContext:
    key = tmp_path / "key.pem"
    key.write_text(TEST_KEY)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(test_cert_file, key)
    return context


@pytest.fixture
def trust_test_cert(test_cert_file, monkeypatch) -> None:
    """Makes the client trust the test certificate: OpenSSL reads SSL_CERT_FILE whenever
    aiosmtplib builds its default context."""
    monkeypatch.setenv("SSL_CERT_FILE", test_cert_file)


@pytest.fixture
def smtp_server_starttls(server_tls_context) -> Iterator[SmtpServer]:
    """Offers STARTTLS (not required)."""
    with running(RecordingHandler(), tls_context=server_tls_context) as server:
        yield server


@pytest.fixture
def smtp_server_tls(server_tls_context) -> Iterator[SmtpServer]:
    """TLS from the first byte (SMTPS)."""
    with running(RecordingHandler(), ssl_context=server_tls_context) as server:
        yield server


@pytest.fixture
def closed_port() -> int:
    """A port nobody listens on: connecting is refused."""
    return free_port()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]
