"""The SMTP password on the settings page: "set" or "not set", never shown, stored encrypted."""

from __future__ import annotations

from tortoise import Tortoise

from app.models import Organization
from tests.views.conftest import post
from tests.views.test_books_settings import admin_with_org


async def test_settings_say_whether_a_password_is_stored_and_keep_it_encrypted(signed_in, client):
    _, org = await admin_with_org(signed_in)
    page = (await client.get("/books/settings")).text
    assert "No password is stored." in page and 'id="smtp_password-stored"' not in page
    mail = {"smtp_host": "smtp.example.jp", "smtp_port": "587", "smtp_security": "starttls",
            "smtp_username": "mailer", "smtp_password": "s3cret-Pa55", "sender_email": "billing@example.jp",
            "sender_name": "請求担当"}
    assert (await post(client, "/books/settings/mail", mail)).status_code == 303
    page = (await client.get("/books/settings")).text
    assert "No password is stored." not in page and 'id="smtp_password-stored"' in page
    assert "s3cret-Pa55" not in page
    rows = await Tortoise.get_connection("default").execute_query_dict(
        f"SELECT smtp_password FROM organizations WHERE id = {org.id}")
    assert rows[0]["smtp_password"].startswith("gAAAAA") and "s3cret" not in rows[0]["smtp_password"]
    assert (await Organization.get(id=org.id)).smtp_password == "s3cret-Pa55"
