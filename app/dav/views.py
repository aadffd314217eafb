"""The DAV routes' entry: authentication (HTTP Basic, a dav-scoped API token as the password),
dispatch by method, GET/PUT/DELETE, and the error answers. PROPFIND is in app.dav.props,
REPORTs in app.dav.reports; the URL space in app.dav.common."""

from __future__ import annotations

import base64
import binascii

from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from app import auth
from app.dav import reports, xml as X
from app.dav.common import (
    ALLOW,
    DAV_HEADER,
    ROOT,
    Ctx,
    DavError,
    Node,
    read_body,
    resolve,
    xml_response,
)
from app.dav.props import propfind, proppatch
from app.dav.xml import DAV, tag
from app.errors import Conflict, KizunaError, NotFound, PermissionDenied, ValidationError
from app.i18n import N_, gettext, negotiate
from app.permissions import Principal
from app.pim import client_changes, collections


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


async def dav(request: Request) -> Response:
    response = await _answer(request)
    # Personal data: no shared cache keeps it (clients keep their own copies by ETag).
    response.headers.setdefault("Cache-Control", "no-store")
    return response


async def _answer(request: Request) -> Response:
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


HANDLERS = {
    "PROPFIND": propfind, "PROPPATCH": proppatch, "REPORT": reports.report, "GET": get, "HEAD": get,
    "PUT": put, "DELETE": delete, "MKCOL": refuse, "MKCALENDAR": refuse, "MOVE": refuse, "COPY": refuse,
}


async def well_known(request: Request) -> Response:
    return RedirectResponse(ROOT, status_code=301)
