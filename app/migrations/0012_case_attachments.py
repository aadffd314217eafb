from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CaseAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_index=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('blob', fields.ForeignKeyField('models.MailBlob', source_field='blob_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('filename', fields.CharField(default='', max_length=255)),
                ('content_type', fields.CharField(default='application/octet-stream', max_length=100)),
                ('size', fields.BigIntField(default=0)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'case_attachments', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A file kept with a case, taken from an e-mail.'},
            bases=['Model'],
        ),
    ]
