from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# Adding a column does not index it (tortoise 1.x indexes foreign keys only when it creates the
# table): a consolidated invoice's orders and lines are looked up by these.
INDEXES = [
    "CREATE INDEX IF NOT EXISTS idx_transactions_billed_by_id ON transactions (billed_by_id)",
    "CREATE INDEX IF NOT EXISTS idx_transaction_lines_source_order_id ON transaction_lines (source_order_id)",
]


async def create_indexes(apps, schema_editor) -> None:
    for statement in INDEXES:
        await schema_editor.client.execute_script(statement)


class AlterFieldStateOnly(ops.AlterField):
    """CharEnumField -> CharField of the same VARCHAR(20): the column does not change (the
    default is the ORM's), and SQLite would rebuild the table, cascading deletes: state only."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return


class Migration(migrations.Migration):
    dependencies = [('models', '0031_tax16')]

    initial = False

    operations = [
        AlterFieldStateOnly(
            model_name='BooksContact',
            name='payment_terms',
            field=fields.CharField(default='', max_length=20),
        ),
        ops.AddField(
            model_name='Organization',
            name='payment_terms',
            field=fields.CharField(default='end_of_next_month', db_default='end_of_next_month', max_length=20),
        ),
        ops.AddField(
            model_name='Transaction',
            name='billed_by',
            field=fields.ForeignKeyField('models.Transaction', source_field='billed_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='billed_orders', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Transaction',
            name='period_end',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Transaction',
            name='period_start',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='TransactionLine',
            name='source_order',
            field=fields.ForeignKeyField('models.Transaction', source_field='source_order_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.RunPython(create_indexes, ops.RunPython.noop),
    ]
