"""The home page (/): the signed-in user's day at a glance, one block per concern.

The page itself sends no query of its own: each block is a fragment the page loads with htmx
once it is shown (`hx-trigger="load"`, as the header's notification bell), so a slow block never
holds the others. Every block's heading links to the list it summarises, filtered the same way.
The blocks' data and rules are app.services.home's; a block the user's grants do not allow is
left out of the page (and its address answers 404), not shown empty.

    GET /                   the page, with a placeholder per allowed block
    GET /home/{block}       one block (deals, tasks, events, mail, portal, notifications, receivables)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.errors import NotFound
from app.i18n import N_
from app.permissions import Principal
from app.services import home, notifications
from views.pages import page
from views.templating import render


@dataclass(frozen=True)
class Block:
    key: str
    title: str
    href: str  # the list the block summarises, filtered as the block is
    allowed: Callable[[Principal], bool]
    load: Callable[[Request], Awaitable[dict[str, Any]]]


async def _deals(request: Request) -> dict[str, Any]:
    return {"data": await home.open_deals(request.state.principal)}


async def _tasks(request: Request) -> dict[str, Any]:
    return {"data": await home.due_tasks(request.state.principal)}


async def _events(request: Request) -> dict[str, Any]:
    return {"data": await home.next_events(request.state.principal)}


async def _mail(request: Request) -> dict[str, Any]:
    return {"emails": await home.recent_mail(request.state.principal)}


async def _portal(request: Request) -> dict[str, Any]:
    return {"items": await home.portal_activity(request.state.principal), "labels": notifications.LABELS,
            "path": notifications.document_path}


async def _notifications(request: Request) -> dict[str, Any]:
    return {"data": await home.my_notifications(request.state.principal), "labels": notifications.LABELS,
            "path": notifications.document_path}


async def _receivables(request: Request) -> dict[str, Any]:
    return {"totals": await home.receivables_summary(request.state.principal)}


BLOCKS = (
    Block("deals", N_("My open deals"), "/deals?stage=open&owner=mine",
          lambda p: p.has("deals", "view"), _deals),
    Block("tasks", N_("My tasks due"), "/tasks?due=today&owner=mine",
          lambda p: p.has("tasks", "view"), _tasks),
    Block("events", N_("My next events"), "/events?when=upcoming&owner=mine",
          lambda p: p.has("events", "view"), _events),
    Block("mail", N_("Recent mail with my contacts"), "/mail?people=known", lambda p: True, _mail),
    Block("portal", N_("Portal activity"), "/notifications",
          lambda p: bool(p.organization_ids), _portal),
    Block("notifications", N_("Notifications"), "/notifications", lambda p: True, _notifications),
    Block("receivables", N_("Receivables"), "/books/receivables",
          lambda p: p.has("receivables", "view") and p.current_organization_id is not None, _receivables),
)
BY_KEY = {b.key: b for b in BLOCKS}


async def home_page(request: Request) -> Response:
    principal = request.state.principal
    return render(request, "home/index.html", {"blocks": [b for b in BLOCKS if b.allowed(principal)]})


async def home_block(request: Request) -> Response:
    block = BY_KEY.get(request.path_params["block"])
    if block is None or not block.allowed(request.state.principal):
        raise NotFound()
    context = {"block": block, **await block.load(request)}
    response = render(request, f"home/_{block.key}.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


routes = [
    Route("/", page(home_page)),
    Route("/home/{block}", page(home_block)),
]
