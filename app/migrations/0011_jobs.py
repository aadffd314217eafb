from pathlib import Path

from tortoise import migrations
from tortoise.migrations import operations as ops

# procrastinate's tables, types and functions: the job queue on PostgreSQL (app.jobs). Frozen with
# this migration (a later procrastinate brings its own migration files, applied by a later one of
# ours). SQLite has no such queue: jobs run in the server's memory there.
SCHEMA = Path(__file__).with_name("procrastinate_schema.sql")


async def apply_job_queue(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    # a database whose queue was created by hand (procrastinate's own CLI) keeps it
    rows = await client.execute_query_dict("SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present")
    if rows[0]["present"]:
        return
    await client.execute_script(SCHEMA.read_text(encoding="utf-8"))


class Migration(migrations.Migration):
    dependencies = [('models', '0010_mail')]

    initial = False

    # Going back leaves the queue's tables in place: they are procrastinate's, unused by older
    # releases, and going forward again finds them.
    operations = [
        ops.RunPython(apply_job_queue, ops.RunPython.noop),
    ]
