"""0033_credit on a database with rows: roles that work on invoices work on credit notes alike,
existing organizations get the credit note e-mail templates and the `CN-` prefix, and existing
invoices keep their balances (no credit applied)."""

from __future__ import annotations


from tortoise.context import TortoiseContext

from app import cli
from app.db import tortoise_config
from tests.migrating import database_at
from tests.conftest import sqlite_suite_only


@sqlite_suite_only
async def test_upgrading_grants_credit_notes_and_installs_templates(tmp_path):
    url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    async with database_at(url, "models.0032_terms16") as ctx:
        conn = ctx.connections.get("default")
        await conn.execute_query(
            "INSERT INTO roles (name, description, is_system, sees_all_records, created_at, modified_at)"
            " VALUES ('Billing', '', 0, 0, '2026-01-01', '2026-01-01'), ('Viewers', '', 0, 0, '2026-01-01', '2026-01-01')")
        await conn.execute_query(
            "INSERT INTO grants (role_id, module, action) SELECT id, 'invoices', 'view' FROM roles"
            " WHERE name IN ('Billing', 'Viewers')")
        await conn.execute_query(
            "INSERT INTO grants (role_id, module, action) SELECT id, 'invoices', 'create_edit' FROM roles"
            " WHERE name = 'Billing'")
        await conn.execute_query(
            "INSERT INTO organizations (name, edition, phone, email, website, registration_number,"
            " bank_details, logo_path, address_attention, address_street, address_city, address_state,"
            " address_code, address_country, currency, fiscal_year_start_month, tax_rounding, language,"
            " estimate_prefix, sales_order_prefix, invoice_prefix, purchase_order_prefix, smtp_host,"
            " smtp_port, smtp_username, smtp_password, smtp_security, sender_email, sender_name,"
            " created_at, modified_at) VALUES ('Old KK', 'books', '', '', '', '', '', '', '', '', '',"
            " '', '', '', 'JPY', 4, 'down', 'en', 'E-', 'S-', 'I-', 'P-', '', 587, '', '', 'starttls', '', '',"
            " '2026-01-01', '2026-01-01')")
    await cli.migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        from app.models import EmailTemplate, Grant, Organization

        grants = {(g.role.name, g.action) for g in await Grant.filter(module="credit_notes").prefetch_related("role")
                  if g.role.name in ("Billing", "Viewers")}
        assert grants == {("Billing", "view"), ("Billing", "create_edit"), ("Viewers", "view")}
        org = await Organization.get(name="Old KK")
        assert org.credit_note_prefix == "CN-"
        templates = await EmailTemplate.filter(organization_id=org.id, kind="credit_note").order_by("language")
        assert [(t.language, t.is_default) for t in templates] == [("en", True), ("ja", False)]
        assert templates[0].subject == "Credit note {number} from {organization_name}"
    await cli.migrate(url)  # applied once: nothing doubles
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        from app.models import EmailTemplate

        assert await EmailTemplate.filter(kind="credit_note").count() == 2
