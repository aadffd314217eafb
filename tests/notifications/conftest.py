"""Real HTTP receivers on loopback (uvicorn in a thread) answering from a script, a clock the
delivery service reads, and an organization with invoices to raise events about."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest
import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from tortoise.transactions import in_transaction

from app import jobs, notification_tasks
from app.services import notification_delivery, notification_http, notifications
from tests import factories as f
from tests.conftest import Clock


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered
    verified: bool | None = None  # signature checked with the Standard Webhooks library

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """`script`: answers for the next requests, in order -- a status, (status, headers), or
    "stall" (answers after the client gave up); then `default`."""

    script: list = field(default_factory=list)
    default: int = 200
    secret: str | None = None
    received: list[Received] = field(default_factory=list)
    url: str = ""
    fail_once: set = field(default_factory=set)  # webhook-ids answered 500 the first time
    closed: threading.Event = field(default_factory=threading.Event)  # the server is stopping

    def delivered(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        answer = self.script.pop(0) if self.script else self.default
        if headers.get("webhook-id") in self.fail_once:
            self.fail_once.discard(headers["webhook-id"])
            answer = 500
        extra: dict[str, str] = {}
        stall = answer == "stall"
        if stall:
            answer = 503  # never seen: the client gave up
        if isinstance(answer, tuple):
            answer, extra = answer
        verified = None
        if self.secret is not None:
            try:
                Webhook(self.secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        self.received.append(Received(scope["path"], headers, body, answer, verified))
        if stall:
            await asyncio.sleep(STALL)
        await send({"type": "http.response.start", "status": answer,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in extra.items()]})
        if answer == FLOOD:  # an endless answer: the client must stop reading on its own
            chunk = "あ".encode() * 20_000
            while not self.closed.is_set():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            return
        await send({"type": "http.response.body", "body": b"ok" if answer < 300 else b"nope"})


STALL = 1.0  # the receiver's stall; the client's timeout is shorter (below)
FLOOD = 599  # a status the script uses for "answer with an endless body"


@pytest.fixture
def receiver():
    app = Receiver()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("receiver did not start")
        time.sleep(0.01)
    app.url = f"http://127.0.0.1:{port}/hook"
    yield app
    app.closed.set()
    server.should_exit = True
    thread.join(5)
    sock.close()


@pytest.fixture(autouse=True)
def empty_queue(monkeypatch):
    import httpx

    if jobs.in_memory():
        jobs.engine().connector.reset()
    monkeypatch.setattr(notification_http, "TIMEOUT", httpx.Timeout(0.3))
    monkeypatch.setattr(notification_tasks, "LINGER", 0.0)  # the clock is driven by the tests
    yield


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(notification_delivery, "_now", clock)
    monkeypatch.setattr(notifications, "_now", clock)
    return clock


@dataclass
class World:
    admin: object
    seller: object
    principal: object
    org: object
    customer: object


@pytest.fixture
async def world(db):
    admin = await f.make_user("Administrator", email="notify-admin@example.jp")
    seller = await f.make_user("Sales", email="notify-seller@example.jp")
    org = await f.make_org(admin, seller, language="en")
    principal = await f.principal_for(admin)
    customer = await f.make_customer(org, display_name="株式会社みどり")
    return World(admin, seller, principal, org, customer)


async def invoice(world: World, **kw):
    return await f.make_transaction(world.principal, "invoice", world.customer, organization_id=world.org.id,
                                    salesperson_id=world.seller.id, **kw)


async def raise_event(txn, event_type, **data):
    async with in_transaction() as conn:
        return await notifications.record(event_type, txn, actor="山田 太郎", data=data, conn=conn)


async def run(clock=None, advance: float = 0) -> int:
    """Advance the clock, then what the periodic sweep does, and every job it leads to."""
    if clock is not None and advance:
        clock.advance(advance)
    await notification_tasks.sweep_now()
    return await jobs.run_pending(queues=[notification_tasks.QUEUE])
