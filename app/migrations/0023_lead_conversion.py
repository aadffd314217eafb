from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0022_mail_upload')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Lead',
            name='converted_account',
            field=fields.ForeignKeyField('models.Account', source_field='converted_account_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Lead',
            name='converted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Lead',
            name='converted_contact',
            field=fields.ForeignKeyField('models.Contact', source_field='converted_contact_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Lead',
            name='converted_deal',
            field=fields.ForeignKeyField('models.Deal', source_field='converted_deal_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
    ]
