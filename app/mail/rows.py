"""Many rows in one statement, for the sync's hot path.

tortoise's `bulk_create` builds a model instance per row (a few dozen microseconds each: most of
the store's time at 10,000 messages); these helpers send the same INSERT with `executemany`, each
value converted by its field as the ORM would (dates, JSON, enums), and `ON CONFLICT DO NOTHING`
where a row may already exist (SQLite 3.24+ and PostgreSQL both read it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tortoise import fields as tf
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.models import Model


# Values of these fields go to the driver as they are (callers pass them cut to length): the
# ORM's conversion would only validate them again, a third of the store's time at 10,000 rows.
_AS_IS = (tf.CharField, tf.TextField, tf.IntField, tf.BigIntField, tf.BooleanField, tf.BinaryField)


def _converter(model: type[Model], column: str) -> Callable[[Any], Any] | None:
    field = model._meta.fields_map.get(column)
    if field is None or (isinstance(field, _AS_IS) and not isinstance(field, CharEnumFieldInstance)):
        return None  # a foreign key's column, or a plain value
    return lambda value: field.to_db_value(value, None)


PG_MAX_PARAMS = 30_000


def _placeholders(dialect: str, count: int) -> str:
    if dialect == "postgres":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    return ", ".join("?" * count)


async def insert(conn, model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                 ignore_conflicts: bool = False) -> None:
    """INSERT `rows` (values in the order of `columns`, model field names; a foreign key by its
    `<name>_id` column) into the model's table."""
    converters = [_converter(model, column) for column in columns]
    values = [[v if convert is None else convert(v) for convert, v in zip(converters, row)] for row in rows]
    if not values:
        return
    dialect = conn.capabilities.dialect
    names = ", ".join(f'"{c}"' for c in columns)
    head = f'INSERT INTO "{model._meta.db_table}" ({names}) VALUES '
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if dialect != "postgres":  # sqlite3's executemany loops in C: the fastest there
        await conn.execute_many(head + f"({_placeholders(dialect, len(columns))})" + tail, values)
        return
    # asyncpg's executemany sends a message per row: many rows per statement instead, as many
    # as PostgreSQL's 32,767 parameters allow (ten times faster for the store's batches).
    width = len(columns)
    per = max(1, min(len(values), PG_MAX_PARAMS // width))
    for start in range(0, len(values), per):
        chunk = values[start:start + per]
        groups = ", ".join("(" + ", ".join(f"${i * width + j + 1}" for j in range(width)) + ")"
                           for i in range(len(chunk)))
        await conn.execute_query(head + groups + tail, [v for row in chunk for v in row])


async def reserve_ids(conn, model: type[Model], count: int) -> list[int]:
    """`count` ids for new rows of `model`, to insert them with their ids known beforehand: from
    the table's sequence on PostgreSQL; on SQLite past the highest id ever given (AUTOINCREMENT's
    record, so a deleted row's id is never given again), the caller holding the write lock."""
    if count <= 0:
        return []
    table = model._meta.db_table
    if conn.capabilities.dialect == "postgres":
        found = await conn.execute_query_dict(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, $1)", [count])
        return sorted(row["id"] for row in found)
    top = (await conn.execute_query_dict(
        f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), "
        f'coalesce((SELECT max(id) FROM "{table}"), 0)) AS top'))[0]["top"]
    return list(range(top + 1, top + 1 + count))


async def update(conn, model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """UPDATE `columns` of many rows by id: rows are (id, value, value, ...), values converted by
    their fields."""
    converters = [_converter(model, column) for column in columns]
    values = [[v if convert is None else convert(v) for convert, v in zip(converters, row[1:])] + [row[0]]
              for row in rows]
    if not values:
        return
    n = len(columns)
    if conn.capabilities.dialect == "postgres":
        sets = ", ".join(f'"{c}" = ${i}' for i, c in enumerate(columns, 1))
        sql = f'UPDATE "{model._meta.db_table}" SET {sets} WHERE "id" = ${n + 1}'
    else:
        sets = ", ".join(f'"{c}" = ?' for c in columns)
        sql = f'UPDATE "{model._meta.db_table}" SET {sets} WHERE "id" = ?'
    await conn.execute_many(sql, values)


async def select_in(conn, sql: str, values: Sequence[Any], *, chunk: int = 500) -> list[tuple]:
    """Rows of `sql`, whose `{in}` stands for the list of `values` (sent as parameters, `chunk`
    at a time): the store's look-ups by key, without building a query object per batch."""
    found: list[tuple] = []
    dialect = conn.capabilities.dialect
    times = sql.count("{in}")  # PostgreSQL numbers its parameters: each list reuses $1..$n
    for start in range(0, len(values), chunk):
        part = list(values[start:start + chunk])
        query = sql.replace("{in}", _placeholders(dialect, len(part)))
        params = part if dialect == "postgres" else part * times
        found += [tuple(row.values()) for row in await conn.execute_query_dict(query, params)]
    return found
