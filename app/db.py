"""The tortoise-orm configuration, shared by the app, the CLI and tortoise's own commands."""

from __future__ import annotations

from app import settings

MODEL_MODULES = ["app.models"]


def tortoise_config(db_url: str | None = None) -> dict:
    return {
        "connections": {"default": db_url or settings.DATABASE_URL},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "app.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


TORTOISE_ORM = tortoise_config()
