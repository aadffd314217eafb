"""DAV tests: in-process requests (httpx on the ASGI app) for the protocol, and a live server
(uvicorn on loopback, module-scoped) for real clients: the caldav library and vdirsyncer."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import httpx
import pytest_asyncio

from app import auth
from app.models import User
from tests.factories import make_user


@dataclass
class DavUser:
    user: User
    token: str

    @property
    def basic(self) -> dict[str, str]:
        raw = f"{self.user.email}:{self.token}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def dav_user(role: str = "Sales", **kw) -> DavUser:
    user = await make_user(role, **kw)
    _, secret = await auth.create_api_token(user, "Phone", scopes=["dav"])
    return DavUser(user, secret)


@pytest_asyncio.fixture
async def alice(db) -> DavUser:
    return await dav_user("Sales")


def propfind_body(*props: str) -> str:
    inner = "".join(props)
    return (f'<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/" '
            f'xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav">'
            f"<d:prop>{inner}</d:prop></d:propfind>")


def sync_body(token: str = "", *props: str, limit: int | None = None) -> str:
    inner = "".join(props) or "<d:getetag/>"
    lim = f"<d:limit><d:nresults>{limit}</d:nresults></d:limit>" if limit else ""
    return (f'<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" '
            f'xmlns:card="urn:ietf:params:xml:ns:carddav"><d:sync-token>{token}</d:sync-token>'
            f"<d:sync-level>1</d:sync-level>{lim}<d:prop>{inner}</d:prop></d:sync-collection>")


async def request(client: httpx.AsyncClient, who: DavUser, method: str, url: str, body: str | bytes = b"",
                  **headers: str) -> httpx.Response:
    hdrs = {**who.basic, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return await client.request(method, url, content=body, headers=hdrs)


# ---- a live server for real clients (module-scoped: started once for a module's tests) --------

import pytest  # noqa: E402
from tests.browser.conftest import prepared_db, running_server  # noqa: E402


@pytest.fixture(scope="module")
def dav_db_url(database_url, tmp_path_factory) -> str:
    if database_url.startswith("postgres"):
        return database_url
    return f"sqlite://{tmp_path_factory.mktemp('dav-db') / 'live.sqlite3'}"


@pytest_asyncio.fixture(scope="module")
async def dav_db(dav_db_url):
    """The live server's database, emptied once for the module, opened in the test process too
    (records are prepared and checked through the services)."""
    async with prepared_db(dav_db_url) as ctx:
        yield ctx


@pytest.fixture(scope="module")
def dav_server(dav_db, dav_db_url, tmp_path_factory) -> str:
    with running_server(dav_db_url, tmp_path_factory.mktemp("dav-var")) as url:
        yield url
