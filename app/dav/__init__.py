"""CalDAV and CardDAV for Kizuna's users (issue 14): one address book and one calendar (events
and tasks) each, at /dav/, discovered through /.well-known/caldav and /.well-known/carddav.
Clients sign in with HTTP Basic and a dav-scoped API token as the password (an app password).

- `views`: authentication, the URL space, PROPFIND, GET/PUT/DELETE, errors
- `reports`: calendar-query, the multigets, addressbook-query, sync-collection
- `xml`: hostile-safe parsing and the multistatus bodies

The rules (membership, held changes, mass deletes, directions) are app.pim's.
"""

from __future__ import annotations

from starlette.routing import Route

from app.dav.common import MAX_BODY
from app.dav.views import dav, well_known
from app.limits import limit_body

METHODS = ["OPTIONS", "GET", "HEAD", "PUT", "DELETE", "PROPFIND", "PROPPATCH", "REPORT", "MKCOL", "MKCALENDAR",
           "MOVE", "COPY", "POST", "PATCH", "LOCK", "UNLOCK"]

routes = [
    Route("/.well-known/caldav", well_known, methods=["GET", "HEAD", "PROPFIND", "OPTIONS"]),
    Route("/.well-known/carddav", well_known, methods=["GET", "HEAD", "PROPFIND", "OPTIONS"]),
    limit_body(Route("/dav", dav, methods=METHODS), MAX_BODY),
    limit_body(Route("/dav/{path:path}", dav, methods=METHODS), MAX_BODY),
]

__all__ = ["routes"]
