"""Organizations, Books contacts and items: validation rules and organization scoping."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.models import ContactPerson, EmailTemplate, Kind
from app.permissions import Principal
from app.services.books_contacts import books_contacts
from app.services.items import items
from app.services.organizations import (
    corporate_number_check_digit,
    organizations,
    registration_number_problem,
)
from tests import factories as f


@pytest.mark.parametrize("number", ["T7000012050002", "T1180301018771", "T5010401067252"])
def test_valid_registration_numbers(number):
    assert registration_number_problem(number) is None


@pytest.mark.parametrize("number,problem", [
    ("T7000012050003", "The registration number's check digit is wrong; check the number."),
    ("T1234567890123", "The registration number's check digit is wrong; check the number."),
    ("7000012050002", "Enter T followed by the 13 digits of the registration number."),
    ("T700001205000", "Enter T followed by the 13 digits of the registration number."),
])
def test_invalid_registration_numbers(number, problem):
    assert registration_number_problem(number) == problem


def test_check_digit_formula():
    assert corporate_number_check_digit("000012050002") == 7


async def test_admin_creates_an_organization_and_becomes_member(db):
    admin = await Principal.load(await f.make_user("Administrator"))
    org = await organizations.create(admin, {"name": "株式会社キズナ", "registration_number": "ｔ７０００-０１２０-５０００２"})
    assert org.registration_number == "T7000012050002"
    assert org.id in admin.organization_ids
    assert await EmailTemplate.filter(organization_id=org.id).count() == 10  # 5 kinds x ja/en
    assert await EmailTemplate.filter(organization_id=org.id, is_default=True, language="ja").count() == 5
    with pytest.raises(ValidationError) as err:
        await organizations.update(admin, org.id, {"registration_number": "T1234567890123", "smtp_port": 0,
                                                   "invoice_prefix": "請求 "})
    assert {e.field for e in err.value.errors} == {"registration_number", "smtp_port", "invoice_prefix"}


async def test_only_admins_change_organizations(accountant, org):
    with pytest.raises(PermissionDenied):
        await organizations.update(accountant, org.id, {"name": "x"})
    with pytest.raises(PermissionDenied):
        await organizations.create(accountant, {"name": "x"})
    outsider = await Principal.load(await f.make_user("Administrator"))
    with pytest.raises(NotFound):
        await organizations.update(outsider, org.id, {"name": "x"})


async def test_edition_change_refused_while_sales_orders_exist(accountant, customer, org, accountant_user):
    await f.make_transaction(accountant, "sales_order", customer)
    admin_user = await f.make_user("Administrator")
    from app.models import Membership

    await Membership.create(organization=org, user=admin_user)
    admin = await Principal.load(admin_user)
    with pytest.raises(ValidationError) as err:
        await organizations.update(admin, org.id, {"edition": "invoice"})
    assert err.value.errors[0].message == "This organization has sales orders, which only the Books edition keeps."


async def test_books_contact_with_persons(accountant):
    contact = await books_contacts.create(accountant, {
        "display_name": "株式会社テスト", "payment_terms": "net_30",
        "persons": [{"last_name": "山田", "email": "yamada@example.jp"},
                    {"last_name": "佐藤", "email": "sato@example.jp", "is_primary": True}]})
    persons = await ContactPerson.filter(books_contact_id=contact.id)
    assert [(p.last_name, p.is_primary) for p in persons] == [("佐藤", True), ("山田", False)]
    with pytest.raises(ValidationError) as err:
        await books_contacts.update(accountant, contact.id, {"persons": [{"last_name": "", "email": "bad"}]})
    assert {e.field for e in err.value.errors} == {"persons.0.last_name", "persons.0.email"}
    assert await ContactPerson.filter(books_contact_id=contact.id).count() == 2


async def test_books_contacts_are_scoped_to_organizations(accountant, customer):
    outsider = await Principal.load(await f.make_user("Accountant"))
    with pytest.raises(NotFound):
        await books_contacts.get(outsider, customer.id)
    assert await books_contacts.query(outsider).count() == 0
    with pytest.raises(ValidationError) as err:
        await books_contacts.create(outsider, {"display_name": "x"})
    assert err.value.errors[0].field == "organization_id"
    with pytest.raises(ValidationError) as err:
        await books_contacts.update(accountant, customer.id, {"organization_id": 999})
    assert err.value.errors[0].message == "A record cannot move to another organization."


async def test_contact_with_transactions_cannot_be_deleted(accountant, customer):
    await f.make_transaction(accountant, "invoice", customer)
    with pytest.raises(Conflict):
        await books_contacts.delete(accountant, customer.id)


async def test_items_rules(accountant, org):
    item = await items.create(accountant, {"name": "お弁当", "sku": "BENTO", "rate": "800", "tax_rate": "8"})
    assert (item.organization_id, item.tax_rate) == (org.id, Decimal(8))
    with pytest.raises(ValidationError) as err:
        await items.create(accountant, {"name": "x", "sku": "BENTO", "tax_rate": "5", "rate": "-1"})
    assert {e.field: e.message for e in err.value.errors} == {
        "sku": "Another item already uses this SKU.",
        "tax_rate": "Choose a tax rate of 10%, 8% (reduced) or 0%.", "rate": "Enter zero or more."}


async def test_sales_role_cannot_edit_items(org):
    sales_user = await f.make_user("Sales")
    from app.models import Membership

    await Membership.create(organization=org, user=sales_user)
    sales = await Principal.load(sales_user)
    with pytest.raises(PermissionDenied):
        await items.create(sales, {"name": "x"})


async def test_email_templates_default_to_the_organizations_language(org, accountant_user):
    from app.models import Membership
    from app.services import email_templates

    admin_user = await f.make_user("Administrator")
    await Membership.create(organization=org, user=admin_user)
    admin = await Principal.load(admin_user)
    template = await email_templates.create(admin, org.id, Kind.INVOICE, {
        "name": "督促", "subject": "【再送】{number}", "body": "{customer_name}\nお支払いをお願いします。"})
    assert template.language == "ja" and not template.is_default
    with pytest.raises(ValidationError) as err:
        await email_templates.create(admin, org.id, Kind.INVOICE, {"name": "x", "subject": "{total:>9}", "body": ""})
    assert err.value.errors[0].field == "subject"
    await email_templates.update(admin, template.id, {"is_default": "on"})
    defaults = await EmailTemplate.filter(organization_id=org.id, kind=Kind.INVOICE, is_default=True)
    assert [t.id for t in defaults] == [template.id]
    await email_templates.update(admin, template.id, {"is_default": ""})  # unsetting is not a thing
    assert (await EmailTemplate.get(id=template.id)).is_default
