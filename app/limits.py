"""Request body limits on every route, enforced while the body streams in.

Nothing downstream (CSRF's form check, starlette's form parser spooling uploads to /tmp,
strawberry reading the GraphQL body) ever receives more than the route's limit: the bytes are
counted as they arrive, since Content-Length may be absent (chunked) or lie; a declared length
over the limit is refused before anything is read. The answer is 413: a JSON GraphQL error on
API routes, a short translated text on pages.

A route takes more than settings.FORM_MAX_BYTES only when it says so where it is declared:
`limit_body(Route(...), max_bytes, json=...)` (uploads: a document plus a margin; writing e-mail:
its attachments plus a form; /graphql its own limit). Everything else, /login included, gets the
small form limit. A page route's larger limit is for multipart bodies (files) only: anything else
sent there (an url-encoded form, which the CSRF check reads whole into memory) gets the form limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import settings
from app.i18n import N_, gettext, negotiate

TOO_LARGE = N_("The request is too large. At most %(size)s MB can be sent here.")


class BodyTooLarge(Exception):
    """Raised into the application by `receive` once the body passes its route's limit."""


def limit_body(route: BaseRoute, max_bytes: int, *, json: bool = False) -> BaseRoute:
    """Let `route` take bodies up to `max_bytes` (json: refuse with a GraphQL-style JSON error)."""
    route.max_body_bytes = max_bytes  # type: ignore[attr-defined]
    route.body_errors_as_json = json  # type: ignore[attr-defined]
    return route


def upload_limit() -> int:
    """What an upload route accepts: one document plus the other form fields."""
    return settings.DOCUMENT_MAX_BYTES + settings.UPLOAD_MARGIN_BYTES


def mail_compose_limit() -> int:
    """What the compose and reply forms accept: their attachments plus a form of their own (the
    message's text alone may take a good part of FORM_MAX_BYTES)."""
    return settings.MAIL_ATTACHMENTS_MAX_BYTES + settings.FORM_MAX_BYTES


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, routes: Iterable[BaseRoute] = ()) -> None:
        self.app = app
        self.limits: list[tuple[re.Pattern[str], int, bool]] = [
            (route.path_regex, route.max_body_bytes, route.body_errors_as_json)  # type: ignore[attr-defined]
            for route in routes if hasattr(route, "max_body_bytes")
        ]

    def limit_for(self, path: str, content_type: str) -> tuple[int, bool]:
        for pattern, max_bytes, as_json in self.limits:
            if pattern.match(path):
                if not as_json and not content_type.lower().startswith("multipart/form-data"):
                    max_bytes = min(max_bytes, settings.FORM_MAX_BYTES)
                return max_bytes, as_json
        return settings.FORM_MAX_BYTES, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit, as_json = self.limit_for(scope["path"], headers.get("content-type", ""))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await refusal(scope, limit, as_json)(scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:  # the application answered before reading its whole body: nothing to add
                return
            await refusal(scope, limit, as_json)(scope, receive, send)


def refusal(scope: Scope, limit: int, as_json: bool) -> Response:
    # The rest of the body is never read: the connection cannot be reused.
    headers = {"Connection": "close"}
    lang = negotiate(Headers(scope=scope).get("accept-language"))
    size = f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
    message = gettext(lang, TOO_LARGE) % {"size": size}
    if as_json:
        body = {"errors": [{"message": message,
                            "extensions": {"code": "REQUEST_TOO_LARGE", "max_bytes": limit}}]}
        return JSONResponse(body, status_code=413, headers=headers)
    return PlainTextResponse(message, status_code=413, headers=headers)
