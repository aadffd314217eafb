"""The permission walk through GraphQL, for every CRM module:
anonymous -> wrong role -> no share -> read-only share -> read-write share -> right role.
Lists are filtered and counted after filtering, node() hides, relations never leak."""

from __future__ import annotations

import pytest

from app.models import Access, Role
from tests import factories as f
from tests.graphql.conftest import gid

# module -> (GraphQL type, list field, factory, minimal create input, change)
MODULES = {
    "accounts": ("Account", "accounts", f.make_account, {"name": "New"}, {"name": "Renamed"}),
    "contacts": ("Contact", "contacts", f.make_contact, {"lastName": "New"}, {"lastName": "Renamed"}),
    "leads": ("Lead", "leads", f.make_lead, {"lastName": "New"}, {"lastName": "Renamed"}),
    "deals": ("Deal", "deals", f.make_deal, None, {"name": "Renamed"}),
    "tasks": ("Task", "tasks", f.make_task, {"subject": "New"}, {"subject": "Renamed"}),
    "events": ("Event", "events", f.make_event,
               {"subject": "New", "startAt": "2026-04-01T10:00:00Z", "endAt": "2026-04-01T11:00:00Z"},
               {"subject": "Renamed"}),
    "cases": ("Case", "cases", f.make_case, {"subject": "New"}, {"subject": "Renamed"}),
}


@pytest.fixture(params=sorted(MODULES))
def module(request):
    return request.param


def queries(type_name: str, field: str) -> dict[str, str]:
    return {
        "list": f"{{ {field}(first: 10) {{ totalCount edges {{ node {{ id }} }} }} }}",
        "node": "query($id: ID!) { node(id: $id) { id } }",
        "one": f"query($id: ID!) {{ {type_name.lower()}(id: $id) {{ id }} }}",
        "create": f"""mutation($input: {type_name}Input!) {{ create{type_name}(input: $input) {{
            __typename ... on {type_name}Payload {{ {type_name.lower()} {{ id }} }}
            ... on PermissionDenied {{ message }} ... on ValidationError {{ fields {{ path }} }} }} }}""",
        "update": f"""mutation($id: ID!, $input: {type_name}Input!) {{ update{type_name}(id: $id, input: $input) {{
            __typename ... on PermissionDenied {{ message }} ... on NotFound {{ message }} }} }}""",
        "delete": f"""mutation($id: ID!) {{ delete{type_name}(id: $id) {{
            __typename ... on PermissionDenied {{ message }} }} }}""",
    }


async def create_input(module: str) -> dict:
    given = MODULES[module][3]
    if given is None:  # deals need a stage
        return {"name": "New", "stageId": gid("Stage", (await f.stage()).id)}
    return given


async def test_walk_from_anonymous_to_the_right_role(gql, module):
    type_name, field, make, _, change = MODULES[module]
    q = queries(type_name, field)
    owner = await f.make_user("Sales")
    record = await make(owner)
    record_id = gid(type_name, record.id)
    await make(await f.make_user("Sales"))  # someone else's, never shared

    # Anonymous: turned away before anything runs.
    response = await gql.post(None, q["list"])
    assert response.status_code == 401

    # A role without the module's grants sees nothing, not even a count, and may not create.
    await Role.create(name="Outsider")
    outsider = await f.make_user("Outsider")
    data = await gql(outsider, q["list"])
    assert data[field] == {"totalCount": 0, "edges": []}
    assert (await gql(outsider, q["node"], {"id": record_id}))["node"] is None
    result = (await gql(outsider, q["create"], {"input": await create_input(module)}))[f"create{type_name}"]
    assert result["__typename"] == "PermissionDenied"

    # Same role as the owner, no share: invisible; editing it is NotFound, not PermissionDenied.
    colleague = await f.make_user("Sales")
    assert (await gql(colleague, q["list"]))[field]["totalCount"] == 0
    assert (await gql(colleague, q["one"], {"id": record_id}))[type_name.lower()] is None
    result = (await gql(colleague, q["update"], {"id": record_id, "input": change}))[f"update{type_name}"]
    assert result["__typename"] == "NotFound"

    # Read-only share: listed and counted, but edits refused with the reason.
    await f.share(module, Access.READ_ONLY, owner=owner, grantee=colleague)
    data = await gql(colleague, q["list"])
    assert data[field] == {"totalCount": 1, "edges": [{"node": {"id": record_id}}]}
    assert (await gql(colleague, q["node"], {"id": record_id}))["node"] == {"id": record_id}
    result = (await gql(colleague, q["update"], {"id": record_id, "input": change}))[f"update{type_name}"]
    assert result == {"__typename": "PermissionDenied", "message": "This record is shared with you read-only."}

    # Read-write share: edits pass; deleting still needs the delete grant Sales lacks.
    await f.share(module, Access.READ_WRITE, owner=owner, grantee=colleague)
    result = (await gql(colleague, q["update"], {"id": record_id, "input": change}))[f"update{type_name}"]
    assert result == {"__typename": f"{type_name}Payload"}
    result = (await gql(colleague, q["delete"], {"id": record_id}))[f"delete{type_name}"]
    assert result["__typename"] == "PermissionDenied"

    # Sales may create their own; a Manager sees everything and deletes.
    result = (await gql(colleague, q["create"], {"input": await create_input(module)}))[f"create{type_name}"]
    assert result["__typename"] == f"{type_name}Payload"
    manager = await f.make_user("Manager")
    assert (await gql(manager, q["list"]))[field]["totalCount"] == 3
    result = (await gql(manager, q["delete"], {"id": record_id}))[f"delete{type_name}"]
    assert result == {"__typename": "DeletePayload"}
    assert (await gql(manager, q["list"]))[field]["totalCount"] == 2


async def test_accountant_reads_but_cannot_write(gql):
    """Accountant: view on accounts, contacts and deals only."""
    owner = await f.make_user("Sales")
    accountant = await f.make_user("Accountant")
    contact = await f.make_contact(owner)
    await f.make_lead(owner)
    await f.share("contacts", Access.READ_WRITE, owner=owner, grantee=accountant)
    await f.share("leads", Access.READ_WRITE, owner=owner, grantee=accountant)
    data = await gql(accountant, "{ contacts { totalCount } leads { totalCount } }")
    assert data == {"contacts": {"totalCount": 1}, "leads": {"totalCount": 0}}  # no lead grant at all
    q = queries("Contact", "contacts")
    result = await gql(accountant, q["update"], {"id": gid("Contact", contact.id), "input": {"lastName": "X"}})
    assert result["updateContact"]["__typename"] == "PermissionDenied"
    result = await gql(accountant, q["create"], {"input": {"lastName": "X"}})
    assert result["createContact"]["__typename"] == "PermissionDenied"
