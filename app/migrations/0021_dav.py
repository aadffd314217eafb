from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0020_pim')]

    initial = False

    operations = [
        ops.AddField(
            model_name='PimResource',
            name='body',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='PimResource',
            name='deleted_run_id',
            field=fields.IntField(null=True),
        ),
    ]
