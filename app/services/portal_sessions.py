"""Customer portal sessions: a cookie of their own (settings.PORTAL_COOKIE, never the staff
session's), signed with the server's key, holding a random secret whose sha256 is a
`PortalSession` row scoped to one customer. Revoking or expiring the row ends the session for
every copy of the cookie. Also the per-address limit on portal requests.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from datetime import datetime, timedelta, timezone

from itsdangerous import BadSignature, URLSafeSerializer

from app import settings
from app.auth import digest
from app.models import PortalLink, PortalSession

_SALT = "kizuna-portal-session"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(settings.SECRET_KEY), salt=_SALT)


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def start(link: PortalLink) -> str:
    """A session for the customer of a spent sign-in link; returns the cookie's value."""
    secret = secrets.token_urlsafe(32)
    await PortalSession.create(organization_id=link.organization_id, contact_id=link.contact_id,
                               email=link.email, name=link.name, secret_hash=digest(secret),
                               expires_at=_now() + timedelta(days=settings.PORTAL_SESSION_DAYS))
    return _serializer().dumps(secret)


def max_age() -> int:
    return settings.PORTAL_SESSION_DAYS * 24 * 3600


def _secret(cookie: str | None) -> str | None:
    if not cookie or len(cookie) > 200:
        return None
    try:
        secret = _serializer().loads(cookie)
    except BadSignature:
        return None
    return secret if isinstance(secret, str) else None


async def current(cookie: str | None) -> PortalSession | None:
    secret = _secret(cookie)
    if secret is None:
        return None
    row = await PortalSession.get_or_none(secret_hash=digest(secret))
    if row is None or row.revoked_at is not None or row.expires_at <= _now():
        return None
    return row


async def end(cookie: str | None) -> None:
    if (secret := _secret(cookie)) is not None:
        await PortalSession.filter(secret_hash=digest(secret)).delete()


class RateLimiter:
    """At most `limit` requests per address in any 60 seconds (a sliding window kept in memory,
    per process: enough to stop one client hammering the portal's token and sign-in pages)."""

    def __init__(self, window: float = 60.0) -> None:
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget quiet addresses
                for stale in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                    del self._hits[stale]
            return True

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


limiter = RateLimiter()
