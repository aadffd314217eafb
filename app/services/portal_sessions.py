"""Signing in to the customer portal.

A contact person asks for a link at `/portal/sign-in` (`request_link`): for each customer whose
address (or a contact person's) it is, a `PortalLink` is mailed through the customer's
organization's SMTP server. The link works once, by POST (a mail scanner opening it spends
nothing), until settings.PORTAL_LINK_HOURS have passed or staff revoke the customer's access.
Spending it starts a session: a cookie of its own (settings.PORTAL_COOKIE, never the staff
session's), signed with the server's key, holding a random secret whose sha256 is a
`PortalSession` row scoped to that one customer. Revoking or expiring the row ends the session for
every copy of the cookie. Only hashes of secrets are stored.

Also the per-address limit on portal requests.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from datetime import datetime, timedelta, timezone
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from tortoise.transactions import in_transaction

from app import cleaning, crypto, settings
from app.auth import digest
from app.errors import NotFound, PermissionDenied, ValidationError
from app.i18n import N_
from app.permissions import Principal
from app.models import BooksContact, ContactPerson, ContactType, Organization, PortalLink, PortalSession

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


# -- sign-in links -----------------------------------------------------------------------------

def link_url(secret: str) -> str:
    return f"{settings.PUBLIC_URL}/portal/sign-in/{secret}"


async def _recipients(email: str) -> list[tuple[BooksContact, str]]:
    """The customers this address belongs to (their own address or a contact person's), with the
    person's name."""
    found: dict[int, tuple[BooksContact, str]] = {}
    for person in await ContactPerson.filter(email__iexact=email).prefetch_related("books_contact"):
        if person.books_contact.contact_type == ContactType.CUSTOMER:
            found.setdefault(person.books_contact_id, (person.books_contact, person.full_name))
    for contact in await BooksContact.filter(email__iexact=email, contact_type=ContactType.CUSTOMER):
        found.setdefault(contact.id, (contact, contact.display_name))
    return list(found.values())


async def create_link(contact: BooksContact, email: str, name: str) -> str:
    secret = secrets.token_urlsafe(32)
    await PortalLink.create(organization_id=contact.organization_id, contact_id=contact.id, email=email,
                            name=name[:200], token_hash=digest(secret),
                            expires_at=_now() + timedelta(hours=settings.PORTAL_LINK_HOURS))
    return secret


async def request_link(email: Any, lang: str | None = None) -> int:
    """Mail a sign-in link to `email` for each customer it belongs to (through the customer's
    organization's SMTP server). The caller says the same whatever happened (no address is
    confirmed or denied); returns how many were sent."""
    from app.i18n import gettext
    from app.mail.message import build_message, is_valid_address
    from app.mail.smtp import SmtpSettings, send_message

    email = email.strip() if isinstance(email, str) else ""
    if not email or len(email) > 254 or not cleaning.storable(email) or not is_valid_address(email):
        raise ValidationError.single("email", N_("Enter an e-mail address."))
    sent = 0
    for contact, name in await _recipients(email):
        org = await Organization.get(id=contact.organization_id)
        if not org.smtp_host or not org.sender_email:
            continue
        secret = await create_link(contact, email, name)
        language = lang or org.language
        body = gettext(language, N_(
            "Open this link to see your estimates and invoices from %(organization)s:\n\n%(link)s\n\n"
            "The link works once and expires in %(hours)d hours. If you did not ask for it, ignore this e-mail.")) % {
            "organization": org.name, "link": link_url(secret), "hours": settings.PORTAL_LINK_HOURS}
        subject = gettext(language, N_("Your sign-in link for %(organization)s")) % {"organization": org.name}
        message = build_message(sender=org.sender_email, sender_name=org.sender_name or org.name, to=[email],
                                subject=subject, body=body)
        try:
            password = crypto.plain(org.smtp_password)
        except crypto.UndecryptableSecret:
            continue
        await send_message(SmtpSettings(host=org.smtp_host, port=org.smtp_port, username=org.smtp_username,
                                        password=password, security=org.smtp_security.value), message)
        sent += 1
    return sent


async def link_for(secret: str) -> PortalLink:
    """The unused, unexpired, unrevoked link (NotFound otherwise); reading it changes nothing."""
    if not secret or len(secret) > 64 or not cleaning.storable(secret):
        raise NotFound()
    link = await PortalLink.get_or_none(token_hash=digest(secret))
    if link is None or link.used_at or link.revoked_at or link.expires_at <= _now():
        raise NotFound()
    return link


async def use_link(secret: str) -> PortalLink:
    """Spend the link (once: a second use, even at the same moment, is NotFound)."""
    link = await link_for(secret)
    spent = await PortalLink.filter(id=link.id, used_at__isnull=True).update(used_at=_now())
    if not spent:
        raise NotFound()
    return link


async def revoke_access(principal: Principal, contact_id: Any) -> int:
    """Staff: every sign-in link and portal session of the customer stops working."""
    pk = cleaning.pk(contact_id)
    contact = await BooksContact.get_or_none(id=pk, organization_id__in=principal.organization_ids) if pk else None
    if contact is None:
        raise NotFound()
    if not principal.has("books_contacts", "create_edit"):
        raise PermissionDenied()
    now = _now()
    async with in_transaction():
        links = await PortalLink.filter(contact_id=contact.id, revoked_at__isnull=True).update(revoked_at=now)
        sessions = await PortalSession.filter(contact_id=contact.id, revoked_at__isnull=True).update(revoked_at=now)
    return links + sessions
