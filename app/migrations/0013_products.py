from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

async def grant_products_to_system_roles(apps, schema_editor) -> None:
    """Deployments that existed before products: give the built-in roles their product grants."""
    from app.permissions import DEFAULT_ROLES

    client = schema_editor.client
    mark = "$1" if client.capabilities.dialect == "postgres" else "?"
    values = ", ".join(f"${i}" if mark == "$1" else "?" for i in (1, 2, 3))
    for name, spec in DEFAULT_ROLES.items():
        _, rows = await client.execute_query(
            f"SELECT id FROM roles WHERE name = {mark} AND is_system", [name])
        for row in rows:
            for module, action in sorted(g for g in spec["grants"] if g[0] == "products"):
                await client.execute_query(
                    f"INSERT INTO grants (role_id, module, action) VALUES ({values})",
                    [dict(row)["id"], module, action])


class Migration(migrations.Migration):
    dependencies = [('models', '0012_case_attachments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Product',
            fields=[
                ('search_text', fields.TextField(default='', db_default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(db_index=True, max_length=200)),
                ('code', fields.CharField(default='', db_index=True, max_length=100)),
                ('unit', fields.CharField(default='', max_length=20)),
                ('unit_price', fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
                ('currency', fields.CharField(default='JPY', max_length=3)),
                ('tax_rate', fields.DecimalField(default=10, max_digits=5, decimal_places=2)),
                ('description', fields.TextField(default='', unique=False)),
                ('active', fields.BooleanField(default=True, db_index=True)),
            ],
            options={'table': 'products', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A product or service the company sells, priced per unit with its consumption-tax rate.'},
            bases=['Searchable', 'OwnedRecord'],
        ),
        ops.CreateModel(
            name='DealLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('deal', fields.ForeignKeyField('models.Deal', source_field='deal_id', db_index=True, db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField(default=0)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('description', fields.CharField(default='', max_length=255)),
                ('quantity', fields.DecimalField(default=1, max_digits=14, decimal_places=4)),
                ('unit_price', fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
                ('discount', fields.DecimalField(default=0, max_digits=18, decimal_places=2)),
            ],
            options={'table': 'deal_lines', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One line item of a deal: a product (or free text), quantity, unit price and discount.'},
            bases=['Model'],
        ),
        ops.RunPython(grant_products_to_system_roles, ops.RunPython.noop),
    ]
