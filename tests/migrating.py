"""Upgrade tests start from an older release's schema: a database migrated up to a named
migration, then opened as a tortoise context to put the old release's rows in."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
