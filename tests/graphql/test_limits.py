"""Depth and alias limits, cached validation, masked unexpected errors, the committed schema."""

from __future__ import annotations

import gc
import logging
import uuid

import pytest
import strawberry.schema.schema as strawberry_schema

from app import settings
from app.services.leads import leads
from schema.export import REGENERATE, SCHEMA_FILE, sdl
from tests import factories as f


def deep_query(levels: int) -> str:
    """contacts > edges > node > account > contacts > account > ... `levels` fields deep."""
    inner = "id"
    fields = ["contacts", "edges", "node"]
    while len(fields) < levels:
        fields += ["account", "contacts"]
    fields = fields[:levels - 1]
    for name in reversed(fields):
        inner = f"{name} {{ {inner} }}"
    return "{ " + inner + " }"


async def test_depth_limit(gql):
    user = await f.make_user("Sales")
    ok = await gql.post(user, deep_query(settings.MAX_QUERY_DEPTH))
    assert "errors" not in ok.json(), ok.json()
    too_deep = await gql.post(user, deep_query(settings.MAX_QUERY_DEPTH + 1))
    error = too_deep.json()["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert "data" not in too_deep.json() or too_deep.json()["data"] is None


async def test_depth_counts_through_fragments(gql):
    user = await f.make_user("Sales")
    fragment = "fragment F on Contact { account { contacts { account { contacts { account { id } } } } } }"
    query = "{ contacts { edges { node { ...F } } } } " + fragment  # 3 + 6 levels
    assert "errors" not in (await gql.post(user, query)).json()
    query = "{ contacts { edges { node { account { contacts { ...F } } } } } } " + fragment  # 11
    assert (await gql.post(user, query)).json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


async def test_introspection_is_not_limited_by_depth(gql):
    user = await f.make_user("Sales")
    query = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }"
    assert "errors" not in (await gql.post(user, query)).json()


async def test_alias_limit(gql):
    user = await f.make_user("Sales")
    ok = " ".join(f"a{i}: me {{ timezone }}" for i in range(settings.MAX_ALIASES))
    assert "errors" not in (await gql.post(user, "{ " + ok + " }")).json()
    too_many = ok + " extra: me { timezone }"
    error = (await gql.post(user, "{ " + too_many + " }")).json()["errors"][0]
    assert error["extensions"]["code"] == "TOO_MANY_ALIASES"


async def test_identical_queries_are_validated_once(gql, monkeypatch):
    """The limit rules must not defeat the validation cache (strawberry issue 4635)."""
    calls = []
    real = strawberry_schema.validate

    def counting_validate(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counting_validate)
    user = await f.make_user("Sales")
    query = f"# {uuid.uuid4()}\n{{ contacts(first: 3) {{ totalCount }} }}"
    for _ in range(3):
        await gql(user, query)
    assert len(calls) == 1
    # A rejected query is cached as rejected: the limits still apply on every request.
    deep = f"# {uuid.uuid4()}\n" + deep_query(settings.MAX_QUERY_DEPTH + 1)
    for _ in range(2):
        assert (await gql.post(user, deep)).json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert len(calls) == 2


async def test_unexpected_errors_are_masked_and_logged_with_a_request_id(gql, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(leads, "get", broken)
    user = await f.make_user("Sales")
    with caplog.at_level(logging.ERROR, logger="kizuna.graphql"):
        response = await gql.post(user, '{ lead(id: "TGVhZDox") { id } me { timezone } }')
    body = response.json()
    error = body["errors"][0]
    request_id = error["extensions"]["request_id"]
    assert error["message"] == f"Unexpected error (request id {request_id})."
    assert "hunter2" not in response.text
    assert body["data"]["me"] == {"timezone": user.timezone}  # the rest of the query still answers
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and "hunter2" in str(logged[0].exc_info[1])

    # A proxy's request id is reused, so the client's and the server's logs line up.
    response = await gql.post(user, '{ lead(id: "TGVhZDox") { id } }', headers={"X-Request-ID": "req-42"})
    assert response.json()["errors"][0]["message"] == "Unexpected error (request id req-42)."


async def test_debug_mode_shows_the_real_error(gql, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("visible in debug")

    monkeypatch.setattr(leads, "query", broken)
    monkeypatch.setattr(settings, "DEBUG", True)
    user = await f.make_user("Sales")
    response = await gql.post(user, "{ leads { totalCount } }")
    assert response.json()["errors"][0]["message"] == "visible in debug"


def test_committed_schema_matches_the_code():
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    if committed != sdl():
        pytest.fail(f"schema.graphql is out of date; regenerate it with `{REGENERATE}`")


def fragment_chain(length: int) -> str:
    """`query { ...F0 }` where each fragment spreads the next one twice: 2^length paths."""
    fragments = [f"fragment F{i} on Query {{ __typename ...F{i + 1} ...F{i + 1} }}" for i in range(length - 1)]
    fragments.append(f"fragment F{length - 1} on Query {{ __typename }}")
    return f"# {uuid.uuid4()}\nquery {{ ...F0 }} " + " ".join(fragments)


async def test_depth_rule_is_linear_in_fragment_chains(gql, monkeypatch):
    """Each fragment's depth is computed once: a chain twice as long costs twice as much."""
    from schema.extensions import QueryDepthRule

    visits = []
    real = QueryDepthRule.selection_depth

    def counting(self, selection_set):
        visits.append(1)
        assert len(visits) < 10_000, "the depth rule walks every spread path"  # fail, don't hang
        return real(self, selection_set)

    monkeypatch.setattr(QueryDepthRule, "selection_depth", counting)
    user = await f.make_user("Sales")
    cost = {}
    for length in (24, 48):
        visits.clear()
        assert (await gql(user, fragment_chain(length))) == {"__typename": "Query"}
        cost[length] = len(visits)
    assert cost[24] <= 2 * 24
    assert cost[48] <= 2 * cost[24] + 2  # per fragment the same, not 2^24 times more


async def limit_code(gql, user, query: str, variables: dict | None = None) -> str:
    body = (await gql.post(user, query, variables)).json()
    assert body.get("data") is None, body
    return body["errors"][0]["extensions"]["code"]


async def test_size_caps_refuse_before_validation(gql, monkeypatch):
    user = await f.make_user("Sales")
    validated = []
    real = strawberry_schema.validate
    monkeypatch.setattr(strawberry_schema, "validate", lambda *a, **k: validated.append(1) or real(*a, **k))

    monkeypatch.setattr(settings, "GRAPHQL_MAX_QUERY_BYTES", 2000)
    assert await limit_code(gql, user, "{ me { timezone } }" + "#" * 2000) == "QUERY_TOO_LARGE"
    # Counted in bytes: 700 Japanese characters are 2,100 bytes.
    assert await limit_code(gql, user, "{ me { timezone } }#" + "あ" * 700) == "QUERY_TOO_LARGE"
    monkeypatch.setattr(settings, "GRAPHQL_MAX_QUERY_BYTES", 100_000)

    monkeypatch.setattr(settings, "GRAPHQL_MAX_TOKENS", 50)
    assert await limit_code(gql, user, "{ " + "__typename " * 60 + "}") == "TOO_MANY_TOKENS"
    monkeypatch.setattr(settings, "GRAPHQL_MAX_TOKENS", 10_000)

    monkeypatch.setattr(settings, "GRAPHQL_MAX_VARIABLES", 5)
    declared = ", ".join(f"$v{i}: Int" for i in range(6))
    assert await limit_code(gql, user, f"query({declared}) {{ __typename }}") == "TOO_MANY_VARIABLES"

    monkeypatch.setattr(settings, "GRAPHQL_MAX_SELECTIONS", 20)
    assert await limit_code(gql, user, "{ me { " + "timezone " * 21 + "} }") == "TOO_MANY_FIELDS"
    spreads = "{ ...A " + "...A " * 20 + "} fragment A on Query { __typename }"
    assert await limit_code(gql, user, spreads) == "TOO_MANY_FIELDS"

    # Nesting the parser itself cannot follow is refused, not an internal error.
    assert await limit_code(gql, user, "{ me " * 600 + "}" * 600) == "QUERY_TOO_DEEP"
    assert validated == []

    ok = "query($v0: Int) { contacts(first: $v0) { totalCount } me { " + "timezone " * 20 + "} }"
    assert "errors" not in (await gql.post(user, ok, {"v0": 1})).json()


def documents_holding(marker: str) -> list:
    from graphql import DocumentNode

    gc.collect()
    return [o for o in gc.get_objects()
            if isinstance(o, DocumentNode) and o.loc is not None and marker in o.loc.source.body]


async def test_only_small_documents_stay_cached(gql):
    user = await f.make_user("Sales")
    small = f"# {uuid.uuid4()}\n{{ me {{ timezone }} }}"
    assert "errors" not in (await gql.post(user, small)).json()
    assert len(documents_holding(small)) == 1  # kept for the next identical request

    marker = str(uuid.uuid4())
    large = f"# {marker}\n{{ me {{ timezone }} }}\n" + "#" * settings.GRAPHQL_CACHE_MAX_QUERY_BYTES
    for _ in range(2):
        assert "errors" not in (await gql.post(user, large)).json()
    assert documents_holding(marker) == []


async def test_overlapping_fields_work_within_a_budget(gql, monkeypatch):
    """graphql-core compares every pair of same-named fields (fragments merged): the work is
    bounded by settings.GRAPHQL_MAX_OVERLAP_COST, then refused with a code."""
    user = await f.make_user("Sales")
    fragments = " ".join(f"fragment F{i} on Query {{ {'me { timezone } ' * 150} }}" for i in range(5))
    query = "{ " + " ".join(f"...F{i}" for i in range(5)) + " } " + fragments
    assert await limit_code(gql, user, query) == "QUERY_TOO_COMPLEX"

    repeated = f"# {uuid.uuid4()}\n{{ " + "me { timezone } " * 40 + "}"
    assert "errors" not in (await gql.post(user, repeated)).json()
    monkeypatch.setattr(settings, "GRAPHQL_MAX_OVERLAP_COST", 1000)
    assert await limit_code(gql, user, repeated + " ") == "QUERY_TOO_COMPLEX"
