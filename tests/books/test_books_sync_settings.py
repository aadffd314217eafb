"""The Books sync settings and field mappings (issue 12), through the service: the defaults are
in force while nothing is stored; a custom mapping is saved with the settings; every refusal
(unknown field, type, length, a Books field fed twice, a required one unfed, deleting for
contacts) saves nothing; only administrators save; settings outlive disabling the link."""

from __future__ import annotations

import pytest

from app.errors import PermissionDenied, ValidationError
from app.models import BooksLink, SyncModule
from app.services import books_fields, books_link
from app.services.books_fields import Side
from tests import factories as f

BASE = {"sync_module": "accounts", "direction": "two_way", "conflict_policy": "skip",
        "product_direction": "two_way", "product_conflict_policy": "skip"}


@pytest.fixture
async def linked(db):
    user = await f.make_user("Administrator")
    org = await f.make_org(user)
    await BooksLink.create(slot=1, organization_id=org.id, connected_by_id=user.id)
    return await f.principal_for(user)


def messages(exc: ValidationError) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


async def test_defaults_are_in_force_until_a_mapping_is_saved(linked):
    link = await BooksLink.get(slot=1)
    assert link.field_mapping == {}
    for side in Side:
        pairs = books_fields.effective(side, link.field_mapping)
        assert pairs == books_fields.DEFAULTS[side]
        assert books_fields.check(side, pairs, "m")[1] == []  # the defaults pass their own checks
    assert ("name", "display_name") in books_fields.effective(Side.ACCOUNTS, {})
    assert ("email", "email") in books_fields.effective(Side.CONTACTS, {})
    assert ("unit_price", "rate") in books_fields.effective(Side.PRODUCTS, {})
    # Lengths come from the models.
    assert books_fields.CRM_FIELDS[Side.ACCOUNTS]["name"].max_length == 200
    assert books_fields.BOOKS_FIELDS[Side.ACCOUNTS]["billing_city"].max_length == 60


async def test_a_custom_mapping_and_the_settings_are_saved_together(linked):
    await books_link.save_settings(linked, {
        **BASE, "sync_module": "contacts", "direction": "crm_to_books", "conflict_policy": "overwrite",
        "product_conflict_policy": "duplicate",
        "mapping": {"contacts": [["last_name", "display_name"], ["secondary_email", "email"]],
                    "products": [{"crm": "name", "books": "name"}, {"crm": "unit_price", "books": "rate"}]}})
    link = await BooksLink.get(slot=1)
    assert (link.sync_module, link.direction.value, link.conflict_policy.value,
            link.product_conflict_policy.value) == (SyncModule.CONTACTS, "crm_to_books", "overwrite", "duplicate")
    assert books_fields.effective(Side.CONTACTS, link.field_mapping) == [
        ("last_name", "display_name"), ("secondary_email", "email")]
    assert books_fields.effective(Side.ACCOUNTS, link.field_mapping) == books_fields.DEFAULTS[Side.ACCOUNTS]
    # Saving the defaults again stores nothing: they stay "the defaults".
    await books_link.save_settings(linked, {
        **BASE, "mapping": {"products": [list(p) for p in books_fields.DEFAULTS[Side.PRODUCTS]]}})
    assert (await BooksLink.get(slot=1)).field_mapping == {}


@pytest.mark.parametrize("side, pairs, message", [
    ("accounts", [["name", "display_name"], ["shoe_size", "notes"]], "Choose one of the CRM fields offered."),
    ("accounts", [["name", "display_name"], ["phone", "nickname"]], "Choose one of the Books fields offered."),
    ("products", [["name", "name"], ["name", "rate"]],
     "CRM field “Product name” (text) cannot be stored in Books field “Rate” (number)."),
    ("accounts", [["name", "display_name"], ["billing_code", "billing_code"]],
     "CRM field “Billing postal code” holds up to 30 characters, Books field “Billing postal code” only 20."),
    ("products", [["name", "name"], ["unit_price", "tax_rate"]],
     "CRM field “Unit price” holds numbers of up to 14 digits, Books field “Tax rate” only 3."),
    ("accounts", [["phone", "phone"], ["fax", "phone"]], "Books field “Phone” is already fed by row 1."),
])
async def test_a_wrong_pair_is_refused_and_nothing_is_saved(linked, side, pairs, message):
    with pytest.raises(ValidationError) as caught:
        await books_link.save_settings(linked, {**BASE, "conflict_policy": "overwrite", "mapping": {side: pairs}})
    assert messages(caught.value) == {f"mapping.{side}.1": message}
    link = await BooksLink.get(slot=1)
    assert link.field_mapping == {} and link.conflict_policy.value == "skip"


async def test_a_required_books_field_must_be_fed(linked):
    with pytest.raises(ValidationError) as caught:
        await books_link.save_settings(linked, {**BASE, "mapping": {"accounts": [["phone", "phone"]],
                                                                     "products": [["code", "sku"]]}})
    assert messages(caught.value) == {
        "mapping.accounts": "Map a CRM field to the required Books field “Display name”.",
        "mapping.products": "Map a CRM field to the required Books field “Item name”."}
    assert (await BooksLink.get(slot=1)).field_mapping == {}


async def test_deleting_previous_records_is_for_accounts_only(linked):
    with pytest.raises(ValidationError) as caught:
        await books_link.save_settings(linked, {**BASE, "sync_module": "contacts", "delete_previous": True})
    assert list(messages(caught.value)) == ["delete_previous"]
    assert (await BooksLink.get(slot=1)).sync_module == SyncModule.ACCOUNTS
    await books_link.save_settings(linked, {**BASE, "delete_previous": True})
    assert (await BooksLink.get(slot=1)).delete_previous


async def test_bad_choices_and_oversized_mappings_are_refused(linked):
    with pytest.raises(ValidationError) as caught:
        await books_link.save_settings(linked, {
            **BASE, "direction": "sideways", "mapping": {"products": [["name", "name"]] * 101}})
    assert set(messages(caught.value)) == {"direction", "mapping.products"}
    with pytest.raises(ValidationError):
        await books_link.save_settings(linked, {**BASE, "mapping": {"accounts": "name"}})


async def test_only_administrators_save_and_settings_outlive_disabling(linked):
    manager = await f.principal_for(await f.make_user("Manager"))
    with pytest.raises(PermissionDenied):
        await books_link.save_settings(manager, {**BASE, "conflict_policy": "overwrite"})
    assert (await BooksLink.get(slot=1)).conflict_policy.value == "skip"
    await books_link.save_settings(linked, {**BASE, "conflict_policy": "overwrite",
                                            "mapping": {"products": [["name", "name"], ["code", "sku"]]}})
    await books_link.set_enabled(linked, False)
    await books_link.set_enabled(linked, True)
    link = await BooksLink.get(slot=1)
    assert link.conflict_policy.value == "overwrite"
    assert books_fields.effective(Side.PRODUCTS, link.field_mapping) == [("name", "name"), ("code", "sku")]
