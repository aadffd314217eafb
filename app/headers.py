"""Security headers on every response, set in one place.

- `Content-Security-Policy`: scripts, styles, fonts and connections only from our own origin (htmx
  and GraphiQL are vendored under /static); no inline script, no inline style attribute, no eval,
  no plugins, and no framing (`frame-ancestors 'none'`, with `X-Frame-Options: DENY` for browsers
  that predate it). `data:` images and fonts are allowed: GraphiQL's stylesheet embeds its fonts
  and icons that way. Pages keep to this by putting their behaviour in static/js/ files.
- `X-Content-Type-Options: nosniff` and a `Referrer-Policy` that keeps our URLs (record ids,
  search terms) from other sites.
- `Cache-Control: no-store` on everything a signed-in user is sent, except /static: a shared or
  back-button cache must not keep a page of customer data after sign-out.

- Every cookie set over HTTPS is `Secure` (the session cookie included, whatever
  KIZUNA_SESSION_HTTPS_ONLY says): the scope's scheme is https when the connection was, or when a
  trusted proxy said so (KIZUNA_TRUSTED_PROXIES). Over plain http (development) cookies stay as
  they are, or the browser would drop them.

A response that sets one of these headers itself keeps its own value (downloads send
`Content-Security-Policy: sandbox`, the portal `Referrer-Policy: no-referrer`, the GraphiQL page
the policy with a style nonce).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(*, style_nonce: str | None = None) -> str:
    """The policy; a page whose library inserts a <style> element at run time (GraphiQL) passes a
    fresh nonce for it, and still allows no inline script."""
    style_src = f"'self' 'nonce-{style_nonce}'" if style_nonce else "'self'"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {style_src}",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


CONTENT_SECURITY_POLICY = content_security_policy()

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

STATIC_PREFIX = "/static/"


def secure_cookie(header: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
    name, value = header
    if name.lower() != b"set-cookie":
        return header
    attributes = {part.strip().split(b"=", 1)[0].lower() for part in value.split(b";")[1:]}
    return header if b"secure" in attributes else (name, value + b"; secure")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                # `state.user` is set by AuthMiddleware, inside this one, by the time we answer.
                signed_in = (scope.get("state") or {}).get("user") is not None
                if signed_in and not scope["path"].startswith(STATIC_PREFIX) and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
                if scope.get("scheme") == "https":
                    message["headers"] = [secure_cookie(item) for item in message["headers"]]
            await send(message)

        await self.app(scope, receive, send_with_headers)
