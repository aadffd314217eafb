from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

# Readings (app.readings) and the building line of addresses (app.addressing). Existing records get
# generated readings, and their search texts are rebuilt to hold them; the searchable columns as
# they are in this migration (frozen: later models may differ): (table, fields, name pairs).
SEARCHABLE = [
    ("accounts", ("name", "name_kana", "phone", "website", "billing_city"), ()),
    ("contacts", ("last_name", "first_name", "last_name_kana", "first_name_kana", "email", "secondary_email",
                  "department"), (("last_name", "first_name"), ("last_name_kana", "first_name_kana"))),
    ("leads", ("last_name", "first_name", "last_name_kana", "first_name_kana", "company", "email"),
     (("last_name", "first_name"), ("last_name_kana", "first_name_kana"))),
]
PERSON = (("last_name", "last_name_kana"), ("first_name", "first_name_kana"))
READ = {"accounts": (("name", "name_kana"),), "contacts": PERSON, "leads": PERSON}
BATCH = 1000


async def backfill(apps, schema_editor) -> None:
    """Generate the readings of every existing record and rebuild its search text, a batch at a
    time (ids ascending)."""
    import asyncio

    from app.readings import read
    from app.search import search_text

    client = schema_editor.client
    pg = client.capabilities.dialect == "postgres"

    def mark(n: int) -> str:
        return f"${n}" if pg else "?"

    for table, columns, names in SEARCHABLE:
        pairs = READ[table]
        company = table == "accounts"
        sources = [s for s, _ in pairs]
        selected = [c for c in dict.fromkeys(["id", *sources, *columns]) if c not in dict(pairs).values()]
        last_id = 0
        while True:
            rows = await client.execute_query_dict(
                f"SELECT {', '.join(selected)} FROM {table} WHERE id > {mark(1)} ORDER BY id LIMIT {BATCH}",
                [last_id])
            if not rows:
                break

            def compute(rows=rows):
                out = []
                for row in rows:
                    row = dict(row)
                    for source, reading in pairs:
                        row[reading] = read(row[source] or "", company)
                    generated = any(row[r] for _, r in pairs)
                    text = search_text((row[c] for c in columns), ((row[a], row[b]) for a, b in names))
                    out.append([*(row[r] for _, r in pairs), generated, text, row["id"]])
                return out

            values = await asyncio.to_thread(compute)
            n = len(pairs)
            sets = ", ".join(f"{r} = {mark(i + 1)}" for i, (_, r) in enumerate(pairs))
            await client.execute_many(
                f"UPDATE {table} SET {sets}, reading_generated = {mark(n + 1)}, search_text = {mark(n + 2)} "
                f"WHERE id = {mark(n + 3)}", values)
            last_id = rows[-1]["id"]


def _add(model: str, name: str, field) -> ops.AddField:
    return ops.AddField(model_name=model, name=name, field=field)


class Migration(migrations.Migration):
    dependencies = [('models', '0027_booksux')]

    initial = False

    operations = [
        *(_add(model, f"{prefix}_building", fields.CharField(default='', db_default='', max_length=100))
          for model, prefix in (('Account', 'billing'), ('Account', 'shipping'), ('Contact', 'mailing'),
                                ('Contact', 'other'))),
        _add('Account', 'name_kana', fields.CharField(default='', db_default='', max_length=255)),
        _add('Account', 'reading_generated', fields.BooleanField(default=False, db_default=False)),
        ops.AddIndex(model_name='Account', index=Index(fields=['name_kana', 'name', 'id'])),
        *(op for model in ('Contact', 'Lead') for op in (
            ops.RemoveIndex(model_name=model, name=None, fields=['last_name', 'first_name', 'id']),
            _add(model, 'first_name_kana', fields.CharField(default='', db_default='', max_length=100)),
            _add(model, 'last_name_kana', fields.CharField(default='', db_default='', max_length=100)),
            _add(model, 'reading_generated', fields.BooleanField(default=False, db_default=False)),
            ops.AddIndex(model_name=model,
                         index=Index(fields=['last_name_kana', 'first_name_kana', 'last_name', 'first_name', 'id'])),
        )),
        ops.RunPython(backfill, ops.RunPython.noop),
    ]
