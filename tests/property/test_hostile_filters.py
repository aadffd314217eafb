"""Property: every list of the schema, filtered with hostile values (NUL, lone surrogates, long
patterns, numbers and dates no column holds, foreign ids) and paged from a hostile cursor,
answers a page or BAD_USER_INPUT; never INTERNAL. Lists and their filters are read from the
schema."""

from __future__ import annotations

import json

import pytest
from graphql import GraphQLNonNull
from hypothesis import event, given
from hypothesis import strategies as st

from tests import factories as f
from tests.graphql.hostile import SDL, internal_errors, set_path
from tests.property.strategies import for_scalar
from tests.property.test_hostile_mutations import leaf_paths

LISTS = {name: fld for name, fld in SDL.query_type.fields.items()
         if "filter" in fld.args and not any(isinstance(a.type, GraphQLNonNull) for a in fld.args.values())}
TARGETS = {name: leaf_paths(fld.args["filter"].type) for name, fld in LISTS.items()}


@st.composite
def hostile_filter(draw):
    name = draw(st.sampled_from(sorted(LISTS)))
    chosen = draw(st.lists(st.sampled_from(TARGETS[name]), min_size=1, max_size=3, unique_by=lambda x: x[0]))
    after = draw(st.one_of(st.none(), for_scalar("String")))
    return name, [(path, draw(for_scalar(t))) for path, t in chosen], after


@pytest.fixture
async def manager(db, gql):
    user = await f.make_user("Manager")
    await f.make_org(user)
    await f.make_account(user)
    await gql.token_for(user)
    return user


@given(request=hostile_filter())
async def test_every_list_survives_hostile_filters(client, gql, manager, request):
    name, changes, after = request
    flt: dict = {}
    for path, value in changes:
        set_path(flt, path, value)
    query = (f"query($f: {LISTS[name].args['filter'].type}, $a: String) "
             f"{{ {name}(filter: $f, after: $a) {{ totalCount edges {{ node {{ __typename }} }} }} }}")
    response = await client.post(
        "/graphql", content=json.dumps({"query": query, "variables": {"f": flt, "a": after}}),
        headers={"Authorization": f"Bearer {await gql.token_for(manager)}", "Content-Type": "application/json"})
    assert response.status_code in (200, 400), (name, changes, response.text[:300])
    body = response.json()
    assert not internal_errors(body), (name, changes, after, body)
    event("page" if body.get("data") and body["data"].get(name) else "refused")
