"""Settings > Roles: names are data (shown as typed, escaped, never through gettext), roles can be
renamed and deleted when unused, and every row of the permission matrix has its label."""

from __future__ import annotations

import html
import re

import pytest

from app.i18n import gettext
from app.models import Role, SharingRule, Stage, StageCategory, User
from app.permissions import MODULES
from tests import factories as f
from tests.views.conftest import post
from views.settings import MODULE_LABELS

HOSTILE = ["<img src=x onerror=alert(1)>", "Sales 100%"]


async def _pages(role: Role) -> list[str]:
    return ["/settings/users", "/settings/sharing", f"/settings/roles/{role.id}"]


@pytest.mark.parametrize("name", HOSTILE)
async def test_role_names_are_shown_as_typed_on_every_settings_page(signed_in, client, name):
    await signed_in("Administrator")
    role = await Role.create(name=name)
    await SharingRule.create(module="contacts", access="read_only", owner_role=role, grantee_role=role)
    for path in await _pages(role):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "<img src=x" not in response.text, path
        assert html.escape(name, quote=False) in response.text, path


async def test_built_in_role_names_are_shown_translated(signed_in, client):
    await signed_in("Administrator", language="ja")
    sales = await Role.get(name="Sales")
    page = (await client.get("/settings/users")).text
    assert f'<a href="/settings/roles/{sales.id}">営業</a>' in page
    assert f'<h1>{gettext("ja", "Role")}: 営業</h1>' in (await client.get(f"/settings/roles/{sales.id}")).text


async def test_stage_names_are_data_too(signed_in, client):
    user = await signed_in("Sales")
    stage = await Stage.create(name="<b>x</b> 100%", category=StageCategory.OPEN, sort_order=99)
    deal = await f.make_deal(user, stage=stage)
    for path in ("/deals", f"/deals/{deal.id}", f"/deals/{deal.id}/edit"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "&lt;b&gt;x&lt;/b&gt; 100%" in response.text, path


async def test_every_matrix_row_has_its_translated_label(signed_in, client):
    await signed_in("Administrator", language="ja")
    role = await Role.get(name="Sales")
    page = (await client.get(f"/settings/roles/{role.id}")).text
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>', page)
    assert rows == [gettext("ja", MODULE_LABELS[m]) for m in MODULES]
    assert all(rows) and "built-in method" not in page
    assert f'aria-label="{gettext("ja", "Items")}: {gettext("ja", "View")}"' in page


async def test_rename_role(signed_in, client):
    await signed_in("Administrator")
    role = await Role.create(name="Support")
    taken = await post(client, f"/settings/roles/{role.id}", {"name": "Sales"})
    assert taken.status_code == 422 and "A role with this name exists already." in taken.text
    blank = await post(client, f"/settings/roles/{role.id}", {"name": "  "})
    assert blank.status_code == 422 and "This field is required." in blank.text
    ok = await post(client, f"/settings/roles/{role.id}", {"name": "Support 100%", "description": "Cases",
                                                            "sees_all_records": "on"})
    assert ok.status_code == 303
    await role.refresh_from_db()
    assert (role.name, role.description, role.sees_all_records) == ("Support 100%", "Cases", True)
    assert "The role was saved." in (await client.get(ok.headers["location"])).text


async def test_built_in_role_renamed_stays_renamed_after_setup(signed_in, client):
    from app.services.users import ensure_default_roles

    await signed_in("Administrator")
    sales = await Role.get(name="Sales")
    assert (await post(client, f"/settings/roles/{sales.id}", {"name": "営業部"})).status_code == 303
    await ensure_default_roles()
    assert not await Role.exists(name="Sales")


async def test_delete_role_only_when_unused(signed_in, client):
    await signed_in("Administrator")
    role = await Role.create(name="Temp")
    holder = await User.create(email="h@example.com", name="Holder", password_hash="x", role=role)
    page = (await client.get(f"/settings/roles/{role.id}")).text
    assert 'id="delete-role-form"' in page
    refused = await post(client, f"/settings/roles/{role.id}/delete")
    assert refused.status_code == 409 and "Move this role&#39;s users to another role first." in refused.text
    assert await Role.exists(id=role.id)
    await holder.delete()
    deleted = await post(client, f"/settings/roles/{role.id}/delete")
    assert deleted.status_code == 303 and not await Role.exists(id=role.id)
    assert (await client.get(f"/settings/roles/{role.id}")).status_code == 404
    assert (await client.get("/settings/roles/" + "9" * 30)).status_code == 404
    sales = await Role.get(name="Sales")
    assert 'id="delete-role-form"' not in (await client.get(f"/settings/roles/{sales.id}")).text
    builtin = await post(client, f"/settings/roles/{sales.id}/delete")
    assert builtin.status_code == 409 and "Built-in roles cannot be deleted." in builtin.text


async def test_role_pages_refuse_non_administrators(signed_in, client):
    await signed_in("Manager")
    role = await Role.create(name="Temp")
    assert (await post(client, f"/settings/roles/{role.id}", {"name": "X"})).status_code == 403
    assert (await post(client, f"/settings/roles/{role.id}/delete")).status_code == 403
    assert (await Role.get(id=role.id)).name == "Temp"


async def test_sharing_rule_with_bad_ids_is_a_validation_error(signed_in, client):
    await signed_in("Administrator")
    sales = await Role.get(name="Sales")
    for bad in ("abc", "9" * 30, "-1", "١"):
        response = await post(client, "/settings/sharing", {"module": "contacts", "access": "read_only",
                                                             "grantee_role_id": str(sales.id), "owner_user_id": bad})
        assert response.status_code == 422 and "Choose a valid record." in response.text
