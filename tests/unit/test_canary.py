"""Canaries for the library internals Kizuna relies on (STYLE.md, convention 14).

Each check names the library, what Kizuna uses and where. When an upgrade moves or renames one of
them, the failure says which library changed and which module of ours to revisit, instead of a
wrong answer somewhere far away. These libraries are pinned exactly in pyproject.toml
(tortoise-orm, pypika-tortoise, strawberry-graphql, graphql-core, procrastinate): move a pin only with this
module green.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import inspect
from collections.abc import Callable
from typing import Any

import pytest
import strawberry

CHECKS: list[tuple[str, str, str, Callable[[], Any]]] = []


def canary(library: str, what: str, where: str):
    def register(check: Callable[[], Any]) -> Callable[[], Any]:
        CHECKS.append((library, what, where, check))
        return check

    return register


def has(obj: Any, *names: str) -> None:
    missing = [name for name in names if not hasattr(obj, name)]
    assert not missing, f"{getattr(obj, '__name__', obj)!s} lacks {', '.join(missing)}"


def parameters(func: Callable, *names: str) -> None:
    params = list(inspect.signature(func).parameters)
    assert params[:len(names)] == list(names), f"{func.__qualname__}{inspect.signature(func)}"


# ---- graphql-core -------------------------------------------------------------------------------

@canary("graphql-core", "graphql.execution.collect_fields: collect_fields, collect_subfields, FieldDetails",
        "schema/execution.py")
def _collect_fields() -> None:
    from graphql.execution.collect_fields import FieldDetails, collect_fields, collect_subfields

    parameters(collect_fields, "schema", "fragments", "variable_values", "runtime_type", "operation")
    parameters(collect_subfields, "schema", "fragments", "variable_values", "operation", "return_type",
               "field_details_list")
    assert {"node", "fragment_variable_values", "defer_usage"} <= set(FieldDetails._fields)


@canary("graphql-core", "graphql.execution.values.get_argument_values", "schema/execution.py")
def _argument_values() -> None:
    from graphql.execution.values import get_argument_values

    parameters(get_argument_values, "type_def", "node", "variable_values", "fragment_variable_values",
               "hide_suggestions")


@canary("graphql-core", "graphql.pyutils Path/inspect/is_iterable, leaf coerce_output_value, located_error",
        "schema/execution.py")
def _pyutils() -> None:
    from graphql import GraphQLString, located_error
    from graphql.pyutils import Path, inspect as gql_inspect, is_iterable

    path = Path(Path(None, "a", "Query"), 0, None)
    assert path.as_list() == ["a", 0] and path.key == 0
    assert gql_inspect("x") == "'x'" and is_iterable([1]) and not is_iterable("x")
    assert GraphQLString.coerce_output_value("x") == "x"
    assert located_error(ValueError("boom"), None, ["a"]).message == "boom"


# ---- strawberry-graphql ------------------------------------------------------------------------

@strawberry.type
class CanaryThing:
    plain: int
    guarded: int = strawberry.field(permission_classes=[])

    @strawberry.field
    def computed(self, info: strawberry.Info) -> str:
        return "c"


@strawberry.type
class CanaryQuery:
    @strawberry.field
    def thing(self) -> CanaryThing:
        return CanaryThing(plain=1, guarded=2)


SEEN: dict[str, Any] = {}


def _spy_class():
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

    class Spy(StrawberryGraphQLCoreExecutionContext):
        def execute_operation(self, serially=None):
            SEEN["ex"] = self
            return super().execute_operation(serially)

    return Spy


def _executed() -> Any:
    if "ex" not in SEEN:
        schema = strawberry.Schema(query=CanaryQuery, execution_context_class=_spy_class())
        result = asyncio.run(schema.execute("{ thing { plain computed } }"))
        assert result.errors is None, result.errors
    return SEEN["ex"]


@canary("strawberry-graphql", "strawberry.schema.schema.StrawberryGraphQLCoreExecutionContext and the "
        "execution-context members the compiled executor calls", "schema/execution.py")
def _execution_context() -> None:
    ex = _executed()
    parameters(type(ex).execute_operation, "self", "serially")
    parameters(type(ex).build_resolve_info, "self", "field_def", "field_nodes", "parent_type", "path")
    parameters(type(ex).ensure_valid_runtime_type, "self", "runtime_type_name", "return_type",
               "field_details_list", "info", "result")
    has(ex, "schema", "fragments", "variable_values", "operation", "context_value", "root_value",
        "collected_errors", "middleware_manager", "abort_signal", "hooks", "hide_suggestions",
        "type_resolver", "field_resolver", "is_awaitable", "is_async_iterable", "build_response")
    has(ex.collected_errors, "add")


@canary("strawberry-graphql", "strawberry.execution.optimized_is_awaitable", "schema/execution.py")
def _is_awaitable() -> None:
    from strawberry.execution import optimized_is_awaitable

    pending = asyncio.sleep(0)
    assert optimized_is_awaitable(pending) and not optimized_is_awaitable(1)
    pending.close()


@canary("strawberry-graphql", "GraphQLCoreConverter.DEFINITION_BACKREF, GraphQLSchema._strawberry_schema, "
        "schema_converter._exception_handler_specs", "schema/execution.py, schema/columns.py")
def _backrefs() -> None:
    from strawberry.schema.schema_converter import GraphQLCoreConverter

    schema = strawberry.Schema(query=CanaryQuery)
    gql = schema._schema
    assert gql._strawberry_schema is schema
    assert hasattr(schema.schema_converter, "_exception_handler_specs")
    field = gql.get_type("CanaryThing").fields["plain"]
    sfield = field.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    assert sfield.python_name == "plain"


@canary("strawberry-graphql", "a field without a resolver: `_is_default` on its resolver, which reads the "
        "attribute without an info; StrawberryField's attributes", "schema/execution.py")
def _basic_field() -> None:
    from strawberry.schema.schema_converter import GraphQLCoreConverter

    fields = strawberry.Schema(query=CanaryQuery)._schema.get_type("CanaryThing").fields
    plain = fields["plain"]
    sfield = plain.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    assert getattr(plain.resolve, "_is_default", False)
    assert plain.resolve(CanaryThing(plain=7, guarded=0), None) == 7
    has(sfield, "base_resolver", "default_resolver", "python_name", "extensions", "permission_classes",
        "directives", "metadata")
    assert sfield.default_resolver is getattr


@canary("strawberry-graphql", "StrawberryResolver's wrapped_func and *_parameter attributes",
        "schema/execution.py")
def _resolver() -> None:
    from strawberry.schema.schema_converter import GraphQLCoreConverter

    computed = strawberry.Schema(query=CanaryQuery)._schema.get_type("CanaryThing").fields["computed"]
    base = computed.extensions[GraphQLCoreConverter.DEFINITION_BACKREF].base_resolver
    has(base, "wrapped_func", "self_parameter", "parent_parameter", "root_parameter", "info_parameter")
    assert base.info_parameter.name == "info" and base.self_parameter is not None
    assert base.wrapped_func(CanaryThing(plain=1, guarded=1), info=None) == "c"


@canary("strawberry-graphql", "strawberry.types.Info(_raw_info=, _field=) and Info.context read from "
        "_raw_info", "schema/plan.py (LazyInfo), schema/prefetch.py")
def _info() -> None:
    from strawberry.types import Info

    assert [f.name for f in dataclasses.fields(Info)] == ["_raw_info", "_field"]

    class Raw:
        context = {"hello": 1}

    assert Info(_raw_info=Raw(), _field=None).context == {"hello": 1}


@canary("graphql-core", "overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET, ValidationAbortedError, "
        "and the parser's 'Parsing aborted.' messages for max_tokens and nesting", "schema/limits.py")
def _validation_budget() -> None:
    from graphql import GraphQLError, parse
    from graphql.validation.rules import overlapping_fields_can_be_merged
    from graphql.validation.validate import ValidationAbortedError

    from schema.limits import _NESTING_LIMIT_MESSAGE, _TOKEN_LIMIT_MESSAGE

    assert isinstance(overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET, int)
    assert issubclass(ValidationAbortedError, Exception)
    with pytest.raises(GraphQLError, match=_TOKEN_LIMIT_MESSAGE):
        parse("{ a b c d e f }", max_tokens=3)
    with pytest.raises(GraphQLError, match=_NESTING_LIMIT_MESSAGE):
        parse("{ a " * 3000 + "}" * 3000)


@canary("strawberry-graphql", "strawberry.schema.schema.validate_document(schema, document, rules) and "
        "Schema._schema (graphql-core's schema)", "schema/limits.py")
def _validate_document() -> None:
    from graphql import parse
    from strawberry.schema.schema import validate_document

    gql = strawberry.Schema(query=CanaryQuery)._schema
    parameters(validate_document, "schema", "document", "validation_rules")
    assert validate_document(gql, parse("{ __typename }"), ()) == []


@canary("strawberry-graphql", "the ASGI view's hooks: parse_json, get_sub_response, process_result, "
        "create_response, run, should_render_graphql_ide, render_graphql_ide", "schema/http.py")
def _view_hooks() -> None:
    from strawberry.asgi import GraphQL

    has(GraphQL, "parse_json", "get_sub_response", "process_result", "create_response", "run",
        "should_render_graphql_ide", "render_graphql_ide", "encode_json")
    parameters(GraphQL.process_result, "self", "request", "result")
    parameters(GraphQL.create_response, "self", "response_data", "sub_response")


# ---- tortoise-orm and pypika-tortoise ------------------------------------------------------------

def _meta_checks() -> None:
    from app.models import Account, User

    meta = Account._meta
    has(meta, "db_native_fields", "db_pk_column", "generated_db_fields", "fields_db_projection", "fields_map",
        "pk_attr", "fk_fields")
    assert "db" in dir(type(meta))
    assert "name" in meta.fields_db_projection and meta.pk_attr == "id"
    assert "role" in User._meta.fk_fields
    has(meta.fields_map["created_at"], "to_python_value")


def _record_checks() -> None:
    from app.models import Account, Role, User

    state = set(Account(name="x").__dict__)
    assert {"_partial", "_saved_in_db", "_custom_generated_pk", "_await_when_save"} <= state, sorted(state)
    role = Role._init_from_db(id=1, name="Sales")
    user = User._init_from_db(id=2, email="a@example.com", name="A", role_id=1)
    object.__setattr__(user, "_role", role)  # the related-object cache app/auth.py fills
    assert user._saved_in_db and user.role is role


async def _query_checks() -> None:
    from tortoise.router import router

    from app.models import Account
    from app.statements import Statement
    from schema.columns import partial_maker

    query = Account.filter(id__in=[-(2**62), -(2**62) - 1]).values_list("id", "name", "created_at")
    has(query, "_choose_db_if_not_chosen", "_make_query", "resolve_to_python_value", "fields", "model")
    statement = Statement.build(query, [-(2**62), -(2**62) - 1])
    assert statement is not None and "SELECT" in statement.sql.upper()
    has(router, "db_for_read")
    router.db_for_read(Account)  # None without routers: app/statements.py then takes _meta.db
    assert Account._meta.db is not None
    record = partial_maker(Account, ("id", "name"))([5, "x"])
    assert record.name == "x" and record._partial
    with pytest.raises(Exception, match="(?i)partial"):
        await record.save()


@canary("pypika-tortoise", "QueryBuilder.get_parameterized_sql() -> (sql, params)", "app/statements.py")
def _pypika() -> None:
    from pypika_tortoise.queries import QueryBuilder

    has(QueryBuilder, "get_parameterized_sql")


# ---- procrastinate ------------------------------------------------------------------------------

@canary("procrastinate", "InMemoryConnector: reverse_queries, jobs, events, generic_execute and the "
        "<query>_<suffix> methods EmbeddedConnector overrides", "app/jobs_memory.py")
def _in_memory_connector() -> None:
    from procrastinate.testing import InMemoryConnector

    connector = InMemoryConnector()
    has(connector, "reverse_queries", "jobs", "events", "queries")
    assert isinstance(connector.events, dict) and isinstance(connector.jobs, dict)
    parameters(InMemoryConnector.generic_execute, "self", "query", "suffix", "arguments")
    parameters(InMemoryConnector.finish_job_run, "self", "job_id", "status", "delete_job")
    parameters(InMemoryConnector.cancel_job_one, "self", "job_id", "abort", "delete_job")
    parameters(InMemoryConnector.delete_old_jobs_run, "self", "nb_hours", "queue", "statuses")
    # every query the worker sends has its method, named as generic_execute calls it
    from procrastinate import sql

    for name in ("fetch_job", "finish_job", "defer_jobs", "register_worker", "update_heartbeat"):
        assert name in sql.queries and name in connector.reverse_queries.values()


@canary("procrastinate", "its schema is still the one migration 0011_jobs froze (procrastinate_schema.sql)",
        "app/migrations/0011_jobs.py")
def _schema() -> None:
    from procrastinate.schema import SchemaManager

    from app import settings

    frozen = (settings.BASE_DIR / "app/migrations/procrastinate_schema.sql").read_text()
    assert frozen.endswith(SchemaManager.get_schema()), (
        "procrastinate's schema changed: add a Kizuna migration that applies its new sql/migrations "
        "files (after 03.04.00_50_post_add_retry_failed_job_procedure.sql), then refresh the frozen copy")
    import os

    newest = max(f for f in os.listdir(SchemaManager.get_migrations_path()) if f.endswith(".sql"))
    assert newest == "03.04.00_50_post_add_retry_failed_job_procedure.sql", newest


@canary("procrastinate", "App.periodic_registry (swapped for an empty PeriodicRegistry by run_pending)",
        "app/jobs.py")
def _periodic_registry() -> None:
    import procrastinate
    from procrastinate.periodic import PeriodicRegistry

    from app import jobs

    has(jobs.engine(), "periodic_registry")
    assert isinstance(jobs.engine().periodic_registry, PeriodicRegistry)
    has(PeriodicRegistry(), "periodic_tasks")
    assert procrastinate.App is type(jobs.engine())

# ---- imapclient ---------------------------------------------------------------------------------

@canary("imapclient", "IMAPClient._imap (an imaplib.IMAP4: _new_tag() per command, uid(), and `debug`, "
        "which IMAPClient sets to 5 and app.mail.imap.quiet_wire_log to 0), and "
        "parse_fetch_response(text, normalise_times, uid_is_key=False) keeping b'UID' per message",
        "app/mail/imap.py, app/mail/imap_wire.py")
def _imapclient() -> None:
    import imaplib

    from imapclient import IMAPClient
    from imapclient.imap4 import IMAP4WithTimeout
    from imapclient.response_parser import parse_fetch_response
    from imapclient.tls import IMAP4_TLS

    assert "self._imap = self._create_IMAP4()" in inspect.getsource(IMAPClient.__init__)
    assert "self._imap.debug = 5" in inspect.getsource(IMAPClient.__init__)
    assert "if self.debug >= 5:" in inspect.getsource(imaplib.IMAP4._append_untagged)
    assert issubclass(IMAP4WithTimeout, imaplib.IMAP4) and issubclass(IMAP4_TLS, imaplib.IMAP4)
    has(imaplib.IMAP4, "_new_tag", "uid")
    parameters(parse_fetch_response, "text", "normalise_times", "uid_is_key")
    parsed = parse_fetch_response([(b"3 (UID 42 BODY[] {2}", b"hi"), b")", b"4 (FLAGS ())"],
                                  normalise_times=False, uid_is_key=False)
    assert parsed[3][b"UID"] == 42 and parsed[3][b"BODY[]"] == b"hi" and b"UID" not in parsed[4]


@pytest.mark.parametrize("library,what,where,check", CHECKS, ids=[f"{c[0]}: {c[1][:60]}" for c in CHECKS])
def test_library_internal(library: str, what: str, where: str, check: Callable[[], Any]) -> None:
    try:
        check()
    except (AssertionError, AttributeError, ImportError, TypeError, ValueError) as error:
        pytest.fail(f"{library} changed: {what} (relied on by {where}) no longer holds: {error!r}. "
                    f"Revisit {where} before moving {library}'s pin.", pytrace=False)


@pytest.mark.parametrize("what,where,check", [
    ("Model._meta members (db, db_native_fields, fields_db_projection, fields_map, pk_attr, fk_fields, ...)",
     "app/statements.py, schema/columns.py, app/services/records.py, app/auth.py", _meta_checks),
    ("Model._init_from_db, the `_<fk>` related-object cache, the record state keys partial records set",
     "app/auth.py, schema/columns.py", _record_checks),
    ("ValuesListQuery._choose_db_if_not_chosen/_make_query/resolve_to_python_value, router.db_for_read, "
     "saving a partial record is refused", "app/statements.py, schema/columns.py", _query_checks),
], ids=["meta", "records", "queries"])
async def test_tortoise_internal(db, what: str, where: str, check: Callable[[], Any]) -> None:
    try:
        result = check()
        if inspect.isawaitable(result):
            await result
    except (AssertionError, AttributeError, ImportError, TypeError, KeyError) as error:
        pytest.fail(f"tortoise-orm changed: {what} (relied on by {where}) no longer holds: {error!r}. "
                    f"Revisit {where} before moving tortoise-orm's pin.", pytrace=False)


def test_every_pinned_library_has_canaries_and_an_exact_pin() -> None:
    import tomllib

    from app import settings

    pyproject = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())
    pins = {d.split("[")[0].split("=")[0]: d for d in pyproject["project"]["dependencies"] if "==" in d}
    watched = {"tortoise-orm", "pypika-tortoise", "strawberry-graphql", "graphql-core", "procrastinate",
               "imapclient"}
    assert watched <= pins.keys(), f"pin exactly (==): {sorted(watched - pins.keys())}"
    assert {c[0] for c in CHECKS} | {"tortoise-orm"} == watched
    for name in watched:
        version = pins[name].split("==")[1]
        installed = importlib.metadata.version(name)
        assert installed == version, f"{name} {installed} is installed, pyproject pins {version}: run make install-dev"
