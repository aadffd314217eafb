"""Products and deal line items through GraphQL: queries, mutations, permissions, query counts."""

from __future__ import annotations

from decimal import Decimal

from app.models import Access, Deal, DealLine, Role
from tests import factories as f
from tests.graphql.conftest import gid
from tests.querycount import count_queries

PRODUCT_FIELDS = "id name code unit unitPrice currency taxRate description active owner { name }"
CREATE = f"""mutation($input: ProductInput!) {{ createProduct(input: $input) {{ __typename
  ... on ProductPayload {{ product {{ {PRODUCT_FIELDS} }} }}
  ... on ValidationError {{ fields {{ path message }} }} ... on PermissionDenied {{ message }} }} }}"""
SET_LINES = """mutation($deal: ID!, $lines: [DealLineInput!]!) { setDealLines(dealId: $deal, lines: $lines) {
  __typename
  ... on DealPayload { deal { amount lines { position description quantity unitPrice discount product { name } } } }
  ... on ValidationError { fields { path message } } ... on NotFound { message }
  ... on PermissionDenied { message } } }"""


def errors_of(result: dict) -> dict[str, str]:
    return {e["path"]: e["message"] for e in result.get("fields", [])}


async def test_create_update_delete_product(gql):
    owner = await f.make_user("Sales")
    created = (await gql(owner, CREATE, {"input": {
        "name": "保守サポート（年間）", "code": "SUP-Y", "unit": "年", "unitPrice": "60000", "taxRate": "8"}}))
    product = created["createProduct"]["product"]
    assert product["name"] == "保守サポート（年間）" and product["unitPrice"] == "60000"
    assert product["taxRate"] == "8" and product["active"] is True and product["currency"] == "JPY"
    assert product["owner"]["name"] == owner.name

    updated = await gql(owner, """mutation($id: ID!) { updateProduct(id: $id, input: {active: false, unitPrice: "65000"}) {
      ... on ProductPayload { product { active unitPrice name } } } }""", {"id": product["id"]})
    assert updated["updateProduct"]["product"] == {"active": False, "unitPrice": "65000", "name": "保守サポート（年間）"}

    found = await gql(owner, "query($id: ID!) { product(id: $id) { name } node(id: $id) { ... on Product { code } } }",
                      {"id": product["id"]})
    assert found == {"product": {"name": "保守サポート（年間）"}, "node": {"code": "SUP-Y"}}

    admin = await f.make_user("Administrator")  # Sales may not delete
    refused = await gql(owner, "mutation($id: ID!) { deleteProduct(id: $id) { __typename } }", {"id": product["id"]})
    assert refused["deleteProduct"]["__typename"] == "PermissionDenied"
    deleted = await gql(admin, "mutation($id: ID!) { deleteProduct(id: $id) { ... on DeletePayload { deletedId } } }",
                        {"id": product["id"]})
    assert deleted["deleteProduct"]["deletedId"] == product["id"]
    assert (await gql(owner, "query($id: ID!) { product(id: $id) { name } }", {"id": product["id"]}))["product"] is None


async def test_product_input_is_checked(gql):
    owner = await f.make_user("Sales")
    await f.make_product(owner, code="KZ-500")
    result = (await gql(owner, CREATE, {"input": {
        "name": "", "code": "KZ-500", "unitPrice": "-1", "taxRate": "5", "currency": "XXX"}}))["createProduct"]
    assert result["__typename"] == "ValidationError"
    assert set(errors_of(result)) == {"name", "code", "unitPrice", "taxRate", "currency"}
    assert errors_of(result)["code"] == "Another product already uses this code."
    decimals = (await gql(owner, CREATE, {"input": {"name": "x", "unitPrice": "10.5"}}))["createProduct"]
    assert errors_of(decimals) == {"unitPrice": "JPY amounts allow 0 decimal places."}
    # A price a Books item could not hold (the sync would fail on it) is refused at once.
    huge = (await gql(owner, CREATE, {"input": {"name": "x", "unitPrice": "100000000000000"}}))["createProduct"]
    assert errors_of(huge) == {"unitPrice": "Enter a number with at most 14 digits before the decimal point."}
    assert (await gql(owner, CREATE, {"input": {"name": "x", "unitPrice": "99999999999999"}}))[
        "createProduct"]["__typename"] == "ProductPayload"


async def test_products_list_filters_and_permissions(gql):
    owner = await f.make_user("Sales")
    await f.make_product(owner, name="プリンター", code="P-1")
    await f.make_product(owner, name="トナー", active=False)
    other = await f.make_user("Sales")
    await f.make_product(other, name="他人の製品")
    query = """query($filter: ProductFilter) { products(first: 10, filter: $filter) {
      totalCount edges { node { name } } } }"""
    names = lambda data: [e["node"]["name"] for e in data["products"]["edges"]]  # noqa: E731
    assert names(await gql(owner, query)) == ["トナー", "プリンター"]  # by name; the colleague's is hidden
    assert names(await gql(owner, query, {"filter": {"active": {"eq": True}}})) == ["プリンター"]
    assert names(await gql(owner, query, {"filter": {"search": "ぷりんたー"}})) == ["プリンター"]

    # a role without the products grant sees none and may create none
    await Role.create(name="Guest")
    guest = await f.make_user("Guest")
    assert (await gql(guest, query))["products"]["totalCount"] == 0
    refused = (await gql(guest, CREATE, {"input": {"name": "x"}}))["createProduct"]
    assert refused["__typename"] == "PermissionDenied"

    # view only (the Accountant): reads shared products, creates none
    accountant = await f.make_user("Accountant")
    await f.share("products", Access.READ_ONLY, owner=owner, grantee=accountant)
    assert names(await gql(accountant, query)) == ["トナー", "プリンター"]
    assert (await gql(accountant, CREATE, {"input": {"name": "x"}}))["createProduct"]["__typename"] == "PermissionDenied"


async def test_set_deal_lines_makes_the_amount(gql):
    owner = await f.make_user("Sales")
    printer = await f.make_product(owner, name="プリンター", unit_price=Decimal(128000))
    deal = await f.make_deal(owner, amount=Decimal(5000))
    result = (await gql(owner, SET_LINES, {"deal": gid("Deal", deal.id), "lines": [
        {"productId": gid("Product", printer.id), "quantity": "2", "discount": "6000"},
        {"description": "設置作業", "quantity": "1.5", "unitPrice": "333"},
    ]}))["setDealLines"]
    assert result["deal"]["amount"] == "250500"  # 2 x 128000 - 6000 + round(1.5 x 333 = 499.5) 500
    assert result["deal"]["lines"] == [
        {"position": 0, "description": "プリンター", "quantity": "2", "unitPrice": "128000", "discount": "6000",
         "product": {"name": "プリンター"}},
        {"position": 1, "description": "設置作業", "quantity": "1.5", "unitPrice": "333", "discount": "0",
         "product": None},
    ]
    # while it has lines, a typed amount gives way to their total
    retyped = await gql(owner, """mutation($id: ID!) { updateDeal(id: $id, input: {amount: "1", name: "入替"}) {
      ... on DealPayload { deal { amount name } } } }""", {"id": gid("Deal", deal.id)})
    assert Decimal(retyped["updateDeal"]["deal"]["amount"]) == Decimal(250500)
    assert (await Deal.get(id=deal.id)).amount == Decimal(250500)
    # no lines: the deal keeps its last amount, which may be typed again
    cleared = (await gql(owner, SET_LINES, {"deal": gid("Deal", deal.id), "lines": []}))["setDealLines"]
    assert Decimal(cleared["deal"]["amount"]) == Decimal(250500) and cleared["deal"]["lines"] == []
    typed = await gql(owner, """mutation($id: ID!) { updateDeal(id: $id, input: {amount: "7000"}) {
      ... on DealPayload { deal { amount } } } }""", {"id": gid("Deal", deal.id)})
    assert typed["updateDeal"]["deal"]["amount"] == "7000"


async def test_set_deal_lines_refuses_bad_lines_and_writes_nothing(gql):
    owner = await f.make_user("Sales")
    deal = await f.make_deal(owner, amount=Decimal(5000))
    await DealLine.create(deal=deal, description="既存", quantity=1, unit_price=5000)
    hidden = await f.make_product(await f.make_user("Sales"))
    result = (await gql(owner, SET_LINES, {"deal": gid("Deal", deal.id), "lines": [
        {"description": "a", "quantity": "0", "unitPrice": "100"},
        {"description": "b", "quantity": "-2", "unitPrice": "-5"},
        {"description": "c", "unitPrice": "100", "discount": "101"},
        {"description": "d", "unitPrice": "1e30"},
        {"productId": gid("Product", hidden.id)},
        {"description": "f", "unitPrice": "10.5"},
    ]}))["setDealLines"]
    assert result["__typename"] == "ValidationError"
    assert errors_of(result) == {
        "lines.0.quantity": "Enter more than zero.",
        "lines.1.quantity": "Enter more than zero.",
        "lines.1.unitPrice": "Enter zero or more.",
        "lines.2.discount": "The discount cannot exceed the line amount.",
        "lines.3.unitPrice": "Enter a number with at most 16 digits before the decimal point.",
        "lines.4.productId": "Choose a valid record.",
        "lines.4.description": "Enter a description or choose a product.",
        "lines.5.unitPrice": "JPY amounts allow 0 decimal places.",
    }
    too_many = (await gql(owner, SET_LINES, {"deal": gid("Deal", deal.id), "lines": [
        {"description": "x", "unitPrice": "1"}] * 201}))["setDealLines"]
    assert errors_of(too_many) == {"lines": "A deal has at most 200 lines."}
    huge = (await gql(owner, SET_LINES, {"deal": gid("Deal", deal.id), "lines": [
        {"description": "x", "quantity": "9999999999", "unitPrice": "9999999999999999"}]}))["setDealLines"]
    assert errors_of(huge) == {"lines": "The amount is too large."}
    assert [line.description for line in await DealLine.filter(deal_id=deal.id)] == ["既存"]
    assert (await Deal.get(id=deal.id)).amount == Decimal(5000)


async def test_set_deal_lines_takes_editing_the_deal(gql):
    owner = await f.make_user("Sales")
    deal = await f.make_deal(owner)
    reader = await f.make_user("Sales")
    await f.share("deals", Access.READ_ONLY, owner=owner, grantee=reader)
    lines = [{"description": "x", "unitPrice": "1"}]
    refused = (await gql(reader, SET_LINES, {"deal": gid("Deal", deal.id), "lines": lines}))["setDealLines"]
    assert refused["__typename"] == "PermissionDenied"
    stranger = await f.make_user("Sales")
    unseen = (await gql(stranger, SET_LINES, {"deal": gid("Deal", deal.id), "lines": lines}))["setDealLines"]
    assert unseen["__typename"] == "NotFound"
    assert not await DealLine.filter(deal_id=deal.id).exists()


async def test_a_line_keeps_a_product_the_editor_cannot_see(gql):
    owner = await f.make_user("Sales")
    colleague = await f.make_user("Sales")
    secret = await f.make_product(colleague, name="非公開製品")
    deal = await f.make_deal(owner)
    await DealLine.create(deal=deal, product=secret, description="非公開製品", quantity=1, unit_price=1000)
    data = await gql(owner, "query($id: ID!) { deal(id: $id) { lines { description product { name } } } }",
                     {"id": gid("Deal", deal.id)})
    assert data["deal"]["lines"] == [{"description": "非公開製品", "product": None}]
    kept = (await gql(owner, SET_LINES, {"deal": gid("Deal", deal.id), "lines": [
        {"productId": gid("Product", secret.id), "description": "非公開製品", "quantity": "3", "unitPrice": "1000"}]}))
    assert kept["setDealLines"]["deal"]["amount"] == "3000"
    assert (await DealLine.get(deal_id=deal.id)).product_id == secret.id


async def test_query_count_flat_for_products_and_deal_lines(gql):
    owner = await f.make_user("Sales")
    product = await f.make_product(owner)
    for i in range(30):
        await f.make_product(owner)
        deal = await f.make_deal(owner)
        await DealLine.bulk_create([DealLine(deal=deal, position=p, product=product, description="x",
                                             quantity=1, unit_price=100) for p in range(3)])
    await gql(owner, "{ me { timezone } }")
    products_query = "query($n: Int) { products(first: $n) { edges { node { name unitPrice owner { name } } } } }"
    deals_query = """query($n: Int) { deals(first: $n) { edges { node { name amount
      lines { description quantity product { name owner { name } } } } } } }"""
    for query, name in ((products_query, "products"), (deals_query, "deals")):
        counts = {}
        for n in (3, 30):
            with count_queries() as queries:
                data = await gql(owner, query, {"n": n})
            assert len(data[name]["edges"]) == n
            counts[n] = len(queries)
        assert counts[3] == counts[30], queries.sql
    assert all(len(e["node"]["lines"]) == 3 for e in data["deals"]["edges"])
