"""The live bus: wakes the live streams (chat SSE) of this process when something they show
changed, in any process.

On PostgreSQL a change is announced with `pg_notify` inside the writer's transaction (so it is
sent at commit, and never for a rolled-back change); each process LISTENs on one dedicated
asyncpg connection, opened when its first stream subscribes, and wakes its streams. On SQLite
(embedded, one process) `announce` wakes the streams of this process right after the commit.

The payload carries only ids: a woken stream reads what changed from the database with its own
reader's permissions. A wake-up that is lost (the listener reconnecting) is made good by the
streams' heartbeat, which reads anything newer than what they sent.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import contextmanager
from typing import Iterator

from tortoise import connections

log = logging.getLogger(__name__)

CHANNEL = "kizuna_live"


def _dialect(conn=None) -> str:
    return (conn or connections.get("default")).capabilities.dialect


class _Bus:
    """The subscribers of this process (one queue per open stream) and its LISTEN connection."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.listener = None  # asyncpg connection
        self.listening: asyncio.Task | None = None

    def wake(self, payload: str) -> None:
        for queue in list(self.queues):
            if queue.qsize() < 100:  # a slow reader is woken once; it reads from the database
                queue.put_nowait(payload)

    async def ensure_listener(self) -> None:
        if _dialect() != "postgres" or (self.listener is not None and not self.listener.is_closed()):
            return
        import asyncpg

        client = connections.get("default")
        self.listener = await asyncpg.connect(
            user=client.user, password=client.password, database=client.database,
            host=client.host, port=client.port)
        await self.listener.add_listener(CHANNEL, lambda _c, _pid, _ch, payload: self.wake(payload))

    async def close(self) -> None:
        if self.listener is not None and not self.listener.is_closed():
            await self.listener.close()
        self.listener = None


_buses: dict[asyncio.AbstractEventLoop, _Bus] = {}


def _bus() -> _Bus:
    loop = asyncio.get_running_loop()
    bus = _buses.get(loop)
    if bus is None:
        for old in [key for key in _buses if key.is_closed()]:
            del _buses[old]
        bus = _buses[loop] = _Bus()
    return bus


@contextmanager
def _subscribed() -> Iterator[asyncio.Queue]:
    bus = _bus()
    queue: asyncio.Queue = asyncio.Queue()
    bus.queues.add(queue)
    try:
        yield queue
    finally:
        bus.queues.discard(queue)


class Subscription:
    """`async with subscribe() as wait:` then `await wait(timeout)` -> payloads (maybe empty)."""

    def __init__(self) -> None:
        self._cm = _subscribed()
        self.queue: asyncio.Queue | None = None

    async def __aenter__(self) -> Subscription:
        self.queue = self._cm.__enter__()
        try:
            await _bus().ensure_listener()
        except Exception:  # the heartbeat still catches up; the stream must not fail for it
            log.exception("live: cannot LISTEN; streams fall back to their heartbeat")
        return self

    async def __aexit__(self, *exc) -> None:
        self._cm.__exit__(*exc)

    async def wait(self, timeout: float) -> list[str]:
        assert self.queue is not None
        try:
            first = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return []
        payloads = [first]
        while not self.queue.empty():
            payloads.append(self.queue.get_nowait())
        return payloads


def subscribe() -> Subscription:
    return Subscription()


async def announce(payload: str, conn=None) -> None:
    """Announce a change, inside the writer's transaction (`conn`): PostgreSQL sends it at
    commit to every process. On SQLite call it after the commit: it wakes this process now."""
    if _dialect(conn) == "postgres":
        await (conn or connections.get("default")).execute_query(
            "SELECT pg_notify($1, $2)", [CHANNEL, payload])
    else:
        _bus().wake(payload)


async def close() -> None:
    bus = _buses.pop(asyncio.get_running_loop(), None)
    if bus is not None:
        await bus.close()
