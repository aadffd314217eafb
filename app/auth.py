"""Authentication: argon2 password hashes, throttled login, personal API tokens, and who a
request comes from (by token or session cookie, `app.sessions`)."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.transactions import in_transaction

from app import cleaning, settings, throttle
from app.errors import AuthenticationError, LoginThrottled, NotFound, ValidationError
from app.i18n import N_
from app.models import ApiToken, Role, User, UserSession

HASHER = PasswordHasher()
# Verifying against a throwaway hash keeps unknown-user logins as slow as wrong-password ones.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "kz_"


# argon2 takes ~0.2 s of CPU by design: it runs in a worker thread (the binding releases the
# GIL), so the event loop goes on serving other requests meanwhile.
async def hash_password(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, password)


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError.single(
            field, N_("Use at least %(min)d characters."), min=MIN_PASSWORD_LENGTH
        )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):  # a lone surrogate is no password
        return False


async def verify_password(user: User | None, password: str) -> bool:
    ok = await asyncio.to_thread(_verify, user.password_hash if user else _DUMMY_HASH, password)
    return ok and user is not None


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def authenticate(email: str, password: str, ip: str) -> User:
    """Check credentials, throttled per login, address and both (`app.throttle`)."""
    login = email.strip().lower()
    if not cleaning.storable(login) or len(login) > 254:  # no user has it; the database refuses it
        raise AuthenticationError()
    attempt = await throttle.admit(login, ip[:64])
    user = await User.get_or_none(email=login, is_active=True).select_related("role")
    if not await verify_password(user, password):
        raise AuthenticationError()
    await throttle.succeeded(attempt)
    update = ["last_login_at"]
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
        update.append("password_hash")
    user.last_login_at = _now()
    await user.save(update_fields=update)
    return user


async def change_password(user: User, current: str, new: str, *, ip: str, revoke_tokens: bool = False) -> None:
    """Set a new password and end every session of the user (the caller may start a fresh one
    for the browser that asked). API tokens keep working unless `revoke_tokens`: they are
    separate credentials, each revocable on its own. The current password is checked under the
    sign-in throttle, so a stolen session cannot guess it any faster than the login page."""
    try:
        attempt = await throttle.admit(user.email, ip[:64])
    except LoginThrottled as exc:
        raise ValidationError.single("current_password", exc.msgid, **exc.params) from exc
    if not await verify_password(user, current):
        raise ValidationError.single("current_password", N_("The current password is wrong."))
    await throttle.succeeded(attempt)
    check_password_strength(new, "new_password")
    user.password_hash = await hash_password(new)
    async with in_transaction():
        await user.save(update_fields=["password_hash"])
        await UserSession.filter(user_id=user.id).delete()
        if revoke_tokens:
            await ApiToken.filter(user_id=user.id, revoked_at=None).update(revoked_at=_now())


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# What a token may open: the GraphQL API, or CalDAV/CardDAV as an app password (issue 14). A DAV
# client keeps its password in the device's settings: such a token cannot reach the API.
SCOPES = ("api", "dav")


async def create_api_token(user: User, name: str, scopes: Sequence[str] = ("api",)) -> tuple[ApiToken, str]:
    """Returns the stored token and the secret, which is shown to the user once only."""
    chosen = [s for s in SCOPES if s in set(scopes)]
    if not chosen or len(chosen) != len(set(scopes)):
        raise ValidationError.single("scopes", N_("Choose what the token may open."))
    name = name.strip()
    if not cleaning.storable(name):
        raise ValidationError.single("name", cleaning.UNSTORABLE)
    if not name:
        raise ValidationError.single("name", N_("This field is required."))
    if len(name) > 100:
        raise ValidationError.single(
            "name", N_("Must be at most %(max)d characters (now %(length)d)."), max=100, length=len(name)
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await ApiToken.create(
        user=user, name=name, token_hash=digest(secret), prefix=secret[:10], scopes=",".join(chosen)
    )
    return token, secret


async def revoke_api_token(user: User, token_id: int) -> None:
    token = await ApiToken.get_or_none(id=token_id, user_id=user.id, revoked_at=None)
    if token is None:
        raise NotFound()
    token.revoked_at = _now()
    await token.save(update_fields=["revoked_at"])


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a request comes from: the active user, with their role, and the access stamp read in
    the same look-up (`app.permissions.Principal.load` reuses what it computed for that stamp),
    and the session row when it came with a session cookie."""

    user: User
    access_stamp: str | None
    session_id: int | None = None
    # Since when the user's longest-failing enabled mailbox has failed (None: none is failing),
    # read in the same statement: every page may show the notice, no page pays a query for it.
    mail_failing_since: datetime | None = None
    # The token's scopes (app.auth.SCOPES); empty for a session, which opens what the user may.
    scopes: frozenset[str] = frozenset()
    token_id: int | None = None


# The two ways in: a table of hashed secrets each, read in one statement with the user, role
# and stamp. (alias, table, when used, when it ends, condition)
_WAYS = {
    "token": ("t", "api_tokens", "t.last_used_at", "NULL", "t.scopes",
              "t.token_hash = {mark} AND t.revoked_at IS NULL"),
    "session": ("s", "user_sessions", "s.last_seen_at", "s.expires_at", "''", "s.secret_hash = {mark}"),
}


@functools.cache
def _identity_sql(dialect: str, way: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """One statement per dialect and way in, written out once: the credential's row, the user,
    their role and the stamp. Returns the SQL and the user's and the role's column names."""
    mark = "$1" if dialect == "postgres" else "?"
    alias, table, used, ends, scopes, condition = _WAYS[way]
    users, roles = tuple(User._meta.fields_db_projection.values()), tuple(Role._meta.fields_db_projection.values())
    columns = ", ".join([*(f'u."{c}" AS "u.{c}"' for c in users), *(f'r."{c}" AS "r.{c}"' for c in roles),
                         "(SELECT stamp FROM access_stamp WHERE id = 1) AS access_stamp",
                         "(SELECT MIN(m.failing_since) FROM mailboxes m WHERE m.owner_id = u.id AND m.enabled "
                         "AND m.failing_since IS NOT NULL) AS mail_failing_since"])
    sql = (f"SELECT {alias}.id AS way_id, {used} AS used_at, {ends} AS ends_at, {scopes} AS scopes, {columns} "
           f"FROM {table} {alias} JOIN users u ON u.id = {alias}.user_id JOIN roles r ON r.id = u.role_id "
           f"WHERE {condition.format(mark=mark)} AND u.is_active")
    return sql, users, roles


async def _identify(way: str, secret: str) -> Identity | None:
    db = User._meta.db
    sql, users, roles = _identity_sql(db.capabilities.dialect, way)
    rows = await db.execute_query_dict(sql, [digest(secret)])
    if not rows:
        return None
    row, now = rows[0], _now()
    to_datetime = ApiToken._meta.fields_map["last_used_at"].to_python_value
    if way == "session" and to_datetime(row["ends_at"]) <= now:
        return None
    used_at = to_datetime(row["used_at"])
    # Record use at most once a minute: a busy client should not write on every request.
    if used_at is None or now - used_at > timedelta(minutes=1):
        if way == "token":
            await ApiToken.filter(id=row["way_id"]).update(last_used_at=now)
        else:
            await UserSession.filter(id=row["way_id"]).update(
                last_seen_at=now, expires_at=now + timedelta(seconds=settings.SESSION_MAX_AGE))
    user = User._init_from_db(**{c: row[f"u.{c}"] for c in users})
    object.__setattr__(user, "_role", Role._init_from_db(**{c: row[f"r.{c}"] for c in roles}))
    return Identity(user, row["access_stamp"], row["way_id"] if way == "session" else None,
                    to_datetime(row["mail_failing_since"]),
                    frozenset(filter(None, (row["scopes"] or "").split(","))),
                    row["way_id"] if way == "token" else None)


async def user_for_token(secret: str, scope: str = "api") -> Identity | None:
    """The user of an API token that opens `scope` (None: unknown, revoked, or another scope)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    identity = await _identify("token", secret)
    return identity if identity is not None and scope in identity.scopes else None


async def user_for_session(session: dict) -> Identity | None:
    """The user of a session cookie whose row still exists (`app.sessions`)."""
    secret = session.get("sid")
    if not isinstance(secret, str) or not secret:
        return None
    return await _identify("session", secret)


def csrf_token(session: dict) -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]
