from tortoise import migrations
from tortoise.migrations import operations as ops
from app.models.transactions import Kind, PaymentMode
from tortoise.fields.base import OnDelete
from tortoise import fields

from app.migration_ops import AlterFieldStateOnly


GRANT = (
    "INSERT INTO grants (role_id, module, action) SELECT g.role_id, 'credit_notes', g.action FROM grants g"
    " WHERE g.module = 'invoices' AND NOT EXISTS (SELECT 1 FROM grants h WHERE h.role_id = g.role_id"
    " AND h.module = 'credit_notes' AND h.action = g.action)"
)


async def grant_credit_notes(apps, schema_editor) -> None:
    """Roles that work on invoices work on credit notes alike (what a role may do with invoices,
    it may do with credit notes); an administrator narrows it in the roles' matrix."""
    await schema_editor.client.execute_script(GRANT)


async def install_credit_note_templates(apps, schema_editor) -> None:
    """Organizations made before credit notes get their ja and en e-mail templates, as new ones do."""
    from app.mail.templates import DEFAULT_TEMPLATES

    client = schema_editor.client
    pg = client.capabilities.dialect == "postgres"
    marks = ", ".join(f"${i}" if pg else "?" for i in range(1, 8))
    _, orgs = await client.execute_query("SELECT id, language FROM organizations")
    for org in orgs:
        org = dict(org)
        for lang, (subject, body) in DEFAULT_TEMPLATES["credit_note"].items():
            await client.execute_query(
                "INSERT INTO email_templates (organization_id, kind, name, language, subject, body, is_default,"
                f" created_at, modified_at) VALUES ({marks}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                [org["id"], "credit_note", "標準" if lang == "ja" else "Standard", lang, subject, body,
                 lang == org["language"]])


class Migration(migrations.Migration):
    dependencies = [('models', '0032_terms16')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CreditApplication',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('credit_note', fields.ForeignKeyField('models.Transaction', source_field='credit_note_id', db_index=True, db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('invoice', fields.ForeignKeyField('models.Transaction', source_field='invoice_id', db_index=True, db_constraint=True, to_field='id', related_name='credit_applications', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.DecimalField(max_digits=18, decimal_places=4)),
                ('date', fields.DateField()),
                ('voided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'credit_applications', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Credit of a credit note used to settle (part of) an invoice of the same customer. A voided'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='CreditNoteInvoice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('credit_note', fields.ForeignKeyField('models.Transaction', source_field='credit_note_id', db_index=True, db_constraint=True, to_field='id', related_name='credited_invoices', on_delete=OnDelete.CASCADE)),
                ('invoice', fields.ForeignKeyField('models.Transaction', source_field='invoice_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'credit_note_invoices', 'app': 'models', 'unique_together': (('credit_note', 'invoice'),), 'pk_attr': 'id', 'table_description': 'An invoice a credit note refers to: the original sale whose number and date it prints.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Refund',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('credit_note', fields.ForeignKeyField('models.Transaction', source_field='credit_note_id', db_index=True, db_constraint=True, to_field='id', related_name='refunds', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.DecimalField(max_digits=18, decimal_places=4)),
                ('date', fields.DateField()),
                ('mode', fields.CharEnumField(default=PaymentMode.BANK_TRANSFER, description='BANK_TRANSFER: bank_transfer\nCASH: cash\nCREDIT_CARD: credit_card\nCHECK: check\nOTHER: other', enum_type=PaymentMode, max_length=20)),
                ('reference', fields.CharField(default='', max_length=100)),
                ('notes', fields.CharField(default='', max_length=500)),
                ('voided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'refunds', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Remaining credit paid back to the customer, recorded like a payment.'},
            bases=['Timestamped'],
        ),
        AlterFieldStateOnly(
            model_name='DocumentVersion',
            name='kind',
            field=fields.CharEnumField(description='ESTIMATE: estimate\nSALES_ORDER: sales_order\nINVOICE: invoice\nPURCHASE_ORDER: purchase_order\nCREDIT_NOTE: credit_note', enum_type=Kind, max_length=20),
        ),
        AlterFieldStateOnly(
            model_name='EmailTemplate',
            name='kind',
            field=fields.CharEnumField(description='ESTIMATE: estimate\nSALES_ORDER: sales_order\nINVOICE: invoice\nPURCHASE_ORDER: purchase_order\nCREDIT_NOTE: credit_note', enum_type=Kind, max_length=20),
        ),
        AlterFieldStateOnly(
            model_name='NumberSequence',
            name='kind',
            field=fields.CharEnumField(description='ESTIMATE: estimate\nSALES_ORDER: sales_order\nINVOICE: invoice\nPURCHASE_ORDER: purchase_order\nCREDIT_NOTE: credit_note', enum_type=Kind, max_length=20),
        ),
        ops.AddField(
            model_name='Organization',
            name='credit_note_prefix',
            field=fields.CharField(default='CN-', db_default='CN-', max_length=10),
        ),
        AlterFieldStateOnly(
            model_name='Transaction',
            name='kind',
            field=fields.CharEnumField(description='ESTIMATE: estimate\nSALES_ORDER: sales_order\nINVOICE: invoice\nPURCHASE_ORDER: purchase_order\nCREDIT_NOTE: credit_note', enum_type=Kind, max_length=20),
        ),
        ops.AddField(
            model_name='Transaction',
            name='credit_applied',
            field=fields.DecimalField(default=0, db_default=0, max_digits=18, decimal_places=4),
        ),
        ops.AddField(
            model_name='Transaction',
            name='credit_reason',
            field=fields.CharField(default='', db_default='', max_length=10),
        ),
        ops.RunPython(grant_credit_notes, ops.RunPython.noop),
        ops.RunPython(install_credit_note_templates, ops.RunPython.noop),
    ]
