"""Sessions live on the server: logout, "sign out" in My account and a password change end them
for every copy of the cookie; My account lists them; the client address comes from a proxy only
when that proxy is trusted."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timedelta, timezone

import httpx

from app import settings
from app.main import create_app
from app.models import LoginAttempt, UserSession
from tests import factories as f
from tests.querycount import count_queries
from tests.views.conftest import csrf_of, login, post, token

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/18.1 Mobile/15E148 Safari/604.1")
ME = {"query": "{ me { user { email } } }"}


def browser(asgi_app, user_agent: str = FIREFOX, client=("127.0.0.1", 123)) -> httpx.AsyncClient:
    """Another browser on the same app (its own cookie jar)."""
    transport = httpx.ASGITransport(app=asgi_app, client=client)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers={"User-Agent": user_agent})


async def test_a_copied_cookie_stops_working_after_logout(signed_in, client, asgi_app):
    user = await signed_in("Sales")
    csrf = await token(client)
    stolen = client.cookies[settings.SESSION_COOKIE]
    async with browser(asgi_app) as thief:
        thief.cookies.set(settings.SESSION_COOKIE, stolen)
        assert (await thief.get("/contacts")).status_code == 200  # a copy works while signed in
        ok = await thief.post("/graphql", json=ME, headers={"X-CSRF-Token": csrf})
        assert ok.json()["data"]["me"]["user"]["email"] == user.email

        assert (await post(client, "/logout")).headers["location"] == "/login"

        page = await thief.get("/contacts")
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        api = await thief.post("/graphql", json=ME, headers={"X-CSRF-Token": csrf})
        assert api.status_code == 401
    assert not await UserSession.filter(user_id=user.id).exists()


async def test_the_session_row_keeps_only_a_hash_of_the_cookies_secret(signed_in, client):
    user = await signed_in("Sales")
    row = await UserSession.get(user_id=user.id)
    payload = client.cookies[settings.SESSION_COOKIE].split(".")[0]
    secret = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))["sid"]
    assert len(secret) >= 40 and secret not in str(await UserSession.filter(id=row.id).values())
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()


async def test_an_expired_session_is_signed_out(signed_in, client):
    user = await signed_in("Sales")
    await UserSession.filter(user_id=user.id).update(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    assert (await client.get("/contacts")).status_code == 303


async def test_my_account_lists_sessions_and_signs_one_out(signed_in, client, asgi_app):
    user = await signed_in("Sales")
    async with browser(asgi_app, SAFARI) as phone:
        await login(phone, user)
        html = (await client.get("/settings/account")).text
        rows = re.findall(r'<tr id="session-(\d+)">(.*?)</tr>', html, re.S)
        assert len(rows) == 2
        this = [sid for sid, row in rows if "This session" in row]
        other = [(sid, row) for sid, row in rows if "This session" not in row]
        assert len(this) == 1 and len(other) == 1
        assert "Safari / iOS" in other[0][1] and "127.0.0.1" in other[0][1]
        assert "Sign out everywhere else" in html

        done = await post(client, f"/settings/account/sessions/{other[0][0]}/revoke")
        assert done.headers["location"] == "/settings/account?done=session#sessions"
        assert (await phone.get("/contacts")).status_code == 303
        assert (await client.get("/contacts")).status_code == 200
        # Another user's session cannot be signed out by id.
        stranger = await f.make_user("Sales")
        async with browser(asgi_app) as theirs:
            await login(theirs, stranger)
            their_id = (await UserSession.get(user_id=stranger.id)).id
            assert (await post(client, f"/settings/account/sessions/{their_id}/revoke")).status_code == 404
            assert (await theirs.get("/contacts")).status_code == 200


async def test_sign_out_everywhere_else_keeps_this_session(signed_in, client, asgi_app):
    user = await signed_in("Sales")
    async with browser(asgi_app) as laptop, browser(asgi_app, SAFARI) as phone:
        await login(laptop, user)
        await login(phone, user)
        done = await post(client, "/settings/account/sessions/revoke-others")
        assert done.headers["location"] == "/settings/account?done=sessions#sessions"
        assert (await laptop.get("/contacts")).status_code == 303
        assert (await phone.get("/contacts")).status_code == 303
        page = await client.get("/settings/account?done=sessions")
        assert page.status_code == 200 and "Every other session was signed out." in page.text
        assert "Sign out everywhere else" not in page.text
    assert await UserSession.filter(user_id=user.id).count() == 1


async def test_password_change_signs_out_other_sessions_and_tokens_only_when_asked(signed_in, client, asgi_app):
    user = await signed_in("Sales")
    created = await post(client, "/settings/account/tokens", {"name": "Export"})
    secret = re.search(r'<code id="token-secret">([^<]+)</code>', created.text).group(1)
    bearer = {"Authorization": f"Bearer {secret}"}
    async with browser(asgi_app) as other:
        await login(other, user)
        changed = await post(client, "/settings/account/password",
                             {"current_password": f.PASSWORD, "new_password": "another long one"})
        assert changed.headers["location"] == "/settings/account?done=password"
        assert (await other.get("/contacts")).status_code == 303
        assert (await client.get("/contacts")).status_code == 200  # this browser goes on
        assert (await client.post("/graphql", json=ME, headers=bearer)).status_code == 200

        page = (await client.get("/settings/account")).text
        assert 'name="revoke_tokens"' in page
        changed = await post(client, "/settings/account/password", {
            "current_password": "another long one", "new_password": "and a third long one", "revoke_tokens": "on"})
        assert changed.headers["location"] == "/settings/account?done=password_tokens"
        assert (await client.post("/graphql", json=ME, headers=bearer)).status_code == 401
        assert (await client.get("/contacts")).status_code == 200


async def test_a_signed_in_request_authenticates_in_one_statement(signed_in, client):
    await signed_in("Sales")
    await client.get("/settings/account")  # the once-a-minute "last used" write is done
    with count_queries() as queries:
        await client.get("/settings/account")
    sessions_read = [q for q in queries.sql if "user_sessions" in q]
    assert len(sessions_read) == 2, queries.sql  # the identity look-up, and the list on the page
    assert "JOIN users" in sessions_read[0] and "access_stamp" in sessions_read[0]


async def _login_from(app, peer: str, user, forwarded: str) -> None:
    async with browser(app, client=(peer, 4000)) as c:
        page = await c.get("/login")
        await c.post("/login", headers={"X-Forwarded-For": forwarded}, data={
            "email": user.email, "password": f.PASSWORD, "csrf_token": csrf_of(page.text)})


async def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(client, asgi_app, monkeypatch):
    user = await f.make_user("Sales")
    assert settings.TRUSTED_PROXIES == []  # the default: believe no proxy
    await _login_from(asgi_app, "127.0.0.1", user, "203.0.113.66")
    assert await LoginAttempt.filter(ip="127.0.0.1", succeeded=True).count() == 1
    assert not await LoginAttempt.filter(ip="203.0.113.66").exists()

    monkeypatch.setattr(settings, "TRUSTED_PROXIES", ["127.0.0.1"])
    behind_proxy = create_app(manage_db=False)
    await _login_from(behind_proxy, "127.0.0.1", user, "203.0.113.7")
    assert await LoginAttempt.filter(ip="203.0.113.7", succeeded=True).count() == 1
    assert await UserSession.filter(user_id=user.id, ip="203.0.113.7").exists()
    # A peer that is not the proxy cannot choose its address.
    await _login_from(behind_proxy, "198.51.100.9", user, "203.0.113.99")
    assert await LoginAttempt.filter(ip="198.51.100.9").exists()
    assert not await LoginAttempt.filter(ip="203.0.113.99").exists()


async def test_graphql_lists_and_signs_out_sessions(signed_in, client, asgi_app):
    user = await signed_in("Sales")
    csrf = await token(client)
    async with browser(asgi_app, SAFARI) as phone, browser(asgi_app) as laptop:
        await login(phone, user)
        await login(laptop, user)

        async def gql(query: str, variables: dict | None = None) -> dict:
            response = await client.post("/graphql", json={"query": query, "variables": variables or {}},
                                         headers={"X-CSRF-Token": csrf})
            assert response.status_code == 200 and "errors" not in response.json(), response.text
            return response.json()["data"]

        listed = (await gql("{ me { sessions { id current userAgent address lastSeenAt } } }"))["me"]["sessions"]
        assert len(listed) == 3 and sum(s["current"] for s in listed) == 1
        phone_id = next(s["id"] for s in listed if "iPhone" in s["userAgent"])
        revoke = "mutation($id: ID!) { revokeSession(id: $id) { __typename ... on RevokeSessionPayload { revokedId } } }"
        assert (await gql(revoke, {"id": phone_id}))["revokeSession"]["revokedId"] == phone_id
        assert (await phone.get("/contacts")).status_code == 303
        again = await gql(revoke, {"id": phone_id})
        assert again["revokeSession"]["__typename"] == "NotFound"
        others = await gql("mutation { revokeOtherSessions { revokedCount } }")
        assert others["revokeOtherSessions"]["revokedCount"] == 1
        assert (await laptop.get("/contacts")).status_code == 303
        assert (await client.get("/contacts")).status_code == 200


async def test_deactivating_a_user_ends_their_sessions_for_good(signed_in, client):
    from app.permissions import Principal
    from app.services import users as user_service

    user = await signed_in("Sales")
    admin = await f.make_user("Administrator")
    await user_service.update_user(await Principal.load(admin), user.id, {"is_active": False})
    await user_service.update_user(await Principal.load(admin), user.id, {"is_active": True})
    assert (await client.get("/contacts")).status_code == 303


async def test_a_stolen_session_cannot_guess_the_password_faster_than_the_login_page(signed_in, client, clock):
    await signed_in("Sales")
    for _ in range(settings.LOGIN_PAIR_FREE):
        wrong = await post(client, "/settings/account/password",
                           {"current_password": "guess", "new_password": "another long one"})
        assert wrong.status_code == 422 and "The current password is wrong." in wrong.text
    refused = await post(client, "/settings/account/password",
                         {"current_password": f.PASSWORD, "new_password": "another long one"})
    assert refused.status_code == 422 and "Too many failed attempts. Try again in a second." in refused.text
    clock.advance(1)
    changed = await post(client, "/settings/account/password",
                         {"current_password": f.PASSWORD, "new_password": "another long one"})
    assert changed.headers["location"] == "/settings/account?done=password"
