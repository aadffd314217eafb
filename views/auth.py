"""Signing in and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app import auth, sessions
from app.errors import AuthenticationError
from views.pages import safe_next
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


routes = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
