from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0025_calendar')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SavedView',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('module', fields.CharField(max_length=40)),
                ('name', fields.CharField(max_length=80)),
                ('shared', fields.BooleanField(default=False)),
                ('is_default', fields.BooleanField(default=False)),
                ('state', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'saved_views', 'app': 'models', 'indexes': [Index(fields=['module', 'shared'])], 'pk_attr': 'id', 'table_description': 'A list view of one module saved by a user under a name, for them alone or shared with'},
            bases=['Timestamped'],
        ),
    ]

