"""One-time messages after an action ("Moved to Closed won."): kept in the session and shown once,
on the next full page (views/templates/_flash.html, included by base.html).

Messages are translated when they are flashed (the user's language then) and stored as text; the
template escapes them like any data. At most a few are kept, so that a loop of actions without a
page in between does not grow the session cookie.
"""

from __future__ import annotations

from starlette.requests import Request

KEY = "flash"
KEEP = 5
MESSAGE_MAX = 300


def flash(request: Request, message: str) -> None:
    kept = request.session.get(KEY)
    kept = kept if isinstance(kept, list) else []
    request.session[KEY] = [*kept, str(message)[:MESSAGE_MAX]][-KEEP:]


def messages(request: Request) -> list[str]:
    """The messages waiting for this request's page, taken (so shown once)."""
    if "session" not in request.scope:
        return []
    kept = request.session.pop(KEY, None)
    return [m for m in kept if isinstance(m, str)] if isinstance(kept, list) else []
