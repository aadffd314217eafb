"""Background jobs: Kizuna's task functions, run by procrastinate.

One set of task functions for both deployments (README, "Background jobs"):

- embedded (the default on SQLite): the server process runs a worker on an in-memory queue
  (`app.jobs_memory`). The queue is lost on restart, so what must survive one (mailbox cursors,
  outboxes, run logs) lives in Kizuna's tables, and the `on_startup` hooks queue again what those
  tables say is pending;
- PostgreSQL: the queue is procrastinate's tables (migration 0011_jobs); web processes only defer,
  `python -m app.cli worker` runs workers, any number, on any machine.

Writing a task (STYLE.md 15): a plain async function taking ids, safe to run twice, whose state
lives in Kizuna's tables; put its module in TASK_MODULES so every worker knows it.

    @jobs.task(queue="mail")
    async def sync_mailbox(mailbox_id: int) -> None:
        async with jobs.one_at_a_time(f"mailbox:{mailbox_id}") as mine:
            if not mine:
                return  # another process is syncing it right now
            ...

    await jobs.defer(sync_mailbox, mailbox_id=7, queueing_lock="mailbox:7")

    @jobs.periodic(cron="*/5 * * * * 0")   # procrastinate's cron: SECONDS are the 6th field
    @jobs.task(queue="mail")
    async def poll_mailboxes(timestamp: int) -> None: ...   # periodic tasks receive `timestamp`

At most one run per key across processes is `one_at_a_time`, not procrastinate's `lock=`: a
locked job that is retried can stay stuck behind its own lock (procrastinate's tracker), so
`task()` refuses `lock` together with `retry`. `queueing_lock` caps the backlog: one waiting job
per key, a second `defer` is a no-op.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import inspect
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager, contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import procrastinate
from procrastinate import exceptions as job_errors
from procrastinate.periodic import PeriodicRegistry

from app import settings

__all__ = ["TASK_MODULES", "defer", "engine", "is_postgres", "on_startup", "one_at_a_time", "periodic",
           "run_pending", "running", "task", "work"]

log = logging.getLogger("kizuna.jobs")

# Every module that defines tasks: a worker imports them before its first job, so it knows every
# task another process may defer (and their `on_startup` hooks are registered).
TASK_MODULES: list[str] = ["app.jobs", "app.mail.tasks", "app.books_tasks", "app.notification_tasks"]

POSTGRES_SCHEMES = ("postgres://", "postgresql://", "asyncpg://", "psycopg://")
# libpq settings a DATABASE_URL may carry in its query string besides tortoise's own
LIBPQ_PARAMS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "connect_timeout",
                "target_session_attrs", "application_name", "options", "keepalives", "keepalives_idle"}


def is_postgres(url: str | None = None) -> bool:
    return (url or settings.DATABASE_URL).startswith(POSTGRES_SCHEMES)


def conninfo(url: str) -> str:
    """A libpq connection string for psycopg from a tortoise DATABASE_URL (read the way tortoise
    reads it: its own query parameters are not libpq's)."""
    from psycopg.conninfo import make_conninfo
    from tortoise.backends.base.config_generator import expand_db_url

    credentials = expand_db_url(url)["credentials"]
    params: dict[str, Any] = {"host": credentials.get("host"), "port": credentials.get("port"),
                              "user": credentials.get("user"), "password": credentials.get("password"),
                              "dbname": credentials.get("database")}
    if credentials.get("schema"):  # tortoise sets search_path from it: the queue's tables are there
        params["options"] = f"-c search_path={credentials['schema']}"
    if credentials.get("ssl") is True:
        params["sslmode"] = "require"
    params.update((k, v) for k, v in credentials.items() if k in LIBPQ_PARAMS)
    params.setdefault("connect_timeout", 10)  # libpq's default is to wait forever
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None})


@cache
def engine() -> procrastinate.App:
    """The one procrastinate App: on PostgreSQL its tables, else the embedded in-memory queue."""
    if is_postgres():
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo(settings.DATABASE_URL), min_size=1, max_size=settings.JOBS_POOL_SIZE)
    else:
        from app.jobs_memory import EmbeddedConnector

        connector = EmbeddedConnector()
    return procrastinate.App(connector=connector, import_paths=TASK_MODULES)


def in_memory() -> bool:
    return not is_postgres()


def task(*, queue: str = "default", name: str | None = None, retry: int | procrastinate.RetryStrategy = 0,
         queueing_lock: str | None = None, lock: str | None = None, priority: int = 0):
    """Register an async function as a task (procrastinate's `App.task`, with Kizuna's rules)."""
    if lock is not None and retry:
        raise ValueError("lock= with retry= can leave a job stuck behind its own lock: use one_at_a_time()")

    def register(func: Callable[..., Awaitable[Any]]):
        if not inspect.iscoroutinefunction(func):
            raise TypeError(f"{func.__qualname__}: tasks are async functions (blocking work goes to a thread)")
        return engine().task(name=name, queue=queue, retry=retry, queueing_lock=queueing_lock, lock=lock,
                             priority=priority)(func)

    return register


def periodic(*, cron: str, periodic_id: str = "", **options: Any):
    """Defer a task on a schedule; stack it on `@task`. Five cron fields, or six with SECONDS LAST
    (`"*/10 * * * * 30"`: every ten minutes, at second 30). The task gets `timestamp` (the tick,
    seconds since the epoch); every worker runs the scheduler, the queue keeps one job per tick."""
    return engine().periodic(cron=cron, periodic_id=periodic_id, **options)


async def defer(task_: Any, *, queueing_lock: str | None = None, schedule_in: dict | None = None,
                **kwargs: Any) -> int | None:
    """Queue a job; its id, or None when `queueing_lock` already has a job waiting (that job will
    do the work: tasks read their state from Kizuna's tables when they run)."""
    options: dict[str, Any] = {}
    if queueing_lock is not None:
        options["queueing_lock"] = queueing_lock
    if schedule_in is not None:
        options["schedule_in"] = schedule_in
    try:
        if options:
            return await task_.configure(**options).defer_async(**kwargs)
        return await task_.defer_async(**kwargs)
    except job_errors.AlreadyEnqueued:
        return None


# ---- start-up hooks --------------------------------------------------------------------------

_startup_hooks: list[Callable[[], Awaitable[Any]]] = []


def on_startup(hook: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
    """Register `async hook()`, run when an embedded worker starts on the in-memory queue (a
    restart lost its jobs): it asks Kizuna's tables what is pending and defers it (with queueing
    locks, so running twice is harmless). Register from a module in TASK_MODULES."""
    if hook not in _startup_hooks:
        _startup_hooks.append(hook)
    return hook


async def requeue() -> None:
    """Run every start-up hook; one that fails is logged and the others still run."""
    for hook in list(_startup_hooks):
        try:
            await hook()
        except Exception:
            log.exception("jobs: start-up hook %s failed", getattr(hook, "__qualname__", hook))


# ---- workers ---------------------------------------------------------------------------------

class QueueNotReady(RuntimeError):
    """PostgreSQL has no job queue yet (migrations not applied)."""


def _worker_options(**overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "concurrency": settings.JOBS_CONCURRENCY,
        "fetch_job_polling_interval": settings.JOBS_POLL_INTERVAL,
        "shutdown_graceful_timeout": settings.JOBS_SHUTDOWN_TIMEOUT,
        # in memory nobody can inspect finished jobs; in PostgreSQL failed ones stay for a while
        # (prune_finished_jobs) so that an operator can see what failed
        "delete_jobs": "always" if in_memory() else "successful",
    }
    options.update(overrides)
    return options


@asynccontextmanager
async def running(*, worker: bool) -> AsyncIterator[None]:
    """The server's share (app.main's lifespan, inside the ORM's): open the queue so requests can
    defer, and with `worker` run jobs in this process until the server stops."""
    app = engine()
    async with app.open_async():
        runner = None
        if worker:
            app.perform_import_paths()
            if in_memory():
                await requeue()
            runner = asyncio.create_task(
                app.run_worker_async(**_worker_options(name="embedded", install_signal_handlers=False)),
                name="kizuna jobs worker")
            runner.add_done_callback(_report_end)
        try:
            yield
        finally:
            if runner is not None:
                await _stop(runner)


def _report_end(runner: asyncio.Task) -> None:
    if not runner.cancelled() and runner.exception() is not None:
        log.error("jobs: the embedded worker stopped", exc_info=runner.exception())


async def _stop(runner: asyncio.Task) -> None:
    # Cancelling run_worker_async is procrastinate's way to stop a worker from outside: it lets
    # running jobs finish (up to JOBS_SHUTDOWN_TIMEOUT), then cancels them.
    runner.cancel()
    try:
        await runner
    except asyncio.CancelledError:
        pass
    except Exception:
        pass  # already logged by _report_end


async def work(*, concurrency: int | None = None, queues: Iterable[str] | None = None) -> None:
    """A worker in the foreground until SIGINT/SIGTERM (`python -m app.cli worker`): running jobs
    finish (up to JOBS_SHUTDOWN_TIMEOUT) before it returns."""
    app = engine()
    async with app.open_async():
        if is_postgres() and not await app.check_connection_async():
            raise QueueNotReady("the job queue's tables are missing: run `python -m app.cli migrate` first")
        await app.run_worker_async(**_worker_options(
            name=f"worker-{os.getpid()}", queues=list(queues) if queues else None,
            **({"concurrency": concurrency} if concurrency else {})))


async def run_pending(*, queues: Iterable[str] | None = None, raise_errors: bool = True) -> int:
    """Tests: run the queued jobs that are due, and those they queue, one after another, then
    return how many ran. Periodic schedules are left out (the outcome must not depend on the
    clock). With `raise_errors`, jobs that failed raise an ExceptionGroup of their errors."""
    app = engine()
    # The task modules register their schedules when imported: before the schedules are set
    # aside, or the worker's own import would put them in the empty registry it runs with.
    app.perform_import_paths()
    ran = 0
    errors: list[BaseException] = []

    async def watch(call_next, context, worker):
        nonlocal ran
        ran += 1
        try:
            return await call_next()
        except Exception as exc:
            errors.append(exc)
            raise

    with _without_schedules(app):
        await app.run_worker_async(**_worker_options(
            name="run_pending", wait=False, concurrency=1, install_signal_handlers=False, listen_notify=False,
            queues=list(queues) if queues else None, worker_middleware=[watch]))
    if errors and raise_errors:
        raise ExceptionGroup(f"{len(errors)} job(s) failed", errors)
    return ran


@contextmanager
def _without_schedules(app: procrastinate.App):
    registry, app.periodic_registry = app.periodic_registry, PeriodicRegistry()
    try:
        yield
    finally:
        app.periodic_registry = registry


# ---- one at a time ---------------------------------------------------------------------------

def lock_id(key: str) -> int:
    """A signed 64-bit number for `key` (PostgreSQL advisory locks take a bigint), namespaced so
    that other software on the same database does not collide with Kizuna's keys."""
    digest = hashlib.blake2b(f"kizuna:{key}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@asynccontextmanager
async def one_at_a_time(key: str) -> AsyncIterator[bool]:
    """`async with one_at_a_time("mailbox:7") as mine:` -- `mine` is True when this run holds the
    key (until the block ends), False when another run, in any process, holds it now. Never waits.

    PostgreSQL: an advisory lock on a connection of its own, held for the block; PostgreSQL
    releases it if the process dies. Embedded: an exclusive lock on a file under KIZUNA_VAR_DIR,
    which the kernel releases the same way -- it also keeps apart several server processes
    sharing one SQLite file (uvicorn --workers), each with its own in-memory queue."""
    holder = advisory_lock(settings.DATABASE_URL, key) if is_postgres() else file_lock(key)
    async with holder as mine:
        yield mine


@asynccontextmanager
async def advisory_lock(url: str, key: str) -> AsyncIterator[bool]:
    import psycopg

    # A connection of its own: a pooled one could go back to the pool still holding the lock.
    conn = await psycopg.AsyncConnection.connect(conninfo(url), autocommit=True)
    try:
        cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_id(key),))
        row = await cursor.fetchone()
        mine = bool(row and row[0])
        try:
            yield mine
        finally:
            if mine and not conn.closed:
                try:  # release now, not when the server notices the closed connection
                    await conn.execute("SELECT pg_advisory_unlock(%s)", (lock_id(key),))
                except psycopg.Error:
                    pass  # closing below releases it too
    finally:
        await conn.close()


@asynccontextmanager
async def file_lock(key: str, directory: Path | None = None) -> AsyncIterator[bool]:
    folder = directory or settings.VAR_DIR / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    # flock locks belong to the open file: two opens conflict even within one process
    fd = os.open(folder / f"{lock_id(key) & 0xFFFFFFFFFFFFFFFF:016x}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        mine = True
    except BlockingIOError:
        mine = False
    try:
        yield mine
    finally:
        os.close(fd)  # closing the file releases its lock


# ---- housekeeping ----------------------------------------------------------------------------

@periodic(cron="17 3 * * *")
@task(queue="maintenance", name="kizuna.prune_finished_jobs")
async def prune_finished_jobs(timestamp: int) -> None:
    """Finished jobs older than two weeks leave the queue's tables (successful ones leave at once;
    failed ones stay that long for an operator to look at)."""
    await engine().job_manager.delete_old_jobs(
        nb_hours=14 * 24, include_failed=True, include_cancelled=True, include_aborted=True)
