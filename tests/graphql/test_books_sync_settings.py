"""GraphQL: booksSyncFields (the registry, labels in the reader's language), booksLink.fieldMapping
(the defaults until a mapping is saved) and updateBooksSyncSettings (saved, or refused with field
errors and nothing saved; administrators only)."""

from __future__ import annotations

import pytest

from app.models import BooksLink
from app.services import books_fields
from app.services.books_fields import Side
from tests import factories as f

FIELDS = """{ booksSyncFields { module crmFields { name label type maxLength required }
  booksFields { name label type maxLength required } defaultMapping { crmField booksField } } }"""
MAPPING = "{ booksLink { settings { conflictPolicy syncModule } fieldMapping { module crmField booksField } } }"
UPDATE = """mutation($input: BooksSyncSettingsInput!) { updateBooksSyncSettings(input: $input) { __typename
  ... on BooksLinkPayload { booksLink { settings { conflictPolicy } fieldMapping { module crmField booksField } } }
  ... on ValidationError { fields { path message } } ... on PermissionDenied { message } } }"""
BASE = {"syncModule": "ACCOUNTS", "direction": "TWO_WAY", "conflictPolicy": "OVERWRITE",
        "productDirection": "CRM_TO_BOOKS", "productConflictPolicy": "SKIP"}


@pytest.fixture
async def admin(db):
    user = await f.make_user("Administrator")
    org = await f.make_org(user)
    await BooksLink.create(slot=1, organization_id=org.id, connected_by_id=user.id)
    return user


def pairs(rows: list[dict], module: str) -> list[tuple[str, str]]:
    return [(r["crmField"], r["booksField"]) for r in rows if r["module"] == module]


async def test_the_registry_lists_fields_with_types_lengths_and_defaults(gql, admin):
    data = (await gql(admin, FIELDS, headers={"Accept-Language": "ja"}))["booksSyncFields"]
    accounts = next(s for s in data if s["module"] == "ACCOUNTS")
    name = next(x for x in accounts["crmFields"] if x["name"] == "name")
    assert name == {"name": "name", "label": "取引先名", "type": "TEXT", "maxLength": 200, "required": False}
    display = next(x for x in accounts["booksFields"] if x["name"] == "display_name")
    assert display["required"] and display["maxLength"] == 200
    defaults = [(p["crmField"], p["booksField"]) for p in accounts["defaultMapping"]]
    assert defaults == books_fields.DEFAULTS[Side.ACCOUNTS]


async def test_the_mapping_is_saved_or_refused_with_nothing_saved(gql, admin):
    link = (await gql(admin, MAPPING))["booksLink"]
    assert pairs(link["fieldMapping"], "PRODUCTS") == books_fields.DEFAULTS[Side.PRODUCTS]
    mapping = [{"module": "PRODUCTS", "crmField": "name", "booksField": "name"},
               {"module": "PRODUCTS", "crmField": "unit_price", "booksField": "rate"}]
    done = (await gql(admin, UPDATE, {"input": {**BASE, "fieldMapping": mapping}}))["updateBooksSyncSettings"]
    assert done["__typename"] == "BooksLinkPayload"
    assert pairs(done["booksLink"]["fieldMapping"], "PRODUCTS") == [("name", "name"), ("unit_price", "rate")]
    assert pairs(done["booksLink"]["fieldMapping"], "ACCOUNTS") == books_fields.DEFAULTS[Side.ACCOUNTS]
    refused = (await gql(admin, UPDATE, {"input": {**BASE, "conflictPolicy": "DUPLICATE", "fieldMapping": [
        {"module": "ACCOUNTS", "crmField": "name", "booksField": "display_name"},
        {"module": "ACCOUNTS", "crmField": "name", "booksField": "payment_terms"}]}}))["updateBooksSyncSettings"]
    assert refused == {"__typename": "ValidationError", "fields": [
        {"path": "mapping.accounts.1", "message": "CRM field “Account name” (text) cannot be stored in Books field “Payment terms” (choice)."}]}
    link = (await gql(admin, MAPPING))["booksLink"]
    assert link["settings"]["conflictPolicy"] == "OVERWRITE"
    assert pairs(link["fieldMapping"], "PRODUCTS") == [("name", "name"), ("unit_price", "rate")]


async def test_others_are_refused(gql, admin):
    manager = await f.make_user("Manager")
    refused = (await gql(manager, UPDATE, {"input": BASE}))["updateBooksSyncSettings"]
    assert refused["__typename"] == "PermissionDenied"
    assert (await BooksLink.get(slot=1)).conflict_policy.value == "skip"
