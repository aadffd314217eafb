"""Books customers & vendors and items: lists scoped to the current organization, forms with the
contact-persons editor and inline validation, documents, deletion, permissions."""

from __future__ import annotations

import re
from html import unescape
from decimal import Decimal

from app.models import BooksContact, ContactPerson, Document, Item
from app.permissions import Principal
from tests import factories as f
from tests.views.conftest import HX, post, token
from tests.views.test_forms import error_beside

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def message_at(html: str, key: str) -> str:
    """The message rendered for a field path such as `persons.1.email`."""
    element_id = "error-" + key.replace(".", "-")
    match = re.search(rf'<p class="field-error" id="{element_id}"[^>]*>([^<]+)</p>', html)
    assert match, f"no message for {key}"
    return match.group(1)


def person_fields(i: int, last: str, first: str = "", email: str = "", phone: str = "") -> dict:
    return {f"persons-{i}-last_name": last, f"persons-{i}-first_name": first,
            f"persons-{i}-email": email, f"persons-{i}-phone": phone}


async def upload(client, url: str, name: str, content: bytes):
    headers = {**HX, "X-CSRF-Token": await token(client)}
    return await client.post(url, files={"file": (name, content)}, headers=headers)


# ---- customers & vendors -------------------------------------------------------------------


async def test_contact_list_shows_the_current_organization_only(signed_in, client):
    me = await signed_in("Accountant")
    first, second = await f.make_org(me, name="一番"), await f.make_org(me, name="二番")
    await f.make_customer(first, display_name="First customer")
    await f.make_customer(second, display_name="Second customer", email="buyer@example.jp")
    await f.make_customer(second, display_name="Second vendor", contact_type="vendor")

    listing = (await client.get("/books/contacts")).text
    assert "First customer" in listing and "Second" not in listing

    switched = await post(client, "/books/organization", {"organization_id": str(second.id),
                                                          "next": "/books/contacts"})
    assert switched.status_code == 303 and switched.headers["location"] == "/books/contacts"
    listing = (await client.get("/books/contacts")).text
    assert "First customer" not in listing and "Second customer" in listing
    vendors = (await client.get("/books/contacts?type=vendor", headers={**HX, "HX-Target": "rows"})).text
    assert "Second vendor" in vendors and "Second customer" not in vendors
    assert not vendors.lstrip().startswith("<!doctype")
    found = (await client.get("/books/contacts?q=buyer@")).text
    assert "Second customer" in found and "Second vendor" not in found


async def test_create_contact_with_a_bad_person_then_fix_it(signed_in, client):
    me = await signed_in("Accountant")
    org = await f.make_org(me)
    form = (await client.get("/books/contacts/new")).text
    assert 'id="persons-0-last_name"' in form and 'id="add-person"' in form

    data = {"display_name": "株式会社テスト", "contact_type": "customer", "is_company": "True",
            "payment_terms": "end_of_next_month", "currency": "JPY", "registration_number": "",
            **person_fields(0, "山田", "太郎", "taro@example.jp"),
            **person_fields(1, "佐藤", "花子", "not-an-address"), "primary": "1"}
    bad = await post(client, "/books/contacts", data, htmx=True)
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith('<form id="record-form"')
    assert message_at(bad.text, "persons.1.email") == "Enter a valid e-mail address."
    row = re.search(r'<tr id="person-row-1">.*?</tr>', bad.text, re.S).group(0)
    assert 'id="error-persons-1-email"' in row  # beside the second person, not the first
    assert 'value="not-an-address"' in row and 'value="佐藤"' in row
    assert re.search(r'id="persons-1-primary"[^>]*checked', bad.text)
    assert await BooksContact.all().count() == 0

    data["persons-1-email"] = "hanako@example.jp"
    good = await post(client, "/books/contacts", data, htmx=True)
    contact = await BooksContact.get(display_name="株式会社テスト")
    assert good.status_code == 200 and good.headers["HX-Location"] == f"/books/contacts/{contact.id}"
    assert contact.organization_id == org.id
    persons = await ContactPerson.filter(books_contact_id=contact.id).order_by("id")
    assert [(p.last_name, p.email, p.is_primary) for p in persons] == [
        ("山田", "taro@example.jp", False), ("佐藤", "hanako@example.jp", True)]

    page = (await client.get(f"/books/contacts/{contact.id}")).text
    assert '<span class="honorific" id="honorific"' in page and "御中</span>" in page
    assert "佐藤 花子" in page and "Closing at month end, paid at the end of the next month" in page
    edit = (await client.get(f"/books/contacts/{contact.id}/edit")).text
    assert 'value="hanako@example.jp"' in edit


async def test_person_is_addressed_sama_and_registration_number_checked(signed_in, client):
    me = await signed_in("Accountant")
    await f.make_org(me)
    data = {"display_name": "山田 太郎", "contact_type": "customer", "is_company": "False",
            "payment_terms": "net_30", "currency": "JPY", "registration_number": "T1234567890123"}
    bad = await post(client, "/books/contacts", data, htmx=True)
    assert unescape(error_beside(bad.text, "registration_number")) == (
        "The registration number's check digit is wrong; check the number.")
    data["registration_number"] = f.REGISTRATION_NUMBER
    ok = await post(client, "/books/contacts", data)
    assert ok.status_code == 303
    page = (await client.get(ok.headers["location"])).text
    assert "様</span>" in page and "Net 30 days" in page


async def test_persons_editor_adds_and_removes_rows_keeping_values(signed_in, client):
    me = await signed_in("Accountant")
    await f.make_org(me)
    params = {**person_fields(0, "山田"), **person_fields(1, "佐藤", email="sato@example.jp"), "primary": "1"}
    added = (await client.get("/books/contacts/persons-editor", params={**params, "add": "1"}, headers=HX)).text
    assert added.lstrip().startswith('<div class="row-editor-block" id="persons"')
    assert 'id="persons-2-last_name"' in added and 'value="sato@example.jp"' in added
    removed = (await client.get("/books/contacts/persons-editor", params={**params, "remove": "0"},
                                headers=HX)).text
    assert 'value="山田"' not in removed and 'id="persons-1-last_name"' not in removed
    assert re.search(r'id="persons-0-last_name"\s+value="佐藤"', removed)
    assert re.search(r'id="persons-0-primary"[^>]*checked', removed)


async def test_non_member_never_sees_another_organizations_contact(signed_in, client):
    other = await f.make_org(await f.make_user("Accountant"))
    theirs = await f.make_customer(other, display_name="Not yours")
    me = await signed_in("Accountant")
    await f.make_org(me)
    assert (await client.get(f"/books/contacts/{theirs.id}")).status_code == 404
    assert (await client.get(f"/books/contacts/{theirs.id}/edit")).status_code == 404
    assert (await post(client, f"/books/contacts/{theirs.id}/delete")).status_code == 404
    assert (await upload(client, f"/books/contacts/{theirs.id}/documents", "a.pdf", PDF)).status_code == 404
    assert "Not yours" not in (await client.get("/books/contacts")).text
    refused = await post(client, "/books/organization", {"organization_id": str(other.id)})
    assert refused.status_code == 404


async def test_delete_contact_and_conflict_when_it_has_transactions(signed_in, client):
    me = await signed_in("Accountant")
    org = await f.make_org(me)
    unused, used = await f.make_customer(org, display_name="Unused"), await f.make_customer(org)
    await f.make_transaction(await Principal.load(me), "invoice", used)
    page = (await client.get(f"/books/contacts/{unused.id}")).text
    assert f'href="/books/contacts/{unused.id}/delete"' in page
    confirm = await client.get(f"/books/contacts/{unused.id}/delete")
    assert confirm.status_code == 200 and "Unused" in confirm.text
    gone = await post(client, f"/books/contacts/{unused.id}/delete")
    assert gone.status_code == 303 and gone.headers["location"] == "/books/contacts"
    assert not await BooksContact.exists(id=unused.id)
    refused = await post(client, f"/books/contacts/{used.id}/delete")
    assert refused.status_code == 409
    assert "This customer or vendor has documents, so it cannot be deleted: make it inactive instead." in refused.text
    assert f'action="/books/contacts/{used.id}/deactivate"' in refused.text  # the way out is offered


async def test_contact_documents_upload_list_and_delete(signed_in, client):
    me = await signed_in("Accountant")
    contact = await f.make_customer(await f.make_org(me))
    url = f"/books/contacts/{contact.id}/documents"
    bad = await upload(client, url, "page.pdf", b"<html><script>alert(1)</script></html>")
    assert bad.status_code == 422
    assert message_at(bad.text, "file").startswith("This kind of file cannot be attached.")
    ok = await upload(client, url, "注文書.pdf", PDF)
    doc = await Document.get(books_contact_id=contact.id)
    assert ok.status_code == 200 and ok.text.lstrip().startswith('<section class="card panel" id="documents">')
    assert f'<a href="/books/documents/{doc.id}">注文書.pdf</a>' in ok.text
    assert f'href="/books/documents/{doc.id}"' in (await client.get(f"/books/contacts/{contact.id}")).text
    deleted = await post(client, f"{url}/{doc.id}/delete", htmx=True)
    assert deleted.status_code == 200 and "No documents yet." in deleted.text
    assert not await Document.exists(id=doc.id)


async def test_sales_may_view_but_not_delete_contacts(signed_in, client):
    me = await signed_in("Sales")
    contact = await f.make_customer(await f.make_org(me))
    page = (await client.get(f"/books/contacts/{contact.id}")).text
    assert 'id="edit-record"' in page and 'id="delete-record"' not in page
    assert (await client.get(f"/books/contacts/{contact.id}/delete")).status_code == 403


# ---- items ---------------------------------------------------------------------------------


async def test_item_list_rate_tax_and_filter(signed_in, client):
    me = await signed_in("Accountant")
    org = await f.make_org(me)
    await f.make_item(org, name="お弁当", sku="BENTO", rate=Decimal(800), tax_rate=Decimal(8))
    await f.make_item(org, name="コンサルティング", rate=Decimal(50000))
    await f.make_item(org, name="Retired", is_active=False, tax_rate=Decimal(0))
    listing = (await client.get("/books/items")).text
    assert "¥800" in listing and "8% (reduced)" in listing and "¥50,000" in listing and "10%" in listing
    active = (await client.get("/books/items?state=active")).text
    assert "Retired" not in active and "お弁当" in active
    inactive = (await client.get("/books/items?state=inactive")).text
    assert "Retired" in inactive and "0%" in inactive and "お弁当" not in inactive
    assert "BENTO" in (await client.get("/books/items?q=bento")).text


async def test_item_duplicate_sku_then_success(signed_in, client):
    me = await signed_in("Accountant")
    org = await f.make_org(me)
    await f.make_item(org, sku="SKU-1")
    form = (await client.get("/books/items/new")).text
    assert '<option value="10" selected>10%</option>' in form
    assert '<option value="8">8% (reduced)</option>' in form
    data = {"name": "Widget", "sku": "SKU-1", "unit": "個", "rate": "1,200", "tax_rate": "8",
            "is_active": "True", "description": ""}
    bad = await post(client, "/books/items", data, htmx=True)
    assert bad.status_code == 422
    assert error_beside(bad.text, "sku") == "Another item already uses this SKU."
    assert 'value="Widget"' in bad.text and '<option value="8" selected>' in bad.text
    data["sku"] = "SKU-2"
    ok = await post(client, "/books/items", data, htmx=True)
    item = await Item.get(sku="SKU-2")
    assert ok.headers["HX-Location"] == f"/books/items/{item.id}"
    assert (item.rate, item.tax_rate, item.organization_id) == (Decimal(1200), Decimal(8), org.id)
    page = (await client.get(f"/books/items/{item.id}")).text
    assert "¥1,200" in page and "8% (reduced)" in page
    edit = (await client.get(f"/books/items/{item.id}/edit")).text
    assert 'value="1200"' in edit and '<option value="8" selected>' in edit


async def test_sales_cannot_create_or_edit_items(signed_in, client):
    me = await signed_in("Sales")
    item = await f.make_item(await f.make_org(me), name="Visible")
    listing = (await client.get("/books/items")).text
    assert "Visible" in listing and 'id="new-record"' not in listing
    assert (await client.get("/books/items/new")).status_code == 403
    assert (await client.get(f"/books/items/{item.id}/edit")).status_code == 403
    assert (await post(client, "/books/items", {"name": "Sneaky"})).status_code == 403


async def test_delete_item_with_confirmation(signed_in, client):
    me = await signed_in("Accountant")
    item = await f.make_item(await f.make_org(me), name="Gone soon")
    confirm = await client.get(f"/books/items/{item.id}/delete")
    assert "Gone soon" in confirm.text
    response = await post(client, f"/books/items/{item.id}/delete", htmx=True)
    assert response.headers["HX-Location"] == "/books/items"
    assert (await client.get(f"/books/items/{item.id}")).status_code == 404

