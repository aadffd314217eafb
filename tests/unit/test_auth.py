"""Passwords, login throttling, API tokens and sessions."""

from __future__ import annotations

import pytest

from app import auth, sessions, settings
from app.errors import AuthenticationError, LoginThrottled, ValidationError
from app.models import ApiToken, User
from tests import factories as f


async def test_passwords_are_argon2_hashed_and_verified(db):
    user = await f.make_user(email="hana@example.jp")
    assert user.password_hash.startswith("$argon2id$")
    logged = await auth.authenticate("Hana@Example.jp ", f.PASSWORD, "10.0.0.1")
    assert logged.id == user.id and logged.last_login_at is not None
    with pytest.raises(AuthenticationError, match="Wrong e-mail address or password"):
        await auth.authenticate("hana@example.jp", "wrong password", "10.0.0.1")
    with pytest.raises(AuthenticationError):
        await auth.authenticate("nobody@example.jp", f.PASSWORD, "10.0.0.1")


async def test_login_is_throttled_per_login_and_address(db, clock):
    await f.make_user(email="kenji@example.jp")
    for _ in range(settings.LOGIN_PAIR_FREE):
        with pytest.raises(AuthenticationError):
            await auth.authenticate("kenji@example.jp", "guess", "10.0.0.2")
    # Even the right password is refused from that address for now, and told how long to wait.
    with pytest.raises(LoginThrottled) as err:
        await auth.authenticate("kenji@example.jp", f.PASSWORD, "10.0.0.2")
    assert "Try again in a second" in err.value.message
    # The owner, from their own address, is not kept out; nor are other users.
    assert await auth.authenticate("kenji@example.jp", f.PASSWORD, "10.0.0.3")
    await f.make_user(email="yumi@example.jp")
    assert await auth.authenticate("yumi@example.jp", f.PASSWORD, "10.0.0.2")


async def test_api_tokens_are_stored_hashed_and_revocable(db):
    user = await f.make_user()
    token, secret = await auth.create_api_token(user, "Spreadsheet sync")
    assert secret.startswith("kz_") and secret not in token.token_hash
    assert (await auth.user_for_token(secret)).user.id == user.id
    assert (await ApiToken.get(id=token.id)).last_used_at is not None
    assert await auth.user_for_token(secret + "x") is None
    await auth.revoke_api_token(user, token.id)
    assert await auth.user_for_token(secret) is None
    with pytest.raises(ValidationError):
        await auth.create_api_token(user, "  ")


async def test_a_token_opens_only_its_scopes(db):
    """An app password for a phone's calendar (dav) cannot reach the API, and the reverse."""
    user = await f.make_user()
    _, dav = await auth.create_api_token(user, "iPhone calendar", scopes=("dav",))
    _, api = await auth.create_api_token(user, "Spreadsheet sync")
    assert await auth.user_for_token(dav) is None
    assert (await auth.user_for_token(dav, "dav")).user.id == user.id
    assert await auth.user_for_token(api, "dav") is None
    _, both = await auth.create_api_token(user, "Both", scopes=("api", "dav"))
    assert await auth.user_for_token(both) and await auth.user_for_token(both, "dav")
    for bad in ((), ("admin",), ("dav", "root")):
        with pytest.raises(ValidationError) as err:
            await auth.create_api_token(user, "Bad", scopes=bad)
        assert err.value.errors[0].field == "scopes"


async def test_password_change_ends_sessions_and_keeps_tokens_unless_asked(db):
    user = await f.make_user()
    session: dict = {}
    await sessions.start(session, user)
    _, secret = await auth.create_api_token(user, "sync")
    assert (await auth.user_for_session(session)).user.id == user.id
    with pytest.raises(ValidationError):
        await auth.change_password(user, "wrong", "a much longer password", ip="10.0.0.9")
    with pytest.raises(ValidationError):
        await auth.change_password(user, f.PASSWORD, "short", ip="10.0.0.9")
    assert await auth.user_for_session(session) is not None  # refused changes end nothing
    await auth.change_password(user, f.PASSWORD, "a much longer password", ip="10.0.0.9")
    assert await auth.user_for_session(session) is None
    assert await auth.user_for_token(secret) is not None
    await auth.change_password(user, "a much longer password", "yet another long one", ip="10.0.0.9",
                               revoke_tokens=True)
    assert await auth.user_for_token(secret) is None
    _, secret = await auth.create_api_token(user, "sync again")
    await User.filter(id=user.id).update(is_active=False)
    assert await auth.user_for_token(secret) is None
