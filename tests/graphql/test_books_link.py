"""GraphQL: Books connection keys (createBooksConnectionKey shows the key once,
revokeBooksConnectionKey), the organizations a key reaches, connectBooks, setBooksLinkEnabled,
disconnectBooks and booksLink; typed errors for others and for wrong keys."""

from __future__ import annotations

import pytest

from app.models import BooksConnectionKey, BooksLink
from tests import factories as f
from tests.graphql.conftest import gid

CREATE_KEY = """mutation($org: ID!) { createBooksConnectionKey(organizationId: $org) { __typename
  ... on CreateBooksConnectionKeyPayload { secret key { prefix createdAt lastUsedAt } }
  ... on PermissionDenied { message } ... on NotFound { message } } }"""
REVOKE_KEY = """mutation { revokeBooksConnectionKey { __typename
  ... on RevokeBooksConnectionKeyPayload { revoked } ... on NotFound { message } } }"""
MY_KEY = "{ booksConnectionKey { prefix createdAt } }"
REACHED = """query($email: String!, $key: String!) { booksOrganizationsForKey(email: $email, key: $key) {
  __typename ... on BooksKeyOrganizations { organizations { id name edition } }
  ... on ValidationError { message fields { path message } } ... on PermissionDenied { message } } }"""
LINK_FIELDS = """organization { id name } enabled automation active keyValid keyPrefix connectedBy { email }
  settings { syncModule direction conflictPolicy productDirection productConflictPolicy fieldMapping deletePrevious }"""
CONNECT = """mutation($email: String!, $key: String!, $org: ID!, $automation: BooksAutomation) {
  connectBooks(email: $email, key: $key, organizationId: $org, automation: $automation) { __typename
  ... on BooksLinkPayload { booksLink { %s } }
  ... on ValidationError { message fields { path message } } ... on PermissionDenied { message } } }""" % LINK_FIELDS
ENABLE = """mutation($on: Boolean!) { setBooksLinkEnabled(enabled: $on) { __typename
  ... on BooksLinkPayload { booksLink { enabled active organization { name } } }
  ... on NotFound { message } ... on PermissionDenied { message } } }"""
DISCONNECT = """mutation { disconnectBooks { __typename ... on DisconnectBooksPayload { disconnected }
  ... on NotFound { message } ... on PermissionDenied { message } } }"""
LINK = "{ booksLink { %s } }" % LINK_FIELDS


@pytest.fixture
async def keeper(db):
    user = await f.make_user("Administrator", email="keeper@example.jp")
    sakura = await f.make_org(user, name="株式会社さくら商事")
    tsubaki = await f.make_org(user, name="株式会社つばき")
    await f.make_org(name="株式会社よそ")
    return user, sakura, tsubaki


async def test_the_key_is_returned_once_and_only_its_prefix_afterwards(gql, keeper):
    user, sakura, _ = keeper
    made = (await gql(user, CREATE_KEY, {"org": gid("Organization", sakura.id)}))["createBooksConnectionKey"]
    secret = made["secret"]
    assert secret.startswith("kzk_") and made["key"]["prefix"] == secret[:12]
    assert (await gql(user, MY_KEY))["booksConnectionKey"]["prefix"] == secret[:12]
    assert not await BooksConnectionKey.filter(key_hash=secret).exists()
    again = (await gql(user, CREATE_KEY, {"org": gid("Organization", sakura.id)}))["createBooksConnectionKey"]
    crm = await f.make_user("Administrator")
    stale = (await gql(crm, REACHED, {"email": user.email, "key": secret}))["booksOrganizationsForKey"]
    assert stale["__typename"] == "ValidationError"
    fresh = (await gql(crm, REACHED, {"email": user.email, "key": again["secret"]}))["booksOrganizationsForKey"]
    assert sorted(o["name"] for o in fresh["organizations"]) == ["株式会社さくら商事", "株式会社つばき"]
    assert (await gql(user, REVOKE_KEY))["revokeBooksConnectionKey"] == {
        "__typename": "RevokeBooksConnectionKeyPayload", "revoked": True}
    assert (await gql(user, MY_KEY))["booksConnectionKey"] is None
    assert (await gql(user, REVOKE_KEY))["revokeBooksConnectionKey"]["__typename"] == "NotFound"


async def test_only_organization_administrators_make_keys(gql, keeper):
    _, sakura, _ = keeper
    manager = await f.make_user("Manager")
    from app.models import Membership

    await Membership.create(organization=sakura, user=manager)
    result = (await gql(manager, CREATE_KEY, {"org": gid("Organization", sakura.id)}))["createBooksConnectionKey"]
    assert result["__typename"] == "PermissionDenied"
    outsider = await f.make_user("Administrator")
    result = (await gql(outsider, CREATE_KEY, {"org": gid("Organization", sakura.id)}))["createBooksConnectionKey"]
    assert result["__typename"] == "NotFound"
    assert not await BooksConnectionKey.exists()


async def test_connect_switch_disable_enable_and_disconnect(gql, keeper):
    user, sakura, tsubaki = keeper
    secret = (await gql(user, CREATE_KEY, {"org": gid("Organization", sakura.id)}))["createBooksConnectionKey"]["secret"]
    crm = await f.make_user("Administrator", email="crm@example.jp")
    assert (await gql(crm, LINK))["booksLink"] is None
    for email, key in ((user.email, secret[:-1] + ("A" if secret[-1] != "A" else "B")), ("crm@example.jp", secret),
                       (user.email, "x" * 100_000), (user.email, "kzk_\u0000")):
        refused = (await gql(crm, CONNECT, {"email": email, "key": key, "org": gid("Organization", sakura.id)}))
        assert refused["connectBooks"]["message"] == "Please correct the errors below."
        assert refused["connectBooks"]["fields"] == [{"path": "key", "message": "The e-mail address or the key is wrong."}]
    assert not await BooksLink.exists()
    link = (await gql(crm, CONNECT, {"email": user.email, "key": secret, "org": gid("Organization", sakura.id),
                                     "automation": "ESTIMATE"}))["connectBooks"]["booksLink"]
    assert link == {
        "organization": {"id": gid("Organization", sakura.id), "name": "株式会社さくら商事"}, "enabled": True,
        "automation": "ESTIMATE", "active": True, "keyValid": True, "keyPrefix": secret[:12],
        "connectedBy": {"email": "crm@example.jp"},
        "settings": {"syncModule": "ACCOUNTS", "direction": "TWO_WAY", "conflictPolicy": "SKIP",
                     "productDirection": "TWO_WAY", "productConflictPolicy": "SKIP", "fieldMapping": {},
                     "deletePrevious": False}}
    switched = (await gql(crm, CONNECT, {"email": user.email, "key": secret,
                                         "org": gid("Organization", tsubaki.id)}))["connectBooks"]["booksLink"]
    assert switched["organization"]["name"] == "株式会社つばき" and switched["automation"] == "NONE"
    off = (await gql(crm, ENABLE, {"on": False}))["setBooksLinkEnabled"]["booksLink"]
    assert off == {"enabled": False, "active": False, "organization": {"name": "株式会社つばき"}}
    on = (await gql(crm, ENABLE, {"on": True}))["setBooksLinkEnabled"]["booksLink"]
    assert on == {"enabled": True, "active": True, "organization": {"name": "株式会社つばき"}}
    # The key revoked in Books: the link says so.
    await gql(user, REVOKE_KEY)
    dead = (await gql(crm, LINK))["booksLink"]
    assert (dead["enabled"], dead["keyValid"], dead["active"]) == (True, False, False)
    assert (await gql(crm, DISCONNECT))["disconnectBooks"] == {"__typename": "DisconnectBooksPayload",
                                                               "disconnected": True}
    assert (await gql(crm, LINK))["booksLink"] is None
    assert (await gql(crm, DISCONNECT))["disconnectBooks"]["__typename"] == "NotFound"


async def test_an_organization_the_key_does_not_reach_is_a_validation_error(gql, keeper):
    user, sakura, _ = keeper
    secret = (await gql(user, CREATE_KEY, {"org": gid("Organization", sakura.id)}))["createBooksConnectionKey"]["secret"]
    from app.models import Organization

    elsewhere = await Organization.get(name="株式会社よそ")
    for org in (gid("Organization", elsewhere.id), gid("Account", sakura.id), "nonsense"):
        result = (await gql(user, CONNECT, {"email": user.email, "key": secret, "org": org}))["connectBooks"]
        assert result["fields"][0]["path"] == "organizationId"
    assert not await BooksLink.exists()


async def test_non_administrators_get_typed_errors(gql, keeper):
    user, sakura, _ = keeper
    secret = (await gql(user, CREATE_KEY, {"org": gid("Organization", sakura.id)}))["createBooksConnectionKey"]["secret"]
    manager = await f.make_user("Manager")
    args = {"email": user.email, "key": secret, "org": gid("Organization", sakura.id)}
    assert (await gql(manager, CONNECT, args))["connectBooks"]["__typename"] == "PermissionDenied"
    assert (await gql(manager, REACHED, {"email": user.email, "key": secret}))[
        "booksOrganizationsForKey"]["__typename"] == "PermissionDenied"
    assert (await gql(manager, ENABLE, {"on": False}))["setBooksLinkEnabled"]["__typename"] == "PermissionDenied"
    assert (await gql(manager, DISCONNECT))["disconnectBooks"]["__typename"] == "PermissionDenied"
    body = (await gql.post(manager, LINK)).json()
    assert body["data"] == {"booksLink": None} and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert not await BooksLink.exists()
