"""savedViews, saveView and deleteView: the list pages' saved views through GraphQL, the same
rules (app.services.saved_views)."""

from __future__ import annotations

from app.models import SavedView
from tests import factories as f
from tests.graphql.conftest import gid

SAVE = """mutation($module: String!, $name: String!, $state: ListStateInput!, $shared: Boolean!, $id: ID) {
  saveView(module: $module, name: $name, state: $state, shared: $shared, id: $id) {
    __typename
    ... on SaveViewPayload { view { id name module shared mine canEdit
                                    state { q sort columns perPage filters { name value } } } }
    ... on ValidationError { fields { path message } }
    ... on PermissionDenied { message }
  }
}"""
VIEWS = "query($m: String!) { savedViews(module: $m) { name shared mine canEdit state { sort columns } } }"
DELETE = "mutation($id: ID!) { deleteView(id: $id) { __typename ... on PermissionDenied { message } } }"


async def test_save_list_and_delete_a_view(gql):
    me = await f.make_user("Sales")
    state = {"q": "big", "filters": [{"name": "stage", "value": "won"}], "sort": "-amount",
             "columns": ["amount", "owner"], "perPage": 50}
    data = await gql(me, SAVE, {"module": "deals", "name": "Big wins", "state": state, "shared": True})
    view = data["saveView"]["view"]
    assert view["state"] == {**state, "filters": [{"name": "stage", "value": "won"}]}
    assert view["shared"] and view["mine"] and view["canEdit"]
    colleague = await f.make_user("Sales")
    seen = await gql(colleague, VIEWS, {"m": "deals"})
    assert seen["savedViews"] == [{"name": "Big wins", "shared": True, "mine": False, "canEdit": False,
                                   "state": {"sort": "-amount", "columns": ["amount", "owner"]}}]
    refused = await gql(colleague, DELETE, {"id": view["id"]})
    assert refused["deleteView"]["__typename"] == "PermissionDenied"
    changed = await gql(colleague, SAVE, {"module": "deals", "name": "Mine now", "state": {}, "shared": False,
                                          "id": view["id"]})
    assert changed["saveView"]["__typename"] == "PermissionDenied"
    assert (await gql(me, DELETE, {"id": view["id"]}))["deleteView"]["__typename"] == "DeletePayload"
    assert not await SavedView.exists()


async def test_state_parts_the_list_does_not_know_are_refused(gql):
    me = await f.make_user("Sales")
    state = {"filters": [{"name": "password", "value": "x"}, {"name": "stage", "value": "nope"}],
             "sort": "owner__password_hash", "columns": ["amount", "secret"], "perPage": 100000}
    data = await gql(me, SAVE, {"module": "deals", "name": "x" * 81, "state": state, "shared": False})
    assert data["saveView"]["__typename"] == "ValidationError"
    data = await gql(me, SAVE, {"module": "deals", "name": "ok", "state": state, "shared": False})
    paths = {e["path"] for e in data["saveView"]["fields"]}
    assert paths == {"state.filters.password", "state.filters.stage", "state.sort", "state.columns.1",
                     "state.perPage"}
    unknown = await gql(me, SAVE, {"module": "nothing", "name": "ok", "state": {}, "shared": False})
    assert unknown["saveView"]["fields"][0]["path"] == "module"
    assert not await SavedView.exists()


async def test_views_of_a_module_the_user_may_not_see_are_not_listed(gql):
    manager = await f.make_user("Manager")
    await SavedView.create(user=manager, module="invoices", name="Overdue", shared=True, state={})
    sales = await f.make_user("Sales")  # Sales only views invoices... but not purchase orders
    await SavedView.create(user=manager, module="purchase_orders", name="Open POs", shared=True, state={})
    assert (await gql(sales, VIEWS, {"m": "purchase_orders"}))["savedViews"] == []
    refused = await gql(sales, SAVE, {"module": "purchase_orders", "name": "x", "state": {}, "shared": False})
    assert refused["saveView"]["__typename"] in ("PermissionDenied", "ValidationError")
    assert (await gql(sales, DELETE, {"id": gid("SavedView", 999999)}))["deleteView"]["__typename"] == "NotFound"
