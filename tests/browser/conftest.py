"""A live server (uvicorn in a subprocess) and a real Chromium driven by Playwright.

The server uses its own database file on SQLite, or the session's scratch database on PostgreSQL,
so the test process can prepare data the browser then sees. Debian's chromium is used through
`executable_path`; Playwright never downloads a browser.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest
import pytest_asyncio
from tortoise.context import TortoiseContext

from app import settings
from app.db import create_schema, tortoise_config
from app.services.stages import ensure_default_stages
from app.services.users import ensure_default_roles
from tests.emptying import empty_tables

CHROMIUM = os.environ.get("KIZUNA_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("KIZUNA_TEST_ARTIFACTS", tempfile.gettempdir())) / "kizuna-browser"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}: .ci/run should have installed it")
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
def live_db_url(database_url, tmp_path) -> str:
    if database_url.startswith("postgres"):
        return database_url
    return f"sqlite://{tmp_path / 'live.sqlite3'}"


async def _job_queue(client) -> None:
    """On PostgreSQL the live server queues jobs (sending mail queues its append to Sent) in
    procrastinate's tables, which the migrations make and the test schema lacks; emptied here so
    no test's jobs are left for another's server."""
    schema = importlib.import_module("app.migrations.0011_jobs").SCHEMA
    rows = await client.execute_query_dict("SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present")
    if not rows[0]["present"]:
        await client.execute_script(schema.read_text(encoding="utf-8"))
    await client.execute_script("TRUNCATE procrastinate_jobs CASCADE")


@asynccontextmanager
async def prepared_db(db_url: str):
    """A tortoise context on a live server's database, emptied, with roles and stages."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(db_url))
        if db_url.startswith("sqlite"):
            await create_schema(ctx)
        else:
            await _job_queue(ctx.connections.get("default"))
        await empty_tables(ctx.connections.get("default"))
        await ensure_default_roles()
        await ensure_default_stages()
        yield ctx


@pytest_asyncio.fixture
async def live_db(live_db_url):
    async with prepared_db(live_db_url) as ctx:
        yield ctx


@contextmanager
def running_server(db_url: str, var_dir: Path):
    """uvicorn on a free loopback port against `db_url`, until the block ends; yields the base
    URL. Its log is written to var_dir/server.log (shown when it fails to start)."""
    port = _free_port()
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "KIZUNA_VAR_DIR": str(var_dir),
        "KIZUNA_SECRET_KEY": "browser-test",
        # The test process stores credentials (mailbox passwords) the server must decrypt.
        "KIZUNA_ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
    }
    log = open(var_dir / "server.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "app.main:app_factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:  # readiness: poll until the port accepts connections
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"live server did not start:\n{log.read()}")
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture
def live_server(live_db, live_db_url, tmp_path):
    """Start uvicorn on a free port against the live database; yields the base URL."""
    with running_server(live_db_url, tmp_path / "var") as url:
        yield url


@pytest_asyncio.fixture
async def browser_page(chromium_path):
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = await browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        page.set_default_timeout(10_000)
        try:
            yield page
        finally:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "last.png"), full_page=True)
            await browser.close()
