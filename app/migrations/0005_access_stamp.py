from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


async def install_triggers(apps, schema_editor) -> None:
    """Every change to grants, roles, sharing rules, memberships or users' roles replaces the stamp."""
    from app.db import install_access_triggers

    await install_access_triggers(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [('models', '0004_books')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccessStamp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('stamp', fields.CharField(max_length=32)),
            ],
            options={'table': 'access_stamp', 'app': 'models', 'pk_attr': 'id', 'table_description': "One row whose stamp database triggers replace, in the writer's transaction, on every change"},
            bases=['Model'],
        ),
        ops.RunPython(install_triggers, ops.RunPython.noop),
    ]
