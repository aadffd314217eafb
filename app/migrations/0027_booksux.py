from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0026_lists')]

    initial = False

    operations = [
        ops.AddField(
            model_name='BooksContact',
            name='is_active',
            field=fields.BooleanField(default=True, db_default=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Payment',
            index=Index(fields=['organization_id', 'date', 'id']),
        ),
    ]
