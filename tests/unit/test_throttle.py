"""Sign-in throttling: atomic under concurrency, progressive, per pair/address/login, not a
weapon against the owner; argon2 off the event loop; old attempts pruned."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timezone

import pytest
from argon2 import PasswordHasher

from app import auth, settings, throttle
from app.errors import AuthenticationError, LoginThrottled
from app.models import LoginAttempt
from tests import factories as f


async def _try(email: str, password: str, ip: str) -> str:
    try:
        await auth.authenticate(email, password, ip)
    except LoginThrottled:
        return "throttled"
    except AuthenticationError:
        return "wrong"
    return "in"


async def test_parallel_guesses_are_counted_one_after_another(db, clock):
    user = await f.make_user(email="target@example.jp")
    guesses = ["wrong password"] * 60
    guesses[56] = f.PASSWORD  # the right one at attempt 57 of 60
    results = await asyncio.gather(*(_try(user.email, g, "10.1.1.1") for g in guesses))
    # Only the pair's free attempts were checked at all; everything after them waits.
    assert results.count("wrong") == settings.LOGIN_PAIR_FREE
    assert results[56] == "throttled" and "in" not in results
    assert await LoginAttempt.filter(login=user.email).count() == settings.LOGIN_PAIR_FREE


async def test_waits_grow_exponentially_and_refusals_are_not_recorded(db, clock):
    user = await f.make_user(email="slow@example.jp")
    for _ in range(settings.LOGIN_PAIR_FREE):
        assert await _try(user.email, "nope", "10.2.2.2") == "wrong"
    for _ in range(3):  # hammering while refused neither counts nor lengthens the wait
        with pytest.raises(LoginThrottled) as refused:
            await auth.authenticate(user.email, "nope", "10.2.2.2")
        assert refused.value.seconds == 1
    assert await LoginAttempt.filter(login=user.email).count() == settings.LOGIN_PAIR_FREE
    for expected in (2, 4, 8):
        clock.advance(expected)  # the previous wait has passed
        assert await _try(user.email, "nope", "10.2.2.2") == "wrong"
        with pytest.raises(LoginThrottled) as refused:
            await auth.authenticate(user.email, f.PASSWORD, "10.2.2.2")
        assert refused.value.seconds == expected
    clock.advance(8)
    assert await _try(user.email, f.PASSWORD, "10.2.2.2") == "in"
    # A success from the pair starts its count again.
    assert await _try(user.email, "nope", "10.2.2.2") == "wrong"
    assert await _try(user.email, f.PASSWORD, "10.2.2.2") == "in"


def test_the_wait_is_capped_and_told_in_minutes_past_two():
    now = datetime.now(timezone.utc)
    rows = [(i, "a@example.jp", "10.0.0.1", False, now) for i in range(1, settings.LOGIN_PAIR_FREE + 40)]
    assert throttle.seconds_to_wait(rows, "a@example.jp", "10.0.0.1", now) == settings.LOGIN_MAX_DELAY
    assert "Try again in 15 minutes" in LoginThrottled(settings.LOGIN_MAX_DELAY).message
    assert "Try again in 90 seconds" in LoginThrottled(90).message


async def test_an_attackers_failures_do_not_lock_the_owner_out(db, clock):
    owner = await f.make_user(email="owner@example.jp")
    for _ in range(settings.LOGIN_PAIR_FREE + 10):
        await _try(owner.email, "guess", "198.51.100.66")
    assert await _try(owner.email, f.PASSWORD, "198.51.100.66") == "throttled"  # the attacker waits
    assert await _try(owner.email, f.PASSWORD, "192.0.2.10") == "in"  # the owner, from home


async def test_many_logins_from_one_address_are_slowed_as_credential_stuffing(db, clock, monkeypatch):
    monkeypatch.setattr(settings, "LOGIN_ADDRESS_FREE", 4)
    victim = await f.make_user(email="stuffed@example.jp")
    for i in range(4):
        assert await _try(f"user{i}@example.jp", "leaked", "203.0.113.5") == "wrong"
    assert await _try(victim.email, f.PASSWORD, "203.0.113.5") == "throttled"
    assert await _try(victim.email, f.PASSWORD, "203.0.113.6") == "in"


async def test_the_per_login_limit_only_slows_down(db, clock, monkeypatch):
    monkeypatch.setattr(settings, "LOGIN_ACCOUNT_FREE", 4)
    owner = await f.make_user(email="popular@example.jp")
    for i in range(4):  # a few guesses from each of many addresses
        assert await _try(owner.email, "guess", f"203.0.113.{i}") == "wrong"
    with pytest.raises(LoginThrottled) as refused:
        await auth.authenticate(owner.email, f.PASSWORD, "192.0.2.10")
    assert refused.value.seconds <= settings.LOGIN_ACCOUNT_MAX_DELAY
    clock.advance(refused.value.seconds)
    assert await _try(owner.email, f.PASSWORD, "192.0.2.10") == "in"


async def test_attempts_older_than_the_window_are_pruned(db, clock):
    await f.make_user(email="old@example.jp")
    for ip in ("10.3.3.3", "10.4.4.4"):
        await _try("old@example.jp", "nope", ip)
    await _try("someone@example.jp", "nope", "10.5.5.5")
    clock.advance(settings.LOGIN_WINDOW_SECONDS + 1)
    await _try("old@example.jp", "nope", "10.3.3.3")  # prunes this login's and address's rows
    assert await LoginAttempt.filter(login="old@example.jp").count() == 1
    assert await LoginAttempt.filter(login="someone@example.jp").exists()
    assert await throttle.prune() == 1  # run by `setup` at each start: the rest
    assert await LoginAttempt.all().count() == 1


async def test_argon2_runs_off_the_event_loop(db, client, monkeypatch):
    """While a login's password is being verified, another request on the same loop completes:
    the hasher waits for it, which would never happen if it held the loop."""
    user = await f.make_user()
    inside, released = threading.Event(), threading.Event()
    loop_thread = threading.get_ident()
    hasher_threads = []

    class Gated(PasswordHasher):
        def verify(self, hash, password):
            hasher_threads.append(threading.get_ident())
            inside.set()
            assert released.wait(10), "the event loop was blocked while verifying"
            return super().verify(hash, password)

    monkeypatch.setattr(auth, "HASHER", Gated())

    async def meanwhile():
        await asyncio.to_thread(inside.wait, 10)
        response = await client.get("/login")
        released.set()
        return response

    logged, other = await asyncio.gather(auth.authenticate(user.email, f.PASSWORD, "10.9.9.9"), meanwhile())
    assert logged.id == user.id and other.status_code == 200
    assert hasher_threads and loop_thread not in hasher_threads
    hashed_in = []
    monkeypatch.setattr(auth.HASHER, "hash", lambda p, **kw: hashed_in.append(threading.get_ident()) or "h")
    await auth.hash_password("a long enough password")
    assert hashed_in and hashed_in[0] != loop_thread
