"""The compiled query executor (schema.execution) answers exactly as graphql-core does.

Each query runs on a small schema twice: through Kizuna's Schema (compiled plans) and through
stock strawberry (graphql-core's executor). Data, error messages, paths and locations must match,
including null propagation, async fields and abstract types.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.extensions import ParserCache

from schema import execution
from schema.extensions import Schema

BATCHES: list[list[int]] = []


async def load_people(keys: list[int]) -> list[Person | None]:
    BATCHES.append(list(keys))
    return [Person(pk=k, name=f"p{k}") if k < 100 else None for k in keys]


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Person(Named):
    pk: int

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def greeting(self, info: strawberry.Info, punctuation: str = "!") -> str:
        return f"{info.context['hello']} {self.name}{punctuation}"

    @strawberry.field
    async def friend(self, info: strawberry.Info) -> Person | None:
        return await info.context["people"].load(self.pk + 1)

    @strawberry.field
    def where(self, info: strawberry.Info) -> str:  # the whole info, not only its context
        return f"{info.field_name} at {'/'.join(map(str, info.path.as_list()))} in {info.operation.operation.value}"

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError(f"broken {self.pk}")

    @strawberry.field
    def strict(self) -> str:
        if self.pk == 2:
            raise ValueError("strict fails for 2")
        return "ok"

    @strawberry.field
    async def late_strict(self) -> str:
        await asyncio.sleep(0)
        if self.pk == 3:
            raise ValueError("late strict fails for 3")
        return "ok"

    @strawberry.field
    async def late_missing(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field
    def missing(self) -> str:
        return None  # type: ignore[return-value]  # a bug the executor must report


@strawberry.type
class Robot(Named):
    serial: str


@strawberry.type
class Query:
    @strawberry.field
    def people(self, first: int = 3) -> list[Person]:
        return [Person(pk=i, name=f"p{i}") for i in range(1, first + 1)]

    @strawberry.field
    def strict_people(self) -> list[Person | None]:
        return [Person(pk=i, name=f"p{i}") for i in range(1, 4)]

    @strawberry.field
    async def person(self, info: strawberry.Info, pk: int) -> Person | None:
        return await info.context["people"].load(pk)

    @strawberry.field
    def things(self) -> list[Annotated[Person | Robot, strawberry.union("Thing")]]:
        return [Person(pk=1, name="p1"), Robot(name="r2", serial="R-2")]

    @strawberry.field
    def named(self) -> list[Named]:
        return [Robot(name="r1", serial="R-1"), Person(pk=2, name="p2")]

    @strawberry.field
    def must(self) -> Person:
        raise ValueError("no one")


def _both(query: str, variables: dict | None = None) -> tuple:
    results = []
    for schema in (Schema(query=Query), strawberry.Schema(query=Query)):
        context = {"hello": "Hello", "people": DataLoader(load_people)}
        result = asyncio.run(schema.execute(query, variable_values=variables, context_value=context))
        errors = sorted(
            ((e.message, e.path, [(loc.line, loc.column) for loc in e.locations or ()]) for e in result.errors or ()),
            key=repr,
        )
        results.append((result.data, errors))
    return results[0], results[1]


QUERIES = {
    "plain fields, resolvers, aliases, typename": """{ people { pk name shout __typename
        loud: shout } }""",
    "resolvers reading their info": """{ people(first: 2) { where here: where friend { where } } }""",
    "arguments: literal, default and variable": """query ($p: String!) { people(first: 2) {
        greeting a: greeting(punctuation: "?") b: greeting(punctuation: $p) } }""",
    "fragments merge": """{ people { ...A ... on Person { shout } } } fragment A on Person { pk name }""",
    "async fields batch": """{ people { pk friend { pk friend { name } } } }""",
    "union and interface": """{ things { __typename ... on Person { pk } ... on Robot { serial } }
        named { name ... on Robot { serial } } }""",
    "nullable field error": """{ people { pk broken } }""",
    "non-null error nulls the nullable list item": """{ strictPeople { pk strict } }""",
    "non-null error nulls the whole list field": """{ people { pk strict } }""",
    "async non-null error nulls the nullable item": """{ strictPeople { pk lateStrict } }""",
    "null from a non-null resolver": """{ people(first: 1) { missing } }""",
    "null from a non-null async resolver": """{ strictPeople { pk lateMissing } }""",
    "non-null root error leaves no data": """{ must { pk } people(first: 1) { pk } }""",
    "missing record": """{ person(pk: 100) { pk } other: person(pk: 5) { pk name } }""",
    "directives run on graphql-core": """query ($no: Boolean!) { people { pk name @skip(if: $no) } }""",
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_answers_like_graphql_core(query: str) -> None:
    ours, stock = _both(query, {"p": ".", "no": True})
    assert ours == stock


def test_errors_carry_path_and_location() -> None:
    (data, errors), _ = _both("{ strictPeople { pk strict } }")
    assert data == {"strictPeople": [{"pk": 1, "strict": "ok"}, None, {"pk": 3, "strict": "ok"}]}
    assert errors == [("strict fails for 2", ["strictPeople", 1, "strict"], [(1, 21)])]


def test_async_fields_of_a_level_load_in_one_batch() -> None:
    BATCHES.clear()
    asyncio.run(Schema(query=Query).execute(
        "{ people(first: 4) { friend { friend { pk } } } }",
        context_value={"hello": "", "people": DataLoader(load_people)},
    ))
    # the second level asks for 3..6; 3, 4 and 5 are cached from the first
    assert BATCHES == [[2, 3, 4, 5], [6]]


def test_a_document_is_planned_once() -> None:
    schema = Schema(query=Query, extensions=[ParserCache])  # the same text, the same document
    query = "{ people { pk shout } }"
    context = {"hello": "", "people": DataLoader(load_people)}
    asyncio.run(schema.execute(query, context_value=context))
    planned = len(execution._plans)
    for _ in range(3):
        assert asyncio.run(schema.execute(query, context_value=context)).data["people"][0] == {"pk": 1, "shout": "P1"}
    assert len(execution._plans) == planned


def test_a_tortoise_record_is_a_value_not_an_awaitable() -> None:
    from app.models import Account

    assert not execution.is_awaitable(Account(name="x"))
    pending = asyncio.sleep(0)
    assert execution.is_awaitable(pending)
    pending.close()


def test_plain_queries_skip_graphql_core_and_directives_use_it(monkeypatch: pytest.MonkeyPatch) -> None:
    used = []
    stock = execution.StrawberryGraphQLCoreExecutionContext.execute_operation

    def spy(self, *args, **kwargs):
        used.append(self.operation.operation.value)
        return stock(self, *args, **kwargs)

    monkeypatch.setattr(execution.StrawberryGraphQLCoreExecutionContext, "execute_operation", spy)
    schema = Schema(query=Query)
    context = {"hello": "", "people": DataLoader(load_people)}
    assert asyncio.run(schema.execute("{ people { pk friend { pk } } }", context_value=context)).errors is None
    assert used == []
    result = asyncio.run(schema.execute("{ people { pk @include(if: false) name } }", context_value=context))
    assert result.data == {"people": [{"name": "p1"}, {"name": "p2"}, {"name": "p3"}]}
    assert used == ["query"]
