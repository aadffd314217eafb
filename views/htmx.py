"""htmx request/response helpers: one place that knows the HX-* headers.

A request is *partial* when htmx made it (`HX-Request`) and it is not a boosted navigation
(`HX-Boosted`): such requests want a fragment, not a page. Pages that answer both ways also look
at `HX-Target`, because htmx's own navigations (`HX-Location`, history restore) are htmx
requests too but target the whole body and need the full page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

VARY = "HX-Request, HX-Target"


def is_partial(request: Request) -> bool:
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-boosted") != "true"


def targets(request: Request, element_id: str) -> bool:
    """A partial request whose swap target is the element with this id."""
    return is_partial(request) and request.headers.get("hx-target") == element_id


def vary(response: Response) -> Response:
    """The same URL answers a page or a fragment: caches must key on the htmx headers."""
    response.headers["Vary"] = VARY
    return response


def redirect_after_post(request: Request, url: str) -> Response:
    """Success of an unsafe request: htmx follows `HX-Location` without a full reload; a plain
    form gets 303 See Other so the browser GETs the next page."""
    if is_partial(request):
        return Response(status_code=200, headers={"HX-Location": url})
    return RedirectResponse(url, status_code=303)
