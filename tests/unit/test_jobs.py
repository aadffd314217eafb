"""The job engine (app.jobs): embedded (in-memory queue) on every run; two worker processes on
PostgreSQL when KIZUNA_TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
from procrastinate.periodic import PeriodicRegistry

from app import jobs, settings
from tests.conftest import PG_URL

DONE: list[tuple[str, object]] = []


@jobs.task(queue="test")
async def record(item_id: int) -> None:
    DONE.append(("record", item_id))


@jobs.task(queue="test")
async def chain(item_id: int) -> None:
    DONE.append(("chain", item_id))
    await jobs.defer(record, item_id=item_id + 1)


@jobs.task(queue="test")
async def fail(item_id: int) -> None:
    raise ValueError(f"no item {item_id}")


@jobs.task(queue="test")
async def tick(timestamp: int) -> None:
    DONE.append(("tick", timestamp))


@pytest.fixture(autouse=True)
def empty_queue():
    jobs.engine().connector.reset()
    DONE.clear()
    yield
    jobs.engine().connector.reset()


async def until(condition, timeout: float = 20.0, what: str = "condition") -> None:
    """Poll `condition()` (sync or async) until true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


# ---- embedded ------------------------------------------------------------------------------------

def test_sqlite_means_embedded_in_memory():
    assert not jobs.is_postgres() and jobs.in_memory()  # the suite's DATABASE_URL is SQLite
    from app.jobs_memory import EmbeddedConnector

    assert isinstance(jobs.engine().connector, EmbeddedConnector)
    assert settings.JOBS_EMBEDDED


async def test_defer_then_run_pending():
    job_id = await jobs.defer(record, item_id=7)
    assert job_id and DONE == []
    assert await jobs.run_pending() == 1
    assert DONE == [("record", 7)]
    assert await jobs.run_pending() == 0  # nothing left


async def test_jobs_queued_by_jobs_run_too():
    await jobs.defer(chain, item_id=1)
    assert await jobs.run_pending() == 2
    assert DONE == [("chain", 1), ("record", 2)]


async def test_queueing_lock_keeps_one_waiting_job():
    assert await jobs.defer(record, item_id=1, queueing_lock="item:1")
    assert await jobs.defer(record, item_id=1, queueing_lock="item:1") is None  # already waiting
    assert await jobs.defer(record, item_id=2, queueing_lock="item:2")
    assert await jobs.run_pending() == 2
    assert await jobs.defer(record, item_id=1, queueing_lock="item:1")  # done: may queue again
    assert await jobs.run_pending() == 1


async def test_scheduled_jobs_wait_for_their_time():
    assert await jobs.defer(record, item_id=1, schedule_in={"hours": 1})
    assert await jobs.run_pending() == 0 and DONE == []


async def test_failures_are_reported():
    await jobs.defer(fail, item_id=3)
    with pytest.raises(ExceptionGroup) as caught:
        await jobs.run_pending()
    assert [str(e) for e in caught.value.exceptions] == ["no item 3"]
    await jobs.defer(fail, item_id=4)
    await jobs.defer(record, item_id=5)
    assert await jobs.run_pending(raise_errors=False) == 2  # a failure does not stop the others
    assert DONE == [("record", 5)]


async def test_the_embedded_queue_does_not_grow():
    """A server runs for months: no query log, no events of finished jobs."""
    connector = jobs.engine().connector
    for i in range(5):
        await jobs.defer(record, item_id=i)
    await jobs.defer(fail, item_id=9)
    await jobs.run_pending(raise_errors=False)
    assert connector.queries == [] and connector.jobs == {} and connector.events == {}


def test_tasks_are_async_and_never_lock_with_retries():
    with pytest.raises(TypeError):
        jobs.task(queue="test")(lambda item_id: None)
    with pytest.raises(ValueError, match="one_at_a_time"):
        jobs.task(queue="test", lock="x", retry=3)


def test_periodic_tasks_are_registered_with_seconds_last():
    registry = jobs.engine().periodic_registry.periodic_tasks
    prune = registry[("kizuna.prune_finished_jobs", "")]
    assert prune.cron == "17 3 * * *"
    # a sixth field is SECONDS (procrastinate's cron): every 10 minutes at second 30
    fresh = PeriodicRegistry()
    every = fresh.register_task(task=tick, cron="*/10 * * * * 30", periodic_id="", configure_kwargs={})
    start = datetime(2026, 1, 1, 9, 0, 0, tzinfo=timezone.utc).timestamp()
    following = every.croniter.get_next(ret_type=float, start_time=start)
    assert datetime.fromtimestamp(following, timezone.utc) == datetime(2026, 1, 1, 9, 0, 30, tzinfo=timezone.utc)


async def test_run_pending_leaves_schedules_out(monkeypatch):
    registry = PeriodicRegistry()
    registry.register_task(task=tick, cron="* * * * * *", periodic_id="", configure_kwargs={})
    monkeypatch.setattr(jobs.engine(), "periodic_registry", registry)
    assert await jobs.run_pending() == 0 and DONE == []
    assert jobs.engine().periodic_registry is registry  # put back


async def test_the_embedded_worker_runs_deferred_and_periodic_jobs(monkeypatch):
    registry = PeriodicRegistry()  # only this test's schedule: every second
    registry.register_task(task=tick, cron="* * * * * *", periodic_id="", configure_kwargs={})
    monkeypatch.setattr(jobs.engine(), "periodic_registry", registry)
    async with jobs.running(worker=True):
        await jobs.defer(record, item_id=1)
        await until(lambda: ("record", 1) in DONE, what="the deferred job")
        await until(lambda: any(kind == "tick" for kind, _ in DONE), what="a periodic tick")
    ticks = [stamp for kind, stamp in DONE if kind == "tick"]
    assert all(isinstance(stamp, int) for stamp in ticks)  # periodic tasks get their tick's timestamp


async def test_start_up_hooks_requeue_on_the_in_memory_queue(monkeypatch):
    monkeypatch.setattr(jobs, "_startup_hooks", [])
    calls = []

    @jobs.on_startup
    async def broken() -> None:
        calls.append("broken")
        raise RuntimeError("a hook that fails does not stop the others")

    @jobs.on_startup
    async def pending_items() -> None:  # e.g. every enabled mailbox due for a sync
        calls.append("pending")
        for item_id in (10, 11):
            await jobs.defer(record, item_id=item_id, queueing_lock=f"item:{item_id}")

    jobs.on_startup(pending_items)  # registering twice runs it once
    async with jobs.running(worker=False):  # a web process that does not work jobs
        pass
    assert calls == []
    async with jobs.running(worker=True):
        await until(lambda: {("record", 10), ("record", 11)} <= set(DONE), what="re-queued jobs")
    assert calls == ["broken", "pending"]


async def test_one_at_a_time_embedded():
    async with jobs.one_at_a_time("mailbox:1") as first:
        async with jobs.one_at_a_time("mailbox:1") as second:
            async with jobs.one_at_a_time("mailbox:2") as other:
                assert first and not second and other
    async with jobs.one_at_a_time("mailbox:1") as again:
        assert again  # released at the end of the block
    with pytest.raises(KeyError):
        async with jobs.one_at_a_time("mailbox:1"):
            raise KeyError("boom")
    async with jobs.one_at_a_time("mailbox:1") as after_error:
        assert after_error
    async with jobs.one_at_a_time("\udc80" + "x" * 100_000) as odd:  # any text is a key
        assert odd


async def test_one_at_a_time_across_processes_embedded():
    """Two server processes on one SQLite file (uvicorn --workers) do not sync one mailbox twice."""
    probe = ("import asyncio\nfrom app import jobs\nasync def main():\n"
             "    async with jobs.one_at_a_time('mailbox:1') as mine:\n        print(mine)\n"
             "asyncio.run(main())\n")

    def other_process() -> str:
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                              cwd=settings.BASE_DIR, env=_env()).stdout.strip()

    async with jobs.one_at_a_time("mailbox:1") as mine:
        assert mine
        assert await asyncio.to_thread(other_process) == "False"
    assert await asyncio.to_thread(other_process) == "True"


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR), **extra}
    env.pop("KIZUNA_JOBS_EMBEDDED", None)
    return env


def test_conninfo_reads_the_url_as_tortoise_does():
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(jobs.conninfo(
        "postgres://kizuna:p%40ss@db.example:6543/crm?schema=books&maxsize=20&sslmode=verify-full"))
    assert info == {"host": "db.example", "port": "6543", "user": "kizuna", "password": "p@ss", "dbname": "crm",
                    "options": "-c search_path=books", "sslmode": "verify-full", "connect_timeout": "10"}  # maxsize: tortoise's
    assert conninfo_to_dict(jobs.conninfo("postgres://postgres@127.0.0.1/test")) == {
        "host": "127.0.0.1", "port": "5432", "user": "postgres", "dbname": "test", "connect_timeout": "10"}


def test_lock_ids_are_stable_signed_64_bit():
    assert jobs.lock_id("mailbox:1") == jobs.lock_id("mailbox:1") != jobs.lock_id("mailbox:2")
    assert all(-2**63 <= jobs.lock_id(f"k{i}") < 2**63 for i in range(100))


# ---- PostgreSQL ----------------------------------------------------------------------------------

pg_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL run only (KIZUNA_TEST_DATABASE_URL)")


@pytest.fixture
async def scratch_pg():
    """A database of its own, migrated like production (0011_jobs: procrastinate's tables)."""
    from tests.scratch_pg import migrated_database

    async with migrated_database(PG_URL, "kizuna_jobs") as url:
        yield url


@pg_only
async def test_advisory_lock_is_one_at_a_time_on_postgres(database_url):
    async with jobs.advisory_lock(database_url, "mailbox:1") as first:
        async with jobs.advisory_lock(database_url, "mailbox:1") as second:
            async with jobs.advisory_lock(database_url, "mailbox:2") as other:
                assert first and not second and other
    async with jobs.advisory_lock(database_url, "mailbox:1") as again:
        assert again


@pg_only
async def test_two_worker_processes_never_overlap(scratch_pg, tmp_path):
    import asyncpg
    import procrastinate

    from tests import jobs_tasks

    url = scratch_pg
    db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    workers: list[subprocess.Popen] = []
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    try:
        assert await db.fetchval("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")  # 0011_jobs
        for statement in jobs_tasks.TABLES:
            await db.execute(statement)
        env = _env(DATABASE_URL=url, KIZUNA_JOBS_POLL_INTERVAL="0.2")
        for log in logs:
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "app.cli", "worker", "--concurrency", "2", "--queues", jobs_tasks.QUEUE,
                 "--tasks-from", "tests.jobs_tasks"],
                cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT))

        def tails() -> str:
            return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)

        async def registered() -> bool:
            assert all(w.poll() is None for w in workers), tails()
            return await db.fetchval("SELECT count(*) FROM procrastinate_workers") == 2

        await until(registered, timeout=60, what="two registered workers")

        count = 30
        with jobs.engine().replace_connector(procrastinate.PsycopgConnector(conninfo=jobs.conninfo(url))) as app:
            async with app.open_async():
                for n in range(count):
                    await jobs.defer(jobs_tasks.overlap, n=n)

        async def all_done() -> bool:
            assert all(w.poll() is None for w in workers), tails()
            finished = await db.fetchval("SELECT count(*) FROM job_runs WHERE ended IS NOT NULL")
            waiting = await db.fetchval(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') AND queue_name = $1",
                jobs_tasks.QUEUE)
            return finished >= count and waiting == 0

        await until(all_done, timeout=120, what=f"{count} jobs done")

        runs = await db.fetch("SELECT n, pid, started, ended FROM job_runs ORDER BY started")
        assert sorted(r["n"] for r in runs) == list(range(count))  # every job done, once
        for before, after in zip(runs, runs[1:]):
            assert after["started"] >= before["ended"], f"runs {before['n']} and {after['n']} overlapped"
        assert not await db.fetchval("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")
        pids = {r["pid"] for r in runs} | {r["pid"] for r in await db.fetch("SELECT pid FROM job_skips")}
        assert pids == {w.pid for w in workers}, "both workers took jobs"

        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            assert await asyncio.to_thread(w.wait, 60) == 0, tails()
        assert await db.fetchval("SELECT count(*) FROM procrastinate_workers") == 0  # left cleanly
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
        await db.close()


async def test_the_worker_command_needs_postgres():
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "app.cli", "worker"], capture_output=True, text=True, timeout=60,
        cwd=settings.BASE_DIR, env=_env(DATABASE_URL="sqlite://:memory:"))
    assert result.returncode == 2 and "PostgreSQL" in result.stderr


# ---- the server ----------------------------------------------------------------------------------

def _worker_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "kizuna jobs worker" and not t.done()]


async def test_the_server_runs_the_embedded_worker_for_its_lifetime():
    from app.main import create_app

    server = create_app(db_url="sqlite://:memory:")
    async with server.router.lifespan_context(server):
        assert len(_worker_tasks()) == 1
        await jobs.defer(record, item_id=42)
        await until(lambda: ("record", 42) in DONE, what="the job, run by the server's worker")
    assert _worker_tasks() == []  # stopped with the server


async def test_tests_app_runs_no_worker():
    from app.main import create_app

    server = create_app(manage_db=False)
    async with server.router.lifespan_context(server):
        assert _worker_tasks() == []


async def test_a_server_told_not_to_work_jobs_only_defers(monkeypatch):
    from app.main import create_app

    monkeypatch.setattr(settings, "JOBS_EMBEDDED", False)  # KIZUNA_JOBS_EMBEDDED=false
    server = create_app(db_url="sqlite://:memory:")
    async with server.router.lifespan_context(server):
        assert _worker_tasks() == []
        assert await jobs.defer(record, item_id=1)
    assert await jobs.run_pending() == 1
