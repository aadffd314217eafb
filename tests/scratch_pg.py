"""PostgreSQL databases migrated like production, for tests that start worker processes: each a
copy (CREATE DATABASE … TEMPLATE) of one template database migrated once per set of migrations.

Migrating a new database takes tortoise-orm half a minute (it re-renders every model for every
operation); copying the template takes a moment. The template is named after a digest of the
migrations, built under an advisory lock (the xdist workers share it) and kept for the next run;
a template of other migrations is dropped when a new one is built."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent.parent / "app" / "migrations"
PREFIX = "kizuna_tpl_"


def _digest() -> str:
    h = hashlib.sha256()
    for path in sorted(MIGRATIONS.iterdir()):
        if path.suffix in (".py", ".sql"):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


@asynccontextmanager
async def migrated_database(pg_url: str, prefix: str = "kizuna_scratch") -> AsyncIterator[str]:
    """A new database next to `pg_url`'s, migrated like production; dropped on leaving."""
    import asyncpg

    from app import cli

    base, _, admin_db = pg_url.rpartition("/")
    template, name = PREFIX + _digest(), f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{base.replace('postgres://', 'postgresql://')}/{admin_db}")
    try:
        await admin.execute("SELECT pg_advisory_lock(hashtext($1))", PREFIX)
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", template):
                for (old,) in await admin.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1",
                                                PREFIX + "%"):
                    await admin.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
                building = template + "_build"
                await admin.execute(f'CREATE DATABASE "{building}"')
                await cli.migrate(f"{base}/{building}")  # closes its connections: the copy needs none
                await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await admin.execute("SELECT pg_advisory_unlock(hashtext($1))", PREFIX)
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
