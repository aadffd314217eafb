from tortoise import migrations
from tortoise.migrations import operations as ops
from app.models.pim import PimDirection, PimHeldReason, PimIgnoreReason, PimKind, PimRunSource
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0019_chat')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PimCollection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=20)),
                ('seq', fields.BigIntField(default=0)),
                ('stamp', fields.CharField(default='', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'pim_collections', 'app': 'models', 'unique_together': (('user', 'name'),), 'pk_attr': 'id', 'table_description': 'A DAV collection of a user (name: contacts, the address book, or calendar, its events and tasks).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PimResource',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('collection', fields.ForeignKeyField('models.PimCollection', source_field='collection_id', db_index=True, db_constraint=True, to_field='id', related_name='resources', on_delete=OnDelete.CASCADE)),
                ('href', fields.CharField(max_length=255)),
                ('uid', fields.CharField(default='', max_length=255)),
                ('record_type', fields.CharField(max_length=10)),
                ('record_id', fields.IntField(null=True)),
                ('etag', fields.CharField(default='', max_length=64)),
                ('seq', fields.BigIntField(default=0)),
                ('deleted', fields.BooleanField(default=False)),
                ('from_client', fields.BooleanField(default=False)),
                ('record_modified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'pim_resources', 'app': 'models', 'unique_together': (('collection', 'href'),), 'indexes': [Index(fields=['collection_id', 'seq']), Index(fields=['collection_id', 'record_type', 'record_id'])], 'pk_attr': 'id', 'table_description': 'An item of a collection as its client sees it: the name (href) and UID the client knows it'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PimHeld',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('collection', fields.ForeignKeyField('models.PimCollection', source_field='collection_id', db_index=True, db_constraint=True, to_field='id', related_name='held', on_delete=OnDelete.CASCADE)),
                ('resource', fields.ForeignKeyField('models.PimResource', source_field='resource_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='held', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='CONTACTS: contacts\nTASKS: tasks\nEVENTS: events', enum_type=PimKind, max_length=10)),
                ('action', fields.CharField(max_length=10)),
                ('reason', fields.CharEnumField(description='MANUAL: manual\nMASS_DELETE: mass_delete', enum_type=PimHeldReason, max_length=12)),
                ('values', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('device', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'pim_held', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A client change not applied yet. action: put (values: the item) or delete.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PimRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('source', fields.CharEnumField(description='IMPORT: import\nSYNC_NOW: sync_now\nDEVICE: device\nRESYNC: resync', enum_type=PimRunSource, max_length=10)),
                ('device', fields.CharField(default='', max_length=100)),
                ('file_name', fields.CharField(default='', max_length=255)),
                ('hour', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('counts', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('started_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'pim_runs', 'app': 'models', 'indexes': [Index(fields=['user_id', 'source', 'device', 'hour'])], 'pk_attr': 'id', 'table_description': 'The report of one sync run: a file import, a sync now, a re-sync of ignored records, or a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PimIgnored',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('models.PimRun', source_field='run_id', db_index=True, db_constraint=True, to_field='id', related_name='ignored', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='CONTACTS: contacts\nTASKS: tasks\nEVENTS: events', enum_type=PimKind, max_length=10)),
                ('reason', fields.CharEnumField(description='DUPLICATE: duplicate\nLIMIT: limit\nPERMISSION: permission\nINVALID: invalid', enum_type=PimIgnoreReason, max_length=10)),
                ('field', fields.CharField(default='', max_length=50)),
                ('message', fields.CharField(default='', max_length=255)),
                ('params', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('label', fields.CharField(default='', max_length=255)),
                ('values', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'pim_ignored', 'app': 'models', 'indexes': [Index(fields=['user_id', 'resolved_at'])], 'pk_attr': 'id', 'table_description': 'A record a run did not apply, with the reason: kept as read (`values`, the item in'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PimSetting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='CONTACTS: contacts\nTASKS: tasks\nEVENTS: events', enum_type=PimKind, max_length=10)),
                ('direction', fields.CharEnumField(default=PimDirection.BOTH, description='BOTH: both\nTO_KIZUNA: to_kizuna\nTO_CLIENT: to_client', enum_type=PimDirection, max_length=10)),
                ('automatic', fields.BooleanField(default=True)),
                ('category_only', fields.BooleanField(default=False)),
                ('category_name', fields.CharField(default='Kizuna', max_length=50)),
                ('delete_threshold', fields.SmallIntField(default=20)),
                ('modified_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'pim_settings', 'app': 'models', 'unique_together': (('user', 'kind'),), 'pk_attr': 'id', 'table_description': 'How one user syncs one kind: direction, automatic or manual (held until sync now), and'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ApiToken',
            name='scopes',
            field=fields.CharField(default='api', db_default='api', max_length=50),
        ),
        ops.AddField(
            model_name='Contact',
            name='categories',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
        ops.AddField(
            model_name='Event',
            name='all_day',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Event',
            name='categories',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
        ops.AddField(
            model_name='Event',
            name='recurrence',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Task',
            name='categories',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
        ops.AddField(
            model_name='Task',
            name='recurrence',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
    ]
