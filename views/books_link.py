"""The CRM <-> Books link, for administrators (app.services.books_link holds the rules).

Books: Settings > Integrations > CRM key (/books/settings/integrations) creates, regenerates or
revokes the administrator's connection key; the key is in the response that made it only.
CRM: Settings > Services > Books (/settings/services/books) takes the key's e-mail address and
the key, shows the organizations it reaches, then links the CRM to the one picked; the key
travels on to that second step in the form (the service checks it again), never in the session.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app.errors import NotFound, ValidationError
from app.i18n import N_
from app.models import Automation
from app.services import books_link
from views.auth import client_address
from views.books.settings import current_organization
from views.htmx import redirect_after_post
from views.records import error_map
from views.settings import admin_page
from views.templating import render

AUTOMATION_LABELS = {
    Automation.NONE.value: N_("None"),
    Automation.ESTIMATE.value: N_("Estimate: create a draft estimate when a deal is created, accept it when the "
                                  "deal is won, decline it when it is lost"),
    Automation.INVOICE.value: N_("Invoice: create an invoice when a deal is won, void it when the deal is lost"),
}
KEY_NOTICES = {"revoked": N_("The key was revoked. A CRM connected with it no longer reads Books.")}
LINK_NOTICES = {
    "connected": N_("The CRM is connected to the organization."),
    "enabled": N_("The Books integration is enabled."),
    "disabled": N_("The Books integration is disabled: the CRM shows no Books data."),
    "disconnected": N_("The CRM is no longer connected to Books."),
}


# ---- Books: Settings > Integrations > CRM key ------------------------------------------------


async def _key_page(request: Request, status_code: int = 200, **context) -> Response:
    context.update(
        org=await current_organization(request),
        key=await books_link.current_key(request.state.principal),
        notice=KEY_NOTICES.get(request.query_params.get("done", "")),
    )
    return render(request, "books_settings/integrations.html", context, status_code=status_code)


async def integrations(request: Request) -> Response:
    if request.state.principal.current_organization_id is None:
        return RedirectResponse("/books/settings/organizations/new", status_code=303)
    return await _key_page(request)


async def create_key(request: Request) -> Response:
    org = await current_organization(request)
    _, secret = await books_link.create_key(request.state.principal, org.id)
    # The key is in this response only; it is never stored in clear.
    response = await _key_page(request, secret=secret)
    response.headers["Cache-Control"] = "no-store"
    return response


async def revoke_key(request: Request) -> Response:
    try:
        await books_link.revoke_key(request.state.principal)
    except NotFound:
        pass  # already revoked (a second click): the page says there is none
    return redirect_after_post(request, "/books/settings/integrations?done=revoked")


# ---- CRM: Settings > Services > Books --------------------------------------------------------


async def _link_page(request: Request, status_code: int = 200, **context) -> Response:
    link = await books_link.link_for(request.state.principal)
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.update(
        link=link, key_valid=link is not None and await books_link.key_state(link) == books_link.KeyState.VALID,
        automation_labels=AUTOMATION_LABELS,
        notice=LINK_NOTICES.get(request.query_params.get("done", "")),
    )
    response = render(request, "settings/books.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # the second step carries the key
    return response


async def _credentials(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name, "")) for name in ("email", "key", "organization_id", "automation")}


async def books_service(request: Request) -> Response:
    return await _link_page(request)


async def verify_key(request: Request) -> Response:
    values = await _credentials(request)
    try:
        organizations = await books_link.organizations_for_key(
            request.state.principal, values["email"], values["key"], client_address(request))
    except ValidationError as exc:
        return await _link_page(request, 422, errors=error_map(exc, request), values={"email": values["email"]})
    return await _link_page(request, values=values, organizations=organizations)


async def connect(request: Request) -> Response:
    values = await _credentials(request)
    try:
        await books_link.connect(request.state.principal, values["email"], values["key"],
                                 values["organization_id"], values["automation"], client_address(request))
    except ValidationError as exc:
        errors = error_map(exc, request)
        if "key" in errors:  # back to the first step
            return await _link_page(request, 422, errors=errors, values={"email": values["email"]})
        # The key was right (or not yet checked): its organizations again, to pick from.
        try:
            organizations = await books_link.organizations_for_key(
                request.state.principal, values["email"], values["key"], client_address(request))
        except ValidationError as again:
            return await _link_page(request, 422, errors=error_map(again, request),
                                    values={"email": values["email"]})
        return await _link_page(request, 422, errors=errors, values=values, organizations=organizations)
    return redirect_after_post(request, "/settings/services/books?done=connected")


async def set_enabled(request: Request) -> Response:
    enabled = (await request.form()).get("enabled") == "on"
    await books_link.set_enabled(request.state.principal, enabled)
    return redirect_after_post(request, f"/settings/services/books?done={'enabled' if enabled else 'disabled'}")


async def disconnect(request: Request) -> Response:
    try:
        await books_link.disconnect(request.state.principal)
    except NotFound:
        pass  # a second click: nothing left to remove
    return redirect_after_post(request, "/settings/services/books?done=disconnected")


routes = [
    Route("/books/settings/integrations", admin_page(integrations)),
    Route("/books/settings/integrations/crm-key", admin_page(create_key), methods=["POST"]),
    Route("/books/settings/integrations/crm-key/revoke", admin_page(revoke_key), methods=["POST"]),
    Route("/settings/services/books", admin_page(books_service)),
    Route("/settings/services/books/verify", admin_page(verify_key), methods=["POST"]),
    Route("/settings/services/books/connect", admin_page(connect), methods=["POST"]),
    Route("/settings/services/books/enabled", admin_page(set_enabled), methods=["POST"]),
    Route("/settings/services/books/disconnect", admin_page(disconnect), methods=["POST"]),
]
