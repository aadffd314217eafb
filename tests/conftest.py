"""Test set-up: a fresh database per test, on SQLite (default) or PostgreSQL.

Set KIZUNA_TEST_DATABASE_URL=postgres://user@host:port/dbname to run the suite on PostgreSQL: a
scratch database is created next to the named one for the session and dropped at the end; each
test starts from empty tables. Without it, each test gets its own in-memory SQLite database.
"""

from __future__ import annotations

import os
import tempfile
import uuid

# Settings are read at import: point them at a scratch directory before anything imports app.
# Each pytest-xdist worker gets its own: the workers inherit the controller's environment, and a
# shared directory would share the lock files that keep jobs one at a time (app.jobs.file_lock).
if os.environ.get("PYTEST_XDIST_WORKER") or "KIZUNA_VAR_DIR" not in os.environ:
    os.environ["KIZUNA_VAR_DIR"] = tempfile.mkdtemp(prefix="kizuna-test-")
os.environ.setdefault("KIZUNA_SECRET_KEY", "test-secret-key")
os.environ.setdefault("KIZUNA_LANGUAGE", "en")
# A kept statement is rebuilt on every use and must come out the same (app.statements).
os.environ.setdefault("KIZUNA_VERIFY_KEPT_STATEMENTS", "true")

import httpx  # noqa: E402
import pytest  # noqa: E402
import pytest_asyncio  # noqa: E402
from tortoise.backends.base.executor import EXECUTOR_CACHE  # noqa: E402
from tortoise.context import TortoiseContext  # noqa: E402

from app.db import create_schema, tortoise_config  # noqa: E402
from app.services.stages import ensure_default_stages  # noqa: E402
from app.services.users import ensure_default_roles  # noqa: E402
from tests.emptying import empty_tables  # noqa: E402

# Real SMTP (aiosmtpd) and IMAP (pymap, Dovecot) servers as fixtures for every package: mail/,
# books/, graphql/, views/.
pytest_plugins = ["tests.smtp", "tests.imap"]

PG_URL = os.environ.get("KIZUNA_TEST_DATABASE_URL", "")
# A test on an SQLite file of its own (an upgrade from an old release, a new install): the SQLite
# suite runs it, and the PostgreSQL suite would run it again unchanged (their PostgreSQL twins
# run there instead).
sqlite_suite_only = pytest.mark.skipif(bool(PG_URL), reason="its own SQLite file: the SQLite suite runs it")


def _pg_parts(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return base, name


@pytest.fixture(scope="session")
def database_url():
    """The URL every test's context connects to (PostgreSQL: one scratch database a session)."""
    if not PG_URL:
        yield "sqlite://:memory:"
        return
    import asyncio

    import asyncpg

    base, admin_db = _pg_parts(PG_URL)
    name = f"kizuna_test_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(f"{base.replace('postgres://', 'postgresql://')}/{admin_db}")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def create() -> None:
        await admin(f'CREATE DATABASE "{name}"')
        # A test database needs no durability: commits do not wait for the disk.
        await admin(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(f"{base}/{name}"))
            await create_schema(ctx)

    asyncio.run(create())
    yield f"{base}/{name}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgres")


@pytest.fixture(autouse=True)
def _fresh_executor_statements():
    """tortoise keeps each table's INSERT and DELETE SQL per connection *name*, whatever the
    database's dialect: a test that opened a SQLite file in a PostgreSQL run (the upgrade tests,
    `make run`'s set-up) would leave SQLite's SQL to the next test in its worker."""
    EXECUTOR_CACHE.clear()


@pytest_asyncio.fixture
async def db(database_url):
    """An initialised tortoise context with empty tables plus the default roles and stages."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        if database_url.startswith("sqlite"):
            await create_schema(ctx)
        else:
            await empty_tables(ctx.connections.get("default"))
        await ensure_default_roles()
        await ensure_default_stages()
        yield ctx


@pytest.fixture(scope="session")
def asgi_app():
    from app.main import create_app

    return create_app(manage_db=False)


@pytest_asyncio.fixture
async def client(db, asgi_app):
    transport = httpx.ASGITransport(app=asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


class Clock:
    """The sign-in throttle's clock, moved by hand: `clock.advance(seconds)`."""

    def __init__(self) -> None:
        from datetime import datetime, timezone

        self.now = datetime.now(timezone.utc)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    from app import throttle

    clock = Clock()
    monkeypatch.setattr(throttle, "_now", clock)
    return clock
