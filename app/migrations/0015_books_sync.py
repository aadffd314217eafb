from tortoise import migrations
from tortoise.migrations import operations as ops
from app.models.books_link import SyncOutcome, SyncRunStatus, SyncSide, SyncTrigger
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_books_link')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BooksSyncRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('crm_module', fields.CharField(max_length=10)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('books_contact', fields.ForeignKeyField('models.BooksContact', source_field='books_contact_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('models.Item', source_field='item_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('crm_digest', fields.CharField(default='', max_length=64)),
                ('books_digest', fields.CharField(default='', max_length=64)),
                ('pushed', fields.BooleanField(default=False)),
                ('generation', fields.IntField(default=0)),
                ('synced_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'books_sync_records', 'app': 'models', 'unique_together': (('organization', 'account'), ('organization', 'contact'), ('organization', 'product'), ('organization', 'crm_module', 'books_contact'), ('organization', 'item')), 'pk_attr': 'id', 'table_description': 'The mapping table: one CRM record (account, contact or product) linked to one record of a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BooksSyncRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('trigger', fields.CharEnumField(description='SCHEDULED: scheduled\nMANUAL: manual\nAUTOMATION: automation', enum_type=SyncTrigger, max_length=10)),
                ('started_by', fields.ForeignKeyField('models.User', source_field='started_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=SyncRunStatus.RUNNING, description='RUNNING: running\nDONE: done\nFAILED: failed', enum_type=SyncRunStatus, max_length=10)),
                ('started_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('through', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('generation', fields.IntField(default=0)),
                ('added', fields.IntField(default=0)),
                ('updated', fields.IntField(default=0)),
                ('skipped', fields.IntField(default=0)),
                ('conflicts', fields.IntField(default=0)),
                ('errors', fields.IntField(default=0)),
                ('deleted', fields.IntField(default=0)),
                ('failure', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'books_sync_runs', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One run of the sync of the linked organization, with its counts: its entries say what'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BooksSyncLogEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('models.BooksSyncRun', source_field='run_id', db_index=True, db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('outcome', fields.CharEnumField(description='ADDED: added\nUPDATED: updated\nSKIPPED: skipped\nCONFLICT: conflict\nERROR: error\nDELETED: deleted', enum_type=SyncOutcome, max_length=10)),
                ('side', fields.CharEnumField(description='BOOKS: books\nCRM: crm', enum_type=SyncSide, max_length=5)),
                ('crm_module', fields.CharField(max_length=10)),
                ('crm_id', fields.IntField(null=True)),
                ('books_id', fields.IntField(null=True)),
                ('label', fields.CharField(default='', max_length=200)),
                ('reason', fields.CharField(default='', max_length=300)),
                ('params', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'books_sync_log_entries', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What a run did to one record, or why it did not: `reason` is a msgid with `params`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DealDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('deal', fields.ForeignKeyField('models.Deal', source_field='deal_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=20)),
                ('txn', fields.ForeignKeyField('models.Transaction', source_field='txn_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'deal_documents', 'app': 'models', 'unique_together': (('deal', 'organization', 'kind'),), 'pk_attr': 'id', 'table_description': 'A Books document the automation made for a deal: one per deal, organization and kind, so'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='BooksLink',
            name='generation',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='BooksLink',
            name='record_filter',
            field=fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
