"""Settings > Integrations > CRM key (Books) and Settings > Services > Books (CRM): the key is
shown once, then only its first characters; the CRM administrator connects with the e-mail
address and the key, picks one of the organizations it reaches, disables and enables the link;
others get 403."""

from __future__ import annotations

import hashlib
import re

import pytest

from app.models import BooksConnectionKey, BooksLink
from tests import factories as f
from tests.views.conftest import login, post

KEY_RE = re.compile(r'id="key-secret">(kzk_[A-Za-z0-9_-]+)<')
WRONG = "The e-mail address or the key is wrong."


async def _new_key(client) -> str:
    response = await post(client, "/books/settings/integrations/crm-key")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    return KEY_RE.search(response.text).group(1)


@pytest.fixture
async def books_admin(client, db):
    user = await f.make_user("Administrator", email="keeper@example.jp")
    sakura = await f.make_org(user, name="株式会社さくら商事")
    tsubaki = await f.make_org(user, name="株式会社つばき")
    await f.make_org(name="株式会社よそ")
    assert (await login(client, user)).status_code == 303
    return user, sakura, tsubaki


async def test_the_key_is_shown_once_then_only_its_first_characters(client, books_admin):
    user, _, _ = books_admin
    page = await client.get("/books/settings/integrations")
    assert page.status_code == 200 and 'id="no-key"' in page.text
    secret = await _new_key(client)
    row = await BooksConnectionKey.get(user_id=user.id, revoked_at=None)
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    page = (await client.get("/books/settings/integrations")).text
    assert secret not in page and f"{secret[:12]}…" in page and 'id="no-key"' not in page
    # Regenerating: a new key, the old one stops.
    again = await _new_key(client)
    assert again != secret
    assert await BooksConnectionKey.filter(user_id=user.id, revoked_at=None).values_list("key_hash", flat=True) == [
        hashlib.sha256(again.encode()).hexdigest()]
    # Revoking: no active key left.
    response = await post(client, "/books/settings/integrations/crm-key/revoke")
    assert response.status_code == 303
    page = (await client.get(response.headers["location"])).text
    assert 'id="no-key"' in page and 'id="notice"' in page
    assert not await BooksConnectionKey.filter(user_id=user.id, revoked_at=None).exists()


async def test_the_crm_administrator_connects_to_an_organization_the_key_reaches(client, books_admin):
    user, sakura, tsubaki = books_admin
    secret = await _new_key(client)
    crm = await f.make_user("Administrator")
    await login(client, crm)
    page = await client.get("/settings/services/books")
    assert page.status_code == 200 and 'id="key-form"' in page.text
    # Wrong address or wrong key: the same plain message, nothing saved.
    for email, key in ((user.email, secret[:-1] + "x"), ("other@example.jp", secret)):
        response = await post(client, "/settings/services/books/verify", {"email": email, "key": key})
        assert response.status_code == 422 and WRONG in response.text
        assert secret not in response.text
    assert not await BooksLink.exists()
    response = await post(client, "/settings/services/books/verify", {"email": user.email, "key": secret})
    assert response.status_code == 200
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', response.text.split('id="organization_id"')[1]
                         .split("</select>")[0])
    assert sorted(options) == sorted([(str(sakura.id), sakura.name), (str(tsubaki.id), tsubaki.name)])
    assert "株式会社よそ" not in response.text
    response = await post(client, "/settings/services/books/connect", {
        "email": user.email, "key": secret, "organization_id": str(tsubaki.id), "automation": "invoice"})
    assert response.status_code == 303
    page = (await client.get(response.headers["location"])).text
    assert "株式会社つばき" in page and 'id="key-revoked"' not in page
    link = await BooksLink.get()
    assert (link.organization_id, link.enabled, link.automation, link.connected_by_id) == (
        tsubaki.id, True, "invoice", crm.id)
    # Disable and enable again: the organization stays.
    assert (await post(client, "/settings/services/books/enabled", {})).status_code == 303
    assert (await BooksLink.get()).enabled is False
    assert (await post(client, "/settings/services/books/enabled", {"enabled": "on"})).status_code == 303
    link = await BooksLink.get()
    assert link.enabled and link.organization_id == tsubaki.id
    # Switching organization: the same flow again.
    response = await post(client, "/settings/services/books/connect", {
        "email": user.email, "key": secret, "organization_id": str(sakura.id), "automation": "none"})
    assert response.status_code == 303
    assert await BooksLink.all().values_list("organization_id", flat=True) == [sakura.id]


async def test_an_organization_the_key_does_not_reach_is_offered_again(client, books_admin):
    user, _, _ = books_admin
    secret = await _new_key(client)
    from app.models import Organization

    elsewhere = await Organization.get(name="株式会社よそ")
    response = await post(client, "/settings/services/books/connect", {
        "email": user.email, "key": secret, "organization_id": str(elsewhere.id), "automation": "none"})
    assert response.status_code == 422
    assert "Choose one of the organizations the key reaches." in response.text
    assert 'id="organization_id"' in response.text and not await BooksLink.exists()


async def test_a_revoked_key_says_so_on_the_crm_page(client, books_admin):
    user, sakura, _ = books_admin
    secret = await _new_key(client)
    await post(client, "/settings/services/books/connect", {
        "email": user.email, "key": secret, "organization_id": str(sakura.id), "automation": "none"})
    await post(client, "/books/settings/integrations/crm-key/revoke")
    page = (await client.get("/settings/services/books")).text
    assert 'id="key-revoked"' in page and "Enabled, but the key is revoked" in page


async def test_disconnect(client, books_admin):
    user, sakura, _ = books_admin
    secret = await _new_key(client)
    await post(client, "/settings/services/books/connect", {
        "email": user.email, "key": secret, "organization_id": str(sakura.id), "automation": "none"})
    assert (await post(client, "/settings/services/books/disconnect")).status_code == 303
    assert not await BooksLink.exists()
    assert 'id="link"' not in (await client.get("/settings/services/books")).text


@pytest.mark.parametrize("role", ["Manager", "Sales", "Accountant"])
async def test_others_get_403(client, signed_in, role):
    user = await signed_in(role)
    await f.make_org(user)
    for url in ("/books/settings/integrations", "/settings/services/books"):
        assert (await client.get(url)).status_code == 403, url
    for url in ("/books/settings/integrations/crm-key", "/books/settings/integrations/crm-key/revoke",
                "/settings/services/books/verify", "/settings/services/books/connect",
                "/settings/services/books/enabled", "/settings/services/books/disconnect"):
        assert (await post(client, url, {"email": "a@example.jp", "key": "x"})).status_code == 403, url
    assert not await BooksConnectionKey.exists() and not await BooksLink.exists()
    nav = (await client.get("/settings/account")).text
    assert "/settings/services/books" not in nav and "/books/settings/integrations" not in nav


async def test_the_pages_are_in_japanese(client, db):
    user = await f.make_user("Administrator", language="ja")
    await f.make_org(user)
    await login(client, user)
    assert "CRMキー" in (await client.get("/books/settings/integrations")).text
    assert "サービス" in (await client.get("/settings/services/books")).text


@pytest.mark.parametrize("email, key", [
    ("keeper@example.jp", "x" * 200_000),
    ("keeper@example.jp", "kzk_\x00"),
    ("keeper\ud800@example.jp", "kzk_" + "A" * 43),
    ("\x00", "\ud800"),
])
async def test_hostile_keys_get_the_plain_message(client, books_admin, email, key):
    from urllib.parse import quote_plus

    from tests.views.conftest import token

    csrf = await token(client)
    body = "&".join(f"{k}={quote_plus(v.encode('utf-8', 'surrogatepass'))}"
                    for k, v in {"email": email, "key": key, "csrf_token": csrf}.items())
    for url in ("/settings/services/books/verify", "/settings/services/books/connect"):
        response = await client.post(url, content=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf})
        assert response.status_code in (413, 422), (url, response.status_code)
        if response.status_code == 422:
            assert WRONG in response.text
    assert not await BooksLink.exists()
