"""GraphiQL is served from vendored, pinned files: the page names no other host and carries no
inline script; the files are the npm releases noted in static/vendor/graphiql/README.md."""

from __future__ import annotations

import hashlib
import re

from app import settings
from views.graphiql import GRAPHIQL

VENDOR = settings.BASE_DIR / "static" / "vendor" / "graphiql"
PINS = {
    "graphiql-3.9.0.min.js": "a330a2be1d2389486840a9d0a834767d9083a23f105879e0de54e4fce83d3513",
    "graphiql-3.9.0.min.css": "bdddd50aac5bdb0edd83e5c862ba2fed9db2964e4c75d4655ab62b0a7d5bd730",
    "react-18.3.1.production.min.js": "d949f1c3687aedadcedac85261865f29b17cd273997e7f6b2bfc53b2f9d4c4dd",
    "react-dom-18.3.1.production.min.js": "35f4f974f4b2bcd44da73963347f8952e341f83909e4498227d4e26b98f66f0d",
}
HTML = {"Accept": "text/html"}


def test_vendored_files_are_the_pinned_releases_with_source_and_licence_noted():
    readme = (VENDOR / "README.md").read_text()
    for name, digest in PINS.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest
        assert name in readme and digest in readme
    for package in ("`graphiql` | 3.9.0", "`react` | 18.3.1", "`react-dom` | 18.3.1", "registry.npmjs.org"):
        assert package in readme
    assert "MIT License" in (VENDOR / "LICENSE.graphiql").read_text()
    assert "MIT License" in (VENDOR / "LICENSE.react").read_text()


async def test_graphiql_page_loads_only_our_own_files(client, signed_in):
    await signed_in("Sales")
    page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html), "the page names another host"
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert page.headers["cache-control"] == "no-store"
    policy = page.headers["content-security-policy"]
    nonce = re.search(r'data-style-nonce="([^"]+)"', html).group(1)
    assert "script-src 'self';" in policy and f"style-src 'self' 'nonce-{nonce}';" in policy
    again = await client.get("/graphql", headers=HTML)
    assert nonce not in again.headers["content-security-policy"]  # fresh on every response
    token = re.search(r'data-csrf-token="([^"]+)"', html).group(1)
    assert token == re.search(r'name="csrf_token" value="([^"]+)"',
                              (await client.get("/settings/account")).text).group(1)
    for asset in (*GRAPHIQL.stylesheets, *GRAPHIQL.scripts):
        assert f'"/static/{asset}"' in html
        response = await client.get(f"/static/{asset}")
        assert response.status_code == 200, asset
    starter = (settings.BASE_DIR / "static" / GRAPHIQL.scripts[-1]).read_text()
    assert "://" not in starter  # our starter script names no host either
