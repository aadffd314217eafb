"""Upgrade tests start from an older release's schema: a database migrated up to a named
migration, then opened as a tortoise context to put the old release's rows in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from contextlib import asynccontextmanager

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as migrate_api

from app.db import tortoise_config


@asynccontextmanager
async def database_at(url: str, target: str) -> AsyncIterator[TortoiseContext]:
    """The database at `url` migrated up to `target` (e.g. "models.0005_access_stamp")."""
    try:
        await migrate_api(config=tortoise_config(url), target=target)
    finally:
        await Tortoise.close_connections()
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        yield ctx


# ---- rows as an old release wrote them (raw SQL: the ORM's models are the newest release's) ----

WHEN = "2026-01-01 00:00:00+00:00"


async def _columns(conn, table: str, dialect: str) -> list[tuple[str, str, bool]]:
    """(name, type, needs a value: NOT NULL without a default) of every column but the id."""
    if dialect == "sqlite":
        rows = await conn.execute_query_dict(f'PRAGMA table_info("{table}")')
        return [(r["name"], r["type"].lower(), bool(r["notnull"]) and r["dflt_value"] is None)
                for r in rows if r["name"] != "id"]
    rows = await conn.execute_query_dict(
        "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns"
        f" WHERE table_schema = 'public' AND table_name = '{table}'")
    return [(r["column_name"], r["data_type"].lower(), r["is_nullable"] == "NO" and r["column_default"] is None)
            for r in rows if r["column_name"] != "id"]


def _filler(kind: str) -> object:
    if kind == "varchar(40)":  # a decimal column on SQLite
        return "0"
    if "char" in kind or "text" in kind:
        return ""
    if "json" in kind:
        return "[]"
    if "bool" in kind:
        return False
    if "timestamp" in kind:
        return WHEN
    if "date" in kind:
        return "2026-01-01"
    return 0


async def insert_row(conn, dialect: str, table: str, values: dict[str, object]) -> None:
    """A row as the old release wrote it: `values`, and a plain value in every other required column."""
    row = dict(values)
    for name, kind, required in await _columns(conn, table, dialect):
        if required and name not in row:
            row[name] = _filler(kind)
    names = ", ".join(row)
    marks = ", ".join("?" if dialect == "sqlite" else f"${i}" for i in range(1, len(row) + 1))
    params = [_pg_value(v) if dialect == "postgres" else str(v) if isinstance(v, Decimal) else v
              for v in row.values()]
    await conn.execute_query(f"INSERT INTO {table} ({names}) VALUES ({marks})", params)


def _pg_value(value: object) -> object:
    from datetime import datetime

    if value == WHEN:
        return datetime.fromisoformat(WHEN)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return date.fromisoformat(value)
    return value
