"""Settings > Services > Books, sync settings: the defaults shown in the mapping editor, a custom
mapping saved, a refused one answered 422 with the form and its messages and nothing saved,
rows added, removed and reset without saving; others get 403."""

from __future__ import annotations

import re

import pytest

from app.models import BooksLink
from app.services import books_fields
from app.services.books_fields import Side
from tests import factories as f
from tests.views.conftest import login, post

URL = "/settings/services/books/sync"
BASE = {"sync_module": "accounts", "direction": "two_way", "conflict_policy": "skip",
        "product_direction": "two_way", "product_conflict_policy": "skip"}


@pytest.fixture
async def admin(client, db):
    user = await f.make_user("Administrator")
    org = await f.make_org(user)
    await BooksLink.create(slot=1, organization_id=org.id, connected_by_id=user.id)
    await login(client, user)
    return user


def rows(html: str, side: str) -> list[tuple[str, str]]:
    table = html.split(f'id="mapping-{side}"')[1].split("</fieldset>")[0]
    crm = [re.search(r'value="(\w*)" selected', s) for s in table.split(f'name="{side}_crm"')[1:]]
    books = [re.search(r'value="(\w*)" selected', s) for s in table.split(f'name="{side}_books"')[1:]]
    return [(c.group(1) if c else "", b.group(1) if b else "") for c, b in zip(crm, books)]


def form(mapping: dict[str, list[tuple[str, str]]], **extra) -> dict:
    data: dict = {**BASE, **extra}
    for side, pairs in mapping.items():
        data[f"{side}_crm"] = [c for c, _ in pairs]
        data[f"{side}_books"] = [b for _, b in pairs]
    return data


async def test_the_editor_shows_the_defaults_and_saves_a_custom_mapping(client, admin):
    page = await client.get("/settings/services/books")
    assert page.status_code == 200 and 'id="sync-form"' in page.text
    for side in Side:
        assert rows(page.text, side.value) == [tuple(p) for p in books_fields.DEFAULTS[side]]
    response = await post(client, URL, form(
        {"products": [("name", "name"), ("code", "sku")]}, conflict_policy="overwrite"), htmx=True)
    assert response.status_code == 200 and response.headers["hx-location"].endswith("done=synced")
    link = await BooksLink.get(slot=1)
    assert link.conflict_policy.value == "overwrite" and link.field_mapping == {
        "products": [["name", "name"], ["code", "sku"]]}
    page = await client.get("/settings/services/books")
    assert rows(page.text, "products") == [("name", "name"), ("code", "sku")]
    assert rows(page.text, "accounts") == books_fields.DEFAULTS[Side.ACCOUNTS]


async def test_a_refused_mapping_comes_back_with_its_messages_and_nothing_is_saved(client, admin):
    response = await post(client, URL, form({"accounts": [("name", "display_name"), ("description", "phone")]},
                                            conflict_policy="overwrite"), htmx=True)
    assert response.status_code == 422 and 'id="sync-form"' in response.text
    assert "CRM field “Description” (text) cannot be stored in Books field “Phone” (phone number)." in response.text
    assert rows(response.text, "accounts") == [("name", "display_name"), ("description", "phone")]
    response = await post(client, URL, form({"accounts": [("name", "display_name"), ("billing_code", "billing_code")]}))
    assert response.status_code == 422 and "holds up to 30 characters, Books field “Billing postal code” only 20." in response.text
    link = await BooksLink.get(slot=1)
    assert link.field_mapping == {} and link.conflict_policy.value == "skip"


async def test_rows_are_added_removed_and_reset_without_saving(client, admin):
    pairs = [("name", "name"), ("code", "sku")]
    response = await post(client, URL, form({"products": pairs}, action="add:products"), htmx=True)
    assert response.status_code == 200 and rows(response.text, "products") == [*pairs, ("", "")]
    response = await post(client, URL, form({"products": pairs}, action="remove:products:1"), htmx=True)
    assert rows(response.text, "products") == [("name", "name")]
    response = await post(client, URL, form({"products": pairs}, action="reset:products"), htmx=True)
    assert rows(response.text, "products") == books_fields.DEFAULTS[Side.PRODUCTS]
    assert (await BooksLink.get(slot=1)).field_mapping == {}
    # A blank row left over is ignored on save.
    response = await post(client, URL, form({"products": [*pairs, ("", "")]}), htmx=True)
    assert response.status_code == 200
    assert (await BooksLink.get(slot=1)).field_mapping == {"products": [["name", "name"], ["code", "sku"]]}


async def test_others_may_not_change_the_sync_settings(client, admin):
    await login(client, await f.make_user("Manager"))
    response = await post(client, URL, form({}, conflict_policy="overwrite"))
    assert response.status_code == 403
    assert (await BooksLink.get(slot=1)).conflict_policy.value == "skip"
