"""The Books sync on the job engine: "Sync now" queues one run (administrators only), the periodic
job does nothing while the link is not active, and on PostgreSQL two real worker processes given
many sync jobs at once push every change exactly once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys

import pytest

from app import books_tasks, jobs, settings
from app.errors import PermissionDenied
from app.models import BooksContact, BooksSyncLogEntry, BooksSyncRun, SyncOutcome, SyncTrigger
from app.services import books_link, books_sync
from tests import factories as f
from tests.books.test_books_sync_engine import linked  # noqa: F401 (fixture)
from tests.conftest import PG_URL
from tests.unit.test_jobs import _env, scratch_pg, until  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def empty_queue():
    if jobs.in_memory():
        jobs.engine().connector.reset()
    yield
    if jobs.in_memory():
        jobs.engine().connector.reset()


async def test_sync_now_queues_one_run_for_administrators(linked):  # noqa: F811
    await f.make_account(linked.admin, name="株式会社いろは")
    assert await books_sync.start(linked.principal) is True
    assert await books_sync.start(linked.principal) is False  # one waits already
    sales = await f.principal_for(await f.make_user("Sales"))
    with pytest.raises(PermissionDenied):
        await books_sync.start(sales)
    assert await jobs.run_pending(queues=[books_tasks.QUEUE]) == 1
    run = await BooksSyncRun.get()
    assert (run.trigger, run.started_by_id, run.added) == (SyncTrigger.MANUAL, linked.admin.id, 1)


async def test_the_periodic_job_does_nothing_while_the_link_is_disabled(linked):  # noqa: F811
    await f.make_account(linked.admin, name="株式会社いろは")
    await books_link.set_enabled(linked.principal, False)
    await books_tasks.poll(timestamp=0)
    assert await jobs.run_pending(queues=[books_tasks.QUEUE]) == 0
    link = await books_link.get_link()
    await books_tasks.sync(organization_id=link.organization_id)  # a job queued before disabling
    assert await BooksSyncRun.all().count() == 0 and await BooksContact.all().count() == 0
    await books_link.set_enabled(linked.principal, True)
    await books_tasks.poll(timestamp=0)
    assert await jobs.run_pending(queues=[books_tasks.QUEUE]) == 1
    assert (await BooksSyncRun.get()).trigger == SyncTrigger.SCHEDULED


pg_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL run only (KIZUNA_TEST_DATABASE_URL)")


@pg_only
async def test_two_worker_processes_push_each_change_once(scratch_pg, tmp_path):  # noqa: F811
    import procrastinate
    from tortoise.context import TortoiseContext

    from app.db import tortoise_config
    from app.models import Account
    from app.services.stages import ensure_default_stages
    from app.services.users import ensure_default_roles

    url = scratch_pg
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        await ensure_default_roles()
        await ensure_default_stages()
        admin = await f.make_user("Administrator", email="workers@example.jp")
        org = await f.make_org(admin)
        principal = await f.principal_for(admin)
        await f.link_books(admin, org)
        await books_link.save_settings(principal, {
            "sync_module": "accounts", "direction": "two_way", "conflict_policy": "skip",
            "product_direction": "two_way", "product_conflict_policy": "skip"})
        accounts = [await f.make_account(admin, name=f"株式会社{n:03d}") for n in range(120)]

        workers: list[subprocess.Popen] = []
        logs = [tmp_path / f"worker{i}.log" for i in range(2)]
        env = _env(DATABASE_URL=url, KIZUNA_JOBS_POLL_INTERVAL="0.2")

        def tails() -> str:
            return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)

        from tortoise import connections

        conn = connections.get("default")

        async def waiting() -> int:
            rows = await conn.execute_query_dict(
                "SELECT count(*) AS n FROM procrastinate_jobs WHERE status IN ('todo', 'doing') AND queue_name = $1",
                [books_tasks.QUEUE])
            return rows[0]["n"]

        async def burst(count: int) -> None:
            """`count` sync jobs at once, no queueing lock: the workers race for them."""
            with jobs.engine().replace_connector(procrastinate.PsycopgConnector(conninfo=jobs.conninfo(url))) as app:
                async with app.open_async():
                    for _ in range(count):
                        await jobs.defer(books_tasks.sync, organization_id=org.id)

            async def done() -> bool:
                assert all(w.poll() is None for w in workers), tails()
                return await waiting() == 0

            await until(done, timeout=120, what=f"{count} sync jobs done")

        try:
            for log in logs:
                workers.append(subprocess.Popen(
                    [sys.executable, "-m", "app.cli", "worker", "--concurrency", "2", "--queues", books_tasks.QUEUE],
                    cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT))

            async def registered() -> bool:
                assert all(w.poll() is None for w in workers), tails()
                rows = await conn.execute_query_dict("SELECT count(*) AS n FROM procrastinate_workers")
                return rows[0]["n"] == 2

            await until(registered, timeout=60, what="two registered workers")

            await burst(12)
            added = await BooksSyncLogEntry.filter(outcome=SyncOutcome.ADDED).values_list("crm_id", flat=True)
            assert sorted(added) == sorted(a.id for a in accounts)  # each account pushed once
            assert await BooksContact.filter(organization_id=org.id).count() == 120
            assert sum(await BooksSyncRun.all().values_list("added", flat=True)) == 120

            changed = accounts[::4]
            for account in changed:
                account.phone = f"03-{account.id:04d}"
                await account.save()
            before = set(await BooksSyncRun.all().values_list("id", flat=True))
            await burst(12)
            updated = await BooksSyncLogEntry.filter(outcome=SyncOutcome.UPDATED).values_list("crm_id", flat=True)
            assert sorted(updated) == sorted(a.id for a in changed)  # each change pushed once
            later = await BooksSyncRun.exclude(id__in=before).values_list("updated", "added", "status")
            assert sum(u for u, _, _ in later) == len(changed) and all(a == 0 for _, a, _ in later)
            assert {s for _, _, s in later} <= {"done"}
            phones = dict(await BooksContact.filter(organization_id=org.id).values_list("display_name", "phone"))
            assert all(phones[a.name] == a.phone for a in changed)
            failed = await conn.execute_query_dict(
                "SELECT count(*) AS n FROM procrastinate_jobs WHERE status = 'failed'")
            assert failed[0]["n"] == 0, tails()
            assert await Account.all().count() == 120  # nothing came back as a new CRM record
            assert all("Starting job books.sync" in log.read_text() for log in logs), "both workers ran syncs"
        finally:
            for w in workers:
                if w.poll() is None:
                    w.send_signal(signal.SIGTERM)
            for w in workers:
                try:
                    await asyncio.to_thread(w.wait, 60)
                except subprocess.TimeoutExpired:
                    w.kill()
                    w.wait()
