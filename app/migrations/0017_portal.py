from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CardPaymentEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('provider', fields.CharField(max_length=20)),
                ('event_id', fields.CharField(max_length=255)),
                ('invoice', fields.ForeignKeyField('models.Transaction', source_field='invoice_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('payment', fields.ForeignKeyField('models.Payment', source_field='payment_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'card_payment_events', 'app': 'models', 'unique_together': (('provider', 'event_id'),), 'pk_attr': 'id', 'table_description': 'A card payment provider event (a Stripe webhook) applied once: its id is unique per'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PortalLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.BooksContact', source_field='contact_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254, db_index=True)),
                ('name', fields.CharField(default='', max_length=200)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'portal_links', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time sign-in link to the customer portal, sent to a contact person by e-mail. Only'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PortalSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.BooksContact', source_field='contact_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254, db_index=True)),
                ('name', fields.CharField(default='', max_length=200)),
                ('secret_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'portal_sessions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A signed-in customer portal browser, scoped to one customer. The cookie carries the secret,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PortalView',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('transaction', fields.ForeignKeyField('models.Transaction', source_field='transaction_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.BooksContact', source_field='contact_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
            ],
            options={'table': 'portal_views', 'app': 'models', 'unique_together': (('transaction', 'contact', 'day'),), 'pk_attr': 'id', 'table_description': 'The customer looked at a document on that day (viewed is recorded once a day).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TransferReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('invoice', fields.ForeignKeyField('models.Transaction', source_field='invoice_id', db_index=True, db_constraint=True, to_field='id', related_name='transfer_reports', on_delete=OnDelete.CASCADE)),
                ('transfer_date', fields.DateField()),
                ('amount', fields.DecimalField(max_digits=18, decimal_places=4)),
                ('remitter', fields.CharField(max_length=100)),
                ('reported_by', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('payment', fields.ForeignKeyField('models.Payment', source_field='payment_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('dismissed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'transfer_reports', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The customer says they paid an invoice by bank transfer. Staff confirm it into a payment'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Comment',
            name='customer_author',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Comment',
            name='visible_to_customer',
            field=fields.BooleanField(default=False),
        ),
    ]
