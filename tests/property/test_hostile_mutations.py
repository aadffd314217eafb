"""Property: every mutation, given hostile values (null, huge and tiny numbers, NUL, lone
surrogates, very long strings, dates at the calendar's ends, foreign ids) in up to three of its
input fields, answers a payload or a typed error; never INTERNAL; and a refusal writes nothing.

The mutations and their inputs are read from the schema (tests/graphql/hostile.py), so a new
mutation or field is covered without touching this module."""

from __future__ import annotations

import json

import pytest
from graphql import GraphQLInputObjectType, GraphQLList, get_named_type
from hypothesis import event, given
from hypothesis import strategies as st

from tests.graphql.hostile import MUTATIONS, base_args, base_input, document, internal_errors, make_world, set_path, unwrap
from tests.property.strategies import for_scalar, row_counts


def leaf_paths(t, prefix: tuple = (), seen: frozenset = frozenset()) -> list[tuple[tuple, str]]:
    """(path, scalar type name) of every scalar or enum under input type `t`; a type that
    contains itself (a filter's `and`/`or`/`not`) is entered once."""
    t = unwrap(t)
    if isinstance(t, GraphQLList):
        return leaf_paths(t.of_type, (*prefix, 0), seen)
    if isinstance(t, GraphQLInputObjectType):
        if t.name in seen:
            return []
        return [leaf for name, fld in t.fields.items()
                for leaf in leaf_paths(fld.type, (*prefix, name), seen | {t.name})]
    return [(prefix, t.name)]


TARGETS = [(m, (arg, *path), type_name)
           for m, fld in MUTATIONS.items() for arg, a in fld.args.items()
           for path, type_name in leaf_paths(a.type)]


@st.composite
def hostile_request(draw):
    # mutations without input (revokeOtherSessions) have nothing to make hostile
    mutation = draw(st.sampled_from(sorted({m for m, _, _ in TARGETS})))
    targets = [(path, t) for m, path, t in TARGETS if m == mutation]
    chosen = draw(st.lists(st.sampled_from(targets), min_size=1, max_size=3, unique_by=lambda x: x[0]))
    return mutation, [(path, draw(for_scalar(t))) for path, t in chosen]


@pytest.fixture
async def world(db):
    return await make_world()


def _element_base(mutation: str, path: tuple) -> dict:
    arg_type = get_named_type(MUTATIONS[mutation].args[path[0]].type)
    t = arg_type
    for key in path[1:]:
        if isinstance(key, int):
            return base_input(t.name, mutation)
        if not isinstance(t, GraphQLInputObjectType):
            break
        t = get_named_type(t.fields[key].type)
    return {}


@given(request=hostile_request())
async def test_every_mutation_survives_hostile_input(client, gql, world, request):
    mutation, changes = request
    variables = base_args(mutation, world)
    for path, value in changes:
        if len(path) == 1:
            variables[path[0]] = value
        elif isinstance(variables.get(path[0]), dict):
            set_path(variables[path[0]], path[1:], value, _element_base(mutation, path))
    token = await gql.token_for(world.admin)  # made once, before counting
    before = await row_counts()
    response = await client.post(  # json.dumps escapes lone surrogates, as JSON allows
        "/graphql", content=json.dumps({"query": document(mutation), "variables": variables}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code in (200, 400), (mutation, changes, response.status_code, response.text[:500])
    body = response.json()
    assert not internal_errors(body), (mutation, changes, body)
    result = (body.get("data") or {}).get(mutation) or {}
    event(str(result.get("__typename", "refused before execution")))  # --hypothesis-show-statistics
    if not str(result.get("__typename", "")).endswith("Payload"):
        assert await row_counts() == before, (mutation, changes, result)
