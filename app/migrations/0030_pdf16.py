from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0029_archive16')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Organization',
            name='seal_path',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
    ]
