"""Settings: users & roles and sharing (administrators only), My account for everyone."""

from __future__ import annotations

import re

import pytest

from app import auth
from app.models import ApiToken, Grant, Role, SharingRule, User
from tests import factories as f
from tests.views.conftest import login, post

ADMIN_PAGES = ["/settings/users", "/settings/sharing", "/settings/roles/1"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
async def test_admin_pages_refuse_other_roles(signed_in, client, path):
    await signed_in("Manager")
    response = await client.get(path)
    assert response.status_code == 403
    assert (await post(client, "/settings/users", {"email": "x@example.com"})).status_code == 403
    assert 'href="/settings/users"' not in (await client.get("/settings/account")).text


async def test_admin_creates_user_with_validation(signed_in, client):
    await signed_in("Administrator")
    sales = await Role.get(name="Sales")
    bad = await post(client, "/settings/users", {"email": "new@example.com", "name": "New",
                                                  "password": "short", "role_id": str(sales.id)})
    assert bad.status_code == 422 and "Use at least 10 characters." in bad.text
    assert 'value="new@example.com"' in bad.text
    ok = await post(client, "/settings/users", {"email": "new@example.com", "name": "New Person",
                                                 "password": "a long enough one", "role_id": str(sales.id)})
    assert ok.status_code == 303
    user = await User.get(email="new@example.com")
    assert user.role_id == sales.id
    assert "New Person" in (await client.get("/settings/users")).text


async def test_admin_changes_role_and_deactivates(signed_in, client):
    admin = await signed_in("Administrator")
    user = await f.make_user("Sales")
    manager = await Role.get(name="Manager")
    ok = await post(client, f"/settings/users/{user.id}", {"role_id": str(manager.id)})  # no is_active
    assert ok.status_code == 303
    await user.refresh_from_db()
    assert user.role_id == manager.id and not user.is_active
    own = await post(client, f"/settings/users/{admin.id}", {"role_id": str(manager.id), "is_active": "on"})
    assert own.status_code == 409
    assert "You cannot deactivate yourself or change your own role." in own.text


async def test_admin_creates_role_and_edits_matrix(signed_in, client):
    await signed_in("Administrator")
    created = await post(client, "/settings/roles", {"name": "Support", "description": "Cases"})
    role = await Role.get(name="Support")
    assert created.headers["location"] == f"/settings/roles/{role.id}"
    duplicate = await post(client, "/settings/roles", {"name": "Support"})
    assert duplicate.status_code == 422 and "A role with this name exists already." in duplicate.text
    page = (await client.get(f"/settings/roles/{role.id}")).text
    assert 'name="grant" value="cases.view"' in page and 'name="grant" value="settings.view"' not in page
    saved = await post(client, f"/settings/roles/{role.id}/grants",
                       {"grant": ["cases.view", "cases.create_edit"]})
    assert saved.status_code == 303
    grants = set(await Grant.filter(role_id=role.id).values_list("module", "action"))
    assert grants == {("cases", "view"), ("cases", "create_edit")}
    matrix = (await client.get(f"/settings/roles/{role.id}")).text
    assert re.search(r'id="grant-cases-create_edit"[^>]*checked', matrix)
    assert not re.search(r'id="grant-cases-delete"[^>]*checked', matrix)


async def test_sharing_rules_create_and_delete(signed_in, client):
    await signed_in("Administrator")
    owner, grantee = await f.make_user("Sales"), await f.make_user("Sales")
    bad = await post(client, "/settings/sharing", {"module": "contacts", "access": "read_only"})
    assert bad.status_code == 422 and "Choose either a user or a role to share with." in bad.text
    ok = await post(client, "/settings/sharing", {"module": "contacts", "access": "read_only",
                                                   "owner_user_id": str(owner.id),
                                                   "grantee_user_id": str(grantee.id)})
    assert ok.status_code == 303
    rule = await SharingRule.get(module="contacts")
    listing = (await client.get("/settings/sharing")).text
    assert f'id="rule-{rule.id}"' in listing and owner.name in listing
    await post(client, f"/settings/sharing/{rule.id}/delete")
    assert not await SharingRule.exists(id=rule.id)


async def test_my_account_preferences_and_language(signed_in, client):
    me = await signed_in("Sales")
    page = (await client.get("/settings/account")).text
    assert '<select name="language" id="language">' in page
    saved = await post(client, "/settings/account", {"language": "ja", "timezone": "Europe/Berlin"})
    assert saved.headers["location"] == "/settings/account?done=saved"
    await me.refresh_from_db()
    assert (me.language, me.timezone) == ("ja", "Europe/Berlin")
    japanese = (await client.get("/settings/account?done=saved")).text
    assert '<html lang="ja">' in japanese and "設定を保存しました。" in japanese
    bad = await post(client, "/settings/account", {"language": "fr", "timezone": "Nowhere/City"})
    assert bad.status_code == 422 and "選択肢の中から選んでください。" in bad.text
    back = await post(client, "/settings/account", {"language": "", "timezone": "Asia/Tokyo"})
    assert back.status_code == 303
    await me.refresh_from_db()
    assert me.language is None


async def test_change_password_keeps_this_session(signed_in, client):
    me = await signed_in("Sales")
    wrong = await post(client, "/settings/account/password", {"current_password": "nope",
                                                               "new_password": "another long one"})
    assert wrong.status_code == 422 and "The current password is wrong." in wrong.text
    ok = await post(client, "/settings/account/password", {"current_password": f.PASSWORD,
                                                            "new_password": "another long one"})
    assert ok.headers["location"] == "/settings/account?done=password"
    assert (await client.get("/settings/account")).status_code == 200  # still signed in
    await me.refresh_from_db()
    assert await auth.verify_password(me, "another long one")


async def test_api_tokens_shown_once_listed_and_revoked(signed_in, client):
    me = await signed_in("Sales")
    empty = await post(client, "/settings/account/tokens", {"name": ""})
    assert empty.status_code == 422 and "This field is required." in empty.text
    created = await post(client, "/settings/account/tokens", {"name": "Export"})
    secret = re.search(r'<code id="token-secret">([^<]+)</code>', created.text).group(1)
    assert (await auth.user_for_token(secret)).user.id == me.id
    listing = (await client.get("/settings/account")).text
    assert secret not in listing and "Export" in listing and secret[:10] in listing
    token = await ApiToken.get(user_id=me.id)
    assert (await post(client, f"/settings/account/tokens/{token.id}/revoke")).status_code == 303
    assert await auth.user_for_token(secret) is None
    assert "Export" not in (await client.get("/settings/account")).text


async def test_cannot_revoke_someone_elses_token(signed_in, client):
    other = await f.make_user("Sales")
    token, _ = await auth.create_api_token(other, "theirs")
    await signed_in("Sales")
    assert (await post(client, f"/settings/account/tokens/{token.id}/revoke")).status_code == 404


async def test_admin_sees_settings_in_menu(signed_in, client):
    await signed_in("Administrator")
    assert 'href="/settings/users"' in (await client.get("/settings/account")).text
    assert (await client.get("/settings")).headers["location"] == "/settings/users"
    await login(client, await f.make_user("Sales"))
    assert (await client.get("/settings")).headers["location"] == "/settings/account"
