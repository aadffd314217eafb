"""Chat latency: a message posted through one web worker until a user connected to another worker
reads it on their event stream (PostgreSQL: two uvicorn processes, LISTEN/NOTIFY between them).
On SQLite (embedded, one process) it times the in-process fan-out: post to stream wake-up and
replay from the database.

The helpers here (real uvicorn workers, signing in over HTTP, reading an SSE stream) are shared
with tests/chat/test_workers.py.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from app import settings

PASSWORD = "bench-password-1234"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def uvicorn_workers(db_url: str, count: int, log_dir: Path):
    """`count` uvicorn processes on loopback ports against a migrated database; yields base URLs."""
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR), "DATABASE_URL": db_url,
           "KIZUNA_VAR_DIR": str(log_dir / "var"), "KIZUNA_SECRET_KEY": "chat-workers"}
    env.pop("KIZUNA_JOBS_EMBEDDED", None)
    ports = [free_port() for _ in range(count)]
    logs = [open(log_dir / f"worker{i}.log", "w+") for i in range(count)]
    procs = [subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "app.main:app_factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT) for port, log in zip(ports, logs)]
    try:
        deadline = time.monotonic() + 60
        for proc, port, log in zip(procs, ports, logs):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"worker did not start:\n{log.read()}")
                    await asyncio.sleep(0.05)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=15)
        for log in logs:
            log.close()


def csrf_of(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    token = csrf_of((await client.get("/login")).text)
    response = await client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.text[:500]
    return csrf_of((await client.get("/chat")).text)


async def sse_events(response: httpx.Response):
    """Yield the events of an SSE response as dicts (id, event, data); comments skipped."""
    current: dict = {"data": []}
    async for line in response.aiter_lines():
        if line == "":
            if current.get("event"):
                yield {**current, "data": "\n".join(current["data"])}
            current = {"data": []}
        elif line.startswith("data: "):
            current["data"].append(line[6:])
        elif line.startswith(("id: ", "event: ")):
            key, _, value = line.partition(": ")
            current[key] = value


async def _people():
    from app.auth import HASHER
    from app.models import Role, User
    from app.services import chat
    from app.services.users import ensure_default_roles
    from app.permissions import Principal

    await ensure_default_roles()
    role = await Role.get(name="Sales")
    digest = HASHER.hash(PASSWORD)
    alice = await User.create(email="alice@bench.example", name="Alice", password_hash=digest, role=role)
    bob = await User.create(email="bob@bench.example", name="Bob", password_hash=digest, role=role)
    channel = await chat.create_channel(await Principal.load(alice), "bench", member_ids=[bob.id])
    return alice, bob, channel


def _p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2] * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


async def across_workers(db_url: str, messages: int, log_dir: Path) -> tuple[float, float]:
    """Median and p95 (ms) from POST on worker 1 to the event on worker 2's stream."""
    await _people()
    from app.models import Channel

    channel = await Channel.get(name="bench")
    async with uvicorn_workers(db_url, 2, log_dir) as (one, two), \
            httpx.AsyncClient(base_url=one, timeout=20) as alice, \
            httpx.AsyncClient(base_url=two, timeout=None) as bob:
        token = await sign_in(alice, "alice@bench.example", PASSWORD)
        await sign_in(bob, "bob@bench.example", PASSWORD)
        samples = []
        async with bob.stream("GET", "/chat/stream") as stream:
            events = sse_events(stream)
            for n in range(messages):
                started = time.perf_counter()
                await alice.post(f"/chat/{channel.id}/messages", data={"body": f"m{n}", "csrf_token": token},
                                 headers={"HX-Request": "true"})
                event = await asyncio.wait_for(anext(events), 10)
                assert f"m{n}<" in event["data"] or f">m{n}" in event["data"], event
                samples.append(time.perf_counter() - started)
    return _p95(samples)


async def in_process(messages: int) -> tuple[float, float]:
    """Median and p95 (ms) from post_message to the woken stream having read the message."""
    from app import live
    from app.permissions import Principal
    from app.services import chat

    alice, bob, channel = await _people()
    pa, pb = await Principal.load(alice), await Principal.load(bob)
    last = await chat.latest_event_id()
    samples = []
    async with live.subscribe() as subscription:
        for n in range(messages):
            started = time.perf_counter()
            await chat.post_message(pa, channel.id, f"m{n}")
            await subscription.wait(10)
            batch = await chat.events_after(pb, last)
            last = batch[-1][0].id
            samples.append(time.perf_counter() - started)
    return _p95(samples)


async def run(label: str, db_url: str, messages: int) -> str:
    import tempfile

    if db_url.startswith("postgres"):
        median, p95 = await across_workers(db_url, messages, Path(tempfile.mkdtemp(prefix="kizuna-chat-")))
        return (f"chat: {messages} messages across two uvicorn workers (LISTEN/NOTIFY): "
                f"median {median:.1f} ms, p95 {p95:.1f} ms")
    median, p95 = await in_process(messages)
    return f"chat: {messages} messages, in-process fan-out: median {median:.1f} ms, p95 {p95:.1f} ms"
