from tortoise import migrations
from tortoise.migrations import operations as ops
from app.models.books_link import Automation, ConflictPolicy, SyncDirection, SyncModule
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_products')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BooksConnectionKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name='books_connection_keys', on_delete=OnDelete.CASCADE)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'books_connection_keys', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A key a Books organization administrator hands to the CRM: it reaches the organizations'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BooksLink',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slot', fields.SmallIntField(default=1, unique=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('enabled', fields.BooleanField(default=True)),
                ('connected_by', fields.ForeignKeyField('models.User', source_field='connected_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('key', fields.ForeignKeyField('models.BooksConnectionKey', source_field='key_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('automation', fields.CharEnumField(default=Automation.NONE, description='NONE: none\nESTIMATE: estimate\nINVOICE: invoice', enum_type=Automation, max_length=10)),
                ('sync_module', fields.CharEnumField(default=SyncModule.ACCOUNTS, description='ACCOUNTS: accounts\nCONTACTS: contacts', enum_type=SyncModule, max_length=10)),
                ('direction', fields.CharEnumField(default=SyncDirection.TWO_WAY, description='TWO_WAY: two_way\nCRM_TO_BOOKS: crm_to_books', enum_type=SyncDirection, max_length=15)),
                ('conflict_policy', fields.CharEnumField(default=ConflictPolicy.SKIP, description='DUPLICATE: duplicate\nOVERWRITE: overwrite\nSKIP: skip', enum_type=ConflictPolicy, max_length=10)),
                ('product_direction', fields.CharEnumField(default=SyncDirection.TWO_WAY, description='TWO_WAY: two_way\nCRM_TO_BOOKS: crm_to_books', enum_type=SyncDirection, max_length=15)),
                ('product_conflict_policy', fields.CharEnumField(default=ConflictPolicy.SKIP, description='DUPLICATE: duplicate\nOVERWRITE: overwrite\nSKIP: skip', enum_type=ConflictPolicy, max_length=10)),
                ('field_mapping', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('delete_previous', fields.BooleanField(default=False)),
            ],
            options={'table': 'books_link', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The CRM link to one Books organization: a single row per installation (its slot is'},
            bases=['Timestamped'],
        ),
    ]
