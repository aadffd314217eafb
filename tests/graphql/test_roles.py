"""Role permissions in the API: Role.grants and members, sharing rules, and the administrator
mutations (the Settings pages' own rules: app.services.roles / sharing), typed errors, the access
stamp, list maxima, `users` scoping and SMTP settings visibility."""

from __future__ import annotations

import pytest

from app import settings
from app.models import Grant, Role, SharingRule
from tests import factories as f
from tests.graphql.conftest import gid

ROLES = "{ roles { name isSystem grants { module action } users { totalCount edges { node { name } } } } }"


async def test_administrators_read_each_roles_matrix_and_members(gql):
    admin = await f.make_user("Administrator")
    await f.make_user("Sales", name="Sato")
    roles = {r["name"]: r for r in (await gql(admin, ROLES))["roles"]}
    sales = roles["Sales"]
    assert {"module": "CONTACTS", "action": "VIEW"} in sales["grants"]
    assert {"module": "SETTINGS", "action": "ADMIN"} not in sales["grants"]
    assert {"module": "SETTINGS", "action": "ADMIN"} in roles["Administrator"]["grants"]
    assert sales["isSystem"] and [e["node"]["name"] for e in sales["users"]["edges"]] == ["Sato"]
    assert roles["Accountant"]["users"]["totalCount"] == 0


async def test_others_see_role_names_but_not_matrices_or_members(gql):
    sales = await f.make_user("Sales")
    for role in (await gql(sales, ROLES))["roles"]:
        assert role["grants"] is None and role["users"] is None
    response = await gql.post(sales, "{ sharingRules { totalCount } }")
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


CREATE = """mutation($input: RoleInput!) { createRole(input: $input) { __typename
  ... on RolePayload { role { id name description seesAllRecords grants { module action } } }
  ... on ValidationError { fields { path message } } ... on PermissionDenied { message } } }"""
UPDATE = """mutation($id: ID!, $input: RoleInput!) { updateRole(id: $id, input: $input) { __typename
  ... on RolePayload { role { name description seesAllRecords } }
  ... on ValidationError { fields { path message } } ... on NotFound { message }
  ... on PermissionDenied { message } } }"""
GRANTS = """mutation($id: ID!, $grants: [RoleGrantInput!]!) { setRoleGrants(id: $id, grants: $grants) {
  __typename ... on RolePayload { role { grants { module action } } }
  ... on ValidationError { fields { path message } } ... on Conflict { message } ... on NotFound { message }
  ... on PermissionDenied { message } } }"""
DELETE = """mutation($id: ID!) { deleteRole(id: $id) { __typename ... on DeletePayload { deletedId }
  ... on Conflict { message } ... on NotFound { message } ... on PermissionDenied { message } } }"""


async def test_administrator_creates_renames_grants_and_deletes_a_role(gql):
    admin = await f.make_user("Administrator")
    created = (await gql(admin, CREATE, {"input": {"name": "Support 100%", "description": "<b>cases</b>"}}))["createRole"]
    assert created["__typename"] == "RolePayload" and created["role"]["grants"] == []
    role_id = created["role"]["id"]
    duplicate = (await gql(admin, CREATE, {"input": {"name": "Sales"}}))["createRole"]
    assert duplicate == {"__typename": "ValidationError",
                         "fields": [{"path": "name", "message": "A role with this name exists already."}]}
    blank = (await gql(admin, CREATE, {"input": {"name": "  ", "description": None}}))["createRole"]
    assert blank["fields"] == [{"path": "name", "message": "This field is required."}]

    renamed = (await gql(admin, UPDATE, {"id": role_id, "input": {"name": "Support", "seesAllRecords": True}}))
    assert renamed["updateRole"] == {"__typename": "RolePayload",
                                     "role": {"name": "Support", "description": "<b>cases</b>", "seesAllRecords": True}}
    taken = (await gql(admin, UPDATE, {"id": role_id, "input": {"name": "Manager"}}))["updateRole"]
    assert taken["__typename"] == "ValidationError"
    missing = (await gql(admin, UPDATE, {"id": gid("Role", 999999), "input": {"name": "X"}}))["updateRole"]
    assert missing["__typename"] == "NotFound"

    cells = [{"module": "CASES", "action": "VIEW"}, {"module": "CASES", "action": "CREATE_EDIT"}]
    granted = (await gql(admin, GRANTS, {"id": role_id, "grants": cells}))["setRoleGrants"]
    assert granted["role"]["grants"] == cells
    bad = (await gql(admin, GRANTS, {"id": role_id, "grants": [{"module": "SETTINGS", "action": "VIEW"}]}))
    assert bad["setRoleGrants"]["__typename"] == "ValidationError"
    assert set(await Grant.filter(role_id=created_pk(role_id)).values_list("module", "action")) == {
        ("cases", "view"), ("cases", "create_edit")}
    own = (await gql(admin, GRANTS, {"id": gid("Role", admin.role_id), "grants": []}))["setRoleGrants"]
    assert own == {"__typename": "Conflict",
                   "message": "You cannot remove the settings permission from your own role."}

    holder = await f.make_user("Support")
    in_use = (await gql(admin, DELETE, {"id": role_id}))["deleteRole"]
    assert in_use == {"__typename": "Conflict", "message": "Move this role's users to another role first."}
    await holder.delete()
    assert (await gql(admin, DELETE, {"id": role_id}))["deleteRole"] == {"__typename": "DeletePayload",
                                                                        "deletedId": role_id}
    assert not await Role.exists(name="Support")
    sales = await Role.get(name="Sales")
    assert (await gql(admin, DELETE, {"id": gid("Role", sales.id)}))["deleteRole"]["__typename"] == "Conflict"
    assert (await gql(admin, DELETE, {"id": gid("Contact", sales.id)}))["deleteRole"]["__typename"] == "NotFound"


def created_pk(global_id: str) -> int:
    from schema.types.node import pk_of

    return pk_of(global_id, "Role")


async def test_mutations_refuse_non_administrators(gql):
    manager = await f.make_user("Manager")
    sales = await Role.get(name="Sales")
    before = set(await Grant.filter(role_id=sales.id).values_list("module", "action"))
    calls = [
        (CREATE, {"input": {"name": "Mine"}}, "createRole"),
        (UPDATE, {"id": gid("Role", sales.id), "input": {"name": "Mine"}}, "updateRole"),
        (GRANTS, {"id": gid("Role", sales.id), "grants": []}, "setRoleGrants"),
        (DELETE, {"id": gid("Role", sales.id)}, "deleteRole"),
    ]
    for query, variables, name in calls:
        response = await gql.post(manager, query, variables)
        assert response.json()["data"][name]["__typename"] == "PermissionDenied", name
    assert (await Role.get(id=sales.id)).name == "Sales" and not await Role.exists(name="Mine")
    assert set(await Grant.filter(role_id=sales.id).values_list("module", "action")) == before


SHARE = """mutation($input: SharingRuleInput!) { createSharingRule(input: $input) { __typename
  ... on SharingRulePayload { sharingRule { id module access ownerUser { name } ownerRole { name }
      granteeUser { name } granteeRole { name } } }
  ... on ValidationError { fields { path message } } ... on PermissionDenied { message } } }"""
UNSHARE = """mutation($id: ID!) { deleteSharingRule(id: $id) { __typename ... on DeletePayload { deletedId }
  ... on NotFound { message } ... on PermissionDenied { message } } }"""


async def test_changes_through_graphql_reach_other_users_on_their_next_request(gql):
    admin = await f.make_user("Administrator")
    owner, reader = await f.make_user("Sales", name="Owner"), await f.make_user("Sales", name="Reader")
    await f.make_contact(owner, last_name="Hidden")
    seen = "{ contacts { totalCount } me { grants { module action } } }"
    first = await gql(reader, seen)
    assert first["contacts"]["totalCount"] == 0

    shared = (await gql(admin, SHARE, {"input": {
        "module": "CONTACTS", "access": "READ_ONLY", "ownerUserId": gid("User", owner.id),
        "granteeUserId": gid("User", reader.id)}}))["createSharingRule"]
    assert shared["sharingRule"] | {"id": None} == {
        "id": None, "module": "CONTACTS", "access": "READ_ONLY", "ownerUser": {"name": "Owner"},
        "ownerRole": None, "granteeUser": {"name": "Reader"}, "granteeRole": None}
    assert (await gql(reader, seen))["contacts"]["totalCount"] == 1
    listed = await gql(admin, "{ sharingRules { totalCount edges { node { id } } } }")
    assert listed["sharingRules"]["edges"] == [{"node": {"id": shared["sharingRule"]["id"]}}]

    sales = await Role.get(name="Sales")
    cells = [{"module": "DEALS", "action": "VIEW"}]
    assert (await gql(admin, GRANTS, {"id": gid("Role", sales.id), "grants": cells}))["setRoleGrants"][
        "__typename"] == "RolePayload"
    assert (await gql(reader, seen))["me"]["grants"] == [{"module": "deals", "action": "view"}]

    seeing = {"id": gid("Role", sales.id), "input": {"seesAllRecords": True}}
    assert (await gql(admin, UPDATE, seeing))["updateRole"]["__typename"] == "RolePayload"
    assert (await gql(reader, "{ deals { totalCount } }"))["deals"]["totalCount"] == 0
    await f.make_deal(owner)
    assert (await gql(reader, "{ deals { totalCount } }"))["deals"]["totalCount"] == 1

    gone = (await gql(admin, UNSHARE, {"id": shared["sharingRule"]["id"]}))["deleteSharingRule"]
    assert gone["__typename"] == "DeletePayload" and not await SharingRule.exists()
    assert (await gql(admin, UNSHARE, {"id": shared["sharingRule"]["id"]}))["deleteSharingRule"][
        "__typename"] == "NotFound"


async def test_sharing_rule_validation_and_permission(gql):
    admin, sales = await f.make_user("Administrator"), await f.make_user("Sales")
    role = await Role.get(name="Sales")
    both = {"module": "DEALS", "access": "READ_WRITE", "granteeUserId": gid("User", sales.id),
            "granteeRoleId": gid("Role", role.id)}
    result = (await gql(admin, SHARE, {"input": both}))["createSharingRule"]
    assert result["fields"] == [{"path": "granteeUserId", "message": "Choose either a user or a role to share with."}]
    wrong_type = {"module": "DEALS", "access": "READ_WRITE", "granteeUserId": gid("Role", role.id)}
    result = (await gql(admin, SHARE, {"input": wrong_type}))["createSharingRule"]
    assert result["fields"] == [{"path": "granteeUserId", "message": "Choose a valid record."}]
    not_crm = {"module": "INVOICES", "access": "READ_WRITE", "granteeRoleId": gid("Role", role.id)}
    assert (await gql(admin, SHARE, {"input": not_crm}))["createSharingRule"]["fields"][0]["path"] == "module"
    ok = {"module": "DEALS", "access": "READ_WRITE", "granteeRoleId": gid("Role", role.id)}
    assert (await gql(sales, SHARE, {"input": ok}))["createSharingRule"]["__typename"] == "PermissionDenied"
    assert not await SharingRule.exists()


async def test_users_lists_those_who_share_an_organization(gql):
    me, mate = await f.make_user("Sales", name="Me"), await f.make_user("Sales", name="Mate")
    stranger = await f.make_user("Sales", name="Stranger")
    await f.make_org(me, mate)
    await f.make_org(stranger)
    query = "{ users { totalCount edges { node { name } } } }"
    names = [e["node"]["name"] for e in (await gql(me, query))["users"]["edges"]]
    assert names == ["Mate", "Me"]
    admin = await f.make_user("Administrator", name="Admin")
    assert {"Me", "Mate", "Stranger", "Admin"} <= {e["node"]["name"] for e in (await gql(admin, query))["users"]["edges"]}


async def test_smtp_settings_are_for_administrators(gql):
    admin, member = await f.make_user("Administrator"), await f.make_user("Accountant")
    await f.make_org(admin, member, smtp_host="smtp.example.jp", smtp_port=2525, smtp_username="mailer",
                     sender_email="billing@example.jp")
    query = "{ organizations { smtpHost smtpPort smtpUsername smtpSecurity smtpConfigured senderEmail } }"
    [seen] = (await gql(member, query))["organizations"]
    assert seen == {"smtpHost": None, "smtpPort": None, "smtpUsername": None, "smtpSecurity": None,
                    "smtpConfigured": True, "senderEmail": "billing@example.jp"}
    [full] = (await gql(admin, query))["organizations"]
    assert (full["smtpHost"], full["smtpPort"], full["smtpUsername"]) == ("smtp.example.jp", 2525, "mailer")


@pytest.mark.parametrize("query", [
    "{ users(first: %d) { totalCount } }", "{ roles(first: %d) { name } }",
    "{ organizations(first: %d) { name } }", "{ me { apiTokens(first: %d) { name } } }",
    "{ roles { name users(first: %d) { totalCount } } }",
])
async def test_every_list_has_a_server_side_maximum(gql, query):
    admin = await f.make_user("Administrator")
    response = await gql.post(admin, query % (settings.MAX_PAGE_SIZE + 1))
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert not (await gql.post(admin, query % settings.MAX_PAGE_SIZE)).json().get("errors")


async def test_bounded_lists_stop_at_first(gql):
    admin = await f.make_user("Administrator")
    assert len((await gql(admin, "{ roles(first: 2) { name } }"))["roles"]) == 2
