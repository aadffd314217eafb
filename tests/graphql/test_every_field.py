"""Every field of every list, two levels deep, for an administrator and a Sales user.

The queries are generated from the live schema, so a field added tomorrow is covered tomorrow: for
each root list or connection, every scalar field of its records, and for each object field (or list,
or connection) of a record, that object's scalar fields. The same selection is then asked again of
each record type through `node(id:)`. On the demo data (`setup`, as `make run` loads it) neither role
may meet a single error, and Sales sees no record the administrator does not.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    Undefined,
    build_schema,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)

from app import cli
from app.models import User
from schema import schema
from schema.permissions import IsAdministrator
from schema.types.node import from_global_id

GQL = build_schema(schema.as_str())
PAGE = 100  # the server's maximum page size: every record of the demo data on one page


def _callable(field: GraphQLField) -> bool:
    """A field we can ask for without inventing arguments."""
    return not any(is_non_null_type(arg.type) and arg.default_value is Undefined for arg in field.args.values())


def _node_type(type_: GraphQLNamedType) -> GraphQLNamedType | None:
    """A connection's record type, or None."""
    edges = getattr(type_, "fields", {}).get("edges") if is_object_type(type_) else None
    return get_named_type(get_named_type(edges.type).fields["node"].type) if edges else None


def _scalars(type_: GraphQLObjectType, clashing: set[str] = frozenset()) -> str:
    """`clashing` names get an alias: members of a union may give one name two types."""
    return " ".join(f"{type_.name}_{name}: {name}" if name in clashing else name
                    for name, f in type_.fields.items() if is_leaf_type(get_named_type(f.type)) and _callable(f))


def _shallow(type_: GraphQLNamedType) -> str:
    """The second level: the scalars of an object, of each member of a union or interface, or of a
    connection's records."""
    record = _node_type(type_)
    if record is not None:
        return f"totalCount edges {{ node {{ {_shallow(record)} }} }}" if "totalCount" in type_.fields else \
            f"edges {{ node {{ {_shallow(record)} }} }}"
    if is_abstract_type(type_):
        members = GQL.get_possible_types(type_)
        types: dict[str, set[str]] = {}
        for member in members:
            for name, f in member.fields.items():
                types.setdefault(name, set()).add(str(f.type))
        clashing = {name for name, kinds in types.items() if len(kinds) > 1}
        return "__typename " + " ".join(f"... on {m.name} {{ {_scalars(m, clashing)} }}" for m in members)
    return _scalars(type_)


def selection(type_: GraphQLObjectType) -> str:
    """The first level: scalars, and every callable object field with its own scalars."""
    parts = []
    for name, f in type_.fields.items():
        named = get_named_type(f.type)
        if not _callable(f):
            continue
        parts.append(name if is_leaf_type(named) else f"{name} {{ {_shallow(named)} }}")
    return " ".join(parts)


def root_lists() -> dict[str, tuple[GraphQLObjectType, str]]:
    """Root field -> (record type, query) for every root list or connection."""
    found = {}
    for name, f in GQL.query_type.fields.items():
        named = get_named_type(f.type)
        record = _node_type(named)
        if not _callable(f) or is_leaf_type(named):
            continue
        if record is not None and is_object_type(record):
            found[name] = (record, f"{{ {name}(first: {PAGE}) {{ totalCount edges {{ node {{ {selection(record)} }} }} }} }}")
        elif record is None and is_object_type(named) and is_list_type(get_nullable_type(f.type)):
            found[name] = (named, f"{{ {name} {{ {selection(named)} }} }}")
    return found


LISTS = root_lists()


def records(data: dict[str, Any]) -> list[dict[str, Any]]:
    (value,) = data.values()
    return [edge["node"] for edge in value["edges"]] if isinstance(value, dict) else value


def ids(value: Any) -> set[str]:
    """Every record id anywhere in an answer."""
    if isinstance(value, list):
        return set().union(*map(ids, value)) if value else set()
    if isinstance(value, dict):
        own = {value["id"]} if isinstance(value.get("id"), str) else set()
        return own.union(*map(ids, value.values()))
    return set()


async def answer(gql, user: User, query: str, variables: dict | None = None) -> dict[str, Any]:
    response = await gql.post(user, query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, (query, body["errors"])
    return body["data"]


def administrators_only(name: str) -> bool:
    """Root lists that refuse everyone but administrators (FORBIDDEN), read off the schema."""
    field = schema.get_field_for_type(name, "Query")
    return any(isinstance(p, IsAdministrator) or p is IsAdministrator for p in field.permission_classes)


def test_the_walk_covers_the_lists_and_their_relations():
    # a guard on the generator itself: the walk finds the lists and goes two levels down
    assert {"accounts", "contacts", "deals", "invoices", "booksContacts", "users", "roles"} <= LISTS.keys()
    _, query = LISTS["invoices"]
    assert "lines { " in query and "contact { " in query and " number " in query


@pytest.fixture
async def demo(db) -> dict[str, User]:
    await cli.setup(demo=True, out=lambda line: None)
    admin = await User.filter(role__name="Administrator").order_by("id").first()
    sales = await User.filter(role__name="Sales").order_by("id").first()
    return {"admin": admin, "sales": sales}


async def test_every_field_two_levels_deep_through_lists_and_node(gql, demo):
    seen: dict[str, set[str]] = {"admin": set(), "sales": set()}
    for role, user in demo.items():
        for name, (record_type, query) in LISTS.items():
            if role == "sales" and administrators_only(name):
                refused = (await gql.post(user, query)).json()
                assert refused["data"] is None and {e["extensions"]["code"] for e in refused["errors"]} == {
                    "FORBIDDEN"}, (name, refused)
                continue
            data = await answer(gql, user, query)
            seen[role] |= ids(data)
            if isinstance(data[name], dict):
                assert data[name]["totalCount"] <= PAGE, f"{name}: the demo data no longer fits one page"
            rows = records(data)
            if role == "admin" and name not in ("receivables",):
                assert rows, f"the demo data has no {name}: the walk would prove nothing"
            if not rows or "Node" not in {i.name for i in record_type.interfaces}:
                continue
            # The same record through node(id:), every field again: the same answer.
            node = await answer(gql, user, f"query($id: ID!) {{ node(id: $id) {{ ... on {record_type.name} "
                                            f"{{ {selection(record_type)} }} }} }}", {"id": rows[0]["id"]})
            assert node["node"] == rows[0], name
    # In-app notifications are personal: each user sees their own, administrators included.
    shared = {i for i in seen["sales"] if from_global_id(i)[0] != "Notification"}
    assert shared and shared <= seen["admin"], sorted(shared - seen["admin"])[:10]
    assert len(seen["sales"]) < len(seen["admin"])  # Sales does not see everything in the demo


async def test_graphql_cores_executor_gives_the_same_answers(gql, demo, monkeypatch):
    """KIZUNA_GRAPHQL_EXECUTOR=graphql-core (to rule the compiled executor out) changes nothing a
    client sees: every list, every field, through HTTP."""
    from app import settings

    for name, (_, query) in LISTS.items():
        compiled = (await gql.post(demo["sales"], query)).json()  # refusals included
        monkeypatch.setattr(settings, "GRAPHQL_EXECUTOR", "graphql-core")
        assert (await gql.post(demo["sales"], query)).json() == compiled, name
        monkeypatch.setattr(settings, "GRAPHQL_EXECUTOR", "compiled")
