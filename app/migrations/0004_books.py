from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from app.models.books import ContactType, Edition, PaymentTerms, SmtpSecurity, TaxRounding
from app.models.transactions import CommentKind, Kind, PaymentMode, Status
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

async def grant_books_to_system_roles(apps, schema_editor) -> None:
    """Deployments that existed before Books: give the built-in roles their Books grants."""
    from app.permissions import BOOKS_MODULES, DEFAULT_ROLES

    client = schema_editor.client
    mark = "$1" if client.capabilities.dialect == "postgres" else "?"
    for name, spec in DEFAULT_ROLES.items():
        _, rows = await client.execute_query(
            f"SELECT id FROM roles WHERE name = {mark} AND is_system", [name])
        for row in rows:
            for module, action in sorted(g for g in spec["grants"] if g[0] in BOOKS_MODULES):
                values = ", ".join(f"${i}" if mark == "$1" else "?" for i in (1, 2, 3))
                await client.execute_query(
                    f"INSERT INTO grants (role_id, module, action) VALUES ({values})",
                    [dict(row)["id"], module, action])


class Migration(migrations.Migration):
    dependencies = [('models', '0003_name_order_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Organization',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('edition', fields.CharEnumField(default=Edition.BOOKS, description='BOOKS: books\nINVOICE: invoice', enum_type=Edition, max_length=10)),
                ('address_attention', fields.CharField(default='', max_length=100)),
                ('address_street', fields.CharField(default='', max_length=250)),
                ('address_city', fields.CharField(default='', max_length=60)),
                ('address_state', fields.CharField(default='', max_length=60)),
                ('address_code', fields.CharField(default='', max_length=20)),
                ('address_country', fields.CharField(default='', max_length=60)),
                ('phone', fields.CharField(default='', max_length=30)),
                ('email', fields.CharField(db_index=True, default='', max_length=254)),
                ('website', fields.CharField(default='', max_length=255)),
                ('registration_number', fields.CharField(default='', max_length=14)),
                ('bank_details', fields.TextField(default='', unique=False)),
                ('logo_path', fields.CharField(default='', max_length=255)),
                ('currency', fields.CharField(default='JPY', max_length=3)),
                ('fiscal_year_start_month', fields.SmallIntField(default=4)),
                ('tax_rounding', fields.CharEnumField(default=TaxRounding.DOWN, description='DOWN: down\nHALF_UP: half_up\nUP: up', enum_type=TaxRounding, max_length=10)),
                ('language', fields.CharField(default='ja', max_length=5)),
                ('estimate_prefix', fields.CharField(default='EST-', max_length=10)),
                ('sales_order_prefix', fields.CharField(default='SO-', max_length=10)),
                ('invoice_prefix', fields.CharField(default='INV-', max_length=10)),
                ('purchase_order_prefix', fields.CharField(default='PO-', max_length=10)),
                ('smtp_host', fields.CharField(default='', max_length=255)),
                ('smtp_port', fields.IntField(default=587)),
                ('smtp_username', fields.CharField(default='', max_length=255)),
                ('smtp_password', fields.CharField(default='', max_length=255)),
                ('smtp_security', fields.CharEnumField(default=SmtpSecurity.STARTTLS, description='STARTTLS: starttls\nTLS: tls\nNONE: none', enum_type=SmtpSecurity, max_length=10)),
                ('sender_email', fields.CharField(default='', max_length=254)),
                ('sender_name', fields.CharField(default='', max_length=100)),
            ],
            options={'table': 'organizations', 'app': 'models', 'pk_attr': 'id'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='BooksContact',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='books_contacts', on_delete=OnDelete.RESTRICT)),
                ('contact_type', fields.CharEnumField(default=ContactType.CUSTOMER, description='CUSTOMER: customer\nVENDOR: vendor', enum_type=ContactType, max_length=10)),
                ('is_company', fields.BooleanField(default=True)),
                ('display_name', fields.CharField(db_index=True, max_length=200)),
                ('company_name', fields.CharField(default='', max_length=200)),
                ('email', fields.CharField(default='', db_index=True, max_length=254)),
                ('phone', fields.CharField(default='', max_length=30)),
                ('website', fields.CharField(default='', max_length=255)),
                ('billing_attention', fields.CharField(default='', max_length=100)),
                ('billing_street', fields.CharField(default='', max_length=250)),
                ('billing_city', fields.CharField(default='', max_length=60)),
                ('billing_state', fields.CharField(default='', max_length=60)),
                ('billing_code', fields.CharField(default='', max_length=20)),
                ('billing_country', fields.CharField(default='', max_length=60)),
                ('shipping_attention', fields.CharField(default='', max_length=100)),
                ('shipping_street', fields.CharField(default='', max_length=250)),
                ('shipping_city', fields.CharField(default='', max_length=60)),
                ('shipping_state', fields.CharField(default='', max_length=60)),
                ('shipping_code', fields.CharField(default='', max_length=20)),
                ('shipping_country', fields.CharField(default='', max_length=60)),
                ('payment_terms', fields.CharEnumField(default=PaymentTerms.END_OF_NEXT_MONTH, description='DUE_ON_RECEIPT: due_on_receipt\nNET_15: net_15\nNET_30: net_30\nNET_45: net_45\nNET_60: net_60\nEND_OF_MONTH: end_of_month\nEND_OF_NEXT_MONTH: end_of_next_month', enum_type=PaymentTerms, max_length=20)),
                ('currency', fields.CharField(default='JPY', max_length=3)),
                ('registration_number', fields.CharField(default='', max_length=14)),
                ('notes', fields.TextField(default='', unique=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'books_contacts', 'app': 'models', 'pk_attr': 'id', 'table_description': "A customer or vendor of one organization (Books' own record, not a CRM contact)."},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='ContactPerson',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('books_contact', fields.ForeignKeyField('models.BooksContact', source_field='books_contact_id', db_index=True, db_constraint=True, to_field='id', related_name='persons', on_delete=OnDelete.CASCADE)),
                ('last_name', fields.CharField(max_length=80)),
                ('first_name', fields.CharField(default='', max_length=40)),
                ('email', fields.CharField(default='', db_index=True, max_length=254)),
                ('phone', fields.CharField(default='', max_length=30)),
                ('is_primary', fields.BooleanField(default=False)),
            ],
            options={'table': 'contact_persons', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmailTemplate',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='email_templates', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='ESTIMATE: estimate\nSALES_ORDER: sales_order\nINVOICE: invoice\nPURCHASE_ORDER: purchase_order', enum_type=Kind, max_length=20)),
                ('name', fields.CharField(max_length=100)),
                ('language', fields.CharField(default='ja', max_length=5)),
                ('subject', fields.CharField(max_length=255)),
                ('body', fields.TextField(unique=False)),
                ('is_default', fields.BooleanField(default=False)),
            ],
            options={'table': 'email_templates', 'app': 'models', 'pk_attr': 'id'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='Item',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(db_index=True, max_length=200)),
                ('sku', fields.CharField(default='', max_length=100)),
                ('unit', fields.CharField(default='', max_length=20)),
                ('rate', fields.DecimalField(default=0, max_digits=18, decimal_places=4)),
                ('tax_rate', fields.DecimalField(default=10, max_digits=5, decimal_places=2)),
                ('description', fields.TextField(default='', unique=False)),
                ('is_active', fields.BooleanField(default=True)),
            ],
            options={'table': 'items', 'app': 'models', 'pk_attr': 'id'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'memberships', 'app': 'models', 'unique_together': (('organization', 'user'),), 'pk_attr': 'id', 'table_description': 'A user belongs to one or more organizations.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NumberSequence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='sequences', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='ESTIMATE: estimate\nSALES_ORDER: sales_order\nINVOICE: invoice\nPURCHASE_ORDER: purchase_order', enum_type=Kind, max_length=20)),
                ('last_value', fields.IntField(default=0)),
            ],
            options={'table': 'number_sequences', 'app': 'models', 'unique_together': (('organization', 'kind'),), 'pk_attr': 'id', 'table_description': 'The next number per organization and kind, taken inside the creating transaction so a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Transaction',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='transactions', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='ESTIMATE: estimate\nSALES_ORDER: sales_order\nINVOICE: invoice\nPURCHASE_ORDER: purchase_order', enum_type=Kind, max_length=20)),
                ('number', fields.CharField(max_length=30)),
                ('status', fields.CharEnumField(default=Status.DRAFT, description='DRAFT: draft\nSENT: sent\nVIEWED: viewed\nACCEPTED: accepted\nDECLINED: declined\nCONVERTED: converted\nCONFIRMED: confirmed\nINVOICED: invoiced\nPARTIALLY_PAID: partially_paid\nPAID: paid\nCLOSED: closed\nVOID: void', enum_type=Status, max_length=20)),
                ('contact', fields.ForeignKeyField('models.BooksContact', source_field='contact_id', db_index=True, db_constraint=True, to_field='id', related_name='transactions', on_delete=OnDelete.RESTRICT)),
                ('issue_date', fields.DateField()),
                ('due_date', fields.DateField(null=True, db_index=True)),
                ('payment_terms', fields.CharField(default='', max_length=20)),
                ('reference', fields.CharField(default='', max_length=100)),
                ('subject', fields.CharField(default='', max_length=250)),
                ('salesperson', fields.ForeignKeyField('models.User', source_field='salesperson_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('currency', fields.CharField(default='JPY', max_length=3)),
                ('notes', fields.TextField(default='', unique=False)),
                ('terms', fields.TextField(default='', unique=False)),
                ('subtotal', fields.DecimalField(default=0, max_digits=18, decimal_places=4)),
                ('tax_total', fields.DecimalField(default=0, max_digits=18, decimal_places=4)),
                ('total', fields.DecimalField(default=0, max_digits=18, decimal_places=4)),
                ('amount_paid', fields.DecimalField(default=0, max_digits=18, decimal_places=4)),
                ('balance', fields.DecimalField(default=0, max_digits=18, decimal_places=4)),
                ('tax_breakdown', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('tax_rounding', fields.CharField(default='down', max_length=10)),
                ('source', fields.ForeignKeyField('models.Transaction', source_field='source_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='conversions', on_delete=OnDelete.SET_NULL)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('viewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('portal_token', fields.CharField(unique=True, max_length=64)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'transactions', 'app': 'models', 'unique_together': (('organization', 'kind', 'number'),), 'indexes': [Index(fields=['organization_id', 'kind', 'status']), Index(fields=['organization_id', 'kind', 'issue_date'])], 'pk_attr': 'id'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='Comment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('transaction', fields.ForeignKeyField('models.Transaction', source_field='transaction_id', db_index=True, db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='NOTE: note\nHISTORY: history', enum_type=CommentKind, max_length=10)),
                ('action', fields.CharField(default='', max_length=30)),
                ('text', fields.TextField(unique=False)),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'transaction_comments', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A note or a history entry. History text is a msgid with params, translated when shown.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Document',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.RESTRICT)),
                ('books_contact', fields.ForeignKeyField('models.BooksContact', source_field='books_contact_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('transaction', fields.ForeignKeyField('models.Transaction', source_field='transaction_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('filename', fields.CharField(max_length=255)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('storage_name', fields.CharField(unique=True, max_length=80)),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'documents', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A file attached to a Books contact or a transaction, stored on disk under a random name.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Payment',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.RESTRICT)),
                ('invoice', fields.ForeignKeyField('models.Transaction', source_field='invoice_id', db_index=True, db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.DecimalField(max_digits=18, decimal_places=4)),
                ('date', fields.DateField()),
                ('mode', fields.CharEnumField(default=PaymentMode.BANK_TRANSFER, description='BANK_TRANSFER: bank_transfer\nCASH: cash\nCREDIT_CARD: credit_card\nCHECK: check\nOTHER: other', enum_type=PaymentMode, max_length=20)),
                ('reference', fields.CharField(default='', max_length=100)),
                ('notes', fields.CharField(default='', max_length=500)),
                ('voided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'payments', 'app': 'models', 'pk_attr': 'id'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='TransactionLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('transaction', fields.ForeignKeyField('models.Transaction', source_field='transaction_id', db_index=True, db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField()),
                ('item', fields.ForeignKeyField('models.Item', source_field='item_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('description', fields.TextField(default='', unique=False)),
                ('quantity', fields.DecimalField(default=1, max_digits=14, decimal_places=4)),
                ('unit', fields.CharField(default='', max_length=20)),
                ('rate', fields.DecimalField(default=0, max_digits=18, decimal_places=4)),
                ('discount', fields.DecimalField(default=0, max_digits=5, decimal_places=2)),
                ('tax_rate', fields.DecimalField(default=10, max_digits=5, decimal_places=2)),
                ('amount', fields.DecimalField(default=0, max_digits=18, decimal_places=4)),
            ],
            options={'table': 'transaction_lines', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(grant_books_to_system_roles, ops.RunPython.noop),
    ]
