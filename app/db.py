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


# What shapes a user's permissions (see `app.permissions.Reach`): a change to any of it replaces
# the access stamp, whoever writes it (a service, a bulk update, a migration, SQL by hand), in the
# writer's own transaction. (table, event, condition)
ACCESS_TABLES = ("grants", "memberships", "sharing_rules", "roles", "users")
ACCESS_SOURCES = [
    *((table, event, None) for table in ("grants", "memberships", "sharing_rules")
      for event in ("INSERT", "UPDATE", "DELETE")),
    ("roles", "INSERT", None), ("roles", "DELETE", None),
    ("roles", "UPDATE", "OLD.sees_all_records IS DISTINCT FROM NEW.sees_all_records"),
    ("users", "INSERT", None), ("users", "DELETE", None),  # members of roles that rules share
    ("users", "UPDATE", "OLD.role_id IS DISTINCT FROM NEW.role_id"),
]

_NEW_STAMP = {
    "sqlite": "lower(hex(randomblob(16)))",
    "postgres": "md5(random()::text || clock_timestamp()::text)",
}


def access_trigger_sql(dialect: str) -> list[str]:
    """The statements that install the access-stamp triggers and stamp anew (idempotent)."""
    upsert = (f"INSERT INTO access_stamp (id, stamp) VALUES (1, {_NEW_STAMP[dialect]}) "
              "ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;")
    statements = []
    if dialect == "postgres":
        statements.append(
            "CREATE OR REPLACE FUNCTION kizuna_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {upsert} RETURN NULL; END $$")
    for table, event, condition in ACCESS_SOURCES:
        name = f"access_{table}_{event.lower()}"
        if dialect == "postgres":
            when = f" WHEN ({condition})" if condition else ""
            statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}",
                           f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                           "EXECUTE FUNCTION kizuna_access_changed()"]
        else:
            when = f" WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')}" if condition else ""
            statements += [f"DROP TRIGGER IF EXISTS {name}",
                           f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                           f"BEGIN {upsert} END"]
    if dialect == "postgres":  # TRUNCATE fires no row triggers (SQLite has no TRUNCATE)
        for table in ACCESS_TABLES:
            name = f"access_{table}_truncate"
            statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}",
                           f"CREATE TRIGGER {name} AFTER TRUNCATE ON {table} FOR EACH STATEMENT "
                           "EXECUTE FUNCTION kizuna_access_changed()"]
    return [*statements, upsert]  # and a first stamp


async def install_access_triggers(client) -> None:
    for statement in access_trigger_sql(client.capabilities.dialect):
        await client.execute_script(statement)


# Mail is matched to people by address whatever its case: lower(address) = the stored one lowered.
# These expression indexes keep that a look-up, not a scan of every contact (migration 0010).
ADDRESS_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS idx_{table}_{column}_lower ON {table} (lower({column}))"
    for table, column in (("contacts", "email"), ("contacts", "secondary_email"), ("leads", "email"),
                          ("users", "email"), ("books_contacts", "email"), ("contact_persons", "email"))
]


async def create_schema(ctx) -> None:
    """A new database's tables without migrations (tests, benchmarks), with what the migrations
    add beyond tables: the access-stamp triggers and the address indexes."""
    await ctx.generate_schemas(safe=False)
    client = ctx.connections.get("default")
    await install_access_triggers(client)
    for statement in ADDRESS_INDEXES:
        await client.execute_script(statement)
