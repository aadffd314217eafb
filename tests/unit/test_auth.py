"""Passwords, login throttling, API tokens and sessions."""

from __future__ import annotations

import pytest

from app import auth, settings
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


async def test_login_is_throttled_after_repeated_failures(db):
    await f.make_user(email="kenji@example.jp")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        with pytest.raises(AuthenticationError):
            await auth.authenticate("kenji@example.jp", "guess", "10.0.0.2")
    # Even the right password is refused until the window passes.
    with pytest.raises(LoginThrottled) as err:
        await auth.authenticate("kenji@example.jp", f.PASSWORD, "10.0.0.2")
    assert "Try again in 15 minutes" in err.value.message
    # From another address the same account is still throttled (per login), but other users are not.
    with pytest.raises(LoginThrottled):
        await auth.authenticate("kenji@example.jp", f.PASSWORD, "10.0.0.3")
    await f.make_user(email="yumi@example.jp")
    assert await auth.authenticate("yumi@example.jp", f.PASSWORD, "10.0.0.4")


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


async def test_password_change_ends_other_sessions(db):
    user = await f.make_user()
    session: dict = {}
    auth.start_session(session, user)
    assert (await auth.user_for_session(session)).user.id == user.id
    with pytest.raises(ValidationError):
        await auth.change_password(user, "wrong", "a much longer password")
    with pytest.raises(ValidationError):
        await auth.change_password(user, f.PASSWORD, "short")
    await auth.change_password(user, f.PASSWORD, "a much longer password")
    assert await auth.user_for_session(session) is None
    await User.filter(id=user.id).update(is_active=False)
    assert await auth.user_for_token("kz_whatever") is None
