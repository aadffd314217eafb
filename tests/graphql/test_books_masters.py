"""Books master data through GraphQL: organizations (administrators; the SMTP password never
leaves the server), Books contacts with their persons, items, and e-mail templates."""

from __future__ import annotations

from graphql import build_schema, is_interface_type, is_object_type

from app.models import EmailTemplate, Organization
from schema.export import sdl
from tests import factories as f
from tests.graphql.conftest import gid

ORGANIZATION = """mutation($input: OrganizationInput!) { createOrganization(input: $input) { __typename
  ... on OrganizationPayload { organization { id name currency taxRounding invoicePrefix smtpConfigured } }
  ... on PermissionDenied { message } } }"""
UPDATE_ORGANIZATION = """mutation($id: ID!, $input: OrganizationInput!) { updateOrganization(id: $id, input: $input) {
  __typename ... on OrganizationPayload { organization { smtpHost senderEmail smtpConfigured } }
  ... on ValidationError { fields { path message } } ... on NotFound { message } } }"""


async def test_administrators_create_and_configure_organizations(gql):
    accountant = await f.make_user("Accountant")
    admin = await f.make_user("Administrator")
    data = await gql(accountant, ORGANIZATION, {"input": {"name": "経理の会社"}})
    assert data["createOrganization"] == {"__typename": "PermissionDenied",
                                          "message": "You do not have permission to do this."}

    data = await gql(admin, ORGANIZATION, {"input": {"name": "株式会社キズナ", "taxRounding": "HALF_UP"}})
    org = data["createOrganization"]["organization"]
    assert org == {"id": org["id"], "name": "株式会社キズナ", "currency": "JPY", "taxRounding": "HALF_UP",
                   "invoicePrefix": "INV-", "smtpConfigured": False}
    # The creator is its first member, and every kind has its default templates.
    data = await gql(admin, """query($id: ID!) { organizations { id }
      emailTemplates(organizationId: $id, kind: INVOICE) { language isDefault } }""", {"id": org["id"]})
    assert data["organizations"] == [{"id": org["id"]}]
    assert sorted((t["language"], t["isDefault"]) for t in data["emailTemplates"]) == [("en", False), ("ja", True)]

    data = await gql(admin, UPDATE_ORGANIZATION, {"id": org["id"], "input": {
        "registrationNumber": "T1234", "smtpPort": 0, "invoicePrefix": "請求"}})
    assert {e["path"]: e["message"] for e in data["updateOrganization"]["fields"]} == {
        "registrationNumber": "Enter T followed by the 13 digits of the registration number.",
        "smtpPort": "Enter a port from 1 to 65535.",
        "invoicePrefix": "Use up to 10 letters, digits, hyphens or slashes.",
    }
    data = await gql(admin, UPDATE_ORGANIZATION, {"id": org["id"], "input": {
        "smtpHost": "smtp.example.jp", "senderEmail": "billing@example.jp"}})
    assert data["updateOrganization"]["organization"] == {
        "smtpHost": "smtp.example.jp", "senderEmail": "billing@example.jp", "smtpConfigured": True}

    # Another administrator who is not a member neither sees nor changes it.
    other_admin = await f.make_user("Administrator")
    assert (await gql(other_admin, "query($id: ID!) { organization(id: $id) { id } }", {"id": org["id"]})) == {
        "organization": None}
    data = await gql(other_admin, UPDATE_ORGANIZATION, {"id": org["id"], "input": {"name": "Mine"}})
    assert data["updateOrganization"]["__typename"] == "NotFound"


async def test_the_smtp_password_never_leaves_the_server(gql):
    # No type gives a password back; an organization's is set on the Settings page only (a
    # mailbox's passwords are write-only input fields: connecting one over the API needs them).
    schema = build_schema(sdl())
    readable = [f"{t.name}.{name}" for t in schema.type_map.values() if is_object_type(t) or is_interface_type(t)
                for name in t.fields if "password" in name.lower() and not name.startswith("has")]
    assert readable == [] and "smtp_password" not in sdl()
    assert "smtpPassword" not in schema.type_map["OrganizationInput"].fields
    admin = await f.make_user("Administrator")
    await f.make_org(admin, smtp_host="smtp.example.jp", sender_email="b@example.jp", smtp_password="hunter2")
    response = await gql.post(admin, "{ organizations { smtpPassword } }")
    assert "Cannot query field 'smtpPassword'" in response.json()["errors"][0]["message"]
    response = await gql.post(admin, "{ organizations { name smtpConfigured } }")
    assert "hunter2" not in response.text and response.json()["data"]["organizations"][0]["smtpConfigured"] is True
    data = await gql.post(admin, ORGANIZATION, {"input": {"name": "x", "smtpPassword": "y"}})
    assert "smtpPassword" in data.json()["errors"][0]["message"]  # not an input field either
    assert await Organization.filter(smtp_password="y").count() == 0


CONTACT_FIELDS = "displayName contactType paymentTerms currency organization { id } persons { fullName email isPrimary }"
CREATE_CONTACT = f"""mutation($input: BooksContactInput!) {{ createBooksContact(input: $input) {{ __typename
  ... on BooksContactPayload {{ booksContact {{ id {CONTACT_FIELDS} }} }}
  ... on ValidationError {{ fields {{ path message }} }} }} }}"""
UPDATE_CONTACT = f"""mutation($id: ID!, $input: BooksContactInput!) {{ updateBooksContact(id: $id, input: $input) {{
  __typename ... on BooksContactPayload {{ booksContact {{ {CONTACT_FIELDS} }} }}
  ... on ValidationError {{ fields {{ path message }} }} }} }}"""


async def test_books_contact_with_persons(gql):
    user = await f.make_user("Accountant")
    org = await f.make_org(user)
    data = await gql(user, CREATE_CONTACT, {"input": {
        "displayName": "株式会社テスト", "contactType": "VENDOR", "paymentTerms": "NET_30",
        "persons": [{"lastName": "山田", "firstName": "太郎", "email": "yamada@example.jp"},
                    {"lastName": "佐藤", "email": "sato@example.jp", "isPrimary": True}]}})
    contact = data["createBooksContact"]["booksContact"]
    assert contact == {
        "id": contact["id"], "displayName": "株式会社テスト", "contactType": "VENDOR", "paymentTerms": "NET_30",
        "currency": "JPY", "organization": {"id": gid("Organization", org.id)},
        "persons": [{"fullName": "佐藤", "email": "sato@example.jp", "isPrimary": True},
                    {"fullName": "山田 太郎", "email": "yamada@example.jp", "isPrimary": False}],
    }

    data = await gql(user, UPDATE_CONTACT, {"id": contact["id"], "input": {"persons": [
        {"lastName": "鈴木"}, {"lastName": "", "email": "not-an-address"}]}})
    assert data["updateBooksContact"]["fields"] == [
        {"path": "persons.1.lastName", "message": "This field is required."},
        {"path": "persons.1.email", "message": "Enter a valid e-mail address."},
    ]
    data = await gql(user, UPDATE_CONTACT, {"id": contact["id"], "input": {"persons": [{"lastName": "鈴木"}]}})
    # Given persons replace the old ones; the first becomes primary.
    assert data["updateBooksContact"]["booksContact"]["persons"] == [
        {"fullName": "鈴木", "email": "", "isPrimary": True}]
    data = await gql(user, UPDATE_CONTACT, {"id": contact["id"], "input": {"displayName": "改名"}})
    assert data["updateBooksContact"]["booksContact"]["persons"] == [  # omitted: kept
        {"fullName": "鈴木", "email": "", "isPrimary": True}]


async def test_contacts_in_use_are_not_deleted(gql):
    user = await f.make_user("Accountant")
    org = await f.make_org(user)
    customer = await f.make_customer(org)
    unused = await f.make_customer(org)
    await f.make_transaction(await f.principal_for(user), "invoice", customer)
    delete = """mutation($id: ID!) { deleteBooksContact(id: $id) { __typename
      ... on DeletePayload { deletedId } ... on Conflict { message } } }"""
    assert (await gql(user, delete, {"id": gid("BooksContact", customer.id)}))["deleteBooksContact"] == {
        "__typename": "Conflict",
        "message": "This customer or vendor has documents, so it cannot be deleted: make it inactive instead."}
    assert (await gql(user, delete, {"id": gid("BooksContact", unused.id)}))["deleteBooksContact"] == {
        "__typename": "DeletePayload", "deletedId": gid("BooksContact", unused.id)}


async def test_items(gql):
    user = await f.make_user("Accountant")
    org = await f.make_org(user)
    mutation = """mutation($input: ItemInput!) { createItem(input: $input) { __typename
      ... on ItemPayload { item { name sku rate taxRate isActive organization { name } } }
      ... on ValidationError { fields { path message } } } }"""
    data = await gql(user, mutation, {"input": {"name": "お茶", "sku": "TEA-1", "rate": "150.5", "taxRate": "8"}})
    assert data["createItem"]["item"] == {"name": "お茶", "sku": "TEA-1", "rate": "150.5", "taxRate": "8",
                                          "isActive": True, "organization": {"name": org.name}}
    data = await gql(user, mutation, {"input": {"name": "水", "sku": "TEA-1", "rate": "-1", "taxRate": "5",
                                                "organizationId": gid("Account", org.id)}})
    assert data["createItem"]["fields"] == [{"path": "organizationId", "message": "Choose a valid record."}]
    data = await gql(user, mutation, {"input": {"name": "水", "sku": "TEA-1", "rate": "-1", "taxRate": "5"}})
    assert {e["path"]: e["message"] for e in data["createItem"]["fields"]} == {
        "rate": "Enter zero or more.",
        "taxRate": "Choose a tax rate of 10%, 8% (reduced) or 0%.",
        "sku": "Another item already uses this SKU.",
    }
    data = await gql(user, "query($f: ItemFilter) { items(filter: $f) { edges { node { name } } } }",
                     {"f": {"taxRate": {"eq": "8"}, "organization": {"eq": gid("Organization", org.id)}}})
    assert data["items"]["edges"] == [{"node": {"name": "お茶"}}]


TEMPLATE = """mutation($org: ID!, $input: EmailTemplateInput!) {
  createEmailTemplate(organizationId: $org, kind: ESTIMATE, input: $input) { __typename
    ... on EmailTemplatePayload { emailTemplate { id kind name language isDefault } }
    ... on ValidationError { fields { path message } } ... on PermissionDenied { message } } }"""


async def test_email_templates(gql):
    admin = await f.make_user("Administrator")
    accountant = await f.make_user("Accountant")
    org = await f.make_org(admin, accountant)
    org_id = gid("Organization", org.id)
    body = {"name": "丁寧", "language": "ja", "subject": "{number} のご送付", "body": "{contact_name}\nよろしくお願いします。"}
    assert (await gql(accountant, TEMPLATE, {"org": org_id, "input": body}))["createEmailTemplate"]["__typename"] == (
        "PermissionDenied")
    data = await gql(admin, TEMPLATE, {"org": org_id, "input": {**body, "subject": "{unknown}", "isDefault": True}})
    assert data["createEmailTemplate"]["fields"][0]["path"] == "subject"
    data = await gql(admin, TEMPLATE, {"org": org_id, "input": {**body, "isDefault": True}})
    template = data["createEmailTemplate"]["emailTemplate"]
    assert template == {"id": template["id"], "kind": "ESTIMATE", "name": "丁寧", "language": "ja", "isDefault": True}
    defaults = await EmailTemplate.filter(organization_id=org.id, kind="estimate", is_default=True).count()
    assert defaults == 1  # the previous default stepped down

    update = """mutation($id: ID!) { updateEmailTemplate(id: $id, input: {name: "短文"}) { __typename
      ... on EmailTemplatePayload { emailTemplate { name } } } }"""
    assert (await gql(admin, update, {"id": template["id"]}))["updateEmailTemplate"] == {
        "__typename": "EmailTemplatePayload", "emailTemplate": {"name": "短文"}}

    delete = """mutation($id: ID!) { deleteEmailTemplate(id: $id) { __typename
      ... on DeletePayload { deletedId } ... on ValidationError { fields { path message } } } }"""
    ids = [gid("EmailTemplate", t.id) for t in await EmailTemplate.filter(organization_id=org.id, kind="estimate")]
    results = [(await gql(admin, delete, {"id": i}))["deleteEmailTemplate"] for i in ids]
    assert [r["__typename"] for r in results] == ["DeletePayload", "DeletePayload", "ValidationError"]
    assert results[-1]["fields"] == [
        {"path": "template", "message": "Keep at least one template for each kind of document."}]


async def test_a_contact_in_use_is_made_inactive_instead(gql):
    user = await f.make_user("Accountant")
    org = await f.make_org(user)
    customer = await f.make_customer(org, display_name="休眠商事")
    await f.make_customer(org, display_name="現役商事")
    await f.make_transaction(await f.principal_for(user), "invoice", customer)
    update = """mutation($id: ID!, $input: BooksContactInput!) { updateBooksContact(id: $id, input: $input) {
      __typename ... on BooksContactPayload { booksContact { displayName isActive } } } }"""
    data = await gql(user, update, {"id": gid("BooksContact", customer.id), "input": {"isActive": False}})
    assert data["updateBooksContact"]["booksContact"] == {"displayName": "休眠商事", "isActive": False}
    listed = """query($f: BooksContactFilter) { booksContacts(filter: $f) { edges { node { displayName } } } }"""
    data = await gql(user, listed, {"f": {"isActive": {"eq": False}}})
    assert data["booksContacts"]["edges"] == [{"node": {"displayName": "休眠商事"}}]
    data = await gql(user, listed, {"f": {"isActive": {"eq": True}}})
    assert data["booksContacts"]["edges"] == [{"node": {"displayName": "現役商事"}}]
