"""The compiled query executor (schema.execution) answers exactly as graphql-core does.

Each query runs on a small schema twice: through Kizuna's Schema (compiled plans) and through
stock strawberry (graphql-core's executor). Data, error messages, paths and locations must match,
including null propagation, async fields and abstract types, and everything strawberry wraps
around a field: permission classes (sync and async, with or without a resolver), field extensions,
exceptions inside unions and interfaces, a custom Info class.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.extensions import FieldExtension, ParserCache
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig
from strawberry.schema_directive import Location

from app import settings

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


def _both(query: str, variables: dict | None = None, root: type = None, **options) -> tuple:
    results = []
    root = root or Query
    for schema in (Schema(query=root, **options), strawberry.Schema(query=root, **options)):
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


# ---- what strawberry wraps around a field: permissions, extensions, directives, Info -----------


class Deny(BasePermission):
    message = "Denied."

    def has_permission(self, source, info, **kwargs) -> bool:
        return False


class OddOnly(BasePermission):
    message = "Odd people only."

    def has_permission(self, source, info, **kwargs) -> bool:
        return source.pk % 2 == 1


class LateOddOnly(BasePermission):
    message = "Odd people only (asked asynchronously)."

    async def has_permission(self, source, info, **kwargs) -> bool:
        await asyncio.sleep(0)
        return source.pk % 2 == 1


class Shout(FieldExtension):
    def resolve(self, next_, source, info, **kwargs):
        return next_(source, info, **kwargs).upper()

    async def resolve_async(self, next_, source, info, **kwargs):
        return (await next_(source, info, **kwargs)).upper()


@strawberry.schema_directive(locations=[Location.FIELD_DEFINITION])
class Sensitive:
    reason: str


@strawberry.type
class Employee:
    pk: int
    name: str = strawberry.field(extensions=[Shout()])
    salary: int = strawberry.field(permission_classes=[Deny])
    bonus: int | None = strawberry.field(permission_classes=[OddOnly])
    rating: int | None = strawberry.field(permission_classes=[LateOddOnly])
    grade: str = strawberry.field(directives=[Sensitive(reason="pay grade")])

    @strawberry.field(permission_classes=[Deny])
    def secret(self) -> str | None:
        return "secret"

    @strawberry.field(permission_classes=[LateOddOnly])
    async def late_secret(self) -> str | None:
        return "late secret"

    @strawberry.field(extensions=[Shout()])
    def title(self) -> str:
        return f"title {self.pk}"

    @strawberry.field(extensions=[Shout()])
    async def late_title(self) -> str:
        return f"late title {self.pk}"

    @strawberry.field(permission_classes=[OddOnly])
    def info_class(self, info: strawberry.Info) -> str:
        return f"{type(info).__name__} {info.path.as_list()}"

    @strawberry.field
    def greeting(self, info: strawberry.Info) -> str:
        return f"{getattr(info, 'salutation', 'Hi')} {self.pk}"

    @strawberry.field
    def greeting_with(self, info: strawberry.Info, mark: str = "!") -> str:
        return f"{getattr(info, 'salutation', 'Hi')} {self.pk}{mark}"

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError(f"broken employee {self.pk}")

    @strawberry.field
    def strict(self) -> str:
        if self.pk == 2:
            raise ValueError("strict employee 2")
        return "ok"


def _employees() -> list[Employee]:
    return [Employee(pk=i, name=f"e{i}", salary=1000 * i, bonus=10 * i, rating=i, grade="A") for i in (1, 2, 3)]


@strawberry.type
class StaffQuery:
    @strawberry.field
    def employees(self) -> list[Employee]:
        return _employees()

    @strawberry.field
    def staff(self) -> list[Annotated[Employee | Robot, strawberry.union("Staff")] | None]:
        return [*_employees(), Robot(name="r9", serial="R-9")]

    @strawberry.field
    def members(self) -> list[Named | None]:
        return [Person(pk=2, name="p2"), Person(pk=4, name="p4"), Robot(name="r5", serial="R-5")]

    @strawberry.field
    def stray(self) -> list[Annotated[Employee | Robot, strawberry.union("Stray")] | None]:
        return [_employees()[0], "not a staff member"]  # type: ignore[list-item]  # resolves to no member


class PoliteInfo(strawberry.Info):
    @property
    def salutation(self) -> str:
        return f"Dear ({self.context['hello']})"


WRAPPED = {
    "permission on a field without a resolver": "{ employees { pk salary } }",
    "nullable permission without a resolver, per record": "{ employees { pk bonus } }",
    "async permission without a resolver": "{ employees { pk rating } }",
    "permission on a resolver, sync and async": "{ employees { pk secret lateSecret } }",
    "field extensions, with and without a resolver": "{ employees { name title lateTitle } }",
    "schema directive on a plain field": "{ employees { pk grade } }",
    "permission before the info": "{ employees { infoClass } }",
    "errors and permissions inside a union": """{ staff { __typename ... on Employee { pk bonus broken
        rating } ... on Robot { serial } } }""",
    "non-null error inside a union nulls the member": "{ staff { ... on Employee { pk strict } } }",
    "denied non-null inside a union": "{ staff { ... on Employee { pk salary } ... on Robot { name } } }",
    "errors inside an interface": "{ members { name ... on Person { broken strict lateStrict } } }",
    "a value of no member type": "{ stray { __typename ... on Employee { pk } } }",
}


@pytest.mark.parametrize("query", WRAPPED.values(), ids=WRAPPED.keys())
def test_wrapped_fields_answer_like_graphql_core(query: str) -> None:
    ours, stock = _both(query, root=StaffQuery)
    assert ours == stock
    assert ours[1] or "salary" not in query  # the denied field is never answered


def test_a_denied_field_without_a_resolver_is_not_returned() -> None:
    (data, errors), _ = _both("{ employees { pk salary bonus } }", root=StaffQuery)
    assert data is None  # salary is non-null: its denial nulls the list, as graphql-core does
    assert ("Denied.", ["employees", 0, "salary"], [(1, 18)]) in errors
    (data, errors), _ = _both("{ employees { pk bonus } }", root=StaffQuery)
    assert data == {"employees": [{"pk": 1, "bonus": 10}, {"pk": 2, "bonus": None}, {"pk": 3, "bonus": 30}]}
    assert errors == [("Odd people only.", ["employees", 1, "bonus"], [(1, 18)])]


def test_a_custom_info_class_reaches_resolvers() -> None:
    query = '{ employees { greeting greetingWith b: greetingWith(mark: "?") } staff { ... on Employee { infoClass } } }'
    ours, stock = _both(query, root=StaffQuery, config=StrawberryConfig(info_class=PoliteInfo))
    assert ours == stock
    data, errors = ours
    assert data["employees"][0] == {"greeting": "Dear (Hello) 1", "greetingWith": "Dear (Hello) 1!",
                                    "b": "Dear (Hello) 1?"}
    assert data["staff"] == [{"infoClass": "PoliteInfo ['staff', 0, 'infoClass']"}, None,
                             {"infoClass": "PoliteInfo ['staff', 2, 'infoClass']"}, {}]
    assert errors == [("Odd people only.", ["staff", 1, "infoClass"], [(1, 92)])]


# ---- KIZUNA_GRAPHQL_EXECUTOR --------------------------------------------------------------------


def test_the_setting_runs_graphql_cores_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    used = []
    stock = execution.StrawberryGraphQLCoreExecutionContext.execute_operation

    def spy(self, *args, **kwargs):
        used.append(self.operation.operation.value)
        return stock(self, *args, **kwargs)

    monkeypatch.setattr(execution.StrawberryGraphQLCoreExecutionContext, "execute_operation", spy)
    schema = Schema(query=Query)
    query = "{ people { pk friend { pk } } }"
    compiled = asyncio.run(schema.execute(query, context_value={"people": DataLoader(load_people)}))
    assert used == []
    monkeypatch.setattr(settings, "GRAPHQL_EXECUTOR", "graphql-core")
    core = asyncio.run(schema.execute(query, context_value={"people": DataLoader(load_people)}))
    assert used == ["query"]
    assert core.data == compiled.data and core.errors is None


def test_an_unknown_executor_is_refused_at_start() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "KIZUNA_GRAPHQL_EXECUTOR": "fast"}
    result = subprocess.run([sys.executable, "-c", "import app.settings"], env=env, capture_output=True, text=True,
                            cwd=settings.BASE_DIR)
    assert result.returncode != 0
    assert "KIZUNA_GRAPHQL_EXECUTOR must be one of compiled, graphql-core, not 'fast'" in result.stderr
