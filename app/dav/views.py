"""The DAV routes: authentication (HTTP Basic, a dav-scoped API token as the password), the URL
space, PROPFIND, GET/PUT/DELETE and the error answers. REPORTs are in app.dav.reports.

    /dav/                                  root
    /dav/principal/                        the signed-in user
    /dav/addressbooks/ , /dav/calendars/   the homes
    /dav/addressbooks/contacts/<item>      the address book and its vCards
    /dav/calendars/calendar/<item>         the calendar and its events and tasks

Every user sees only their own collections, so no URL names a user.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from app import auth
from app.dav import xml as X
from app.dav.xml import CALDAV, CARDDAV, CS, DAV, tag
from app.errors import Conflict, KizunaError, NotFound, PermissionDenied, ValidationError
from app.i18n import N_, gettext, negotiate
from app.limits import BodyTooLarge
from app.models import ApiToken
from app.permissions import Principal
from app.pim import client_changes, collections
from app.pim.collections import CALENDAR, CONTACTS, SPECS, Spec, View

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

    def _(self, msgid: str) -> str:
        return gettext(self.lang, msgid)

    async def view(self, spec: Spec) -> View:
        return await collections.open_view(self.principal, spec, self.identity.access_stamp or "")

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


def unauthorized(lang: str) -> Response:
    text = gettext(lang, N_("Sign in with your e-mail address, and as the password a personal API token "
                            "that opens CalDAV/CardDAV (Settings > Account > Personal API tokens)."))
    return PlainTextResponse(text, status_code=401,
                             headers={"WWW-Authenticate": 'Basic realm="Kizuna", charset="UTF-8"'})


async def _identify(request: Request) -> auth.Identity | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or len(value) > 2048:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    _user, sep, password = decoded.partition(":")
    # Any user name is accepted (the token names its user); the account password never is.
    if not sep or not password:
        return None
    return await auth.user_for_token(password.strip(), "dav")


async def read_body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BodyTooLarge()
    return body


async def dav(request: Request) -> Response:
    path = request.path_params.get("path", "")
    lang = negotiate(request.headers.get("accept-language"))
    if request.method == "OPTIONS":
        return Response(status_code=200, headers={"DAV": DAV_HEADER, "Allow": ALLOW})
    identity = await _identify(request)
    if identity is None:
        return unauthorized(lang)
    principal = await Principal.load(identity.user, identity.access_stamp)
    ctx = Ctx(request, identity, principal, identity.user.language or lang)
    node = resolve(path)
    try:
        if node is None:
            raise NotFound()
        handler = HANDLERS.get(request.method)
        if handler is None:
            return Response(status_code=405, headers={"Allow": ALLOW})
        return await handler(ctx, node)
    except DavError as exc:
        if exc.condition or exc.message:
            return xml_response(X.error(exc.condition, exc.message), exc.status)
        return Response(status_code=exc.status)
    except X.BadXml:
        return PlainTextResponse(ctx._(N_("The request body is not valid XML (DTDs and entities are refused).")),
                                 status_code=400)
    except client_changes.PreconditionFailed as exc:
        return xml_response(X.error(None, exc.render(ctx._)), 412)
    except ValidationError as exc:
        message = "; ".join(f"{e.field}: {e.render(ctx._)}" for e in exc.errors)
        return xml_response(X.error(None, message), 422)
    except PermissionDenied as exc:
        return xml_response(X.error(tag(DAV, "need-privileges"), exc.render(ctx._)), 403)
    except NotFound as exc:
        return PlainTextResponse(exc.render(ctx._), status_code=404)
    except Conflict as exc:
        return xml_response(X.error(None, exc.render(ctx._)), 409)
    except KizunaError as exc:
        return xml_response(X.error(None, exc.render(ctx._)), 400)
    except ClientDisconnect:
        return Response(status_code=400)


# ---- PROPFIND -------------------------------------------------------------------------------

def _depth(request: Request) -> int:
    depth = request.headers.get("depth", "infinity").strip().lower()
    if depth == "0":
        return 0
    if depth == "1":
        return 1
    raise DavError(403, condition=tag(DAV, "propfind-finite-depth"))


async def propfind(ctx: Ctx, node: Node) -> Response:
    depth = _depth(ctx.request)
    doc = X.parse(await read_body(ctx.request))
    wanted: list[str] | None = None  # None: allprop
    if doc is not None:
        if doc.tag != tag(DAV, "propfind"):
            raise X.BadXml("not a propfind")
        prop = doc.find(tag(DAV, "prop"))
        if prop is not None:
            wanted = X.names(prop)
    responses = []
    if node.kind == "item":
        view = await ctx.view(node.spec)
        res = (await collections.by_hrefs(view, [node.name])).get(node.name)
        if res is None:
            raise NotFound()
        return xml_response(X.multistatus(await item_responses(ctx, view, [res], wanted)))
    responses.append(await container_response(ctx, node, wanted))
    if depth == 1:
        if node.kind == "root":
            for child in (Node("principal"), Node("home", CALENDAR), Node("home", CONTACTS)):
                responses.append(await container_response(ctx, child, wanted))
        elif node.kind == "home":
            responses.append(await container_response(ctx, Node("collection", node.spec), wanted))
        elif node.kind == "collection":
            view = await ctx.view(node.spec)
            responses.extend(await item_responses(ctx, view, await collections.live(view), wanted))
    return xml_response(X.multistatus(responses))


def node_url(node: Node) -> str:
    if node.kind == "root":
        return ROOT
    if node.kind == "principal":
        return PRINCIPAL
    if node.kind == "home":
        return f"{ROOT}{node.spec.home}/"
    return collection_url(node.spec)


def _privileges(view: View | None) -> list:
    names = ["read", "read-current-user-privilege-set"]
    if view is not None:
        names += ["write", "write-content", "bind", "unbind"]
    return [X.element(tag(DAV, "privilege"), X.element(tag(DAV, n))) for n in names]


REPORTS = {
    "calendar": [tag(CALDAV, "calendar-query"), tag(CALDAV, "calendar-multiget"), tag(DAV, "sync-collection")],
    "contacts": [tag(CARDDAV, "addressbook-query"), tag(CARDDAV, "addressbook-multiget"), tag(DAV, "sync-collection")],
}
# What allprop answers for containers (calendar-data and the like are never in allprop).
ALLPROP = (tag(DAV, "resourcetype"), tag(DAV, "displayname"), tag(DAV, "current-user-principal"),
           tag(DAV, "owner"), tag(DAV, "sync-token"), tag(CS, "getctag"))


async def container_response(ctx: Ctx, node: Node, wanted: list[str] | None):
    user = ctx.principal.user
    principal_href = X.href(PRINCIPAL)
    view = await ctx.view(node.spec) if node.kind == "collection" else None
    props = {
        tag(DAV, "current-user-principal"): principal_href,
        tag(DAV, "principal-URL"): X.href(PRINCIPAL),
        tag(DAV, "owner"): X.href(PRINCIPAL),
        tag(DAV, "principal-collection-set"): X.href(PRINCIPAL),
        tag(DAV, "current-user-privilege-set"): _privileges(view),
        tag(DAV, "supported-report-set"): [],
    }
    if node.kind == "root":
        props[tag(DAV, "resourcetype")] = X.element(tag(DAV, "collection"))
        props[tag(DAV, "displayname")] = "Kizuna"
    elif node.kind == "principal":
        props[tag(DAV, "resourcetype")] = [X.element(tag(DAV, "collection")), X.element(tag(DAV, "principal"))]
        props[tag(DAV, "displayname")] = user.name
        props[tag(CALDAV, "calendar-home-set")] = X.href(f"{ROOT}{CALENDAR.home}/")
        props[tag(CARDDAV, "addressbook-home-set")] = X.href(f"{ROOT}{CONTACTS.home}/")
        props[tag(CALDAV, "calendar-user-address-set")] = X.href(f"mailto:{user.email}")
    elif node.kind == "home":
        props[tag(DAV, "resourcetype")] = X.element(tag(DAV, "collection"))
        props[tag(DAV, "displayname")] = "Kizuna"
    else:
        spec = node.spec
        token = sync_token(view)
        props[tag(DAV, "sync-token")] = token
        props[tag(CS, "getctag")] = token
        props[tag(DAV, "getetag")] = f'"{view.collection.seq}"'
        props[tag(DAV, "supported-report-set")] = [
            X.element(tag(DAV, "supported-report"), X.element(tag(DAV, "report"), X.element(r)))
            for r in REPORTS[spec.name]]
        if spec is CALENDAR:
            props[tag(DAV, "resourcetype")] = [X.element(tag(DAV, "collection")), X.element(tag(CALDAV, "calendar"))]
            props[tag(DAV, "displayname")] = ctx._(N_("Kizuna calendar"))
            comps = []
            for comp in ("VEVENT", "VTODO"):
                el = X.element(tag(CALDAV, "comp"))
                el.set("name", comp)
                comps.append(el)
            props[tag(CALDAV, "supported-calendar-component-set")] = comps
            props[tag(CALDAV, "calendar-timezone")] = None
            del props[tag(CALDAV, "calendar-timezone")]
        else:
            props[tag(DAV, "resourcetype")] = [X.element(tag(DAV, "collection")), X.element(tag(CARDDAV, "addressbook"))]
            props[tag(DAV, "displayname")] = ctx._(N_("Kizuna contacts"))
            data_types = []
            for version in ("3.0",):
                el = X.element(tag(CARDDAV, "address-data-type"))
                el.set("content-type", "text/vcard")
                el.set("version", version)
                data_types.append(el)
            props[tag(CARDDAV, "supported-address-data")] = data_types
    return _pick(node_url(node), props, wanted, ALLPROP)


def _pick(url: str, props: dict, wanted: list[str] | None, allprop: tuple[str, ...]):
    if wanted is None:
        return X.response(url, {k: props[k] for k in allprop if k in props})
    found = {k: props[k] for k in wanted if k in props}
    return X.response(url, found, [k for k in wanted if k not in props])


DATA_PROPS = {tag(CALDAV, "calendar-data"), tag(CARDDAV, "address-data")}


async def item_responses(ctx: Ctx, view: View, resources: list, wanted: list[str] | None) -> list:
    """Responses for items: ETag and type, and the item's text when calendar-data or
    address-data is asked for (read in one go for all of them)."""
    spec = view.spec
    data_tag = tag(CALDAV, "calendar-data") if spec is CALENDAR else tag(CARDDAV, "address-data")
    texts = await collections.bodies(ctx.principal, view, resources) if wanted and data_tag in wanted else {}
    out = []
    for res in resources:
        props = {
            tag(DAV, "getetag"): f'"{res.etag}"',
            tag(DAV, "getcontenttype"): spec.content_type,
            tag(DAV, "resourcetype"): None,
        }
        if texts:
            if res.id not in texts:
                out.append(X.response(item_url(spec, res.href), status="404 Not Found"))
                continue
            props[data_tag] = texts[res.id]
        out.append(_pick(item_url(spec, res.href), props, wanted,
                         (tag(DAV, "getetag"), tag(DAV, "getcontenttype"), tag(DAV, "resourcetype"))))
    return out


async def proppatch(ctx: Ctx, node: Node) -> Response:
    """Collections' properties are Kizuna's (names, colours are the client's business): every
    property set is refused, which clients show as read-only."""
    doc = X.parse(await read_body(ctx.request))
    names = []
    if doc is not None:
        for prop in doc.iter(tag(DAV, "prop")):
            names.extend(X.names(prop))
    response = X.response(node_url(node) if node.kind != "item" else item_url(node.spec, node.name))
    if names:
        import xml.etree.ElementTree as ET

        propstat = ET.SubElement(response, tag(DAV, "propstat"))
        prop = ET.SubElement(propstat, tag(DAV, "prop"))
        for name in names:
            ET.SubElement(prop, name)
        propstat.append(X.element(tag(DAV, "status"), "HTTP/1.1 403 Forbidden"))
    return xml_response(X.multistatus([response]))


# ---- GET / PUT / DELETE ---------------------------------------------------------------------

async def get(ctx: Ctx, node: Node) -> Response:
    if node.kind != "item":
        return PlainTextResponse("Kizuna CalDAV/CardDAV", headers={"DAV": DAV_HEADER})
    view = await ctx.view(node.spec)
    res = (await collections.by_hrefs(view, [node.name])).get(node.name)
    texts = await collections.bodies(ctx.principal, view, [res]) if res is not None else {}
    if res is None or res.id not in texts:
        raise NotFound()
    etag = f'"{res.etag}"'
    if ctx.request.headers.get("if-none-match", "").strip() in (etag, "*"):
        return Response(status_code=304, headers={"ETag": etag})
    body = texts[res.id] if ctx.request.method == "GET" else b""
    return Response(body, media_type=view.spec.content_type, headers={"ETag": etag})


async def put(ctx: Ctx, node: Node) -> Response:
    if node.kind != "item":
        raise DavError(405)
    data = await read_body(ctx.request)
    view = await ctx.view(node.spec)
    written = await client_changes.put(
        ctx.principal, view, node.name, data, if_match=ctx.request.headers.get("if-match"),
        if_none_match=ctx.request.headers.get("if-none-match"), device=await ctx.device())
    headers = {"ETag": f'"{written.etag}"'} if written.etag else {}
    return Response(status_code=201 if written.created else 204, headers=headers)


async def delete(ctx: Ctx, node: Node) -> Response:
    if node.kind != "item":
        raise PermissionDenied(N_("Collections cannot be deleted: Kizuna keeps one address book and one calendar."))
    view = await ctx.view(node.spec)
    await client_changes.delete(ctx.principal, view, node.name, if_match=ctx.request.headers.get("if-match"),
                                device=await ctx.device())
    return Response(status_code=204)


async def refuse(ctx: Ctx, node: Node) -> Response:
    raise PermissionDenied(N_("Collections cannot be created or moved: Kizuna keeps one address book and one "
                              "calendar."))


async def report(ctx: Ctx, node: Node) -> Response:
    from app.dav import reports

    return await reports.report(ctx, node)


HANDLERS = {
    "PROPFIND": propfind, "PROPPATCH": proppatch, "REPORT": report, "GET": get, "HEAD": get,
    "PUT": put, "DELETE": delete, "MKCOL": refuse, "MKCALENDAR": refuse, "MOVE": refuse, "COPY": refuse,
}


def href_in(spec: Spec, url: str) -> str | None:
    """The item name of an href a client sent (absolute or path), if it is in `spec`'s collection."""
    path = unquote(urlsplit(url.strip()).path)
    prefix = collection_url(spec)
    if not path.startswith(prefix):
        return None
    name = path[len(prefix):]
    node = resolve(f"{spec.home}/{spec.name}/{name}")
    return node.name if node is not None and node.kind == "item" else None


async def well_known(request: Request) -> Response:
    return RedirectResponse(ROOT, status_code=301)
