from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from app.models.transactions import DiscountType, TaxCategory

# Lines had a tax rate only: 10 is the standard rate, 8 the reduced rate, and 0 is read as
# 非課税 (exempt), the category the old "0%" stood for first (app.services.tax.category_of_rate).
# The stored per-rate breakdowns are read with the same rule (RateTotal.from_json).
# SQLite keeps decimals as text ("8.00"): compare them as numbers on both databases.
CATEGORIES = [
    "UPDATE transaction_lines SET tax_category = 'reduced' WHERE CAST(tax_rate AS REAL) = 8",
    "UPDATE transaction_lines SET tax_category = 'exempt' WHERE CAST(tax_rate AS REAL) = 0",
]


async def categorize_lines(apps, schema_editor) -> None:
    for statement in CATEGORIES:
        await schema_editor.client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0030_pdf16')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Transaction',
            name='transaction_date',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Transaction',
            name='transaction_date_end',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Transaction',
            name='prices_include_tax',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Transaction',
            name='discount_type',
            field=fields.CharEnumField(DiscountType, default=DiscountType.AMOUNT, db_default='amount', description='AMOUNT: amount\nPERCENT: percent', max_length=10),
        ),
        ops.AddField(
            model_name='Transaction',
            name='discount_value',
            field=fields.DecimalField(default=0, db_default=0, max_digits=18, decimal_places=4),
        ),
        ops.AddField(
            model_name='Transaction',
            name='discount_total',
            field=fields.DecimalField(default=0, db_default=0, max_digits=18, decimal_places=4),
        ),
        ops.AddField(
            model_name='TransactionLine',
            name='tax_category',
            field=fields.CharEnumField(TaxCategory, default=TaxCategory.STANDARD, db_default='standard', description='STANDARD: standard\nREDUCED: reduced\nEXPORT: export\nEXEMPT: exempt\nOUT_OF_SCOPE: out_of_scope', max_length=20),
        ),
        ops.RunPython(categorize_lines, ops.RunPython.noop),
    ]
