"""Books settings: the organization's profile, fiscal, numbering and mail settings, its logo and
members, new organizations, e-mail templates, and the organization switcher."""

from __future__ import annotations

import io
import re
from html import unescape

from PIL import Image

from app.models import EmailTemplate, Kind, Membership, Organization
from app.permissions import Principal
from app.services.documents import storage_path
from tests import factories as f
from tests.views.conftest import HX, post, token
from tests.views.test_forms import error_beside


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (29, 95, 168)).save(out, "PNG")
    return out.getvalue()


async def upload_logo(client, name: str, content: bytes):
    headers = {**HX, "X-CSRF-Token": await token(client)}
    return await client.post("/books/settings/logo", files={"logo": (name, content)}, headers=headers)


async def admin_with_org(signed_in, **kw):
    me = await signed_in("Administrator")
    return me, await f.make_org(me, **kw)


async def test_only_administrators_reach_the_settings(signed_in, client):
    me = await signed_in("Accountant")
    await f.make_org(me)
    for url in ("/books/settings", "/books/settings/templates", "/books/settings/organizations/new"):
        assert (await client.get(url)).status_code == 403
    assert (await post(client, "/books/settings/profile", {"name": "Mine now"})).status_code == 403


async def test_administrator_without_organization_is_offered_a_new_one(signed_in, client):
    await signed_in("Administrator")
    response = await client.get("/books/settings")
    assert response.status_code == 303 and response.headers["location"] == "/books/settings/organizations/new"
    page = (await client.get("/books/settings/organizations/new")).text
    assert 'id="no-organization"' in page and 'id="name" name="name"' in page


async def test_registration_number_validated_then_profile_saved(signed_in, client):
    _, org = await admin_with_org(signed_in)
    page = (await client.get("/books/settings")).text
    assert f'value="{f.REGISTRATION_NUMBER}"' in page and 'id="form-profile"' in page
    data = {"name": "株式会社きずな", "registration_number": "T1234567890123", "phone": "03-1234-5678",
            "email": "info@kizuna.example", "website": "", "language": "ja", "bank_details": "",
            "address_street": "丸の内1-1"}
    bad = await post(client, "/books/settings/profile", data, htmx=True)
    assert bad.status_code == 422 and bad.text.lstrip().startswith('<form id="form-profile"')
    assert unescape(error_beside(bad.text, "registration_number")) == (
        "The registration number's check digit is wrong; check the number.")
    assert 'value="株式会社きずな"' in bad.text
    data["registration_number"] = "T7000012050002"
    ok = await post(client, "/books/settings/profile", data)
    assert ok.status_code == 303 and ok.headers["location"] == "/books/settings?saved=profile#profile"
    await org.refresh_from_db()
    assert (org.name, org.address_street, org.registration_number) == ("株式会社きずな", "丸の内1-1", "T7000012050002")
    assert 'id="saved-profile"' in (await client.get("/books/settings?saved=profile")).text


async def test_smtp_password_never_shown_and_kept_when_blank(signed_in, client):
    _, org = await admin_with_org(signed_in)
    mail = {"smtp_host": "smtp.example.jp", "smtp_port": "587", "smtp_security": "starttls",
            "smtp_username": "mailer", "smtp_password": "s3cret-Pa55", "sender_email": "billing@example.jp",
            "sender_name": "請求担当"}
    assert (await post(client, "/books/settings/mail", mail)).status_code == 303
    page = (await client.get("/books/settings")).text
    assert "s3cret-Pa55" not in page and 'id="smtp_password-stored"' in page
    assert re.search(r'<input type="password" id="smtp_password" name="smtp_password" value=""', page)

    kept = {**mail, "smtp_password": "", "smtp_host": "mail.example.jp"}
    assert (await post(client, "/books/settings/mail", kept)).status_code == 303
    await org.refresh_from_db()
    assert (org.smtp_host, org.smtp_password) == ("mail.example.jp", "s3cret-Pa55")

    bad = await post(client, "/books/settings/mail", {**mail, "smtp_port": "70000", "smtp_password": "new-one"})
    assert bad.status_code == 422 and error_beside(bad.text, "smtp_port") == "Enter a port from 1 to 65535."
    assert "new-one" not in bad.text and "s3cret-Pa55" not in bad.text
    await org.refresh_from_db()
    assert org.smtp_password == "s3cret-Pa55"


async def test_fiscal_settings_and_edition_refused_with_sales_orders(signed_in, client):
    me, org = await admin_with_org(signed_in)
    fiscal = {"currency": "JPY", "fiscal_year_start_month": "1", "tax_rounding": "half_up", "edition": "books"}
    assert (await post(client, "/books/settings/fiscal", fiscal)).status_code == 303
    await org.refresh_from_db()
    assert (org.fiscal_year_start_month, org.tax_rounding.value) == (1, "half_up")
    await f.make_transaction(await Principal.load(me), "sales_order", await f.make_customer(org))
    refused = await post(client, "/books/settings/fiscal", {**fiscal, "edition": "invoice"}, htmx=True)
    assert refused.status_code == 422
    assert error_beside(refused.text, "edition") == (
        "This organization has sales orders, which only the Books edition keeps.")
    numbering = {"estimate_prefix": "見積", "sales_order_prefix": "SO-", "invoice_prefix": "INV-",
                 "purchase_order_prefix": "PO-"}
    bad = await post(client, "/books/settings/numbering", numbering, htmx=True)
    assert error_beside(bad.text, "estimate_prefix") == "Use up to 10 letters, digits, hyphens or slashes."


async def test_logo_png_accepted_and_served_text_refused(signed_in, client):
    _, org = await admin_with_org(signed_in)
    refused = await upload_logo(client, "logo.png", b"just some text, not an image\n")
    assert refused.status_code == 422 and 'id="error-logo"' in refused.text
    assert "Upload a PNG or JPEG image." in refused.text
    await org.refresh_from_db()
    assert org.logo_path == ""

    image = png()
    ok = await upload_logo(client, "ロゴ.png", image)
    assert ok.status_code == 200 and 'id="logo-image"' in ok.text
    await org.refresh_from_db()
    assert org.logo_path.endswith(".png") and storage_path(org.logo_path).read_bytes() == image
    served = await client.get(f"/books/organization/{org.id}/logo")
    assert served.status_code == 200 and served.content == image
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"

    first = org.logo_path
    await upload_logo(client, "logo.png", png())
    await org.refresh_from_db()
    assert org.logo_path != first and not storage_path(first).exists()  # no orphan left behind


async def test_logo_of_another_organization_is_not_found(signed_in, client):
    theirs = await f.make_org(await f.make_user("Administrator"), logo_path="x" * 40 + ".png")
    await admin_with_org(signed_in)
    assert (await client.get(f"/books/organization/{theirs.id}/logo")).status_code == 404


async def test_members_added_and_removed(signed_in, client):
    me, org = await admin_with_org(signed_in)
    colleague = await f.make_user("Accountant", name="経理 一郎")
    inactive = await f.make_user("Sales", name="Gone", is_active=False)
    page = (await client.get("/books/settings")).text
    candidates = re.search(r'<select name="user_id" id="user_id">.*?</select>', page, re.S).group(0)
    assert f'<option value="{colleague.id}">' in candidates and f'<option value="{inactive.id}">' not in candidates
    refused = await post(client, "/books/settings/members", {"user_id": str(inactive.id)})
    assert refused.status_code == 422 and "Choose an active user." in refused.text
    added = await post(client, "/books/settings/members", {"user_id": str(colleague.id)})
    assert added.status_code == 303
    assert await Membership.exists(organization_id=org.id, user_id=colleague.id)
    assert f'id="member-{colleague.id}"' in (await client.get("/books/settings")).text
    removed = await post(client, f"/books/settings/members/{colleague.id}/remove")
    assert removed.status_code == 303
    assert not await Membership.exists(organization_id=org.id, user_id=colleague.id)
    assert (await post(client, f"/books/settings/members/{me.id}/remove")).status_code == 403


async def test_new_organization_makes_the_creator_a_member_working_in_it(signed_in, client):
    me, first = await admin_with_org(signed_in)
    bad = await post(client, "/books/settings/organizations", {"name": "", "currency": "JPY", "language": "ja",
                                                                "edition": "books", "registration_number": ""})
    assert bad.status_code == 422 and error_beside(bad.text, "name") == "This field is required."
    ok = await post(client, "/books/settings/organizations", {
        "name": "合同会社ふたつめ", "currency": "USD", "language": "en", "edition": "invoice",
        "registration_number": ""})
    assert ok.status_code == 303 and ok.headers["location"] == "/books/settings"
    created = await Organization.get(name="合同会社ふたつめ")
    assert await Membership.exists(organization_id=created.id, user_id=me.id)
    assert await EmailTemplate.filter(organization_id=created.id).count() == 10
    assert "合同会社ふたつめ" in (await client.get("/books/settings")).text.split("</h1>")[0]


async def test_switcher_lists_organizations_and_switches(signed_in, client):
    me = await signed_in("Accountant")
    one = await f.make_org(me, name="一番")
    fragment = (await client.get("/books/organization/switcher", headers=HX)).text
    assert 'id="organization-switch"' not in fragment and "一番" in fragment
    two = await f.make_org(me, name="二番")
    headers = {**HX, "HX-Current-URL": "http://testserver/books/items?state=active"}
    fragment = (await client.get("/books/organization/switcher", headers=headers)).text
    assert f'<option value="{one.id}" selected>一番</option>' in fragment
    assert 'name="next" value="/books/items?state=active"' in fragment
    switched = await post(client, "/books/organization", {"organization_id": str(two.id),
                                                          "next": "/books/items?state=active"}, htmx=True)
    assert switched.headers["HX-Location"] == "/books/items?state=active"
    fragment = (await client.get("/books/organization/switcher", headers=HX)).text
    assert f'<option value="{two.id}" selected>二番</option>' in fragment
    default = await post(client, "/books/organization", {"organization_id": str(one.id), "next": "//evil.example"})
    assert default.headers["location"] == "/books/invoices"
    assert (await post(client, "/books/organization", {"organization_id": "nope"})).status_code == 404


async def test_email_templates_list_edit_create_default_delete(signed_in, client):
    _, org = await admin_with_org(signed_in)
    listing = (await client.get("/books/settings/templates?kind=invoice")).text
    ja, en = (await EmailTemplate.filter(organization_id=org.id, kind=Kind.INVOICE).order_by("language"))[::-1]
    assert f'id="template-{ja.id}"' in listing and f'id="template-{en.id}"' in listing
    form = (await client.get(f"/books/settings/templates/{ja.id}")).text
    assert "<code>{customer_name}</code>" in form and "<code>{portal_link}</code>" in form

    data = {"name": "標準", "language": "ja", "subject": "請求書 {number}", "body": "{customer_nmae}\n{total}"}
    bad = await post(client, f"/books/settings/templates/{ja.id}", data)
    assert bad.status_code == 422
    assert error_beside(bad.text, "body").startswith("Unknown placeholder {customer_nmae}. Use one of: ")
    assert "{customer_nmae}" in bad.text  # what was typed stays
    data["body"] = "{customer_name}\n{total}"
    assert (await post(client, f"/books/settings/templates/{ja.id}", data)).status_code == 303
    await ja.refresh_from_db()
    assert ja.body == "{customer_name}\n{total}"

    created = await post(client, "/books/settings/templates", {
        "kind": "invoice", "name": "督促", "language": "ja", "subject": "お支払いのお願い {number}",
        "body": "{balance}", "is_default": "on"})
    assert created.headers["location"] == "/books/settings/templates?kind=invoice"
    assert "E-mail template “督促” was created." in (await client.get(created.headers["location"])).text
    reminder = await EmailTemplate.get(name="督促")
    assert reminder.is_default and not (await EmailTemplate.get(id=ja.id)).is_default
    await post(client, f"/books/settings/templates/{ja.id}/default")
    assert (await EmailTemplate.get(id=ja.id)).is_default

    for template in (reminder, en):
        gone = await post(client, f"/books/settings/templates/{template.id}/delete")
        assert gone.status_code == 303
        assert f"E-mail template “{template.name}” was deleted." in (await client.get(gone.headers["location"])).text
    last = await post(client, f"/books/settings/templates/{ja.id}/delete")
    assert last.status_code == 409 and "Keep at least one template for each kind of document." in last.text


async def test_templates_of_another_organization_are_not_found(signed_in, client):
    theirs = await f.make_org(await f.make_user("Administrator"))
    template = await EmailTemplate.filter(organization_id=theirs.id).first()
    await admin_with_org(signed_in)
    assert (await client.get(f"/books/settings/templates/{template.id}")).status_code == 404
    assert (await post(client, f"/books/settings/templates/{template.id}/delete")).status_code == 404



async def test_organization_payment_terms_are_the_customers_default(signed_in, client):
    me, org = await admin_with_org(signed_in)
    page = (await client.get("/books/settings")).text
    assert 'name="payment_terms_kind"' in page
    assert "The organization’s terms" not in page.split('name="payment_terms_kind"')[1].split("</select>")[0]
    fiscal = {"currency": "JPY", "fiscal_year_start_month": "4", "tax_rounding": "down", "edition": "books",
              "payment_terms_kind": "close", "payment_terms_closing": "eom", "payment_terms_offset": "1",
              "payment_terms_payment": "10", "payment_terms_net_days": ""}
    assert (await post(client, "/books/settings/fiscal", fiscal)).status_code == 303
    await org.refresh_from_db()
    assert org.payment_terms == "close_eom_1_10"
    customer = await f.make_customer(org)
    invoice = await f.make_transaction(await Principal.load(me), "invoice", customer, issue_date="2026-12-31")
    assert invoice.due_date.isoformat() == "2027-01-10"  # 月末締め翌月10日払い, the customer having none
    refused = await post(client, "/books/settings/fiscal", {**fiscal, "payment_terms_kind": "net",
                                                            "payment_terms_net_days": "400"}, htmx=True)
    assert refused.status_code == 422
    assert error_beside(refused.text, "payment_terms") == "Enter a number of days from 0 to 365."
