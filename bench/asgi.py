"""A request straight into the ASGI application, as uvicorn hands it over.

The benchmarks time the server: routing, middleware, authentication, strawberry's view, the
executor and JSON encoding all run. What a client library adds on its side (httpx's ASGI transport
builds and parses whole HTTP messages, and probes for trio on every request) is not Kizuna's cost.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message

from app.auth import create_api_token, digest
from app.main import create_app


async def post_json(app: ASGIApp, path: str, payload: Any, headers: dict[str, str]) -> tuple[int, bytes]:
    body = json.dumps(payload).encode()
    return await call(app, "POST", path, body, {"content-type": "application/json", **headers})


async def get(app: ASGIApp, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    return await call(app, "GET", path, b"", headers)


async def call(app: ASGIApp, method: str, target: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """One HTTP request as uvicorn hands it to the application: (status, body)."""
    path, _, query = target.partition("?")
    raw_headers = [(b"host", b"bench"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": raw_headers, "client": ("127.0.0.1", 50000), "server": ("bench", 80),
    }
    received = False

    async def receive() -> Message:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    status, chunks = 0, []

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


class ApiClient:
    """The benchmarks' API user: a fresh bearer token against a fresh application."""

    def __init__(self, secret: str) -> None:
        self.app = create_app(manage_db=False)
        self.headers = {"Authorization": f"Bearer {secret}"}
        self.token_hash = digest(secret)  # what the hand-written SQL looks the token up by

    @classmethod
    async def for_user(cls, user: Any, name: str) -> ApiClient:
        _, secret = await create_api_token(user, name)
        return cls(secret)

    def caller(self, query: str):
        """The GraphQL side of a benchmark: post `query`, expect 200, return the body."""

        async def call() -> bytes:
            status, body = await post_json(self.app, "/graphql", {"query": query}, self.headers)
            assert status == 200, body
            return body

        return call
