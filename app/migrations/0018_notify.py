from tortoise import migrations
from tortoise.migrations import operations as ops
from app.crypto import EncryptedField
from app.models.notifications import DeliveryStatus, DestinationKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0017_portal')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Destination',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='TEAM_CHAT: team_chat\nSLACK: slack\nCLIQ: cliq\nTEAMS: teams\nGOOGLE_CHAT: google_chat\nWEBHOOK: webhook', enum_type=DestinationKind, max_length=20)),
                ('name', fields.CharField(max_length=100)),
                ('url', EncryptedField(default='')),
                ('secret', EncryptedField(default='')),
                ('channel_id', fields.IntField(null=True)),
                ('event_types', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('enabled', fields.BooleanField(default=True)),
                ('allow_private_network', fields.BooleanField(default=False)),
                ('rate_per_minute', fields.IntField(default=60)),
                ('window_start', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('window_count', fields.IntField(default=0)),
                ('consecutive_failures', fields.IntField(default=0)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('disabled_reason', fields.CharField(default='', max_length=300)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification_destinations', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One place an organization sends notifications to: a chat service incoming webhook, a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.NotificationEvent', source_field='event_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('destination', fields.ForeignKeyField('models.Destination', source_field='destination_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('txn_id', fields.IntField(null=True)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, db_index=True, description='PENDING: pending\nDELIVERED: delivered\nFAILED: failed\nABANDONED: abandoned', enum_type=DeliveryStatus, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('last_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_status', fields.IntField(null=True)),
                ('last_response', fields.CharField(default='', max_length=500)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification_deliveries', 'app': 'models', 'unique_together': (('event', 'destination'),), 'pk_attr': 'id', 'table_description': 'The delivery of one event to one destination: its attempts and last answer (the log).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('type', fields.CharField(max_length=40)),
                ('event', fields.ForeignKeyField('models.NotificationEvent', source_field='event_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('txn_id', fields.IntField(null=True)),
                ('destination_id', fields.IntField(null=True)),
                ('count', fields.IntField(default=1)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('read_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'notifications', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An in-app notification of one user. Viewed notices of one document are grouped in one'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationPreference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('type', fields.CharField(max_length=40)),
                ('in_app', fields.BooleanField(default=True)),
            ],
            options={'table': 'notification_preferences', 'app': 'models', 'unique_together': (('user', 'type'),), 'pk_attr': 'id', 'table_description': 'A user opting out of (or back into) one type of in-app notification.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationSettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.OneToOneField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('enabled', fields.BooleanField(default=True)),
            ],
            options={'table': 'notification_settings', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An organization switch: with notifications off nothing new is delivered (messages'},
            bases=['Model'],
        ),
    ]
