from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0021_dav')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EmailUpload',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', db_index=True, db_constraint=True, to_field='id', related_name='uploads', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'email_uploads', 'app': 'models', 'unique_together': (('email', 'user'),), 'pk_attr': 'id', 'table_description': 'A user holds an e-mail by uploading it (an .eml or Outlook .msg file): like a copy in a'},
            bases=['Model'],
        ),
    ]
