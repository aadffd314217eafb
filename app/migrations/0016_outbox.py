from tortoise import migrations
from tortoise.migrations import operations as ops
from app.models.notifications import EventType
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_books_sync')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NotificationEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('type', fields.CharEnumField(description='ESTIMATE_VIEWED: estimate.viewed\nESTIMATE_COMMENTED: estimate.commented\nESTIMATE_ACCEPTED: estimate.accepted\nESTIMATE_DECLINED: estimate.declined\nINVOICE_VIEWED: invoice.viewed\nINVOICE_COMMENTED: invoice.commented\nINVOICE_PAID: invoice.paid\nINVOICE_TRANSFER_REPORTED: invoice.transfer_reported', enum_type=EventType, max_length=30)),
                ('txn', fields.ForeignKeyField('models.Transaction', source_field='txn_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('actor', fields.CharField(default='', max_length=200)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('dispatched_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification_events', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One event of the outbox: what happened to which document, recorded once in the database'},
            bases=['Model'],
        ),
    ]
