"""Request plumbing shared by pages and GraphQL: who is asking, in which language, and CSRF.

After `AuthMiddleware`, `request.state` carries:
    user         the User (with role) or None
    principal    the permission Principal or None (loaded once per request)
    auth_method  "session", "token" or None
    session_id   the signed-in session's row id (`app.sessions`), or None
    mail_failing_since  since when one of the user's mailboxes has been failing, or None
    lang         "ja" or "en"
"""

from __future__ import annotations

import hmac
import re
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import auth, cleaning
from app.i18n import N_, gettext, negotiate
from app.permissions import Principal

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
API_PATHS = {"/graphql"}
# Called by a card payment provider, which signs its requests (app.services.card_payments).
SIGNED_WEBHOOK_PATHS = {"/portal/webhooks/stripe"}
# CalDAV/CardDAV (app.dav): clients authenticate every request with HTTP Basic and a dav-scoped
# token, checked by the DAV routes themselves. A session cookie opens nothing there (so it
# carries no ambient authority to abuse, and no CSRF token is asked for), and a Bearer token is
# not looked up for them.
DAV_PREFIX = "/dav/"


def is_dav(path: str) -> bool:
    return path == "/dav" or path.startswith(DAV_PREFIX)


class AuthMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        state = scope.setdefault("state", {})
        if is_dav(scope["path"]):
            state.update(user=None, auth_method=None, session_id=None, mail_failing_since=None,
                         principal=None, lang=negotiate(headers.get("accept-language")))
            await self.app(scope, receive, send)
            return
        identity, method = None, None
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            identity = await auth.user_for_token(authorization[7:].strip())
            if identity is None:
                lang = negotiate(headers.get("accept-language"))
                message = gettext(lang, N_("Invalid or revoked API token."))
                await JSONResponse({"errors": [{"message": message}]}, status_code=401)(
                    scope, receive, send
                )
                return
            method = "token"
        elif (session := scope.get("session")) is not None:
            identity = await auth.user_for_session(session)
            method = "session" if identity else None
        state["user"] = user = identity.user if identity else None
        state["auth_method"] = method
        state["session_id"] = identity.session_id if identity else None
        state["mail_failing_since"] = identity.mail_failing_since if identity else None
        state["principal"] = principal = (
            await Principal.load(identity.user, identity.access_stamp) if identity else None)
        if principal is not None:
            # The Books organization worked in: chosen in the page header (session), or named by
            # an API client; Principal falls back to the user's first one.
            chosen = headers.get("x-organization-id") or (scope.get("session") or {}).get("organization_id")
            if chosen and (org_id := cleaning.pk(chosen)) is not None:
                principal.active_organization_id = org_id
        state["lang"] = (user.language if user and user.language else None) or negotiate(
            headers.get("accept-language")
        )
        await self.app(scope, receive, send)


# Uploads without JavaScript: the token is a form field. Forms put it before their file inputs
# (browsers send fields in document order), so it is found in the first part of the body and
# the file itself is never buffered here.
MULTIPART_PEEK = 64 * 1024
_MULTIPART_TOKEN = re.compile(
    rb'Content-Disposition: form-data; name="' + CSRF_FIELD.encode() + rb'"\r\n(?:[^\r\n]+\r\n)*\r\n([^\r\n]*)\r\n',
    re.IGNORECASE)


async def _multipart_token(receive: Receive) -> tuple[str, list[Message]]:
    messages: list[Message] = []
    head = b""
    while len(head) < MULTIPART_PEEK:
        message = await receive()
        messages.append(message)
        head += message.get("body", b"")
        if match := _MULTIPART_TOKEN.search(head):
            return match.group(1).decode("latin-1"), messages
        if not message.get("more_body"):
            break
    return "", messages


class CSRFMiddleware:
    """Every unsafe request authenticated by the session cookie must echo the session's token,
    in the `X-CSRF-Token` header (htmx, GraphQL) or a `csrf_token` form field (url-encoded or
    multipart forms).
    Token-authenticated API calls send no cookie and need no token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        auth_method = scope.get("state", {}).get("auth_method")
        if auth_method == "token":
            await self.app(scope, receive, send)
            return
        # An API call with no signed-in session carries no ambient authority to abuse: let it
        # through so /graphql can answer 401 (not a confusing "stale form" 403).
        if scope.get("path") in SIGNED_WEBHOOK_PATHS or is_dav(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        if auth_method is None and scope.get("path") in API_PATHS:
            await self.app(scope, receive, send)
            return
        expected = (scope.get("session") or {}).get("csrf", "")
        headers = Headers(scope=scope)
        given = headers.get(CSRF_HEADER, "")
        body_messages: list[Message] = []
        if not given and headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            # app.limits.BodyLimitMiddleware (registered before this one) bounds what is read
            # here: url-encoded forms get settings.FORM_MAX_BYTES on every route.
            body = b""
            while True:
                message = await receive()
                body_messages.append(message)
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            given = (parse_qs(body.decode("latin-1")).get(CSRF_FIELD) or [""])[0]
        elif not given and headers.get("content-type", "").startswith("multipart/form-data"):
            given, body_messages = await _multipart_token(receive)
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            lang = scope.get("state", {}).get("lang", "en")
            text = gettext(lang, N_("Your session has expired or the form is stale. Reload the page and try again."))
            await PlainTextResponse(text, status_code=403)(scope, receive, send)
            return
        if body_messages:
            replay = iter(body_messages)

            async def receive_replay() -> Message:
                try:
                    return next(replay)
                except StopIteration:
                    return await receive()

            await self.app(scope, receive_replay, send)
            return
        await self.app(scope, receive, send)
