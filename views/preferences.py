"""Settings > My account, for every user: language, time zone, password, signed-in sessions,
personal API tokens."""

from __future__ import annotations

from zoneinfo import available_timezones

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app import auth, sessions
from app.errors import ValidationError
from app.i18n import N_
from app.models import ApiToken, User
from app.services import users as user_service
from views.auth import client_address
from views.pages import page, safe_next
from views.records import error_map
from views.templating import render

TIMEZONES = sorted(tz for tz in available_timezones() if "/" in tz and not tz.startswith(("Etc/", "SystemV/")))
LANGUAGE_CHOICES = (("", N_("Browser default")), ("ja", "日本語"), ("en", "English"))
NOTICES = {
    "saved": N_("Your preferences were saved."),
    "password": N_("Your password was changed. Other sessions were signed out."),
    "password_tokens": N_("Your password was changed. Other sessions were signed out and your API tokens revoked."),
    "revoked": N_("The token was revoked."),
    "session": N_("The session was signed out."),
    "sessions": N_("Every other session was signed out."),
}
# What a token may open (app.auth.SCOPES): the API, or CalDAV/CardDAV as an app password.
SCOPE_LABELS = {"api": N_("API"), "dav": N_("App password (CalDAV/CardDAV)")}
# Product names, shown as they are: "Firefox / Windows". The first match wins (Edge and Opera
# also say Chrome, Chrome also says Safari).
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"), ("curl/", "curl"))
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser_of(agent: str) -> str:
    """A short name for a User-Agent header; "" when nothing is recognised."""
    browser = next((name for key, name in _BROWSERS if key in agent), "")
    system = next((name for key, name in _SYSTEMS if key in agent), "")
    return " / ".join(part for part in (browser, system) if part)


async def _page(request: Request, status_code: int = 200, **context) -> Response:
    user: User = request.state.user
    tokens = await ApiToken.filter(user_id=user.id, revoked_at=None)
    context.setdefault("errors", {})
    context.update(
        tokens=[(t, [SCOPE_LABELS.get(s, s) for s in t.scopes.split(",") if s]) for t in tokens],
        scope_labels=SCOPE_LABELS, timezones=TIMEZONES, languages=LANGUAGE_CHOICES,
        sessions=[(s, browser_of(s.user_agent)) for s in await sessions.active(user)],
        this_session=request.state.session_id,
        notice=NOTICES.get(request.query_params.get("done", "")),
    )
    return render(request, "settings/account.html", context, status_code=status_code)


async def account(request: Request) -> Response:
    return await _page(request)


async def save_preferences(request: Request) -> Response:
    form = await request.form()
    data = {"language": str(form.get("language", "")), "timezone": str(form.get("timezone", ""))}
    try:
        await user_service.update_user(request.state.principal, request.state.user.id, data)
    except ValidationError as exc:
        return await _page(request, 422, errors=error_map(exc, request))
    return RedirectResponse("/settings/account?done=saved", status_code=303)


async def switch_language(request: Request) -> Response:
    """The language buttons in the user menu: remember the choice, then back to the same page."""
    form = await request.form()
    data = {"language": str(form.get("language", ""))}
    try:
        await user_service.update_user(request.state.principal, request.state.user.id, data)
    except ValidationError:
        pass  # an unknown language is ignored: the page stays as it is
    return RedirectResponse(safe_next(str(form.get("next", ""))), status_code=303)


async def change_password(request: Request) -> Response:
    form = await request.form()
    user: User = request.state.user
    revoke_tokens = form.get("revoke_tokens") == "on"
    try:
        await auth.change_password(user, str(form.get("current_password", "")), str(form.get("new_password", "")),
                                   ip=client_address(request), revoke_tokens=revoke_tokens)
    except ValidationError as exc:
        return await _page(request, 422, errors=error_map(exc, request))
    # Every session ended with the old password; this browser goes on in a fresh one.
    await sessions.start(request.session, user, user_agent=request.headers.get("user-agent", ""),
                         ip=client_address(request))
    done = "password_tokens" if revoke_tokens else "password"
    return RedirectResponse(f"/settings/account?done={done}", status_code=303)


async def revoke_session(request: Request) -> Response:
    await sessions.revoke(request.state.user, request.path_params["id"])
    return RedirectResponse("/settings/account?done=session#sessions", status_code=303)


async def revoke_other_sessions(request: Request) -> Response:
    await sessions.revoke_others(request.state.user, request.state.session_id)
    return RedirectResponse("/settings/account?done=sessions#sessions", status_code=303)


async def create_token(request: Request) -> Response:
    form = await request.form()
    try:
        scope = str(form.get("scope", "") or "api")[:20]
        token, secret = await auth.create_api_token(request.state.user, str(form.get("name", "")), scopes=(scope,))
    except ValidationError as exc:
        return await _page(request, 422, errors=error_map(exc, request))
    # The secret is shown in this response only; it is never stored in clear.
    return await _page(request, new_token=token, secret=secret)


async def revoke_token(request: Request) -> Response:
    await auth.revoke_api_token(request.state.user, request.path_params["id"])
    return RedirectResponse("/settings/account?done=revoked", status_code=303)


routes = [
    Route("/settings/account", page(account)),
    Route("/settings/account", page(save_preferences), methods=["POST"]),
    Route("/settings/account/language", page(switch_language), methods=["POST"]),
    Route("/settings/account/password", page(change_password), methods=["POST"]),
    Route("/settings/account/sessions/{id:id}/revoke", page(revoke_session), methods=["POST"]),
    Route("/settings/account/sessions/revoke-others", page(revoke_other_sessions), methods=["POST"]),
    Route("/settings/account/tokens", page(create_token), methods=["POST"]),
    Route("/settings/account/tokens/{id:id}/revoke", page(revoke_token), methods=["POST"]),
]
