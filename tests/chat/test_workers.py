"""Two uvicorn worker processes on PostgreSQL: a message posted through one reaches a user whose
event stream is open on the other (LISTEN/NOTIFY fan-out). PostgreSQL only."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from tortoise.context import TortoiseContext

from app.db import tortoise_config
from bench.chat import PASSWORD, sign_in, sse_events, uvicorn_workers
from tests.conftest import PG_URL
from tests.unit.test_jobs import scratch_pg  # noqa: F401 - a fixture

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL run only (KIZUNA_TEST_DATABASE_URL)")


async def test_a_message_posted_on_one_worker_reaches_a_reader_on_the_other(scratch_pg, tmp_path):
    from bench.chat import _people

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(scratch_pg))
        _alice, _bob, channel = await _people()
        async with uvicorn_workers(scratch_pg, 2, tmp_path) as (one, two), \
                httpx.AsyncClient(base_url=one, timeout=20) as alice, \
                httpx.AsyncClient(base_url=two, timeout=20) as bob:
            token = await sign_in(alice, "alice@bench.example", PASSWORD)
            await sign_in(bob, "bob@bench.example", PASSWORD)
            async with bob.stream("GET", "/chat/stream") as stream:
                events = sse_events(stream)
                response = await alice.post(f"/chat/{channel.id}/messages",
                                            data={"body": "工場から <こんにちは>", "csrf_token": token})
                assert response.status_code == 303
                event = await asyncio.wait_for(anext(events), 15)
                last_id = event["id"]
            assert event["event"] == f"chat-{channel.id}"
            assert "工場から &lt;こんにちは&gt;" in event["data"]

            # Bob went away; two messages later he reconnects to worker one and catches up.
            for body in ("second", "third"):
                await alice.post(f"/chat/{channel.id}/messages", data={"body": body, "csrf_token": token})
            async with httpx.AsyncClient(base_url=one, timeout=20, cookies=bob.cookies) as bob_again:
                async with bob_again.stream("GET", "/chat/stream", headers={"Last-Event-ID": last_id}) as stream:
                    events = sse_events(stream)
                    caught_up = [await asyncio.wait_for(anext(events), 15) for _ in range(2)]
            assert ["second" in caught_up[0]["data"], "third" in caught_up[1]["data"]] == [True, True]
