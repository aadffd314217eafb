"""Credentials at rest: encrypted with the configured keys, rotatable, migrated from plain text."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet, InvalidToken
from tortoise import Tortoise
from tortoise.context import TortoiseContext

from app import cli, crypto, settings
from app.db import tortoise_config
from tests.migrating import database_at
from app.models import Organization
from tests import factories as f
from tests.conftest import sqlite_suite_only


async def raw_password(org_id: int) -> str:
    conn = Tortoise.get_connection("default")
    rows = await conn.execute_query_dict(f"SELECT smtp_password FROM organizations WHERE id = {int(org_id)}")
    return rows[0]["smtp_password"]


@pytest.fixture
def keys(monkeypatch):
    """Set KIZUNA_ENCRYPTION_KEYS for the test: `keys(k1, k2)`."""
    def use(*values: str) -> None:
        monkeypatch.setattr(settings, "ENCRYPTION_KEYS", tuple(values))
    return use


async def test_smtp_password_is_stored_encrypted_and_read_back_plain(db):
    org = await f.make_org(smtp_password="hunter2-パスワード")
    stored = await raw_password(org.id)
    assert "hunter2" not in stored and stored.startswith("gAAAAA")
    assert (await Organization.get(id=org.id)).smtp_password == "hunter2-パスワード"
    assert await Organization.filter(id=org.id).values_list("smtp_password", flat=True) == ["hunter2-パスワード"]
    # "not set" stays visible without a key
    empty = await f.make_org()
    assert await raw_password(empty.id) == "" and (await Organization.get(id=empty.id)).smtp_password == ""


async def test_rotation_re_encrypts_with_the_first_key(db, keys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys(old)
    org = await f.make_org(smtp_password="s3cret")
    assert Fernet(old.encode()).decrypt((await raw_password(org.id)).encode()) == b"s3cret"

    keys(new, old)  # the new key first: it encrypts, the old one still decrypts
    assert (await Organization.get(id=org.id)).smtp_password == "s3cret"
    assert await crypto.rotate_stored() == 1
    token = await raw_password(org.id)
    assert Fernet(new.encode()).decrypt(token.encode()) == b"s3cret"
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(token.encode())

    keys(new)  # the old key dropped: everything still reads
    assert (await Organization.get(id=org.id)).smtp_password == "s3cret"
    keys(old)  # a key that never encrypted it: the row still loads, the secret is refused clearly
    loaded = await Organization.get(id=org.id)
    assert isinstance(loaded.smtp_password, crypto.Undecryptable) and loaded.smtp_password  # "a password is set"
    with pytest.raises(crypto.UndecryptableSecret, match="KIZUNA_ENCRYPTION_KEYS"):
        crypto.plain(loaded.smtp_password)
    loaded.name = "Renamed while the key was missing"
    await loaded.save()
    assert await raw_password(org.id) == token  # saved back untouched, not re-encrypted garbage
    keys(new)  # the right key back: the secret is there again
    assert (await Organization.get(id=org.id)).smtp_password == "s3cret"


def test_the_default_key_is_generated_once_into_var_and_kept_private():
    path = settings.VAR_DIR / "encryption_keys"
    assert "KIZUNA_ENCRYPTION_KEYS" not in os.environ  # the suite runs on the generated key
    assert settings.ENCRYPTION_KEYS == (path.read_text().strip(),)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    Fernet(settings.ENCRYPTION_KEYS[0].encode())  # a valid Fernet key


def test_a_bad_key_is_refused_with_a_clear_message(keys):
    keys("not-a-fernet-key")
    with pytest.raises(RuntimeError, match="32 url-safe base64"):
        crypto.encrypt("x")


@sqlite_suite_only
async def test_migration_encrypts_existing_plain_passwords(tmp_path):
    """(and gives stored invoice mails the total instead of the balance, see test_invoice_amount)"""
    url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    async with database_at(url, "models.0005_access_stamp") as ctx:
        await ctx.connections.get("default").execute_query(
            "INSERT INTO organizations (name, edition, phone, email, website, registration_number,"
            " bank_details, logo_path, address_attention, address_street, address_city, address_state,"
            " address_code, address_country, currency, fiscal_year_start_month, tax_rounding, language,"
            " estimate_prefix, sales_order_prefix, invoice_prefix, purchase_order_prefix, smtp_host,"
            " smtp_port, smtp_username, smtp_password, smtp_security, sender_email, sender_name,"
            " created_at, modified_at) VALUES ('Old KK', 'books', '', '', '', '', '', '', '', '', '',"
            " '', '', '', 'JPY', 4, 'down', 'ja', 'E-', 'S-', 'I-', 'P-', 'smtp.example.jp', 587, 'u',"
            " 'plain-Passw0rd', 'starttls', '', '', '2026-01-01', '2026-01-01'),"
            " ('New KK', 'books', '', '', '', '', '', '', '', '', '', '', '', '', 'JPY', 4, 'down',"
            " 'ja', 'E-', 'S-', 'I-', 'P-', '', 587, '', '', 'starttls', '', '', '2026-01-01', '2026-01-01')")
        await ctx.connections.get("default").execute_query(
            "INSERT INTO email_templates (organization_id, kind, language, name, subject, body, is_default,"
            " created_at, modified_at) VALUES (1, 'invoice', 'ja', '標準', 's', 'ご請求金額：{balance}\n以上',"
            " 1, '2026-01-01', '2026-01-01')")
    await cli.migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        (template,) = await ctx.connections.get("default").execute_query_dict(
            "SELECT body FROM email_templates WHERE kind = 'invoice'")
        assert template["body"] == "ご請求金額：{total}\nお支払残高：{balance_due}\n以上"
        rows = await ctx.connections.get("default").execute_query_dict(
            "SELECT name, smtp_password FROM organizations")
        stored = {r["name"]: r["smtp_password"] for r in rows}
        assert stored["New KK"] == ""
        assert stored["Old KK"].startswith("gAAAAA") and "Passw0rd" not in stored["Old KK"]
        assert crypto.decrypt(stored["Old KK"]) == "plain-Passw0rd"
        assert (await Organization.get(name="Old KK")).smtp_password == "plain-Passw0rd"


@sqlite_suite_only
def test_rotate_keys_command(tmp_path):
    """`python -m app.cli rotate-keys` re-encrypts what is stored with the first key."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    db_url = f"sqlite://{tmp_path / 'k.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": db_url, "KIZUNA_VAR_DIR": str(tmp_path),
           "KIZUNA_ADMIN_PASSWORD": "first-Passw0rd", "KIZUNA_ENCRYPTION_KEYS": old}

    def cli_run(*args: str, **extra: str) -> str:
        done = subprocess.run([sys.executable, "-m", "app.cli", *args], env={**env, **extra},
                              cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli_run("migrate")
    cli_run("setup", "--no-demo")
    script = ("import asyncio\nfrom app import cli\nfrom app.models import Organization\n"
              "async def go():\n    await Organization.all().update(smtp_password='mail-Passw0rd')\n"
              "asyncio.run(cli._with_db(go))\n")
    subprocess.run([sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, check=True, timeout=120)
    generated = cli_run("generate-key").strip()
    Fernet(generated.encode())  # a valid key
    out = cli_run("rotate-keys", KIZUNA_ENCRYPTION_KEYS=f"{new},{old}")
    assert "Re-encrypted 1 " in out
    refused = subprocess.run([sys.executable, "-m", "app.cli", "rotate-keys"], cwd=settings.BASE_DIR,
                             env={**env, "KIZUNA_ENCRYPTION_KEYS": Fernet.generate_key().decode()},
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "cannot be decrypted with KIZUNA_ENCRYPTION_KEYS" in refused.stderr
    assert "Traceback" not in refused.stderr
    import sqlite3

    token = sqlite3.connect(tmp_path / "k.sqlite3").execute("SELECT smtp_password FROM organizations").fetchone()[0]
    assert Fernet(new.encode()).decrypt(token.encode()) == b"mail-Passw0rd"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_sending_signs_in_with_the_decrypted_password(db):
    """The SMTP server sees the password as typed; the database only ever held its token."""
    from app.models import Kind, SmtpSecurity, Status
    from app.permissions import Principal
    from app.services import sending
    from tests.smtp import PASSWORD, USERNAME, RecordingHandler, check_password, running

    user = await f.make_user("Accountant")
    with running(RecordingHandler(), authenticator=check_password, auth_required=True,
                 auth_require_tls=False) as server:
        org = await f.make_org(user, smtp_host="127.0.0.1", smtp_port=server.port, smtp_username=USERNAME,
                               smtp_password=PASSWORD, smtp_security=SmtpSecurity.NONE,
                               sender_email="books@example.jp")
        assert PASSWORD not in await raw_password(org.id)
        principal = await Principal.load(user)
        customer = await f.make_customer(org, persons=[{"last_name": "山田", "email": "taro@example.jp"}])
        invoice = await f.make_transaction(principal, "invoice", customer)
        sent = await sending.send(principal, Kind.INVOICE, invoice.id, to="taro@example.jp",
                                  subject="請求書", body="よろしくお願いいたします。")
        assert sent.status == Status.SENT and len(server.messages) == 1
