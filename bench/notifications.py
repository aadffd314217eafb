"""Notifications (issue 13): 1,000 portal events (viewed, commented, paid, spread over 100
invoices) recorded in their transactions, delivered by the embedded job worker (the SQLite
deployment's, with its periodic sweep) to a signed-webhook receiver on loopback that fails 30% of
first attempts (500). Printed: p50/p95 event-to-delivery time, and that nothing was lost or
doubled (each webhook-id received successfully exactly once, in order per invoice).
Deliveries of one invoice go out in order, so an event waits for the retries of the failed ones
before it (ten events per invoice here): the first retry comes 1 s after a failure."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
import hashlib
import socket
import statistics
import threading
import time
from decimal import Decimal

import uvicorn
from tortoise.transactions import in_transaction

from app import jobs, notification_tasks
from app.models import (
    BooksContact,
    Delivery,
    DeliveryStatus,
    Destination,
    EventType,
    Kind,
    Membership,
    Organization,
    Transaction,
    User,
)
from app.services import notifications

EVENTS = 1_000
INVOICES = 100
FAIL_SHARE = int(__import__("os").environ.get("BENCH_FAIL", "30"))  # percent of first attempts answered 500
TYPES = [EventType.INVOICE_VIEWED, EventType.INVOICE_COMMENTED, EventType.INVOICE_PAID]


class Receiver:
    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.arrived: dict[str, float] = {}
        self.duplicates = 0
        self.order: dict[str, list[int]] = {}

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
        msg_id = headers.get("webhook-id", "")
        first = msg_id not in self.seen
        self.seen.add(msg_id)
        fail = first and int(hashlib.sha256(msg_id.encode()).hexdigest(), 16) % 100 < FAIL_SHARE
        if not fail:
            if msg_id in self.arrived:
                self.duplicates += 1
            else:
                self.arrived[msg_id] = time.time()
                import json

                data = json.loads(body)["data"]
                self.order.setdefault(str(data.get("document_id")), []).append(int(data["event_id"]))
        status = 500 if fail else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@asynccontextmanager
async def _worker():
    """The embedded worker, on the notifications' queue only (the bench's other data has
    mailboxes and links whose jobs are not measured here)."""
    app = jobs.engine()
    async with app.open_async():
        app.perform_import_paths()
        runner = asyncio.create_task(app.run_worker_async(**jobs._worker_options(
            name="bench", queues=[notification_tasks.QUEUE], install_signal_handlers=False)))
        try:
            yield
        finally:
            runner.cancel()
            try:
                await runner
            except (asyncio.CancelledError, Exception):
                pass


def _serve(app) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}/hook"


async def run(ctx, admin: User, label: str) -> str:
    receiver = Receiver()
    server, thread, url = _serve(receiver)
    try:
        org = await Organization.create(name="通知ベンチ", language="ja")
        await Membership.create(organization=org, user=admin)
        customer = await BooksContact.create(organization=org, display_name="株式会社ベンチ")
        invoices = [await Transaction.create(
            organization=org, kind=Kind.INVOICE, number=f"N-{i:05d}", contact=customer, issue_date="2026-04-01",
            portal_token=f"bench-notify-{org.id}-{i}", created_by=admin, salesperson=admin, total=Decimal(1000))
            for i in range(INVOICES)]
        destination = await Destination.create(
            organization=org, kind="webhook", name="bench", url=url, secret="whsec_" + "QmVuY2hCZW5jaEJlbmNoQmVuY2g=",
            event_types=[t.value for t in EventType], allow_private_network=True, rate_per_minute=100_000)
        created: dict[str, float] = {}
        started = time.perf_counter()
        async with _worker():
            for i in range(EVENTS):
                txn = invoices[i % INVOICES]
                async with in_transaction() as conn:
                    event = await notifications.record(TYPES[(i // INVOICES) % 3], txn, actor="山田 太郎",
                                                       data={"amount": "1000", "comment": "確認しました"}, conn=conn)
                created[f"msg_{event.id}_{destination.id}"] = time.time()
                await notification_tasks.kick()  # after the commit, as the portal does
                await asyncio.sleep(0.002)  # events arrive over ~2 s, not in one burst
            recorded = time.perf_counter() - started
            deadline = time.monotonic() + 120
            while len(receiver.arrived) < EVENTS and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - started
        latencies = sorted(receiver.arrived[k] - created[k] for k in created if k in receiver.arrived)
        lost = EVENTS - len(latencies)
        in_order = all(ids == sorted(ids) for ids in receiver.order.values())
        delivered = await Delivery.filter(destination_id=destination.id, status=DeliveryStatus.DELIVERED).count()
        p50 = statistics.median(latencies) if latencies else float("nan")
        p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
        return (f"notifications: {EVENTS} events, {FAIL_SHARE}% of first attempts failed: p50 {p50 * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms event-to-delivery; {len(latencies)} delivered ({delivered} logged), "
                f"{lost} lost, {receiver.duplicates} doubled, in order per invoice: {in_order}; recorded in {recorded:.1f} s, all delivered in {elapsed:.1f} s")
    finally:
        server.should_exit = True
        thread.join(5)
