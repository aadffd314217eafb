from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0018_notify')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Channel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(default='', max_length=80)),
                ('private', fields.BooleanField(default=False)),
                ('direct', fields.BooleanField(default=False)),
                ('direct_key', fields.CharField(null=True, unique=True, max_length=40)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat_channels', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A public or private channel, or a direct conversation (direct: exactly its two members,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChannelMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.ForeignKeyField('models.Channel', source_field='channel_id', db_index=True, db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('last_read_message_id', fields.BigIntField(default=0)),
                ('notify_on_mention', fields.BooleanField(default=True)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat_members', 'app': 'models', 'unique_together': (('channel', 'user'),), 'pk_attr': 'id', 'table_description': 'Membership of a user in a channel and how far they have read it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.ForeignKeyField('models.Channel', source_field='channel_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('message_id', fields.BigIntField()),
                ('kind', fields.CharField(max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat_events', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The event log that live streams replay: every post, edit and deletion, in order. Its id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.ForeignKeyField('models.Channel', source_field='channel_id', db_index=True, db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('body', fields.TextField(unique=False)),
                ('mentions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('links', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'chat_messages', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A message. No author: a system message (Books notifications). `mentions` holds user ids,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatMention',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message', fields.ForeignKeyField('models.ChatMessage', source_field='message_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('channel', fields.ForeignKeyField('models.Channel', source_field='channel_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'chat_mentions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A user mentioned in a message: counts of unread mentions per channel come from here.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatSettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bar_on_books', fields.BooleanField(default=True)),
                ('bar_everywhere', fields.BooleanField(default=False)),
            ],
            options={'table': 'chat_settings', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One row (id 1): where the chat bar shows, chosen by an administrator.'},
            bases=['Model'],
        ),
    ]
