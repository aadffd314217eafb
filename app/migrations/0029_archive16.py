from tortoise import migrations
from tortoise.migrations import operations as ops
from app.models.archive import VersionReason
from app.models.transactions import Kind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0028_readings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DocumentVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('transaction', fields.ForeignKeyField('models.Transaction', source_field='transaction_id', db_index=True, db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.RESTRICT)),
                ('version', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('size', fields.IntField()),
                ('storage_name', fields.CharField(unique=True, max_length=200)),
                ('filename', fields.CharField(max_length=255)),
                ('source_digest', fields.CharField(max_length=64)),
                ('reason', fields.CharEnumField(description='SENT: sent\nPORTAL: portal\nEDITED: edited', enum_type=VersionReason, max_length=10)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('customer_name', fields.CharField(default='', max_length=200)),
                ('kind', fields.CharEnumField(description='ESTIMATE: estimate\nSALES_ORDER: sales_order\nINVOICE: invoice\nPURCHASE_ORDER: purchase_order', enum_type=Kind, max_length=20)),
                ('number', fields.CharField(max_length=30)),
                ('issue_date', fields.DateField(db_index=True)),
                ('currency', fields.CharField(max_length=3)),
                ('total', fields.DecimalField(db_index=True, max_digits=18, decimal_places=4)),
                ('contact', fields.ForeignKeyField('models.BooksContact', source_field='contact_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('counterparty', fields.CharField(db_index=True, max_length=255)),
            ],
            options={'table': 'document_versions', 'app': 'models', 'unique_together': (('transaction', 'version'),), 'pk_attr': 'id', 'table_description': 'One kept version of a transaction PDF: its bytes live under the archive directory, never'},
            bases=['Model'],
        ),
    ]
