"""Two job worker processes on PostgreSQL syncing the same mailboxes, one batch a run: no two runs
of a mailbox overlap, and every message is stored once (PostgreSQL only)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from tortoise.context import TortoiseContext

from app import jobs, settings
from app.db import tortoise_config
from tests.conftest import PG_URL
from tests.unit.test_jobs import _env, scratch_pg, until  # noqa: F401 - scratch_pg is a fixture

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL run only (KIZUNA_TEST_DATABASE_URL)")
MESSAGES = 60
MAILBOXES = 3


def _message(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"customer{n % 7}@example.com"
    msg["To"] = "owner@example.com"
    msg["Subject"] = f"Message {n}"
    msg["Message-ID"] = f"<worker-{n}@example.com>"
    msg.set_content(f"本文 {n}")
    return msg.as_bytes()


async def test_two_workers_sync_without_overlap_and_store_each_message_once(scratch_pg, imap_server, tmp_path):
    import procrastinate

    from app.mail import tasks
    from app.models import Email, EmailCopy, Mailbox, MailFolder, MailSecurity, SyncRun
    from app.services.users import ensure_default_roles
    from tests.factories import make_user

    imap_server.append_many("INBOX", [_message(n) for n in range(MESSAGES)])
    last_uid = max(imap_server.uids("INBOX"))
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    workers: list[subprocess.Popen] = []
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(scratch_pg))
        await ensure_default_roles()
        owner = await make_user(email="owner@example.com")
        ids = []
        for _ in range(MAILBOXES):
            box = await Mailbox.create(
                owner_id=owner.id, email=owner.email, imap_host=imap_server.host, imap_port=imap_server.port,
                imap_security=MailSecurity.NONE, username=imap_server.username, password=imap_server.password,
                connected_at=datetime.now(UTC) - timedelta(days=1))
            await MailFolder.create(mailbox_id=box.id, name="INBOX")
            ids.append(box.id)
        try:
            # One batch of 10 a run: each mailbox needs 6 runs, re-queued by the run before.
            env = _env(DATABASE_URL=scratch_pg, KIZUNA_JOBS_POLL_INTERVAL="0.2", KIZUNA_MAIL_FETCH_BATCH="10",
                       KIZUNA_MAIL_SYNC_BUDGET_SECONDS="0")
            for log in logs:
                workers.append(subprocess.Popen(
                    [sys.executable, "-m", "app.cli", "worker", "--concurrency", "3", "--queues", tasks.QUEUE],
                    cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT))

            def tails() -> str:
                return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)

            connector = procrastinate.PsycopgConnector(conninfo=jobs.conninfo(scratch_pg))
            with jobs.engine().replace_connector(connector) as app:
                async with app.open_async():
                    for _ in range(3):  # asked for repeatedly, as "sync now" and the poll would
                        for mailbox_id in ids:
                            await jobs.defer(tasks.sync_mailbox, mailbox_id=mailbox_id)

            async def synced() -> bool:
                assert all(w.poll() is None for w in workers), tails()
                done = await MailFolder.filter(last_uid=last_uid).count()
                busy = await ctx.connections.get("default").execute_query_dict(
                    # the mail queue's: the workers' periodic deferrer also queues other queues' jobs
                    # (the notifications' sweep, the Books poll), which these workers do not take
                    "SELECT count(*) AS n FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                    "AND queue_name = 'mail'")
                return done == MAILBOXES and busy[0]["n"] == 0

            await until(synced, timeout=180, what="every mailbox synced")
            assert await Email.all().count() == MESSAGES
            assert await EmailCopy.all().count() == MESSAGES * MAILBOXES
            for mailbox_id in ids:
                runs = await SyncRun.filter(mailbox_id=mailbox_id).order_by("started_at")
                assert all(r.finished_at is not None and not r.error for r in runs)
                for before, after in zip(runs, runs[1:]):
                    assert after.started_at >= before.finished_at, "two runs of one mailbox overlapped"
            for w in workers:
                w.send_signal(signal.SIGTERM)
            for w in workers:
                assert await asyncio.to_thread(w.wait, 60) == 0, tails()
        finally:
            for w in workers:
                if w.poll() is None:
                    w.kill()
                    w.wait()
