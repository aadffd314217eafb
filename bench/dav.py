"""CalDAV/CardDAV (issue 14): a client's sync-collection when nothing changed, on an address book
of 1,000 and of 10,000 contacts. Printed per size: the SQL statements that request sends (the
same whatever the size: the collection's stamp is compared, nothing is listed) and its median
time, and the first sync, which builds the collection (every contact becomes an item).

Each size has a Sales user of its own owning exactly that many contacts, signed in as a DAV
client (HTTP Basic, a dav-scoped token), through the whole ASGI application."""

from __future__ import annotations

import base64
import logging
import statistics
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import httpx
from tortoise.log import db_client_logger
from tortoise.transactions import in_transaction

from app.auth import create_api_token
from app.mail import rows
from app.main import create_app
from app.models import Contact, Role, User
from bench.pim import _existing_rows

SYNC = ('<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token>'
        "<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>")
BOOK = "/dav/addressbooks/contacts/"
REPEAT = 20


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.n = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.n += 1


async def _counted(call) -> tuple[int, object]:
    handler, level = _Count(), db_client_logger.level
    db_client_logger.addHandler(handler)
    db_client_logger.setLevel(logging.DEBUG)
    try:
        result = await call()
    finally:
        db_client_logger.removeHandler(handler)
        db_client_logger.setLevel(level)
    return handler.n, result


async def _one(client: httpx.AsyncClient, n: int) -> str:
    sales = await Role.get(name="Sales")
    user = await User.create(email=f"dav-{n}@bench.example", name=f"dav {n}", password_hash="x", role=sales)
    columns, values = _existing_rows(user.id, n, datetime.now(UTC))
    async with in_transaction() as tx:
        await rows.insert(tx, Contact, columns, values)
    _, secret = await create_api_token(user, "bench phone", scopes=["dav"])
    headers = {"Authorization": "Basic " + base64.b64encode(f"{user.email}:{secret}".encode()).decode()}

    async def sync(token: str = "") -> httpx.Response:
        response = await client.request("REPORT", BOOK, content=SYNC.format(token=token), headers=headers)
        assert response.status_code == 207, response.text
        return response

    t = time.perf_counter()
    token, items = "", 0
    while True:  # a big collection comes in pages (RFC 6578 truncation, a 507 for the collection)
        doc = ET.fromstring((await sync(token)).content)
        token = doc.findtext("{DAV:}sync-token")
        found = [r.findtext("{DAV:}href") for r in doc.findall("{DAV:}response")]
        items += sum(1 for h in found if h != BOOK)
        if BOOK not in found:
            break
    building = time.perf_counter() - t
    assert items == n, items
    await sync(token)  # the user's reach is kept from here on, as for any client that syncs
    queries, response = await _counted(lambda: sync(token))
    assert ET.fromstring(response.content).findall("{DAV:}response") == []
    times = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        await sync(token)
        times.append(time.perf_counter() - t)
    return (f"{n:,} contacts: {queries} queries, median {statistics.median(times) * 1000:.1f} ms "
            f"(first sync, building the collection: {building:.2f} s)")


async def run(ctx, admin: User, label: str) -> str:
    app = create_app(manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        parts = [await _one(client, n) for n in (1_000, 10_000)]
    return "DAV sync-collection with no changes: " + "; ".join(parts)
