from tortoise import migrations
from tortoise.migrations import operations as ops
from app.crypto import EncryptedField

# Credentials stored before this migration are plain text: encrypt them with the configured keys
# (app.crypto, KIZUNA_ENCRYPTION_KEYS). Going back decrypts them again.
SECRETS = (("organizations", "smtp_password"),)


async def _convert(schema_editor, convert) -> None:
    client = schema_editor.client
    mark = (lambda n: f"${n}") if client.capabilities.dialect == "postgres" else (lambda n: "?")
    for table, column in SECRETS:
        rows = await client.execute_query_dict(
            f'SELECT id, "{column}" AS value FROM "{table}" WHERE "{column}" <> \'\'')
        for row in rows:
            new = convert(row["value"])
            if new != row["value"]:
                await client.execute_query(
                    f'UPDATE "{table}" SET "{column}" = {mark(1)} WHERE id = {mark(2)}', [new, row["id"]])


async def encrypt_plain_values(apps, schema_editor) -> None:
    from app import crypto

    await _convert(schema_editor, lambda v: v if crypto.is_token(v) else crypto.encrypt(v))


async def decrypt_values(apps, schema_editor) -> None:
    from app import crypto

    await _convert(schema_editor, lambda v: crypto.decrypt(v) if crypto.is_token(v) else v)


# The default invoice mail said "ご請求金額：{balance}" (¥0 on a paid invoice): stored templates get
# the total, and the balance on its own line that only a partly paid invoice shows.
INVOICE_AMOUNT_LINES = (
    ("ご請求金額：{balance}", "ご請求金額：{total}\nお支払残高：{balance_due}"),
    ("Amount due: {balance}", "Invoice total: {total}\nBalance due: {balance_due}"),
)


async def fix_invoice_mail_amount(apps, schema_editor) -> None:
    client = schema_editor.client
    mark = (lambda n: f"${n}") if client.capabilities.dialect == "postgres" else (lambda n: "?")
    rows = await client.execute_query_dict("SELECT id, body FROM email_templates WHERE kind = 'invoice'")
    for row in rows:
        body = row["body"]
        for old, new in INVOICE_AMOUNT_LINES:
            body = body.replace(old, new)
        if body != row["body"]:
            await client.execute_query(
                f"UPDATE email_templates SET body = {mark(1)} WHERE id = {mark(2)}", [body, row["id"]])


class AlterFieldOffSqlite(ops.AlterField):
    """VARCHAR(255) -> TEXT. SQLite stores any length in either, and would rebuild the table to
    change it (which drops its indexes and, with foreign keys on, cascades the implicit delete to
    every table referencing organizations): there only the migration state changes."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor is None or state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor is None or state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('models', '0006_sessions')]

    initial = False

    operations = [
        AlterFieldOffSqlite(
            model_name='Organization',
            name='smtp_password',
            field=EncryptedField(default=''),
        ),
        ops.RunPython(encrypt_plain_values, decrypt_values),
        ops.RunPython(fix_invoice_mail_amount, ops.RunPython.noop),
    ]
