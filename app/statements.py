"""Look-ups by key whose SQL tortoise builds once.

Building a query costs tortoise about as much as SQLite takes to run it: pypika terms are copied
at every step and every `IN` value becomes a parameter object. The look-ups that DataLoaders and
prefetching send on every request differ only in their keys, so, as SQLAlchemy's compiled cache
does, their SQL is built once per shape and later calls only bind new keys:

- a shape is the caller's name for the query (everything the query depends on besides the keys:
  the caller keeps a `Statements` per principal when the query filters by what the principal may
  see), the database's dialect, and the number of keys rounded up to a power of two; shorter key
  lists are padded with their last key, which changes nothing an `IN` finds;
- the keys' places among the parameters are found by building the query once with sentinel keys,
  negative numbers that no primary or foreign key takes.

A page of a list (`Statements.bound`) binds its LIMIT and OFFSET the same way; their sentinels
are large positive numbers, as tortoise refuses negative ones.

Rows come back as `values_list` returns them, each value converted as its field converts it.

A shape must name everything the query depends on. With `settings.VERIFY_KEPT_STATEMENTS` (on in
the test suite), every use rebuilds the statement and raises `StatementDrift` when its SQL or its
parameters differ from the kept one: a filter that depends on the request or the time, frozen
for every later use, is caught where it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.router import router
from tortoise.models import Model
from tortoise.queryset import QuerySet, ValuesListQuery

from app import settings
from app.kept import MISSING, Kept

SENTINEL = -(2**62)  # the first sentinel key; the n-th is SENTINEL - n
BOUND = 2**62 + 7  # the first sentinel of other bound values (LIMIT, OFFSET); the n-th is BOUND + n
MOST_KEYS = 1024  # longer key lists are rare (a page holds at most a few hundred records): not kept


def _bucket(n: int) -> int:
    return 1 << (n - 1).bit_length()


def _db(model: type[Model]) -> Any:
    """The connection a read of `model` uses now (a transaction's, inside one), as tortoise picks it."""
    return router.db_for_read(model) or model._meta.db


class StatementDrift(AssertionError):
    """A kept statement no longer matches what its shape builds: the shape misses a value the
    query depends on."""


def _parameterized(query: Any, sentinels: Sequence[int]) -> tuple[str, list[Any], tuple[tuple[int, int], ...]] | None:
    """The SQL and parameters of a query made with `sentinels` in place of the values to bind,
    and where each sentinel went: (place among the parameters, index of the key); None when they
    did not all become parameters (then the query cannot be kept)."""
    sql, params = query.query.get_parameterized_sql()
    index = {value: i for i, value in enumerate(sentinels)}
    slots = tuple((place, index[value]) for place, value in enumerate(params)
                  if type(value) is int and value in index)
    if {i for _, i in slots} != set(range(len(sentinels))) or any(str(v) in sql for v in sentinels[:1]):
        return None
    return sql, params, slots


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (place among the parameters, index of the key)
    converters: tuple[Callable[[Any], Any] | None, ...]  # None: the driver's value is the value

    @classmethod
    def build(cls, query: ValuesListQuery, sentinels: Sequence[int]) -> Statement | None:
        """The statement of `query`, built with `sentinels` in place of the values to bind; None
        when they did not all become parameters (then the query cannot be reused)."""
        query._choose_db_if_not_chosen()
        query._make_query()
        built = _parameterized(query, sentinels)
        if built is None:
            return None
        sql, params, slots = built
        native = {name for _, name, _ in query.model._meta.db_native_fields}
        converters = tuple(None if name in native else query.resolve_to_python_value(query.model, name)
                           for name in query.fields.values())
        return cls(sql, tuple(params), slots, converters)

    async def rows(self, db: Any, keys: Sequence[Any]) -> list[tuple[Any, ...]]:
        params = list(self.params)
        for place, index in self.slots:
            params[place] = keys[index]
        _, rows = await db.execute_query(self.sql, params)
        converters = self.converters
        if not any(converters):
            return [tuple(row) for row in rows]
        return [tuple(v if f is None else f(v) for f, v in zip(converters, row, strict=True)) for row in rows]


class Statements:
    """Built statements by shape, least recently used out first."""

    def __init__(self, size: int = 256) -> None:
        self._kept: Kept[Statement | None] = Kept(size)

    def __len__(self) -> int:
        return len(self._kept)

    async def rows(self, model: type[Model], shape: Hashable, build: Callable[[list[Any]], ValuesListQuery],
                   keys: Sequence[Any] | None) -> list[tuple[Any, ...]]:
        """The rows of `build(keys)`: a `values_list` query of `model` in which the keys are
        values of `IN` filters, and nothing else varies with them. `keys` None: a query without
        keys (`build` gets an empty list)."""
        if keys is not None and not keys:
            return []
        n = _bucket(len(keys)) if keys else 0
        if n > MOST_KEYS:
            return list(await build(list(keys)))
        padded = list(keys) + [keys[-1]] * (n - len(keys)) if keys else []
        return await self._run(model, (shape, n), lambda: build([SENTINEL - i for i in range(n)]),
                               tuple(SENTINEL - i for i in range(n)), padded, lambda: build(list(keys or ())))

    async def bound(self, model: type[Model], shape: Hashable, build: Callable[..., ValuesListQuery],
                    values: Sequence[int]) -> list[tuple[Any, ...]]:
        """The rows of `build(*values)`: a `values_list` query of `model` in which the values
        (non-negative integers, such as LIMIT and OFFSET) are the only parameters that vary."""
        sentinels = tuple(BOUND + i for i in range(len(values)))
        return await self._run(model, (shape, "bound", len(values)), lambda: build(*sentinels), sentinels,
                               list(values), lambda: build(*values))

    async def _run(self, model: type[Model], shape: Hashable, build: Callable[[], ValuesListQuery],
                   sentinels: tuple[int, ...], values: list[Any],
                   plain: Callable[[], ValuesListQuery]) -> list[tuple[Any, ...]]:
        db = _db(model)
        key = (shape, db.capabilities.dialect)
        statement = self._kept.get(key)
        if statement is MISSING:
            statement = self._kept.put(key, Statement.build(build(), sentinels))
        elif settings.VERIFY_KEPT_STATEMENTS:
            _verify(key, statement, Statement.build(build(), sentinels))
        if statement is None:
            return list(await plain())
        return await statement.rows(db, values)


def _verify(key: Hashable, kept: Statement | None, fresh: Statement | None) -> None:
    def what(s: Statement | None) -> Any:
        return None if s is None else (s.sql, s.params, s.slots)

    if what(kept) != what(fresh):
        raise StatementDrift(
            f"the statement kept for {key!r} differs from the one its shape builds now: the query "
            f"depends on something its shape does not name.\nkept:  {what(kept)}\nbuilt: {what(fresh)}")


# ---- whole records by primary key ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordStatement:
    """A query of whole records (`select_related` ones read along) by one key, built once: the
    records come back as tortoise's executor makes them from the rows."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]
    select_related_idx: tuple[Any, ...]

    @classmethod
    def build(cls, query: QuerySet, sentinels: Sequence[int]) -> RecordStatement | None:
        query._choose_db_if_not_chosen()
        query._make_query()
        if query._annotations or query._prefetch_map or query._prefetch_queries:
            return None
        built = _parameterized(query, sentinels)
        if built is None:
            return None
        sql, params, slots = built
        return cls(sql, tuple(params), slots, tuple(query._select_related_idx))

    async def records(self, db: Any, model: type[Model], keys: Sequence[Any]) -> list[Model]:
        params = list(self.params)
        for place, index in self.slots:
            params[place] = keys[index]
        executor = db.executor_class(model=model, db=db, select_related_idx=list(self.select_related_idx))
        return await executor.execute_select(self.sql, params)


# Whole-record look-ups do not depend on who asks (the caller checks permissions on the record).
_records: Kept[RecordStatement | None] = Kept(256)


async def record(model: type[Model], shape: Hashable, build: Callable[[Any], QuerySet], key: Any) -> Model | None:
    """The one record `build(key)` finds (a queryset filtering by `key`, whose other filters do not
    vary; `shape` names them), or None."""
    db = _db(model)
    kept_key = (model, shape, db.capabilities.dialect)
    statement = _records.get(kept_key)
    if statement is MISSING:
        statement = _records.put(kept_key, RecordStatement.build(build(SENTINEL), (SENTINEL,)))
    elif settings.VERIFY_KEPT_STATEMENTS:
        fresh = RecordStatement.build(build(SENTINEL), (SENTINEL,))
        if (None if statement is None else (statement.sql, statement.params, statement.slots)) != \
                (None if fresh is None else (fresh.sql, fresh.params, fresh.slots)):
            raise StatementDrift(f"the record statement kept for {kept_key!r} differs from the one its shape builds now")
    if statement is None:
        found = await build(key)
        return found[0] if found else None
    found = await statement.records(db, model, [key])
    return found[0] if found else None
