"""Server-side sessions: one `UserSession` row per signed-in browser.

The browser's cookie (starlette's signed session cookie, attributes in `app.settings`) carries a
random secret under "sid", besides the CSRF token and the chosen organization; the row keeps only
the secret's sha256. A request is signed in while the row exists and has not expired
(`app.auth.user_for_session` reads it with the user in one statement), so deleting the row —
logout, "sign out" in My account, a password change — ends the session at once, for every copy
of the cookie.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from app import settings
from app.auth import csrf_token, digest
from app.errors import NotFound
from app.models import User, UserSession

COOKIE_KEY = "sid"


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def start(session: dict, user: User, *, user_agent: str = "", ip: str = "") -> UserSession:
    """Sign `user` in on this cookie: a new secret and CSRF token (no fixation), a new row."""
    session.clear()
    secret = secrets.token_urlsafe(32)
    now = _now()
    await UserSession.filter(user_id=user.id, expires_at__lte=now).delete()
    row = await UserSession.create(
        user=user, secret_hash=digest(secret), last_seen_at=now,
        expires_at=now + timedelta(seconds=settings.SESSION_MAX_AGE),
        user_agent=user_agent[:255], ip=ip[:64],
    )
    session[COOKIE_KEY] = secret
    csrf_token(session)
    return row


async def end(session: dict) -> None:
    """Sign this cookie out: its row goes, so a copy of the cookie stops working too."""
    secret = session.get(COOKIE_KEY)
    if isinstance(secret, str) and secret:
        await UserSession.filter(secret_hash=digest(secret)).delete()
    session.clear()


async def active(user: User) -> list[UserSession]:
    """The user's sessions that have not expired, the most recently used first."""
    return await UserSession.filter(user_id=user.id, expires_at__gt=_now()).order_by("-last_seen_at", "-id")


async def revoke(user: User, session_id: int) -> None:
    """Sign out one of the user's own sessions."""
    if not await UserSession.filter(id=session_id, user_id=user.id).delete():
        raise NotFound()


async def revoke_others(user: User, keep_id: int | None) -> int:
    """Sign out every session of the user but `keep_id` (the one asking); returns how many."""
    query = UserSession.filter(user_id=user.id)
    if keep_id is not None:
        query = query.exclude(id=keep_id)
    return await query.delete()


async def prune() -> int:
    """Delete expired sessions (run by `setup` at each start; each sign-in prunes its user's)."""
    return await UserSession.filter(expires_at__lte=_now()).delete()
