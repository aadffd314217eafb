from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# Adding a column does not index it (tortoise 1.x indexes foreign keys only when it creates the
# table): what a converted lead became is looked up by these.
CONVERTED_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS idx_leads_{column} ON leads ({column})"
    for column in ("converted_contact_id", "converted_account_id", "converted_deal_id")
]


async def create_converted_indexes(apps, schema_editor) -> None:
    for statement in CONVERTED_INDEXES:
        await schema_editor.client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0022_mail_upload')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Lead',
            name='converted_account',
            field=fields.ForeignKeyField('models.Account', source_field='converted_account_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Lead',
            name='converted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Lead',
            name='converted_contact',
            field=fields.ForeignKeyField('models.Contact', source_field='converted_contact_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Lead',
            name='converted_deal',
            field=fields.ForeignKeyField('models.Deal', source_field='converted_deal_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.RunPython(create_converted_indexes, ops.RunPython.noop),
    ]
