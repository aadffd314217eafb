"""What every page shares: sign-in required, and service errors turned into pages.

    Route("/contacts", page(contact_index))

An anonymous visitor is sent to /login?next=<this page>. `NotFound` and `PermissionDenied` from
services (and from app.permissions) become 404/403 pages carrying the translated message; so does
an address no route serves (a page for browsers, plain text for anything else). /favicon.ico is
served here too, for browsers that ask for it before reading the page's <link rel=icon>.
"""

from __future__ import annotations

from typing import Awaitable, Callable
from urllib.parse import quote, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from app import settings
from app.errors import KizunaError, NotFound, PermissionDenied
from app.i18n import N_
from app.permissions import require
from views.htmx import is_partial
from views.templating import render, translator

Handler = Callable[[Request], Awaitable[Response]]


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET" or is_partial(request):
        # Come back to the page the user was on, not to a fragment or a POST.
        current = urlsplit(request.headers.get("hx-current-url", ""))
        here = current.path + (f"?{current.query}" if current.query else "") or "/"
    return f"/login?next={quote(safe_next(here), safe='/')}"


def safe_next(value: str | None, default: str = "/") -> str:
    """Only same-site relative paths: never //evil.example, https://evil.example or /\\evil."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if urlsplit(value).scheme or urlsplit(value).netloc:
        return default
    return value


def error_page(request: Request, exc: KizunaError, status_code: int) -> Response:
    return render(
        request,
        "errors/error.html",
        {"status": status_code, "message": exc.render(translator(request))},
        status_code=status_code,
    )


def page(handler: Handler, module: str | None = None) -> Handler:
    """Wrap a view: require a signed-in user (and, given `module`, its view grant)."""

    async def endpoint(request: Request) -> Response:
        if request.state.user is None:
            url = login_url(request)
            if is_partial(request):
                return Response(status_code=204, headers={"HX-Redirect": url})
            return RedirectResponse(url, status_code=303)
        try:
            if module:
                require(request.state.principal, "view", module)
            return await handler(request)
        except NotFound as exc:
            return error_page(request, exc, 404)
        except PermissionDenied as exc:
            return error_page(request, exc, 403)

    endpoint.__name__ = handler.__name__
    return endpoint


async def _service_error(request: Request, exc: Exception) -> Response:
    """Safety net for a service error no view caught (e.g. a Conflict): a page, not a 500."""
    assert isinstance(exc, KizunaError)
    if request.state.user is None or not hasattr(request.state, "lang"):
        return Response(status_code=400)
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, PermissionDenied) else 409
    return error_page(request, exc, status)


NO_SUCH_PAGE = N_("There is no page at this address. It may have moved, or the link may be mistyped.")


async def _not_found(request: Request, exc: Exception) -> Response:
    """An address no route serves (Starlette's 404). Browsers get the styled page."""
    assert isinstance(exc, HTTPException)
    if "text/html" not in request.headers.get("accept", "") or not hasattr(request.state, "lang"):
        return PlainTextResponse(exc.detail, status_code=404, headers=exc.headers)
    message = translator(request)(NO_SUCH_PAGE)
    return render(request, "errors/error.html", {"status": 404, "message": message}, status_code=404)


async def favicon(request: Request) -> Response:
    return FileResponse(settings.BASE_DIR / "static" / "favicon.ico", media_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})


exception_handlers = {KizunaError: _service_error, 404: _not_found}
routes = [Route("/favicon.ico", favicon)]
