"""Signing in and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app import auth, sessions
from app.errors import AuthenticationError
from app.permissions import CRM_MODULES
from views.pages import page, safe_next
from views.templating import render, translator


async def login_form(request: Request) -> Response:
    if request.state.user is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return render(request, "auth/login.html", {"next": safe_next(request.query_params.get("next"))})


async def login_submit(request: Request) -> Response:
    form = await request.form()
    email = str(form.get("email", ""))
    target = safe_next(str(form.get("next", "")))
    ip = client_address(request)
    try:
        user = await auth.authenticate(email, str(form.get("password", "")), ip)
    except AuthenticationError as exc:  # LoginThrottled is one, with its own message
        context = {"next": target, "email": email, "error": exc.render(translator(request))}
        return render(request, "auth/login.html", context, status_code=401)
    await sessions.start(request.session, user, user_agent=request.headers.get("user-agent", ""), ip=ip)
    return RedirectResponse(target, status_code=303)


def client_address(request: Request) -> str:
    """The peer's address; a trusted proxy's X-Forwarded-For has already replaced it (app.main)."""
    return request.client.host if request.client else ""


async def logout(request: Request) -> Response:
    await sessions.end(request.session)
    return RedirectResponse("/login", status_code=303)


async def home(request: Request) -> Response:
    """The first module the user may see, else their own settings."""
    principal = request.state.principal
    first = next((m for m in CRM_MODULES if principal.has(m, "view")), None)
    return RedirectResponse(f"/{first}" if first else "/settings/account", status_code=303)


routes = [
    Route("/", page(home)),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
