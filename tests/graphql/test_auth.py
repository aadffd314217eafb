"""Who may call /graphql: API tokens, session cookies with CSRF, nobody anonymous."""

from __future__ import annotations

from app import settings
from schema import schema
from schema.context import Context
from schema.loaders import Loaders
from tests import factories as f
from tests.graphql.conftest import gid, session_cookie

ME = "{ me { user { id name email } role { name } } }"


async def test_anonymous_post_is_refused_with_an_authentication_error(client):
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "API token" in error["message"]


async def test_schema_itself_refuses_anonymous_root_fields(db):
    # Defence in depth: executed without the route, root fields still need a principal.
    context = Context(request=None, response=None, principal=None, user=None, lang="en",
                      loaders=Loaders(None))
    result = await schema.execute("{ contacts { totalCount } }", context_value=context)
    assert result.errors[0].extensions["code"] == "UNAUTHENTICATED"
    assert result.data is None


async def test_bearer_token_identifies_the_user(gql):
    user = await f.make_user("Sales", name="Hanako")
    data = await gql(user, ME)
    assert data["me"]["user"] == {"id": gid("User", user.id), "name": "Hanako", "email": user.email}
    assert data["me"]["role"]["name"] == "Sales"


async def test_unknown_token_is_refused(client, db):
    response = await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": "Bearer kz_not-a-token"}
    )
    assert response.status_code == 401


async def test_session_cookie_needs_the_csrf_header(client, db):
    user = await f.make_user("Sales")
    client.cookies.set(settings.SESSION_COOKIE, await session_cookie(user, csrf="tok123"))
    try:
        refused = await client.post("/graphql", json={"query": ME})
        assert refused.status_code == 403
        wrong = await client.post("/graphql", json={"query": ME}, headers={"X-CSRF-Token": "nope"})
        assert wrong.status_code == 403
        ok = await client.post("/graphql", json={"query": ME}, headers={"X-CSRF-Token": "tok123"})
        assert ok.status_code == 200
        assert ok.json()["data"]["me"]["user"]["id"] == gid("User", user.id)
    finally:
        client.cookies.clear()


async def test_graphiql_is_for_signed_in_users_only(client, db):
    anonymous = await client.get("/graphql", headers={"Accept": "text/html"})
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/graphql"

    user = await f.make_user("Sales")
    client.cookies.set(settings.SESSION_COOKIE, await session_cookie(user, csrf="tok456"))
    try:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
    finally:
        client.cookies.clear()
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    # The IDE posts with the cookie, so the page carries the session's CSRF token.
    assert 'data-csrf-token="tok456"' in page.text


async def test_queries_are_not_accepted_by_get(gql, client):
    # A GET would bypass the CSRF check that guards cookie users: GET only serves GraphiQL.
    user = await f.make_user("Sales")
    token = await gql.token_for(user)
    response = await client.get(
        "/graphql", params={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_api_token_lifecycle(gql, client):
    user = await f.make_user("Sales")
    created = await gql(user, """mutation { createApiToken(name: "CI") {
        ... on CreateApiTokenPayload { secret token { id name prefix revokedAt } } } }""")
    payload = created["createApiToken"]
    secret = payload["secret"]
    assert secret.startswith("kz_") and payload["token"]["prefix"] == secret[:10]
    assert payload["token"]["revokedAt"] is None

    headers = {"Authorization": f"Bearer {secret}"}
    listed = await client.post("/graphql", json={"query": "{ me { apiTokens { name } } }"}, headers=headers)
    assert {"name": "CI"} in listed.json()["data"]["me"]["apiTokens"]

    revoked = await gql(user, """mutation($id: ID!) { revokeApiToken(id: $id) {
        __typename ... on RevokeApiTokenPayload { revokedId } } }""", {"id": payload["token"]["id"]})
    assert revoked["revokeApiToken"]["revokedId"] == payload["token"]["id"]
    again = await client.post("/graphql", json={"query": ME}, headers=headers)
    assert again.status_code == 401

    # Revoking someone else's token, or an unknown id, is NotFound.
    other = await f.make_user("Sales")
    again = await gql(other, """mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }""",
                      {"id": payload["token"]["id"]})
    assert again["revokeApiToken"]["__typename"] == "NotFound"


async def test_api_token_name_is_validated(gql):
    user = await f.make_user("Sales")
    data = await gql(user, """mutation { createApiToken(name: "  ") {
        __typename ... on ValidationError { fields { path message } } } }""")
    assert data["createApiToken"] == {
        "__typename": "ValidationError",
        "fields": [{"path": "name", "message": "This field is required."}],
    }
