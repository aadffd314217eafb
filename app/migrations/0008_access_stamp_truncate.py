from tortoise import migrations
from tortoise.migrations import operations as ops

# TRUNCATE fires no row triggers: on PostgreSQL a statement-level trigger per table that shapes
# permissions replaces the access stamp too. SQLite has no TRUNCATE (a DELETE without WHERE fires
# the row triggers of 0005). Frozen here, as app.db.access_trigger_sql wrote it.
TRUNCATE_SQL = [
    statement
    for table in ("grants", "memberships", "sharing_rules", "roles", "users")
    for statement in (
        f"DROP TRIGGER IF EXISTS access_{table}_truncate ON {table}",
        f"CREATE TRIGGER access_{table}_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT "
        "EXECUTE FUNCTION kizuna_access_changed()",
    )
]


async def install_truncate_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    for statement in TRUNCATE_SQL:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0007_secrets')]

    initial = False

    operations = [
        ops.RunPython(install_truncate_triggers, ops.RunPython.noop),
    ]
