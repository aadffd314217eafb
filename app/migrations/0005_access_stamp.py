from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


# The trigger SQL as app.db.access_trigger_sql wrote it when this migration was made, frozen
# here: a migration must do the same thing whenever it runs, so it never calls live code. A
# change to the triggers is a new migration (as 0008_access_stamp_truncate is).
TRIGGER_SQL = {
    'sqlite': [
        'DROP TRIGGER IF EXISTS access_grants_insert',
        'CREATE TRIGGER access_grants_insert AFTER INSERT ON grants FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_grants_update',
        'CREATE TRIGGER access_grants_update AFTER UPDATE ON grants FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_grants_delete',
        'CREATE TRIGGER access_grants_delete AFTER DELETE ON grants FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_memberships_insert',
        'CREATE TRIGGER access_memberships_insert AFTER INSERT ON memberships FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_memberships_update',
        'CREATE TRIGGER access_memberships_update AFTER UPDATE ON memberships FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_memberships_delete',
        'CREATE TRIGGER access_memberships_delete AFTER DELETE ON memberships FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_sharing_rules_insert',
        'CREATE TRIGGER access_sharing_rules_insert AFTER INSERT ON sharing_rules FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_sharing_rules_update',
        'CREATE TRIGGER access_sharing_rules_update AFTER UPDATE ON sharing_rules FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_sharing_rules_delete',
        'CREATE TRIGGER access_sharing_rules_delete AFTER DELETE ON sharing_rules FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_roles_insert',
        'CREATE TRIGGER access_roles_insert AFTER INSERT ON roles FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_roles_delete',
        'CREATE TRIGGER access_roles_delete AFTER DELETE ON roles FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_roles_update',
        'CREATE TRIGGER access_roles_update AFTER UPDATE ON roles FOR EACH ROW WHEN OLD.sees_all_records IS NOT NEW.sees_all_records BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_users_insert',
        'CREATE TRIGGER access_users_insert AFTER INSERT ON users FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_users_delete',
        'CREATE TRIGGER access_users_delete AFTER DELETE ON users FOR EACH ROW BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'DROP TRIGGER IF EXISTS access_users_update',
        'CREATE TRIGGER access_users_update AFTER UPDATE ON users FOR EACH ROW WHEN OLD.role_id IS NOT NEW.role_id BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END',
        'INSERT INTO access_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16)))) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;',
    ],
    'postgres': [
        'CREATE OR REPLACE FUNCTION kizuna_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO access_stamp (id, stamp) VALUES (1, md5(random()::text || clock_timestamp()::text)) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; RETURN NULL; END $$',
        'DROP TRIGGER IF EXISTS access_grants_insert ON grants',
        'CREATE TRIGGER access_grants_insert AFTER INSERT ON grants FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_grants_update ON grants',
        'CREATE TRIGGER access_grants_update AFTER UPDATE ON grants FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_grants_delete ON grants',
        'CREATE TRIGGER access_grants_delete AFTER DELETE ON grants FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_memberships_insert ON memberships',
        'CREATE TRIGGER access_memberships_insert AFTER INSERT ON memberships FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_memberships_update ON memberships',
        'CREATE TRIGGER access_memberships_update AFTER UPDATE ON memberships FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_memberships_delete ON memberships',
        'CREATE TRIGGER access_memberships_delete AFTER DELETE ON memberships FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_sharing_rules_insert ON sharing_rules',
        'CREATE TRIGGER access_sharing_rules_insert AFTER INSERT ON sharing_rules FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_sharing_rules_update ON sharing_rules',
        'CREATE TRIGGER access_sharing_rules_update AFTER UPDATE ON sharing_rules FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_sharing_rules_delete ON sharing_rules',
        'CREATE TRIGGER access_sharing_rules_delete AFTER DELETE ON sharing_rules FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_roles_insert ON roles',
        'CREATE TRIGGER access_roles_insert AFTER INSERT ON roles FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_roles_delete ON roles',
        'CREATE TRIGGER access_roles_delete AFTER DELETE ON roles FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_roles_update ON roles',
        'CREATE TRIGGER access_roles_update AFTER UPDATE ON roles FOR EACH ROW WHEN (OLD.sees_all_records IS DISTINCT FROM NEW.sees_all_records) EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_users_insert ON users',
        'CREATE TRIGGER access_users_insert AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_users_delete ON users',
        'CREATE TRIGGER access_users_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION kizuna_access_changed()',
        'DROP TRIGGER IF EXISTS access_users_update ON users',
        'CREATE TRIGGER access_users_update AFTER UPDATE ON users FOR EACH ROW WHEN (OLD.role_id IS DISTINCT FROM NEW.role_id) EXECUTE FUNCTION kizuna_access_changed()',
        'INSERT INTO access_stamp (id, stamp) VALUES (1, md5(random()::text || clock_timestamp()::text)) ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;',
    ],
}


async def install_triggers(apps, schema_editor) -> None:
    """Every change to grants, roles, sharing rules, memberships or users' roles replaces the stamp."""
    client = schema_editor.client
    for statement in TRIGGER_SQL[client.capabilities.dialect]:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0004_books')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccessStamp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('stamp', fields.CharField(max_length=32)),
            ],
            options={'table': 'access_stamp', 'app': 'models', 'pk_attr': 'id', 'table_description': "One row whose stamp database triggers replace, in the writer's transaction, on every change"},
            bases=['Model'],
        ),
        ops.RunPython(install_triggers, ops.RunPython.noop),
    ]
