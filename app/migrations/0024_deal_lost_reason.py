from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0023_lead_conversion')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Deal',
            name='lost_reason',
            field=fields.CharField(default='', max_length=255),
        ),
    ]
