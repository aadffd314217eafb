"""What the DAV modules share: the URL space, the request context, errors and bodies.

    /dav/                                  root
    /dav/principal/                        the signed-in user
    /dav/addressbooks/ , /dav/calendars/   the homes
    /dav/addressbooks/contacts/<item>      the address book and its vCards
    /dav/calendars/calendar/<item>         the calendar and its events and tasks

Every user sees only their own collections, so no URL names a user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from app import auth
from app.i18n import gettext
from app.limits import BodyTooLarge
from app.models import ApiToken
from app.permissions import Principal
from app.pim import collections
from app.pim.collections import SPECS, Spec, View

ROOT = "/dav/"
PRINCIPAL = ROOT + "principal/"
HOMES = {s.home: s for s in SPECS.values()}  # one collection per home
MAX_BODY = 1024 * 1024
MAX_NAME = 200
XML_TYPE = "application/xml; charset=utf-8"
DAV_HEADER = "1, 3, calendar-access, addressbook"
ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT"


def collection_url(spec: Spec) -> str:
    return f"{ROOT}{spec.home}/{spec.name}/"


def item_url(spec: Spec, href: str) -> str:
    return collection_url(spec) + quote(href, safe="@")


def sync_token(view: View) -> str:
    return f"urn:kizuna:sync:{view.collection.id}:{view.collection.seq}"


@dataclass(frozen=True)
class Node:
    kind: str  # root | principal | home | collection | item
    spec: Spec | None = None
    name: str = ""  # an item's name in its collection


def resolve(path: str) -> Node | None:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return Node("root")
    if parts == ["principal"]:
        return Node("principal")
    spec = HOMES.get(parts[0])
    if spec is None or len(parts) > 3:
        return None
    if len(parts) == 1:
        return Node("home", spec)
    if parts[1] != spec.name:
        return None
    if len(parts) == 2:
        return Node("collection", spec)
    name = parts[2]
    if len(name) > MAX_NAME or name.startswith(".") or any(ord(c) < 32 or c in "\\\x7f" for c in name):
        return None
    return Node("item", spec, name)


@dataclass
class Ctx:
    request: Request
    identity: auth.Identity
    principal: Principal
    lang: str
    views: dict[str, View] = field(default_factory=dict)

    def _(self, msgid: str) -> str:
        return gettext(self.lang, msgid)

    async def view(self, spec: Spec) -> View:
        """The collection of `spec`, refreshed once per request."""
        if spec.name not in self.views:
            self.views[spec.name] = await collections.open_view(self.principal, spec, self.identity.access_stamp or "")
        return self.views[spec.name]

    async def device(self) -> str:
        """The device, for reports: the token's name and the client's User-Agent."""
        names = await ApiToken.filter(id=self.identity.token_id).values_list("name", flat=True)
        agent = self.request.headers.get("user-agent", "").strip()
        label = names[0] if names else ""
        if agent:
            label = f"{label} ({agent})" if label else agent
        return label[:100]


class DavError(Exception):
    def __init__(self, status: int, message: str | None = None, condition: str | None = None) -> None:
        self.status, self.message, self.condition = status, message, condition


def xml_response(body: bytes, status: int = 207, headers: dict | None = None) -> Response:
    return Response(body, status_code=status, media_type=XML_TYPE, headers=headers)


async def read_body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BodyTooLarge()
    return body


def href_in(spec: Spec, url: str) -> str | None:
    """The item name of an href a client sent (absolute or path), if it is in `spec`'s collection."""
    path = unquote(urlsplit(url.strip()).path)
    prefix = collection_url(spec)
    if not path.startswith(prefix):
        return None
    name = path[len(prefix):]
    node = resolve(f"{spec.home}/{spec.name}/{name}")
    return node.name if node is not None and node.kind == "item" else None

