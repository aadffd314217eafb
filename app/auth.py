"""Authentication: argon2 password hashes, throttled login, personal API tokens."""

from __future__ import annotations

import functools
import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.expressions import Q

from app import cleaning, settings
from app.errors import AuthenticationError, LoginThrottled, NotFound, ValidationError
from app.i18n import N_
from app.models import ApiToken, LoginAttempt, Role, User

_hasher = PasswordHasher()
# Verifying against a throwaway hash keeps unknown-user logins as slow as wrong-password ones.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "kz_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError.single(
            field, N_("Use at least %(min)d characters."), min=MIN_PASSWORD_LENGTH
        )


def verify_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def authenticate(email: str, password: str, ip: str) -> User:
    """Check credentials; refuse while this login or this address has too many recent failures."""
    login = email.strip().lower()
    if not cleaning.storable(login) or len(login) > 254:  # no user has it; the database refuses it
        raise AuthenticationError()
    since = _now() - timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)
    failures = await LoginAttempt.filter(
        Q(login=login) | Q(ip=ip), succeeded=False, at__gte=since
    ).order_by("at").values_list("at", flat=True)
    if len(failures) >= settings.LOGIN_MAX_FAILURES:
        oldest = failures[-settings.LOGIN_MAX_FAILURES]
        wait = oldest + timedelta(seconds=settings.LOGIN_WINDOW_SECONDS) - _now()
        raise LoginThrottled(max(1, math.ceil(wait.total_seconds() / 60)))
    user = await User.get_or_none(email=login, is_active=True).select_related("role")
    ok = verify_password(user, password)
    await LoginAttempt.create(login=login, ip=ip, succeeded=ok)
    if not ok:
        raise AuthenticationError()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = _now()
    await user.save(update_fields=["password_hash", "last_login_at"])
    return user


async def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user, current):
        raise ValidationError.single("current_password", N_("The current password is wrong."))
    check_password_strength(new, "new_password")
    user.password_hash = hash_password(new)
    user.session_version += 1  # signs every other session out
    await user.save(update_fields=["password_hash", "session_version"])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the stored token and the secret, which is shown to the user once only."""
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
        user=user, name=name, token_hash=_digest(secret), prefix=secret[:10]
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
    the same look-up (`app.permissions.Principal.load` reuses what it computed for that stamp)."""

    user: User
    access_stamp: str | None


@functools.cache
def _identity_sql(dialect: str, by_token: bool) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """One statement per dialect and way in, written out once: the user, their role and the
    stamp. Returns the SQL and the user's and the role's column names."""
    mark = "$1" if dialect == "postgres" else "?"
    users, roles = tuple(User._meta.fields_db_projection.values()), tuple(Role._meta.fields_db_projection.values())
    columns = ", ".join([*(f'u."{c}" AS "u.{c}"' for c in users), *(f'r."{c}" AS "r.{c}"' for c in roles),
                         "(SELECT stamp FROM access_stamp WHERE id = 1) AS access_stamp"])
    joins = "JOIN roles r ON r.id = u.role_id"
    if by_token:
        sql = (f"SELECT t.id AS token_id, t.last_used_at AS token_used_at, {columns} FROM api_tokens t "
               f"JOIN users u ON u.id = t.user_id {joins} "
               f"WHERE t.token_hash = {mark} AND t.revoked_at IS NULL AND u.is_active")
    else:
        sql = f"SELECT {columns} FROM users u {joins} WHERE u.id = {mark} AND u.is_active"
    return sql, users, roles


async def _identity(by_token: bool, key: Any) -> tuple[Identity, dict] | None:
    db = User._meta.db
    sql, users, roles = _identity_sql(db.capabilities.dialect, by_token)
    rows = await db.execute_query_dict(sql, [key])
    if not rows:
        return None
    row = rows[0]
    user = User._init_from_db(**{c: row[f"u.{c}"] for c in users})
    object.__setattr__(user, "_role", Role._init_from_db(**{c: row[f"r.{c}"] for c in roles}))
    return Identity(user, row["access_stamp"]), row


async def user_for_token(secret: str) -> Identity | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = await _identity(True, _digest(secret))
    if found is None:
        return None
    identity, row = found
    used_at = ApiToken._meta.fields_map["last_used_at"].to_python_value(row["token_used_at"])
    now = _now()
    # Record use at most once a minute: a busy client should not write on every request.
    if used_at is None or now - used_at > timedelta(minutes=1):
        await ApiToken.filter(id=row["token_id"]).update(last_used_at=now)
    return identity


async def user_for_session(session: dict) -> Identity | None:
    uid, version = session.get("uid"), session.get("ver")
    if not isinstance(uid, int):
        return None
    found = await _identity(False, uid)
    if found is None or found[0].user.session_version != version:
        return None
    return found[0]


def start_session(session: dict, user: User) -> None:
    session.clear()  # a fresh session on login: no fixation
    session["uid"] = user.id
    session["ver"] = user.session_version
    session["csrf"] = secrets.token_urlsafe(32)


def csrf_token(session: dict) -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]
