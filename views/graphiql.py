"""The GraphiQL page at GET /graphql (for a signed-in browser), served from vendored files.

strawberry's own page loads React and GraphiQL from a CDN (and stays on "Loading..." offline) and
carries inline script; this one loads only /static files, pinned in static/vendor/graphiql
(see its README for versions, sources and licences), and passes the CSRF token in a data- attribute.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from app.headers import content_security_policy
from views.templating import render


@dataclass(frozen=True)
class Assets:
    stylesheets: tuple[str, ...]
    scripts: tuple[str, ...]  # in load order: React, ReactDOM, GraphiQL (UMD globals), our starter


GRAPHIQL = Assets(
    stylesheets=("vendor/graphiql/graphiql-3.9.0.min.css", "css/graphiql.css"),
    scripts=(
        "vendor/graphiql/react-18.3.1.production.min.js",
        "vendor/graphiql/react-dom-18.3.1.production.min.js",
        "vendor/graphiql/graphiql-3.9.0.min.js",
        "js/graphiql.js",
    ),
)


def graphiql_page(request: Request, endpoint: str = "/graphql") -> Response:
    # GraphiQL's dialogs lock scrolling by inserting a <style> element (react-remove-scroll), which
    # carries the nonce in `__webpack_nonce__` when one is set: static/js/graphiql.js sets it from
    # the page, and this page's policy allows styles with that nonce, fresh on every response.
    nonce = secrets.token_urlsafe(16)
    response = render(request, "graphiql/index.html",
                      {"graphiql": GRAPHIQL, "endpoint": endpoint, "style_nonce": nonce})
    response.headers["Content-Security-Policy"] = content_security_policy(style_nonce=nonce)
    return response
