"""PROPFIND (Depth 0 or 1; infinity is refused) and PROPPATCH, and the properties of the root,
the principal, the homes, the two collections and their items."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from app.dav import xml as X
from app.dav.common import (
    PRINCIPAL,
    ROOT,
    Ctx,
    DavError,
    Node,
    collection_url,
    item_url,
    read_body,
    sync_token,
    xml_response,
)
from app.dav.xml import CALDAV, CARDDAV, CS, DAV, tag
from app.errors import NotFound
from app.i18n import N_
from app.pim import collections
from app.pim.collections import CALENDAR, CONTACTS, View


def _depth(request: Request) -> int:
    # Without a Depth header RFC 4918 means infinity, but clients that leave it out ask about the
    # resource itself (Radicale reads it as 0 too); an explicit infinity is refused.
    depth = request.headers.get("depth", "0").strip().lower()
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
        propstat = ET.SubElement(response, tag(DAV, "propstat"))
        prop = ET.SubElement(propstat, tag(DAV, "prop"))
        for name in names:
            ET.SubElement(prop, name)
        propstat.append(X.element(tag(DAV, "status"), "HTTP/1.1 403 Forbidden"))
    return xml_response(X.multistatus([response]))


# ---- GET / PUT / DELETE ---------------------------------------------------------------------
