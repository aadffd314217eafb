"""Settings > Services > Books: changing the automation rule chosen when connecting (the rule
itself is app.services.books_automation's; saving it app.services.books_link.set_automation)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.errors import NotFound, ValidationError
from app.services import books_link
from views import books_link as link_views
from views.htmx import is_partial, redirect_after_post
from views.records import error_map
from views.settings import admin_page
from views.templating import render


async def set_automation(request: Request) -> Response:
    value = str((await request.form()).get("automation", ""))[:20]
    principal = request.state.principal
    try:
        await books_link.set_automation(principal, value)
    except NotFound:
        return redirect_after_post(request, "/settings/services/books")
    except ValidationError as exc:
        context = {"automation_value": value, "automation_errors": error_map(exc, request)}
        if is_partial(request):
            context.update(link=await books_link.link_for(principal), automation_labels=link_views.AUTOMATION_LABELS)
            return render(request, "settings/_books_automation.html", context, status_code=422)
        return await link_views._link_page(request, 422, **context)
    return redirect_after_post(request, "/settings/services/books?done=automation")


routes = [
    Route("/settings/services/books/automation", admin_page(set_automation), methods=["POST"]),
]
