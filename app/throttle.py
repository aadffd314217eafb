"""Sign-in throttling that holds under concurrency and cannot be turned against the owner.

OWASP's advice, without CAPTCHA: failures are counted for three keys within
`LOGIN_WINDOW_SECONDS`, and past a key's free failures each further attempt must wait 2^k seconds
after that key's last failure (k = failures past the free ones), up to a cap:

    key                       free failures          cap                     stops
    (login, address) pair     LOGIN_PAIR_FREE        LOGIN_MAX_DELAY         guessing one password
    address                   LOGIN_ADDRESS_FREE     LOGIN_MAX_DELAY         credential stuffing
    login, every address      LOGIN_ACCOUNT_FREE     LOGIN_ACCOUNT_MAX_DELAY distributed guessing

A pair's count starts again after a success from that pair. An attacker's failures from their
address delay their own pair and their own address only, so the owner signing in from theirs is
not kept out; the per-login key is far looser and only slows down. Refused attempts are not
recorded (hammering does not lengthen anyone's wait) and nothing sleeps: the caller is told how
many seconds to wait.

Atomic: an admitted attempt is written as a failure *before* its password is checked, in the
transaction that counted the earlier ones, under a lock on its login and address (PostgreSQL
advisory locks; on SQLite the transaction's write lock, taken by its first statement, a delete). So N parallel guesses are
counted one after another and at most the free ones are checked.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app import settings
from app.errors import LoginThrottled
from app.models import LoginAttempt

# Namespaces of the two advisory lock keys (pg_advisory_xact_lock(namespace, hashtext(value))).
_LOCK_LOGIN, _LOCK_ADDRESS = 7301, 7302


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _wait(failures: list[datetime], free: int, cap: int, now: datetime) -> float:
    """Seconds this key must still wait (<= 0: none)."""
    if len(failures) < free:
        return 0.0
    delay = min(2 ** min(len(failures) - free, 30), cap)
    return (max(failures) + timedelta(seconds=delay) - now).total_seconds()


def seconds_to_wait(rows: list[tuple[int, str, str, bool, datetime]], login: str, ip: str, now: datetime) -> float:
    """The wait the three keys impose, from the window's attempts (id, login, address, succeeded,
    at) for this login or address."""
    pair = [(pk, ok, at) for pk, lg, addr, ok, at in rows if lg == login and addr == ip]
    last_success = max((pk for pk, ok, at in pair if ok), default=0)
    pair_failures = [at for pk, ok, at in pair if not ok and pk > last_success]
    address_failures = [at for pk, lg, addr, ok, at in rows if addr == ip and not ok]
    login_failures = [at for pk, lg, addr, ok, at in rows if lg == login and not ok]
    return max(
        _wait(pair_failures, settings.LOGIN_PAIR_FREE, settings.LOGIN_MAX_DELAY, now),
        _wait(address_failures, settings.LOGIN_ADDRESS_FREE, settings.LOGIN_MAX_DELAY, now),
        _wait(login_failures, settings.LOGIN_ACCOUNT_FREE, settings.LOGIN_ACCOUNT_MAX_DELAY, now),
    )


async def admit(login: str, ip: str) -> int:
    """Admit one attempt and record it as failed (returns its id for `succeeded`), or raise
    LoginThrottled while any key must wait. Prunes this login's and address's expired rows."""
    now = _now()
    since = now - timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)
    keys = Q(login=login) | Q(ip=ip)
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "postgres":
            # Always the login's lock first, then the address's: no two attempts wait in a cycle.
            await conn.execute_query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [_LOCK_LOGIN, login])
            await conn.execute_query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [_LOCK_ADDRESS, ip])
        await LoginAttempt.filter(keys, at__lt=since).using_db(conn).delete()
        rows = await LoginAttempt.filter(keys).using_db(conn).values_list("id", "login", "ip", "succeeded", "at")
        wait = seconds_to_wait(rows, login, ip, now)
        if wait > 0:
            raise LoginThrottled(math.ceil(wait))
        attempt = await LoginAttempt.create(login=login, ip=ip, succeeded=False, at=now, using_db=conn)
    return attempt.id


async def succeeded(attempt_id: int) -> None:
    await LoginAttempt.filter(id=attempt_id).update(succeeded=True)


async def prune() -> int:
    """Delete every attempt older than the window (run by `setup` at each start)."""
    since = _now() - timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)
    return await LoginAttempt.filter(at__lt=since).delete()
