"""A real HTTP server in the test's own process and event loop (uvicorn), on the test's database:
httpx's ASGI transport buffers whole responses, and an event stream never ends."""

from __future__ import annotations

import asyncio
import socket

import pytest
import pytest_asyncio
import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest_asyncio.fixture
async def server(db, asgi_app):
    config = uvicorn.Config(asgi_app, host="127.0.0.1", port=free_port(), log_level="warning",
                            lifespan="off", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    await task
    from app import live

    await live.close()


@pytest.fixture(autouse=True)
def _forget_bar_settings():
    """The bar settings a process last read outlive a test's database: start and end each test
    with the defaults."""
    from app.models import ChatSettings
    from app.services import chat

    chat._last_settings = ChatSettings(id=1)
    yield
    chat._last_settings = ChatSettings(id=1)
