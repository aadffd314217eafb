"""All configuration, read once from the environment (and an optional `.env` file).

Tests set the environment before importing this module.
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret

BASE_DIR = Path(__file__).resolve().parent.parent

config = Config(BASE_DIR / ".env" if (BASE_DIR / ".env").exists() else None)

DEBUG: bool = config("KIZUNA_DEBUG", cast=bool, default=False)
VAR_DIR: Path = Path(config("KIZUNA_VAR_DIR", default=str(BASE_DIR / "var")))
DATABASE_URL: str = config("DATABASE_URL", default=f"sqlite://{VAR_DIR / 'kizuna.sqlite3'}")


def _secret_key() -> Secret:
    """The session signing key: from the environment, else one generated once and kept in var/."""
    value = config("KIZUNA_SECRET_KEY", default=None)
    if value:
        return Secret(value)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return Secret(path.read_text().strip())


SECRET_KEY: Secret = _secret_key()


def _encryption_keys() -> tuple[str, ...]:
    """Keys that encrypt credentials at rest (`app.crypto`): comma-separated Fernet keys, the first
    encrypts, all decrypt. Unset: one key generated once and kept in var/ (back it up with the
    database: without it the stored passwords cannot be read)."""
    value = config("KIZUNA_ENCRYPTION_KEYS", default=None)
    if not value:
        path = VAR_DIR / "encryption_keys"
        if not path.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            # Fernet.generate_key() without importing cryptography here: 32 random bytes, urlsafe b64
            path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
            path.chmod(0o600)
        value = path.read_text()
    return tuple(k.strip() for k in value.split(",") if k.strip())


ENCRYPTION_KEYS: tuple[str, ...] = _encryption_keys()
# Sessions are rows in the database (`app.sessions`): the cookie holds a random secret, so
# signing out, a password change or "sign out everywhere" ends a session at once. The cookie's
# attributes are set here and nowhere else (`app.main`).
SESSION_COOKIE: str = config("KIZUNA_SESSION_COOKIE", default="kizuna_session")
# Idle lifetime: a session unused this long ends (each use moves its end forward).
SESSION_MAX_AGE: int = config("KIZUNA_SESSION_MAX_AGE", cast=int, default=14 * 24 * 3600)
# Set true behind HTTPS so the cookie is never sent in clear.
SESSION_HTTPS_ONLY: bool = config("KIZUNA_SESSION_HTTPS_ONLY", cast=bool, default=False)

# Sign-in throttling (`app.throttle`, OWASP's advice, no CAPTCHA): failures are counted per
# (login, address) pair, per address and per login within the window. Past a key's free
# failures each further attempt must wait 2^k seconds after that key's last failure (k counts
# the failures past the free ones), capped. Refused attempts are told how long to wait.
# Keep the window longer than the caps: failures older than it are forgotten (and pruned).
LOGIN_WINDOW_SECONDS: int = config("KIZUNA_LOGIN_WINDOW_SECONDS", cast=int, default=3600)
LOGIN_PAIR_FREE: int = config("KIZUNA_LOGIN_PAIR_FREE", cast=int, default=5)
LOGIN_ADDRESS_FREE: int = config("KIZUNA_LOGIN_ADDRESS_FREE", cast=int, default=30)
LOGIN_ACCOUNT_FREE: int = config("KIZUNA_LOGIN_ACCOUNT_FREE", cast=int, default=100)
LOGIN_MAX_DELAY: int = config("KIZUNA_LOGIN_MAX_DELAY", cast=int, default=900)
# The per-login limit (failures from every address together) only slows guessing down: a short
# cap, so that an attacker elsewhere cannot keep the owner out for long.
LOGIN_ACCOUNT_MAX_DELAY: int = config("KIZUNA_LOGIN_ACCOUNT_MAX_DELAY", cast=int, default=30)

# Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated
# addresses or networks, e.g. "127.0.0.1" or "10.0.0.0/8"). Empty: none, the peer's address is
# the client's. Applied by the app itself (`app.main`), never by uvicorn's own flags.
TRUSTED_PROXIES: list[str] = [
    p.strip() for p in config("KIZUNA_TRUSTED_PROXIES", default="").split(",") if p.strip()
]

DEFAULT_TIMEZONE: str = config("KIZUNA_TIMEZONE", default="Asia/Tokyo")
DEFAULT_CURRENCY: str = config("KIZUNA_CURRENCY", default="JPY")
LANGUAGES: tuple[str, ...] = ("ja", "en")
DEFAULT_LANGUAGE: str = config("KIZUNA_LANGUAGE", default="ja")

# GraphQL limits
MAX_PAGE_SIZE: int = config("KIZUNA_MAX_PAGE_SIZE", cast=int, default=100)
DEFAULT_PAGE_SIZE: int = config("KIZUNA_DEFAULT_PAGE_SIZE", cast=int, default=25)
MAX_QUERY_DEPTH: int = config("KIZUNA_MAX_QUERY_DEPTH", cast=int, default=10)
MAX_ALIASES: int = config("KIZUNA_MAX_ALIASES", cast=int, default=30)
# Checked before a document is parsed or validated, so no request can hold a worker for long.
GRAPHQL_MAX_BODY_BYTES: int = config("KIZUNA_GRAPHQL_MAX_BODY_BYTES", cast=int, default=1024 * 1024)
GRAPHQL_MAX_QUERY_BYTES: int = config("KIZUNA_GRAPHQL_MAX_QUERY_BYTES", cast=int, default=100_000)
GRAPHQL_MAX_TOKENS: int = config("KIZUNA_GRAPHQL_MAX_TOKENS", cast=int, default=10_000)
GRAPHQL_MAX_VARIABLES: int = config("KIZUNA_GRAPHQL_MAX_VARIABLES", cast=int, default=100)
GRAPHQL_MAX_SELECTIONS: int = config("KIZUNA_GRAPHQL_MAX_SELECTIONS", cast=int, default=200)
# graphql-core's budget for comparing overlapping fields (its own default, 500,000, is ~4 s of
# work); a document that needs more is refused with QUERY_TOO_COMPLEX.
GRAPHQL_MAX_OVERLAP_COST: int = config("KIZUNA_GRAPHQL_MAX_OVERLAP_COST", cast=int, default=50_000)
# Parsed and validated documents are cached only up to this size (larger ones are parsed anew).
GRAPHQL_CACHE_MAX_QUERY_BYTES: int = config("KIZUNA_GRAPHQL_CACHE_MAX_QUERY_BYTES", cast=int, default=16_384)
GRAPHQL_CACHE_SIZE: int = config("KIZUNA_GRAPHQL_CACHE_SIZE", cast=int, default=256)

# Request bodies, counted while they stream in (Content-Length is not trusted): url-encoded
# forms and every route not named otherwise; upload routes take a document plus this margin.
FORM_MAX_BYTES: int = config("KIZUNA_FORM_MAX_BYTES", cast=int, default=1024 * 1024)
UPLOAD_MARGIN_BYTES: int = config("KIZUNA_UPLOAD_MARGIN_BYTES", cast=int, default=64 * 1024)
# Which executor runs GraphQL queries: "compiled" (schema.execution's plans, the fast default) or
# "graphql-core" (the library's own, slower; to rule the compiled one out when chasing a problem).
GRAPHQL_EXECUTORS = ("compiled", "graphql-core")
GRAPHQL_EXECUTOR: str = config("KIZUNA_GRAPHQL_EXECUTOR", default="compiled")
if GRAPHQL_EXECUTOR not in GRAPHQL_EXECUTORS:
    raise ValueError(f"KIZUNA_GRAPHQL_EXECUTOR must be one of {', '.join(GRAPHQL_EXECUTORS)}, "
                     f"not {GRAPHQL_EXECUTOR!r}")

# Rebuild every kept statement (app.statements) on each use and fail when its SQL or parameters
# differ from the kept ones: a filter that depends on the request or the time would otherwise be
# frozen for every later request of the same user. On in the test suite; costs speed.
VERIFY_KEPT_STATEMENTS: bool = config("KIZUNA_VERIFY_KEPT_STATEMENTS", cast=bool, default=False)

# Demo data and the first administrator, created by `make run` on an empty database.
ADMIN_EMAIL: str = config("KIZUNA_ADMIN_EMAIL", default="admin@kizuna.example")
ADMIN_PASSWORD: str | None = config("KIZUNA_ADMIN_PASSWORD", default=None)

# Books
# The organization `setup` creates on first start without demo data (renamed in Settings).
ORGANIZATION_NAME: str = config("KIZUNA_ORGANIZATION_NAME", default="My company")
# Where uploaded documents (and organization logos) are kept, under random names.
DOCUMENTS_DIR: Path = Path(config("KIZUNA_DOCUMENTS_DIR", default=str(VAR_DIR / "documents")))
# Where the PDFs sent or shown to customers are kept, byte for byte (app.services.archive).
ARCHIVE_DIR: Path = Path(config("KIZUNA_ARCHIVE_DIR", default=str(VAR_DIR / "archive")))
DOCUMENT_MAX_BYTES: int = config("KIZUNA_DOCUMENT_MAX_BYTES", cast=int, default=10 * 1024 * 1024)
# A TrueType Japanese font to embed in PDFs (e.g. IPAex Gothic). Unset: the first one found in the
# usual system places, else reportlab's built-in CID fonts (nothing embedded).
PDF_FONT: str | None = config("KIZUNA_PDF_FONT", default=None)
# Its bold face (titles, totals, headings). Unset: looked for beside the regular font by name
# (Foo-Regular.ttf -> Foo-Bold.ttf); none found: the regular face is used.
PDF_FONT_BOLD: str | None = config("KIZUNA_PDF_FONT_BOLD", default=None)
# The address customers reach this server at; links in e-mails (portal links) start with it.
PUBLIC_URL: str = config("KIZUNA_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
# PIM sync (issue 14): a file imported (Outlook CSV, vCard, iCalendar) is at most this large; an
# uploaded CSV waits this long (seconds) for its column mapping, at most PIM_UPLOADS_KEPT per user;
# an export holds at most PIM_EXPORT_MAX records.
PIM_IMPORT_MAX_BYTES: int = config("KIZUNA_PIM_IMPORT_MAX_BYTES", cast=int, default=5 * 1024 * 1024)
PIM_UPLOAD_TTL: int = config("KIZUNA_PIM_UPLOAD_TTL", cast=int, default=3600)
PIM_UPLOADS_KEPT: int = config("KIZUNA_PIM_UPLOADS_KEPT", cast=int, default=3)
PIM_EXPORT_MAX: int = config("KIZUNA_PIM_EXPORT_MAX", cast=int, default=10_000)
SMTP_TIMEOUT: float = config("KIZUNA_SMTP_TIMEOUT", cast=float, default=30.0)

# Mail (app/mail): IMAP mailboxes synced by background jobs.
MAIL_IMAP_TIMEOUT: float = config("KIZUNA_MAIL_IMAP_TIMEOUT", cast=float, default=30.0)
# Off only for tests against servers with self-signed certificates.
MAIL_VERIFY_TLS: bool = config("KIZUNA_MAIL_VERIFY_TLS", cast=bool, default=True)
# One run of a mailbox's sync stops after this long and the next run goes on where it stopped.
MAIL_SYNC_BUDGET_SECONDS: float = config("KIZUNA_MAIL_SYNC_BUDGET_SECONDS", cast=float, default=120.0)
# Messages per UID FETCH (and per stored batch): hundreds per command (PERFORMANCE.md).
MAIL_FETCH_BATCH: int = config("KIZUNA_MAIL_FETCH_BATCH", cast=int, default=200)
# How often every enabled mailbox is polled for new mail.
MAIL_POLL_SECONDS: int = config("KIZUNA_MAIL_POLL_SECONDS", cast=int, default=300)
# The files of one e-mail written in Kizuna, in all (uploaded and the original's, on a reply); the
# compose routes take this much beyond the form limit (app.limits.mail_compose_limit).
MAIL_ATTACHMENTS_MAX_BYTES: int = config("KIZUNA_MAIL_ATTACHMENTS_MAX_BYTES", cast=int, default=20 * 1024 * 1024)
# One uploaded e-mail file (.eml or Outlook .msg), as a message carrying MAIL_ATTACHMENTS_MAX_BYTES
# of files in base64 is about this big; the upload routes take a few of them at once.
MAIL_UPLOAD_MAX_BYTES: int = config("KIZUNA_MAIL_UPLOAD_MAX_BYTES", cast=int, default=30 * 1024 * 1024)
# Background jobs (`app.jobs`, procrastinate). On PostgreSQL the queue lives in the database:
# web processes defer, `python -m app.cli worker` runs them (any number, any machine). On SQLite
# the server runs them itself, on an in-memory queue (what must survive a restart lives in
# Kizuna's own tables and is queued again at start-up). Embedded on PostgreSQL: a small
# deployment's server works the shared queue too, no separate worker needed.
JOBS_EMBEDDED: bool = config("KIZUNA_JOBS_EMBEDDED", cast=bool, default=DATABASE_URL.startswith("sqlite"))
# Jobs one worker (or the embedded one) runs at once; they are async, IMAP and parsing run in threads.
JOBS_CONCURRENCY: int = config("KIZUNA_JOBS_CONCURRENCY", cast=int, default=4)
# Seconds between polls for new jobs. PostgreSQL also wakes workers at once by LISTEN/NOTIFY, so the
# poll matters for jobs scheduled for later or released by a lock (procrastinate's default is 5).
JOBS_POLL_INTERVAL: float = config("KIZUNA_JOBS_POLL_INTERVAL", cast=float, default=2.0)
# On shutdown, running jobs get this many seconds to finish, then are cancelled (every task is
# safe to run again: its progress is in Kizuna's tables).
JOBS_SHUTDOWN_TIMEOUT: float = config("KIZUNA_JOBS_SHUTDOWN_TIMEOUT", cast=float, default=30.0)
# Connections each process keeps for the queue's own queries (jobs use the ORM's pool; a worker's
# LISTEN has its own connection besides these).
JOBS_POOL_SIZE: int = config("KIZUNA_JOBS_POOL_SIZE", cast=int, default=4)

# Customer portal (issue 13). A sign-in link sent by e-mail works once, for this many hours; a
# portal session then lasts this many days (its own cookie, scoped to one customer).
PORTAL_LINK_HOURS: int = config("KIZUNA_PORTAL_LINK_HOURS", cast=int, default=24)
PORTAL_SESSION_DAYS: int = config("KIZUNA_PORTAL_SESSION_DAYS", cast=int, default=7)
PORTAL_COOKIE: str = config("KIZUNA_PORTAL_COOKIE", default="kizuna_portal")
# A document's own link (in the e-mail that sent it) stops working this many days after the
# document was last sent; 0 keeps it working (staff can always revoke it on the document's page).
PORTAL_DOCUMENT_LINK_DAYS: int = config("KIZUNA_PORTAL_DOCUMENT_LINK_DAYS", cast=int, default=0)
# Portal requests one address may make per minute (pages, sign-in requests and actions alike).
PORTAL_REQUESTS_PER_MINUTE: int = config("KIZUNA_PORTAL_REQUESTS_PER_MINUTE", cast=int, default=120)
# Card payments through Stripe Checkout: offered only when both keys are set.
STRIPE_SECRET_KEY: str = config("KIZUNA_STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET: str = config("KIZUNA_STRIPE_WEBHOOK_SECRET", default="")
# Tests point the stripe library at a fake API on loopback; unset means Stripe's own.
STRIPE_API_BASE: str = config("KIZUNA_STRIPE_API_BASE", default="")
