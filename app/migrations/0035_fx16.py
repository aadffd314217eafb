from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    """Foreign-currency documents: the exchange rate to the yen and its date. Both are NULL on
    every existing row (yen documents carry no rate), so tables with rows migrate as they are."""

    dependencies = [('models', '0034_unbilled')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Transaction',
            name='exchange_rate',
            field=fields.DecimalField(null=True, max_digits=18, decimal_places=6),
        ),
        ops.AddField(
            model_name='Transaction',
            name='exchange_rate_date',
            field=fields.DateField(null=True),
        ),
    ]
