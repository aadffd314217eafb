"""The embedded queue: procrastinate's in-memory connector, fit to run for months in a server.

procrastinate ships `InMemoryConnector` for tests. It keeps every query it was asked (a worker
polls every few seconds: tens of thousands a day) and the events of deleted jobs. This subclass
keeps neither. It is the one module that reads procrastinate's internals (`reverse_queries`, the
`<query>_<suffix>` method naming, `events`, `finish_job_run`, `cancel_job_one`,
`delete_old_jobs_run`); tests/unit/test_canary.py checks them, and procrastinate is pinned exactly.
"""

from __future__ import annotations

from typing import Any, Literal

from procrastinate.testing import InMemoryConnector


class EmbeddedConnector(InMemoryConnector):
    async def generic_execute(self, query: str, suffix: Literal["run", "one", "all"], **arguments: Any) -> Any:
        # as the parent, without appending to self.queries
        return await getattr(self, f"{self.reverse_queries[query]}_{suffix}")(**arguments)

    def _forget_deleted(self) -> None:
        for job_id in self.events.keys() - self.jobs.keys():
            del self.events[job_id]

    async def finish_job_run(self, job_id: int, status: str, delete_job: bool) -> None:
        await super().finish_job_run(job_id=job_id, status=status, delete_job=delete_job)
        if delete_job:
            self.events.pop(job_id, None)

    async def cancel_job_one(self, job_id: int, abort: bool, delete_job: bool) -> dict[str, Any]:
        result = await super().cancel_job_one(job_id=job_id, abort=abort, delete_job=delete_job)
        self._forget_deleted()
        return result

    async def delete_old_jobs_run(self, nb_hours: int, queue: str, statuses) -> None:
        await super().delete_old_jobs_run(nb_hours=nb_hours, queue=queue, statuses=statuses)
        self._forget_deleted()
