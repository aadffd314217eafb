from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# The searchable columns as they were when this migration was written (frozen: later models may
# differ). (table, fields, (family, given) name pairs)
SEARCHABLE = [
    ("accounts", ("name", "phone", "website", "billing_city"), ()),
    ("contacts", ("last_name", "first_name", "email", "secondary_email", "department"),
     (("last_name", "first_name"),)),
    ("leads", ("last_name", "first_name", "company", "email"), (("last_name", "first_name"),)),
    ("deals", ("name",), ()),
    ("tasks", ("subject",), ()),
    ("events", ("subject", "location"), ()),
    ("cases", ("subject", "email"), ()),
    ("books_contacts", ("display_name", "company_name", "email", "phone"), ()),
    ("items", ("name", "sku", "description"), ()),
]
BATCH = 1000


async def backfill(apps, schema_editor) -> None:
    """Fill search_text of every existing row, a batch of rows at a time (ids ascending)."""
    from app.search import search_text

    client = schema_editor.client
    mark = "$1" if client.capabilities.dialect == "postgres" else "?"
    mark2 = "$2" if client.capabilities.dialect == "postgres" else "?"
    for table, columns, names in SEARCHABLE:
        last_id = 0
        while True:
            rows = await client.execute_query_dict(
                f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > {mark} ORDER BY id LIMIT {BATCH}",
                [last_id])
            if not rows:
                break
            values = [[search_text((row[c] for c in columns), ((row[a], row[b]) for a, b in names)), row["id"]]
                      for row in rows]
            await client.execute_many(f"UPDATE {table} SET search_text = {mark} WHERE id = {mark2}", values)
            last_id = rows[-1]["id"]


class Migration(migrations.Migration):
    dependencies = [('models', '0008_access_stamp_truncate')]

    initial = False

    operations = [
        *(ops.AddField(model_name=model, name='search_text', field=fields.TextField(default='', db_default='', unique=False))
          for model in ('Account', 'BooksContact', 'Case', 'Contact', 'Deal', 'Event', 'Item', 'Lead', 'Task')),
        ops.RunPython(backfill, ops.RunPython.noop),
    ]
