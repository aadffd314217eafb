from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_access_stamp')]

    initial = False

    operations = [
        ops.CreateModel(
            name='UserSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('secret_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('user_agent', fields.CharField(default='', max_length=255)),
                ('ip', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'user_sessions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A signed-in browser: deleting the row signs it out at once.'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='LoginAttempt',
            options={'table': 'login_attempts', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One sign-in attempt, for throttling: rows older than the window are pruned.'},
        ),
    ]
