"""A task for the two-worker test (tests/unit/test_jobs.py): worker processes load it with
`python -m app.cli worker --tasks-from tests.jobs_tasks`.

Like a mailbox sync, it holds `one_at_a_time("x")` for its run and records its start and end in
`job_runs` (database clock, so both processes share one); a run that finds the key taken records
a skip and queues itself again a little later, so that every job is eventually done exactly once.
"""

from __future__ import annotations

import asyncio
import os

from tortoise import connections

from app import jobs

QUEUE = "overlap-test"
TABLES = (
    "CREATE TABLE job_runs (n integer NOT NULL, pid integer NOT NULL, "
    "started timestamptz NOT NULL, ended timestamptz)",
    "CREATE TABLE job_skips (n integer NOT NULL, pid integer NOT NULL)",
)


@jobs.task(queue=QUEUE, name="tests.overlap")
async def overlap(n: int, work_seconds: float = 0.05) -> None:
    conn = connections.get("default")
    async with jobs.one_at_a_time("x") as mine:
        if not mine:
            await conn.execute_query("INSERT INTO job_skips (n, pid) VALUES ($1, $2)", [n, os.getpid()])
            await jobs.defer(overlap, n=n, work_seconds=work_seconds, schedule_in={"seconds": 0.1})
            return
        await conn.execute_query(
            "INSERT INTO job_runs (n, pid, started) VALUES ($1, $2, clock_timestamp())", [n, os.getpid()])
        await asyncio.sleep(work_seconds)  # the work: a window for another run to overlap
        await conn.execute_query(
            "UPDATE job_runs SET ended = clock_timestamp() WHERE n = $1 AND ended IS NULL", [n])
