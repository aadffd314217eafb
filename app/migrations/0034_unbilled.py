from tortoise import migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise import fields

# A consolidated invoice's closing period was kept twice: in period_start/period_end and in its
# transaction period. What only the former held moves into the latter before the columns go.
COPY_PERIODS = [
    "UPDATE transactions SET transaction_date = period_start"
    " WHERE transaction_date IS NULL AND period_start IS NOT NULL",
    "UPDATE transactions SET transaction_date_end = period_end"
    " WHERE transaction_date_end IS NULL AND period_end IS NOT NULL",
]
# Adding a column does not index it (tortoise 1.x indexes foreign keys only when it creates the
# table); a line's billing is looked up by it.
INDEXES = [
    "CREATE INDEX IF NOT EXISTS idx_transaction_lines_billed_line_id ON transaction_lines (billed_line_id)",
]
# Orders billed whole before line-level billing (consolidated, or converted into an invoice that
# is not void): each line is billed by the invoice line at its place among that invoice's lines
# from the order.
ORDER_LINES = """
SELECT o.transaction_id AS order_id, o.id FROM transaction_lines o
JOIN transactions t ON t.id = o.transaction_id
WHERE t.kind = 'sales_order' AND t.status = 'invoiced'
ORDER BY o.transaction_id, o.position, o.id
"""
INVOICE_LINES = """
SELECT i.source_order_id AS order_id, i.id FROM transaction_lines i
JOIN transactions o ON o.id = i.source_order_id
WHERE o.billed_by_id = i.transaction_id
UNION ALL
SELECT v.source_id AS order_id, i.id FROM transaction_lines i
JOIN transactions v ON v.id = i.transaction_id
JOIN transactions o ON o.id = v.source_id
WHERE v.kind = 'invoice' AND v.status <> 'void' AND o.kind = 'sales_order' AND o.status = 'invoiced'
  AND o.billed_by_id IS NULL
ORDER BY 1, 2
"""


async def copy_periods(apps, schema_editor) -> None:
    for statement in COPY_PERIODS:
        await schema_editor.client.execute_script(statement)


async def index_and_mark_billed(apps, schema_editor) -> None:
    client = schema_editor.client
    for statement in INDEXES:
        await client.execute_script(statement)
    await mark_billed(client)


async def mark_billed(client) -> None:
    def by_order(rows) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for row in rows:
            out.setdefault(int(row["order_id"]), []).append(int(row["id"]))
        return out

    invoice_lines = by_order(await client.execute_query_dict(INVOICE_LINES))
    for order_id, lines in by_order(await client.execute_query_dict(ORDER_LINES)).items():
        for order_line, invoice_line in zip(lines, invoice_lines.get(order_id, ())):
            await client.execute_query(
                f"UPDATE transaction_lines SET billed_line_id = {invoice_line} WHERE id = {order_line}")
            await client.execute_query(
                f"UPDATE transaction_lines SET source_order_id = {order_id} WHERE id = {invoice_line}")


class DropColumn(ops.RemoveField):
    """ALTER TABLE ... DROP COLUMN on both databases: tortoise's SQLite editor would rebuild the
    table (dropping it cascades to its lines); modern SQLite drops a plain column in place."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if not state_editor:
            return
        model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
        await BaseSchemaEditor.remove_field(state_editor, model, model._meta.fields_map[self.name])


class Migration(migrations.Migration):
    dependencies = [('models', '0033_credit')]

    initial = False

    operations = [
        ops.RunPython(copy_periods, ops.RunPython.noop),
        DropColumn(model_name='Transaction', name='period_end'),
        DropColumn(model_name='Transaction', name='period_start'),
        ops.AddField(
            model_name='TransactionLine',
            name='billed_line',
            field=fields.ForeignKeyField('models.TransactionLine', source_field='billed_line_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='TransactionLine',
            name='delivery_date',
            field=fields.DateField(null=True),
        ),
        ops.RunPython(index_and_mark_billed, ops.RunPython.noop),
    ]
