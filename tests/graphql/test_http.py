"""GraphQL over HTTP: media types and status codes, malformed bodies, exact Decimals."""

from __future__ import annotations

import decimal

import pytest

from app.models import Item
from schema.http import GRAPHQL_RESPONSE, negotiate
from tests import factories as f

ME = "{ me { timezone } }"


async def post(gql, user, body: bytes | str, **headers: str):
    headers = {"Content-Type": "application/json", **headers}
    headers["Authorization"] = f"Bearer {await gql.token_for(user)}"
    return await gql.client.post("/graphql", content=body, headers=headers)


async def test_graphql_response_media_type_status_codes(gql):
    user = await f.make_user("Sales")
    accept = {"Accept": GRAPHQL_RESPONSE}

    ok = await gql.post(user, ME, headers=accept)
    assert ok.status_code == 200 and ok.headers["content-type"] == GRAPHQL_RESPONSE
    assert ok.json() == {"data": {"me": {"timezone": user.timezone}}}

    # Request errors (parse, validation, variables) are 4xx, with no `data` entry.
    for query, variables in [("{ me { ", None), ("{ nope }", None),
                             ("query($n: Int!) { contacts(first: $n) { totalCount } }", {"n": "x"})]:
        refused = await gql.post(user, query, variables, headers=accept)
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"] == GRAPHQL_RESPONSE
        assert "data" not in refused.json() and refused.json()["errors"]

    # A field error is an execution result: 200 with data.
    partial = await gql.post(user, '{ lead(id: "bm9wZQ==") { id } me { timezone } }', headers=accept)
    assert partial.status_code == 200 and partial.json()["data"]["me"] == {"timezone": user.timezone}


async def test_application_json_keeps_the_legacy_behaviour(gql):
    user = await f.make_user("Sales")
    for accept in (None, "application/json", "*/*"):
        response = await gql.post(user, "{ nope }", headers={"Accept": accept} if accept else {})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json()["data"] is None and response.json()["errors"]


def test_accept_negotiation():
    assert negotiate(None) == "application/json"
    assert negotiate("*/*") == "application/json"
    assert negotiate(f"{GRAPHQL_RESPONSE}, application/json;q=0.9") == GRAPHQL_RESPONSE
    assert negotiate(f"application/json, {GRAPHQL_RESPONSE}") == GRAPHQL_RESPONSE
    assert negotiate(f"{GRAPHQL_RESPONSE};q=0.5, application/json") == "application/json"
    assert negotiate(f"{GRAPHQL_RESPONSE};q=0, text/html") is None


async def test_wrong_method_accept_or_content_type(gql, client):
    user = await f.make_user("Sales")
    auth = {"Authorization": f"Bearer {await gql.token_for(user)}"}
    cases = [
        (client.put("/graphql", json={"query": ME}, headers=auth), 405, "METHOD_NOT_ALLOWED"),
        (client.delete("/graphql", headers=auth), 405, "METHOD_NOT_ALLOWED"),
        (client.get("/graphql", params={"query": ME}, headers={**auth, "Accept": "application/json"}),
         405, "METHOD_NOT_ALLOWED"),
        (post(gql, user, '{"query": "{ me { timezone } }"}', Accept="text/html"), 406, "NOT_ACCEPTABLE"),
        (post(gql, user, "query={ me { timezone } }", **{"Content-Type": "application/x-www-form-urlencoded"}),
         415, "UNSUPPORTED_MEDIA_TYPE"),
        (post(gql, user, ME, **{"Content-Type": "application/graphql"}), 415, "UNSUPPORTED_MEDIA_TYPE"),
        (post(gql, user, '{"query": "{ me { timezone } }"}', **{"Content-Type": "application/json; charset=latin-1"}),
         415, "UNSUPPORTED_MEDIA_TYPE"),
    ]
    for request, status, code in cases:
        response = await request
        assert response.status_code == status, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == code
    put = await client.put("/graphql", json={"query": ME}, headers=auth)
    assert put.headers["allow"] == "GET, POST"


@pytest.mark.parametrize("body", [
    b"5", b"null", b'"x"', b"[]", b"{}garbage", b"\xff\xfe{}", b'{"query": "\xc3"}',
    b"[" * 100_000 + b"]" * 100_000, '{"query": "{ me { timezone } }"}'.encode("utf-16"), b'{"query": "{ me { timezone } }", "variables": {"a": NaN}}',
    b'{"query": "{ me { timezone } }", "operationName": 5}',
    b'{"query": 5}', b'{"query": "{ me { timezone } }", "variables": []}',
    b'{"query": "{ me { timezone } }", "variables": {"n": ' + b"9" * 5000 + b"}}",
])
async def test_malformed_bodies_answer_400_with_a_json_error(gql, body):
    user = await f.make_user("Sales")
    for accept in ("application/json", GRAPHQL_RESPONSE):
        response = await post(gql, user, body, Accept=accept)
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_lone_surrogate_echoed_in_an_error_is_still_json(gql):
    user = await f.make_user("Sales")
    response = await post(gql, user, b'{"query": "query($n: Int) { contacts(first: $n) { totalCount } }", '
                                     b'"variables": {"n": "\\ud800"}}')
    assert response.status_code == 200 and response.json()["errors"]


ITEM = """mutation($input: ItemInput!) { createItem(input: $input) {
  ... on ItemPayload { item { id rate } } ... on ValidationError { fields { path message } } } }"""


async def test_decimal_json_numbers_are_exact(gql):
    user = await f.make_user("Accountant")
    await f.make_org(user)
    body = ('{"query": %s, "variables": {"input": {"name": "精密", "rate": 99999999999999.99}}}'
            % __import__("json").dumps(ITEM))
    response = await post(gql, user, body)
    item = response.json()["data"]["createItem"]["item"]
    assert item["rate"] == "99999999999999.99"
    stored = await Item.get(name="精密")
    assert stored.rate == decimal.Decimal("99999999999999.99")

    # A number literal in the document is exact too, and so are strings and integers.
    literal = await gql(user, 'mutation { createItem(input: {name: "字句", rate: 12345678901234.57}) '
                              "{ ... on ItemPayload { item { rate } } } }")
    assert literal["createItem"]["item"]["rate"] == "12345678901234.57"
    for name, rate, shown in [("文字列", "0.1", "0.1"), ("整数", 12345678901234, "12345678901234")]:
        data = await gql(user, ITEM, {"input": {"name": name, "rate": rate}})
        assert data["createItem"]["item"]["rate"] == shown


async def test_other_scalars_still_read_json_numbers_as_before(gql):
    user = await f.make_user("Sales")
    query = "query($n: Int) { contacts(first: $n) { totalCount } }"
    response = await post(gql, user, '{"query": "%s", "variables": {"n": 2.0}}' % query)
    assert response.json() == {"data": {"contacts": {"totalCount": 0}}}
    response = await post(gql, user, '{"query": "%s", "variables": {"n": 2.5}}' % query)
    assert "non-integer value: 2.5" in response.json()["errors"][0]["message"]
